"""The chat's active filter as the user sees it, and the prompt that shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FilterSpec:
    """The active filter as the user sees it (dates as typed, outlets as stored once resolved)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.since or self.until or self.sources)

    def label(self) -> str:
        """``source=The Verge since=2023-10-01``: what the prompt shows while a filter is active."""
        parts = [f"source={s}" for s in self.sources]
        parts += [f"{key}={value}" for key, value in (("since", self.since), ("until", self.until)) if value]
        return " ".join(parts)

    def updated(self, items: Sequence[tuple[str, str]]) -> "FilterSpec":
        """This filter with ``/filter`` items applied: a key given replaces that key (``source`` may
        repeat and then lists several outlets); an empty value removes the key; ``off`` removes all."""
        if any(key == "off" for key, _ in items):
            return FilterSpec()
        since, until, sources = self.since, self.until, list(self.sources)
        new_sources: list[str] | None = None
        for key, value in items:
            if key == "since":
                since = value or None
            elif key == "until":
                until = value or None
            elif key == "source":
                new_sources = new_sources if new_sources is not None else []
                if value and value not in new_sources:
                    new_sources.append(value)
        if new_sources is not None:
            sources = new_sources
        return FilterSpec(since, until, tuple(sources))


def prompt_text(spec: FilterSpec) -> str:
    """``[source=The Verge since=2023-10-01] > `` while a filter is active, else ``> ``."""
    return f"[{spec.label()}] > " if not spec.is_empty() else "> "
