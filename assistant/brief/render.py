"""Rendering a ``Brief``: Markdown, a standalone HTML page, and the JSON record.

HTML is one self-contained file (inline CSS, no scripts, no external resources): sources are links,
and every citation [n] is a link to its passage that also reveals the passage text on hover or
keyboard focus. Everything taken from articles is HTML-escaped, and only http(s) URLs become links.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.render import md_literal, shorten

if TYPE_CHECKING:
    from .model import Brief, Bullet

EXCERPT_CHARS = 280


def _range(brief: Brief) -> str:
    first, last = brief.date_range
    if first and last:
        return first if first == last else f"{first} to {last}"
    return first or last or "undated articles"


def _outlets(brief: Brief) -> str:
    n = len(brief.articles)
    outlets = sorted({a.source for a in brief.articles if a.source})
    text = f"{n} article{'s' if n != 1 else ''}"
    if outlets:
        text += f" from {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
    return text


def _sources(brief: Brief) -> list[dict[str, Any]]:
    """Articles in order of first citation (uncited ones last), with the passage numbers they hold."""
    cited: dict[str, list[int]] = {}
    for n, passage in enumerate(brief.passages, 1):
        cited.setdefault(passage.article.id, []).append(n)
    order = sorted(brief.articles, key=lambda a: (min(cited.get(a.id, [10**9])), brief.articles.index(a)))
    return [{"id": a.id, "title": a.title, "source": a.source, "published_at": a.published_at, "url": a.url,
             "passages": cited.get(a.id, []), "story": a.story, "cluster": a.cluster,
             "reported_by": a.story_outlets or ([a.source] if a.source else [])} for a in order]


def _reach(bullet: Bullet) -> str:
    """"reported by N outlets" when the stories the line cites were carried by more than one."""
    n = len(bullet.reported_by)
    return f"reported by {n} outlets" if n > 1 else ""


# ---- JSON ----------------------------------------------------------------------------------------

def _bullet_json(bullet: Bullet) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": bullet.text, "label": bullet.label, "citations": bullet.citations, "origin": bullet.origin,
        "supported": bullet.supported,
        "verdict": {"supported": bullet.supported, "reasons": bullet.reasons, "similarity": round(bullet.similarity, 4)},
        "reported_by": bullet.reported_by,
    }
    if bullet.contrast is not None:
        out["contrast"] = _bullet_json(bullet.contrast)
        out["point"] = bullet.point
    return out


def brief_to_json(brief: Brief) -> dict[str, Any]:
    """The machine-readable note: sections with bullets, citations and verdicts; passages; sources."""
    return {
        "topic": brief.topic,
        "title": brief.title,
        "date_range": {"from": brief.date_range[0], "to": brief.date_range[1]},
        "generated_at": brief.generated_at,
        "llm": brief.llm,
        "prompt_versions": brief.prompt_versions,
        "sections": [{"key": s.key, "title": s.title, "note": s.note, "bullets": [_bullet_json(b) for b in s.bullets]}
                     for s in brief.sections],
        "passages": [{"n": n, "chunk_id": p.chunk_id, "article_id": p.article.id, "title": p.article.title,
                      "source": p.article.source, "published_at": p.article.published_at, "url": p.article.url,
                      "text": p.text} for n, p in enumerate(brief.passages, 1)],
        "sources": _sources(brief),
        "problems": brief.problems,
        "dropped": brief.dropped,
        "stats": brief.stats,
    }


# ---- Markdown ------------------------------------------------------------------------------------

def _md_cites(numbers: list[int], bullet: Bullet | None = None) -> str:
    """The citation markers, then how many outlets carried the line's story (when ``bullet`` is given)."""
    reach = _reach(bullet) if bullet is not None else ""
    return "".join(f"[{n}]" for n in numbers) + (f" ({reach})" if reach else "")


_URL_UNSAFE = {"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C"}


def _web_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host and no whitespace or control characters, else
    None: the one check both renderers link through."""
    url = url.strip()
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _md_url(url: str) -> str | None:
    """``url`` as a Markdown link destination, or None; parentheses and the other characters that could end
    or escape the destination are percent-encoded."""
    checked = _web_url(url)
    return None if checked is None else "".join(_URL_UNSAFE.get(c, c) for c in checked)


def _md_bullet(key: str, bullet: Bullet) -> str:
    text = f"{md_literal(bullet.text)} {_md_cites(bullet.citations, bullet)}"
    if bullet.contrast is not None:
        other = bullet.contrast
        point = f" — _{md_literal(bullet.point)}_" if bullet.point else ""
        return (f"**{md_literal(bullet.label)}**: {text} — whereas **{md_literal(other.label)}**: "
                f"{md_literal(other.text)} {_md_cites(other.citations, other)}{point}")
    if bullet.label:
        return f"**{md_literal(bullet.label)}** — {text}"
    return text


def brief_to_markdown(brief: Brief) -> str:
    lines = [f"# {md_literal(brief.title)}", "",
             f"*Covers {md_literal(_range(brief))} · {_outlets(brief)} · model: {md_literal(brief.llm)} · "
             f"generated {md_literal(brief.generated_at)}*", ""]
    for section in brief.sections:
        lines += [f"## {md_literal(section.title)}", ""]
        if section.key == "bottom_line" and section.bullets:
            lines.append(" ".join(f"{md_literal(b.text)} {_md_cites(b.citations, b)}" for b in section.bullets))
        else:
            lines += [f"- {_md_bullet(section.key, b)}" for b in section.bullets]
        if section.note and not section.bullets:
            lines.append(f"_{md_literal(section.note)}_")
        lines.append("")
    lines += ["## Sources", ""]
    for i, src in enumerate(_sources(brief), 1):
        title = md_literal(src["title"] or "(untitled)")
        url = _md_url(src["url"])
        link = f"[{title}]({url})" if url else title
        meta = ", ".join(p for p in (src["source"], src["published_at"][:10]) if p)
        cites = f" — passages {_md_cites(src['passages'])}" if src["passages"] else " — not cited"
        lines.append(f"{i}. {link}{' — ' + md_literal(meta) if meta else ''}{cites}")
    lines += ["", "## Cited passages", ""]
    for n, passage in enumerate(brief.passages, 1):
        meta = ", ".join(p for p in (passage.article.source, passage.article.published_at[:10]) if p)
        lines.append(f"[{n}] {md_literal(meta or passage.article.title or passage.article.id)}: "
                     f"“{md_literal(shorten(passage.text, EXCERPT_CHARS))}”")
    if brief.problems:
        lines += ["", "## Problems", ""]
        lines += [f"- {md_literal(p.get('title') or p.get('article_id') or '')}: {md_literal(p['reason'])}"
                  for p in brief.problems]
    if brief.dropped:
        lines += ["", f"_{len(brief.dropped)} line(s) failed verification and were left out (see the JSON output)._"]
    return "\n".join(lines).rstrip() + "\n"


# ---- HTML ----------------------------------------------------------------------------------------

_CSS = """
:root { --ink:#1d2430; --muted:#5b6472; --rule:#d9dee6; --accent:#1f5fa8; --bg:#ffffff; --panel:#f4f6f9; }
* { box-sizing: border-box; }
body { margin:0; background:var(--panel); color:var(--ink);
       font:16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 860px; margin: 24px auto; background:var(--bg); padding: 32px 40px 40px;
       border:1px solid var(--rule); border-radius:8px; }
header h1 { margin:0 0 6px; font-size:1.7rem; line-height:1.25; }
header p.meta { margin:0; color:var(--muted); font-size:.9rem; }
h2 { font-size:1.05rem; text-transform:uppercase; letter-spacing:.04em; color:var(--accent);
     border-bottom:2px solid var(--rule); padding-bottom:4px; margin:28px 0 10px; }
section.bottom_line p { font-size:1.08rem; background:#eef4fb; border-left:4px solid var(--accent);
                        padding:10px 14px; margin:0; }
ul { padding-left: 1.2rem; margin: 0; } li { margin: 6px 0; }
.label { font-weight:600; } .note { color:var(--muted); font-style:italic; margin:0; }
.vs { color:var(--muted); padding:0 4px; }
.reach, .point { color:var(--muted); font-size:.85rem; }
a { color:var(--accent); }
.cite { position:relative; display:inline-block; font-size:.78em; vertical-align:super; line-height:1;
        text-decoration:none; font-weight:600; padding:0 1px; }
.cite .pop { display:none; position:absolute; z-index:10; left:0; top:1.6em; width:min(420px, 80vw);
             background:#fff; color:var(--ink); border:1px solid var(--rule); border-radius:6px;
             box-shadow:0 6px 18px rgba(0,0,0,.15); padding:10px 12px; font-size:.85rem; font-weight:400;
             line-height:1.45; vertical-align:baseline; white-space:normal; }
.cite:hover .pop, .cite:focus .pop { display:block; }
.pop .src { display:block; color:var(--muted); font-size:.8rem; margin-bottom:4px; }
ol.passages li { font-size:.9rem; color:#333; } ol.passages li:target { background:#fff6d6; }
ol.passages .src { color:var(--muted); }
.problems { color:#8a4b00; font-size:.9rem; }
footer { margin-top:28px; color:var(--muted); font-size:.8rem; }
@media print { body { background:#fff; } main { border:0; margin:0; } .cite .pop { display:none !important; } }
"""


def _e(text: str) -> str:
    return html.escape(text or "", quote=True)


def _html_cites(brief: Brief, numbers: list[int]) -> str:
    out = []
    for n in numbers:
        passage = brief.passages[n - 1]
        meta = ", ".join(p for p in (passage.article.source, passage.article.published_at[:10]) if p)
        head = f"[{n}] {passage.article.title or passage.article.id}" + (f" — {meta}" if meta else "")
        out.append(f'<a class="cite" href="#p{n}" data-passage="{n}" aria-label="passage {n}">[{n}]'
                   f'<span class="pop" role="tooltip"><span class="src">{_e(head)}</span>{_e(shorten(passage.text, 600))}</span></a>')
    return "".join(out)


def _html_reach(bullet: Bullet) -> str:
    reach = _reach(bullet)
    return f' <span class="reach" title="{_e(", ".join(bullet.reported_by))}">({_e(reach)})</span>' if reach else ""


def _html_bullet(brief: Brief, bullet: Bullet) -> str:
    body = f"{_e(bullet.text)}{_html_cites(brief, bullet.citations)}{_html_reach(bullet)}"
    if bullet.contrast is not None:
        other = bullet.contrast
        point = f' <span class="point">({_e(bullet.point)})</span>' if bullet.point else ""
        return (f'<span class="label">{_e(bullet.label)}:</span> {body}<span class="vs">↔</span>'
                f'<span class="label">{_e(other.label)}:</span> {_e(other.text)}{_html_cites(brief, other.citations)}'
                f"{_html_reach(other)}{point}")
    if bullet.label:
        return f'<span class="label">{_e(bullet.label)}</span> — {body}'
    return body


def brief_to_html(brief: Brief) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(brief.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>", "<main>",
             f'<header><h1>{_e(brief.title)}</h1><p class="meta">Covers {_e(_range(brief))} · {_e(_outlets(brief))} · '
             f"model: {_e(brief.llm)} · generated {_e(brief.generated_at)}</p></header>"]
    for section in brief.sections:
        parts.append(f'<section class="{section.key}" id="{section.key}"><h2>{_e(section.title)}</h2>')
        if section.key == "bottom_line" and section.bullets:
            parts.append("<p>" + " ".join(f"{_e(b.text)}{_html_cites(brief, b.citations)}{_html_reach(b)}"
                                          for b in section.bullets) + "</p>")
        elif section.bullets:
            parts.append("<ul>" + "".join(f"<li>{_html_bullet(brief, b)}</li>" for b in section.bullets) + "</ul>")
        if section.note and not section.bullets:
            parts.append(f'<p class="note">{_e(section.note)}</p>')
        parts.append("</section>")
    parts.append('<section class="sources" id="sources"><h2>Sources</h2><ol>')
    for src in _sources(brief):
        title = _e(src["title"] or "(untitled)")
        url = _web_url(src["url"])
        link = f'<a href="{_e(url)}" rel="noopener noreferrer">{title}</a>' if url else title
        meta = ", ".join(p for p in (src["source"], src["published_at"][:10]) if p)
        cites = (" — passages " + ", ".join(f'<a href="#p{n}">[{n}]</a>' for n in src["passages"])) if src["passages"] else " — not cited"
        parts.append(f"<li>{link}{' — ' + _e(meta) if meta else ''}{cites}</li>")
    parts.append("</ol></section>")
    parts.append('<section class="passages" id="passages"><h2>Cited passages</h2><ol class="passages">')
    for n, passage in enumerate(brief.passages, 1):
        meta = ", ".join(p for p in (passage.article.source, passage.article.published_at[:10]) if p)
        parts.append(f'<li id="p{n}" value="{n}"><span class="src">{_e(passage.article.title)}'
                     f"{' — ' + _e(meta) if meta else ''}</span><br>{_e(' '.join(passage.text.split()))}</li>")
    parts.append("</ol></section>")
    if brief.problems:
        parts.append('<section class="problems"><h2>Problems</h2><ul>')
        parts += [f"<li>{_e(p.get('title') or p.get('article_id') or '')}: {_e(p['reason'])}</li>" for p in brief.problems]
        parts.append("</ul></section>")
    dropped = f" {len(brief.dropped)} line(s) failed verification and were left out." if brief.dropped else ""
    parts.append(f"<footer>Every line cites passages checked by the verifier.{_e(dropped)}</footer>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
