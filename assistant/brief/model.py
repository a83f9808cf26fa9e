"""What a briefing note is made of: the articles it reads and the sections of cited bullets it holds.

The renderers and every caller see only these types, so they import nothing of the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.passage import ArticleRef, Passage

if TYPE_CHECKING:
    from ..grounding.verifier import Verdict

SECTIONS: tuple[tuple[str, str], ...] = (
    ("bottom_line", "Bottom line"),
    ("key_developments", "Key developments"),
    ("actors", "Actors"),
    ("quotes", "Notable quotes"),
    ("timeline", "Timeline"),
    ("differences", "Where sources differ"),
    ("open_questions", "Open questions / what to watch"),
)
PROSE_SECTIONS = ("bottom_line", "key_developments")
"""The sections whose text the eval scores with ROUGE."""


@dataclass
class BriefArticle:
    """One article as the briefing sees it: metadata plus its passages (chunks) in reading order."""

    id: str
    title: str
    source: str
    published_at: str
    url: str
    passages: list[Passage]
    score: float = 0.0
    story: str = ""
    """Its story id: syndicated copies and near-duplicates share one (``brief.stories``)."""
    cluster: str = ""
    """Its event cluster: stories about the same event within a few days share one."""
    story_outlets: list[str] = field(default_factory=list)
    """The outlets that carried its story (in the index, or among the note's articles)."""

    @property
    def ref(self) -> ArticleRef:
        return ArticleRef(self.id, self.title, self.source, self.published_at, self.url)


@dataclass
class Bullet:
    """One line of the note: its text, the passages it cites, and the verifier's verdict."""

    text: str
    passages: list[Passage]
    label: str = ""
    """Actor name, quote speaker, timeline date or outlet, shown before the text."""
    origin: str = "extractive"
    """"extractive" (a sentence of the article) or "llm" (written by the model, then verified)."""
    supported: bool = False
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0
    contrast: Bullet | None = None
    """For "where sources differ": the other source's line."""
    point: str = ""
    """For "where sources differ": what differs between the two lines, e.g. "numbers: 12 / 15"."""
    reported_by: list[str] = field(default_factory=list)
    """The outlets that carried the stories of the articles it cites."""
    citations: list[int] = field(default_factory=list)
    """Passage numbers in the finished note (filled by numbering)."""

    def all_parts(self) -> list[Bullet]:
        return [self, *([self.contrast] if self.contrast else [])]

    def apply(self, verdict: Verdict) -> None:
        """Take the verifier's verdict on this line."""
        self.supported = bool(verdict.supported)
        self.reasons = list(verdict.reasons)
        self.similarity = float(verdict.similarity)


@dataclass
class Section:
    key: str
    title: str
    bullets: list[Bullet] = field(default_factory=list)
    note: str = ""
    """A system remark (not a claim about the world), e.g. why a section is empty."""


@dataclass
class Brief:
    """A finished briefing note; ``brief.render`` turns it into Markdown, HTML or the JSON record."""

    topic: str
    title: str
    date_range: tuple[str | None, str | None]
    sections: list[Section]
    articles: list[BriefArticle]
    passages: list[Passage] = field(default_factory=list)
    """Cited passages in citation order: citation [n] is ``passages[n - 1]``."""
    problems: list[dict[str, str]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    llm: str = "none"
    prompt_versions: dict[str, str] = field(default_factory=dict)
    generated_at: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def bullets(self) -> list[Bullet]:
        return [b for s in self.sections for b in s.bullets]

    def prose(self, keys: Sequence[str] = PROSE_SECTIONS, sep: str = " ") -> str:
        """The text of the given sections without citation markers (what the eval scores)."""
        return sep.join(b.text for key in keys for b in self.section(key).bullets)
