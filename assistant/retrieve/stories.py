"""One passage per story: syndicated copies of an article do not fill the results with one text.

The best-ranked passage of each story stays; the other articles of the story that the results
reached are named on it (``also_reported_by``: outlet, title, date, URL), so the sources
still say who else carried it.
"""

from __future__ import annotations

from ..core.passage import Passage



def one_per_story(passages: list[Passage], story_of) -> list[Passage]:
    """``passages`` in order with later passages of an already-seen story folded into its first.
    ``story_of``: article id -> story id (``index.story_book.StoryBook.story_of``)."""
    kept: dict[str, Passage] = {}
    out: list[Passage] = []
    for passage in passages:
        story = story_of(passage.article.id)
        first = kept.get(story)
        if first is None:
            kept[story] = passage
            out.append(passage)
            continue
        if passage.article.id != first.article.id:
            others = first.also_reported_by
            if all(o["id"] != passage.article.id for o in others):
                others.append(passage.article.to_dict())
        # a second passage of the same article stays out as well: its story already has its place
    return out
