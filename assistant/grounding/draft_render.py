"""A checked draft as Markdown (for a terminal), JSON or HTML with each sentence highlighted by status.

Everything from the draft or the index is escaped: both are text from outside.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence

from ..core.render import md_literal, shorten, source_label
from .draft import STATUSES, SentenceCheck

_LABEL = {"supported": "supported", "contradicted": "CONTRADICTED", "not_found": "not found"}
_EXCERPT = 300
_CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
.s{padding:0 .15em;border-radius:.2em}.supported{background:#d9f2d9}.contradicted{background:#f9d0d0}
.not_found{background:#fbeec2}ol li{margin:.6em 0}blockquote{margin:.3em 0 .3em 1em;color:#444}
.legend span{margin-right:1em}"""


def _quoted(check: SentenceCheck) -> str:
    """What the reader is shown of the passage: the window the sentence was judged on, else its opening."""
    return shorten(check.evidence or (check.passage.text if check.passage else ""), _EXCERPT)


def summary_counts(checks: Sequence[SentenceCheck]) -> dict[str, int]:
    counts = Counter(c.status for c in checks)
    return {status: counts.get(status, 0) for status in STATUSES}


def to_markdown(checks: Sequence[SentenceCheck]) -> str:
    """One numbered item per sentence: status, score, the passage and reasons."""
    counts = summary_counts(checks)
    lines = [f"# Fact-check: {len(checks)} sentences — " + ", ".join(f"{n} {_LABEL[s]}" for s, n in counts.items()), ""]
    for n, check in enumerate(checks, 1):
        lines.append(f"{n}. **{_LABEL[check.status]}** ({check.score:.2f}) {md_literal(check.sentence)}")
        if check.passage is not None:
            lines.append(f"   > {md_literal(_quoted(check))}")
            lines.append(f"   > — {md_literal(source_label(check.passage.article))}")
        for reason in check.reasons if check.status != "supported" else []:
            lines.append(f"   - {md_literal(reason)}")
    return "\n".join(lines) + "\n"


def to_json(checks: Sequence[SentenceCheck]) -> str:
    return json.dumps({"counts": summary_counts(checks), "sentences": [c.to_json() for c in checks]},
                      ensure_ascii=False)


def to_html(checks: Sequence[SentenceCheck]) -> str:
    """A page: the draft with each sentence highlighted, then the evidence and reasons per sentence."""
    e = html.escape
    counts = summary_counts(checks)
    draft = " ".join(f'<span class="s {c.status}" title="{e(_LABEL[c.status])}">{e(c.sentence)}</span>' for c in checks)
    items = []
    for c in checks:
        parts = [f'<span class="s {c.status}">{e(c.sentence)}</span> <b>{e(_LABEL[c.status])}</b> ({c.score:.2f})']
        if c.passage is not None:
            parts.append(f"<blockquote>{e(_quoted(c))}<br>— {e(source_label(c.passage.article))}</blockquote>")
        if c.status != "supported" and c.reasons:
            parts.append("<ul>" + "".join(f"<li>{e(r)}</li>" for r in c.reasons) + "</ul>")
        items.append("<li>" + "".join(parts) + "</li>")
    legend = "".join(f'<span class="s {s}">{e(_LABEL[s])}: {n}</span>' for s, n in counts.items())
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fact-check</title>"
            f"<style>{_CSS}</style></head><body><h1>Fact-check</h1><p class=\"legend\">{legend}</p>"
            f"<p>{draft}</p><ol>{''.join(items)}</ol></body></html>\n")
