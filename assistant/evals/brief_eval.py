"""Briefing-note eval: ROUGE of the note's prose against reference summaries, beside a lead-3 baseline
computed in the same run, plus citation coverage and length.

Each dataset item is its own mini-corpus: its documents are chunked and briefed directly (no index),
through the same map/reduce core as ``assistant brief``. The scored prose is the note's bottom line +
key developments, without citation markers. ``items.jsonl`` keeps, per item, the exact note, baseline
and reference texts, so every score can be recomputed.

The note's bottom line (BLUF) is also scored alone, beside the whole standard note.

Metrics (per item, then averaged): ROUGE-1/2 F1 and ROUGE-L (summary-level LCS, ``rougeLsum``, one
sentence per line) with the Porter stemmer; ``citation_coverage`` = share of the note's bullets (all
sections) whose citations passed the verifier; ``dropped_per_note`` = lines the verifier rejected;
``words`` = length of the scored prose. Model replies are cached on disk like the QA eval's, so a
rerun after a change that leaves the prompts alone costs no model time.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .datasets import load_brief_dataset
from .report import load_baseline, run_meta, write_report

ROUGE_KEYS = ("rouge1", "rouge2", "rougeLsum")
METRIC_KEYS = ["ROUGE-1", "ROUGE-2", "ROUGE-L", "citation_coverage", "words", "dropped_per_note", "llm_lines_used"]
NAMES = dict(zip(ROUGE_KEYS, METRIC_KEYS))
TARGET_MARGIN = 0.01  # issue #21: ROUGE-1 of the standard note at least lead-3 + 1.0 point


def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)


def rouge(scorer, reference: str, text: str) -> dict[str, float]:
    """F1 of ROUGE-1/2/Lsum; sentences on their own lines so ROUGE-L is summary-level."""
    from ..text.sentences import split_sentences

    ref = "\n".join(split_sentences(reference))
    hyp = "\n".join(split_sentences(text))
    scores = scorer.score(ref, hyp)
    return {NAMES[k]: round(scores[k].fmeasure, 6) for k in ROUGE_KEYS}


def _group(item: dict[str, Any]) -> str:
    """Outlet of the item (from its URL), or the size of a multi-article cluster: the by-type grouping of
    the report."""
    if len(item["documents"]) > 1:
        return f"clusters of {len(item['documents'])} articles"
    url = str(item["extra"].get("url") or "")
    host = (urlsplit(url.split("id_/", 1)[-1]).hostname or "") if url else ""
    return host.removeprefix("www.") or "unknown"


def _means(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(rows)}
    for key in keys:
        values = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
        out[key] = round(sum(values) / len(values), 4) if values else None
    return out


def _metrics(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    return {"overall": _means(rows, keys), "by_type": {g: _means(r, keys) for g, r in sorted(groups.items())}}


def settings_hash(settings, prompt_versions: dict[str, str]) -> str:
    key = {"identity": settings.identity(), "llm": settings.llm.model_dump(), "answer": settings.answer.model_dump(),
           "brief": settings.brief.model_dump(),
           "chunk": settings.chunk.model_dump(), "prompts": prompt_versions}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:12]


def run_brief_eval(settings, dataset_path: str | Path, out_dir: str | Path, baseline_dir: str | Path | None = None,
                   limit: int | None = None, progress: bool | None = None) -> Path:
    """Brief every item, score note and lead-3 against the reference, write the run folder."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    items = load_brief_dataset(dataset_path)
    if limit:
        items = items[:limit]
    baseline = load_baseline(baseline_dir) if baseline_dir else None
    tools = _Tools.load(settings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    show = sys.stderr.isatty() if progress is None else progress
    scores = _score_items(tools, items, out / "items.jsonl", show)
    if not scores.notes:
        from ..core.errors import InputError

        failures = scores.failures
        raise InputError(f"every item failed; first reason: {failures[0]['reason'] if failures else 'none'}")
    _write_run(out, tools, dataset_path, started, len(items), scores, baseline)
    return out


@dataclass
class _Tools:
    """What every item is briefed and scored with, loaded once per run."""

    settings: Any
    llm: Any  # a CachedChatModel, or None for the extractive note
    embedder: Any
    chunker: Any
    scorer: Any
    prompts: dict[str, str]  # prompt name -> version, when a model writes

    @classmethod
    def load(cls, settings) -> "_Tools":
        from ..index.embedder import make_embedder
        from ..ingest.chunking import Chunker
        from ..llm import make_llm
        from ..llm.prompting import load_prompt
        from .qa_eval import CachedChatModel

        llm = make_llm(settings)
        llm = CachedChatModel(llm) if llm is not None else None
        embedder = make_embedder(settings)
        chunker = Chunker.for_settings(settings)
        scorer = _scorer()
        prompts = {} if llm is None else {n: load_prompt(n).version for n in ("brief_notes", "brief_section")}
        return cls(settings, llm, embedder, chunker, scorer, prompts)

    @property
    def llm_name(self) -> str:
        return getattr(self.llm, "name", "none") if self.llm is not None else "none"


@dataclass
class _Scores:
    """The scored rows of the items that were briefed, and why the others failed."""

    notes: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    bottom_lines: list[dict[str, Any]] = field(default_factory=list)  # the note's bottom line (BLUF) alone
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0  # spent briefing the scored items


def _score_items(tools: _Tools, items: list[dict[str, Any]], records: Path, show: bool) -> _Scores:
    """Brief and score each item, writing its record to ``records`` as soon as it is scored."""
    from tqdm import tqdm

    from ..brief.writer import lead_sentences, leads_in_turn

    scores = _Scores()
    with records.open("w", encoding="utf-8") as sink:
        for item in tqdm(items, desc="eval brief", unit="item", disable=not show, file=sys.stderr, dynamic_ncols=True):
            group = _group(item)
            try:
                brief, seconds = _brief(tools, item)
            except Exception as exc:  # one bad item never sinks the run
                scores.failures.append({"id": item["id"], "reason": f"{type(exc).__name__}: {exc}"[:300]})
                continue
            docs = item["documents"]  # one article: lead-3; several: their leads in turn, as long as the note
            lead = lead_sentences(docs[0], 3) if len(docs) == 1 else leads_in_turn(docs, len(brief.prose().split()))
            scores.seconds += seconds
            note_row, lead_row, record = _score(tools.scorer, item, group, brief, lead)
            scores.notes.append(note_row)
            scores.leads.append(lead_row)
            bluf = brief.prose(("bottom_line",))
            scores.bottom_lines.append({"group": group, **rouge(tools.scorer, item["reference"], bluf),
                                        "words": len(bluf.split())})
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
    return scores


def _brief(tools: _Tools, item: dict[str, Any]):  # -> (brief.Brief, seconds it took)
    """The item's documents as articles (no index), briefed through the same core as ``assistant brief``."""
    from ..brief.select import articles_from_texts
    from ..brief.writer import brief_articles

    t0 = time.monotonic()
    articles = articles_from_texts(item["documents"], tools.settings, url=str(item["extra"].get("url") or ""),
                                   chunker=tools.chunker, id_prefix=f"{item['id'][:24]}-")
    brief = brief_articles(articles, tools.settings, llm=tools.llm, embedder=tools.embedder, progress=False)
    return brief, time.monotonic() - t0


def _score(scorer, item: dict[str, Any], group: str, brief, lead: str) -> tuple[dict, dict, dict]:
    """The note's and the lead-3 baseline's scores, and the record that lets them be recomputed."""
    note = brief.prose()
    bullets = brief.stats["bullets"]
    note_row = {"group": group, **rouge(scorer, item["reference"], note),
                "citation_coverage": brief.stats["verified_bullets"] / bullets if bullets else None,
                "words": len(note.split()), "dropped_per_note": brief.stats["dropped"],
                "llm_lines_used": brief.stats["llm_lines_used"]}
    lead_row = {"group": group, **rouge(scorer, item["reference"], lead), "words": len(lead.split())}
    record = {"id": item["id"], "note": note, "baseline": lead, "reference": item["reference"],
              "scores": {"note": {k: note_row[k] for k in METRIC_KEYS if k in note_row},
                         "baseline": {k: lead_row[k] for k in NAMES.values()}},
              "bullets": bullets, "verified_bullets": brief.stats["verified_bullets"],
              "dropped": brief.dropped, "problems": brief.problems}
    return note_row, lead_row, record


def _write_run(out: Path, tools: _Tools, dataset_path: str | Path, started: str, n_items: int, scores: _Scores,
               baseline: dict[str, Any] | None) -> None:
    """metrics.json, report.md and chart.png (note against lead-3), and the targets appended to the report."""
    main = f"note ({tools.llm_name})"
    variants = {main: _metrics(scores.notes, METRIC_KEYS), "lead-3 (same run)": _metrics(scores.leads, METRIC_KEYS),
                "note's bottom line alone": _metrics(scores.bottom_lines, METRIC_KEYS)}
    meta = run_meta(dataset_path, settings_hash(tools.settings, tools.prompts), started_at=started, llm=tools.llm_name,
                    prompt_versions=tools.prompts, items=n_items, failed=scores.failures,
                    seconds_per_item=round(scores.seconds / len(scores.notes), 2),
                    scored_text="bottom line + key developments, citation markers removed",
                    rouge="rouge-score F1, Porter stemmer; ROUGE-L = rougeLsum (one sentence per line)")
    write_report(out, f"Briefing-note eval: {Path(dataset_path).name}, llm {tools.llm_name}", variants, main, baseline,
                 meta, METRIC_KEYS, chart_keys=["ROUGE-1", "ROUGE-2", "ROUGE-L"])
    _append_targets(out / "report.md", variants[main]["overall"], variants["lead-3 (same run)"]["overall"],
                    scores.failures)
    _append_halves(out / "report.md", scores)


def _append_targets(report: Path, note: dict[str, Any], lead: dict[str, Any], failures: list[dict[str, str]]) -> None:
    lines = ["", "## Targets", ""]
    coverage = note.get("citation_coverage")
    lines.append(f"- 100% of bullets carry verified citations: {coverage:.2%} — {'met' if coverage == 1 else 'NOT met'}"
                 if coverage is not None else "- citation coverage: no bullets")
    for key, margin in (("ROUGE-1", TARGET_MARGIN), ("ROUGE-2", 0.0)):
        ok = note[key] >= lead[key] + margin
        wanted = f"lead-3 + {margin * 100:.1f} points" if margin else "lead-3"
        lines.append(f"- {key} of the note ≥ {wanted}: {note[key]:.4f} vs {lead[key]:.4f} — {'met' if ok else 'NOT met'}")
    if failures:
        lines += ["", f"{len(failures)} item(s) failed and are not scored:"]
        lines += [f"- `{f['id']}`: {f['reason']}" for f in failures]
    report.write_text(report.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def _append_halves(report: Path, scores: _Scores) -> None:
    """ROUGE-1 of note, bottom line and lead-3 on alternate items (the odd and the even ones): a choice
    made on one half should hold on the other."""
    lines = ["", "## Split check (alternate items)", "", "| half | n | note | bottom line | lead-3 |", "|---|---|---|---|---|"]
    for name, start in (("odd items", 0), ("even items", 1)):
        rows = [_means(r[start::2], ["ROUGE-1"]) for r in (scores.notes, scores.bottom_lines, scores.leads)]
        cells = ["–" if r["ROUGE-1"] is None else f"{r['ROUGE-1']:.4f}" for r in rows]  # an empty half
        lines.append(f"| {name} | {rows[0]['n']} | " + " | ".join(cells) + " |")
    report.write_text(report.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")

