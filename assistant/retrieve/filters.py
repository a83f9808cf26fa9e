"""Date and outlet filters, and resolving user-given outlet names onto stored ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InputError
from ..text.dates import day_bounds
from .outlets import outlets_of


@dataclass
class Filters:
    """Date range (epoch seconds, inclusive) and outlets (exact stored names, already resolved)."""

    since: int | None = None
    until: int | None = None
    sources: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return self.since is None and self.until is None and not self.sources

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause for these filters."""
        clauses: list[dict[str, Any]] = []
        if self.since is not None:
            clauses.append({"published_ts": {"$gte": self.since}})
        if self.until is not None:
            clauses.append({"published_ts": {"$lte": self.until}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, meta: dict[str, Any]) -> bool:
        ts = meta.get("published_ts")
        if self.since is not None and (ts is None or ts < self.since):
            return False
        if self.until is not None and (ts is None or ts > self.until):
            return False
        return not self.sources or meta.get("source") in self.sources

    def merged(self, other: "Filters") -> "Filters":
        """Both sets of constraints at once (used when a question adds its own)."""
        since = max((x for x in (self.since, other.since) if x is not None), default=None)
        until = min((x for x in (self.until, other.until) if x is not None), default=None)
        if self.sources and other.sources:
            sources = [s for s in self.sources if s in other.sources] or list(self.sources)
        else:
            sources = list(self.sources or other.sources)
        return Filters(since, until, sources)


def make_filters(since: str | None, until: str | None, sources: Sequence[str], known_sources: Sequence[str]) -> Filters:
    """Filters from command-line strings; dates are whole days, outlets are matched leniently."""
    filters = Filters(
        since=day_bounds(since, end=False) if since else None,
        until=day_bounds(until, end=True) if until else None,
        sources=outlets_of(known_sources).resolve(sources) if sources else [],
    )
    if filters.since is not None and filters.until is not None and filters.since > filters.until:
        raise InputError(f"--since {since} is after --until {until}")
    return filters


