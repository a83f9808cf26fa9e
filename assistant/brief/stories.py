"""Stories in a briefing note: which of its articles are one story (syndicated copies, near-duplicates)
or one event (a cluster), and which outlets carried each story, so a line can say "reported by 3 outlets".

Articles from the index take their story and cluster from its story book (``index.story_book``), which
counts every outlet in the index that carried the story, not only the ones the note read; articles given
directly (the eval path, tests) are filed here with the same functions (``index.stories``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..index.stories import Deduper, cluster_stories, signature
from ..text.dates import to_timestamp
from .model import BriefArticle

if TYPE_CHECKING:
    from ..core.settings import Settings
    from .state import NoteState


def attach_stories(articles: Sequence[BriefArticle], settings: Settings, store) -> None:  # store: index.store.Store
    """Each article's story, cluster and story outlets from the index's story book (left empty for an
    article the book does not know yet)."""
    from ..index.story_book import StoryBook

    book = StoryBook.load(settings, store.identity)
    outlets: dict[str, set[str]] = {}
    for row in book.articles.values():
        outlets.setdefault(row["story"], set()).add(row.get("source", ""))
    for article in articles:
        row = book.articles.get(article.id)
        if row is not None:
            article.story, article.cluster = row["story"], row["cluster"]
            article.story_outlets = sorted((outlets[row["story"]] | {article.source}) - {""})


def file_stories(state: NoteState) -> None:
    """Story and cluster for the articles that came without them, from their own texts: MinHash for copies,
    then (when the note has several outlets, so a comparison is possible) the mean vector of their passages
    and their dates for events."""
    missing = sorted((a for a in state.articles if not a.cluster), key=lambda a: (a.published_at or "9999", a.id))
    if not missing:
        return
    cfg = state.settings.stories
    dedup = Deduper(cfg)
    for article in missing:
        article.story = dedup.add(article.id, *signature(" ".join(p.text for p in article.passages), cfg))
    firsts: dict[str, BriefArticle] = {}
    for article in missing:
        firsts.setdefault(article.story, article)
        article.story_outlets = sorted({a.source for a in missing if a.story == article.story and a.source})
    keys = list(firsts)
    if len(state.outlets) > 1:
        vectors = np.stack([_article_vector(state, firsts[k]) for k in keys])
        cluster = cluster_stories(keys, vectors, [to_timestamp(firsts[k].published_at) for k in keys], cfg)
    else:
        cluster = {k: k for k in keys}
    for article in missing:
        article.cluster = cluster[article.story]


def _article_vector(state: NoteState, article: BriefArticle) -> np.ndarray:
    """The normalised mean of the article's passage vectors, as the store makes an article's vector."""
    total = state.embedder.matrix([p.text for p in article.passages]).astype(np.float64).mean(axis=0)
    return (total / (float(np.linalg.norm(total)) or 1.0)).astype(np.float32)


def count_outlets(state: NoteState) -> None:
    """Every bullet's outlets: those that carried the stories of the articles it cites."""
    by_id = {a.id: a for a in state.articles}
    for section in state.sections.values():
        for bullet in section.bullets:
            for part in bullet.all_parts():
                cited = {p.article.id for p in part.passages}
                part.reported_by = sorted({o for aid in cited if aid in by_id
                                           for o in (by_id[aid].story_outlets or [by_id[aid].source]) if o})
