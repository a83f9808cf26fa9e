"""A briefing that updates itself: fetch, then write what is new on a topic since the previous note
("since last time", from the articles the previous run had not seen) before the standing note.

The folder keeps ``watch-state.json`` (the topic, when it last ran, the article ids known then),
replaced only after the run's files are written, so a run cut short is simply redone.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.settings import Settings
from .model import Brief

STATE = "watch-state.json"


@dataclass
class WatchRun:
    """One run's outcome: the files written, how many articles were new, the fetch's report if any."""

    files: list[Path] = field(default_factory=list)
    new_articles: int = 0
    fetch: Any = None  # ingest.web.FetchReport


def watch_once(topic: str, out: Path, settings: Settings, *, llm: Any, fetch: bool = True,
               n_articles: int = 8, progress: bool | None = None) -> WatchRun:
    from ..index.store import Store
    from ..index.story_book import StoryBook
    from ..ingest.feeds import Sources
    from ..retrieve.retriever import Retriever
    from .writer import brief_articles, write_brief

    run = WatchRun()
    if fetch and Sources.load(Path(settings.index)).feeds:
        from ..ingest.web import fetch_feeds

        run.fetch = fetch_feeds(settings, progress=progress)
    state = _load_state(out, topic)
    retriever = Retriever(settings)
    known_now = set(retriever.store.states())
    standing = write_brief(topic, settings, retriever=retriever, llm=llm, n_articles=n_articles, progress=progress)
    since: Brief | None = None
    if state is not None:
        fresh = _new_articles(retriever, topic, set(state["known"]), n_articles, settings)
        run.new_articles = len(fresh)
        if fresh:
            since = brief_articles(fresh, settings, topic=topic, llm=llm, embedder=retriever.embedder,
                                   progress=progress)
    book = StoryBook.load(settings, Store(settings).identity) if since else None
    stamp = datetime.now(timezone.utc)
    run.files = _write(out, topic, stamp, standing, since, state, _outlet_counts(book, since))
    _save_state(out, {"topic": topic, "last_run": stamp.isoformat(timespec="seconds"), "known": sorted(known_now)})
    return run


def _new_articles(retriever, topic: str, known: set[str], n: int, settings: Settings) -> list:
    """The articles on the topic the previous run had not seen, most relevant first."""
    from .select import select_articles

    chosen, _ = select_articles(retriever, topic, retriever.filters(), 3 * n, settings)
    return [a for a in chosen if a.id not in known][:n]


def _outlet_counts(book, since: Brief | None) -> list[dict[str, Any]]:
    """Per new story: its title and how many outlets carried it (from the index's story clusters)."""
    if book is None or since is None:
        return []
    rows, seen = [], set()
    for source in since.articles:
        story = book.story_of(source.id)
        if story in seen:
            continue
        seen.add(story)
        outlets = sorted({book.articles[a]["source"] for a in book.members(story) if book.articles[a]["source"]})
        rows.append({"story": story, "title": source.title, "outlets": outlets})
    return rows


def _write(out: Path, topic: str, stamp: datetime, standing: Brief, since: Brief | None, state: dict | None,
           stories: list[dict[str, Any]]) -> list[Path]:
    from .render import brief_to_html, brief_to_json, brief_to_markdown

    out.mkdir(parents=True, exist_ok=True)
    base = out / f"{_slug(topic)}-{stamp.strftime('%Y-%m-%dT%H%M%SZ')}"
    previous = state["last_run"] if state else None
    head = _since_heading(previous, since)
    md = f"# Since last time\n\n{head}\n\n" + "".join(f"- {s['title']} — reported by {_n(len(s['outlets']))}\n"
                                                  for s in stories)
    md += ("\n" + brief_to_markdown(since).replace("\n# ", "\n## ") if since else "") + "\n---\n\n"
    doc = {"topic": topic, "written_at": stamp.isoformat(timespec="seconds"), "previous_run": previous,
           "since_last_time": brief_to_json(since) if since else None, "stories": stories,
           "standing": brief_to_json(standing)}
    html = _html(brief_to_html(standing), brief_to_html(since) if since else "", head)
    files = []
    for suffix, text in ((".md", md + brief_to_markdown(standing)), (".html", html),
                         (".json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")):
        target = base.with_suffix(suffix)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        files.append(target)
    return files


def _since_heading(previous: str | None, since: Brief | None) -> str:
    if previous is None:
        return "First note on this topic: the standing note below is all there is so far."
    if since is None:
        return f"Nothing new on the topic since {previous}."
    return f"New since {previous}: {_n(len(since.articles), 'article')}."


def _html(standing: str, since: str, head: str) -> str:
    """The standing note's page with the since-last-time note's main part first (its anchors renamed)."""
    from html import escape

    inner = ""
    if since:
        inner = since.split("<main>", 1)[1].split("</main>", 1)[0]
        inner = re.sub(r'(id|href)="(#?)', r'\1="\2since-', inner)
    block = f'<section class="since-last-time"><h1>Since last time</h1><p>{escape(head)}</p>{inner}</section><hr>'
    return standing.replace("<main>", "<main>" + block, 1)


def _n(count: int, noun: str = "outlet") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _slug(topic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:60] or "topic"


def _load_state(out: Path, topic: str) -> dict | None:
    try:
        state = json.loads((out / STATE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return state if state.get("topic") == topic else None


def _save_state(out: Path, state: dict) -> None:
    tmp = out / f".{STATE}.{os.getpid()}"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(out / STATE)
