"""The one outlet resolver: every way a question, a flag or a chat command may name a stored outlet.

Stored outlet names are long and varied ("Cnbc | World Business News Leader", "The Independent - Sports",
"Live Science: The Most Interesting Articles"); people write "CNBC", "the Independent", "Live Science".
Search reads mentions leniently (any case: a wrong guess only boosts an outlet); answering reads only
capitalised ones (a claim is checked against that outlet's articles, so "the age of AI" must not be
The Age).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..core.errors import InputError

# Words that are an outlet's section rather than its name ("The Independent - Sports" is not "sports").
_GENERIC = frozenset({"news", "sports", "business", "world", "science", "the"})
_HEAD = re.compile(r"\s+[|:\-–]\s+|:\s")


@dataclass(frozen=True)
class OutletMention:
    """Where a text names an outlet, and the stored outlet names it stands for."""

    surface: str
    start: int
    end: int
    sources: tuple[str, ...]


def outlet_key(name: str) -> str:
    """Case/punctuation-insensitive outlet key: 'The Verge' -> 'verge', 'CNBC | World…' -> 'cnbc world…'."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower()).split()
    return " ".join(w for w in words if w != "the")


class Outlets:
    """The index's outlets and the surfaces that name them; build once per index (``outlets_of``)."""

    def __init__(self, known: Sequence[str]) -> None:
        self.known = list(known)
        table: dict[str, list[str]] = {}
        for source in self.known:
            head = _HEAD.split(source)[0].strip()
            forms = {source, head, outlet_key(source), outlet_key(head)}
            forms |= {f[4:] for f in (source, head) if f.lower().startswith("the ")}
            for form in forms:
                key = " ".join(re.split(r"[\W_]+", form.lower())).strip()
                if len(key) >= 3 and key not in _GENERIC and source not in table.setdefault(key, []):
                    table[key].append(source)
        # Longest first, so 'FOX News - Health' wins over 'FOX News'.
        self._patterns = [
            (re.compile(r"(?<![\w])" + r"[\W_]{1,4}".join(map(re.escape, key.split())) + r"(?![\w])", re.IGNORECASE),
             tuple(sources))
            for key, sources in sorted(table.items(), key=lambda t: (-len(t[0]), t[0]))
        ]

    def mentions(self, text: str, cased: bool = False) -> list[OutletMention]:
        """Outlet mentions in ``text``, non-overlapping, in order; ``cased``: only those written with a capital,
        with a leading "the" taken into the surface."""
        found: list[OutletMention] = []
        taken: list[tuple[int, int]] = []
        for pattern, sources in self._patterns:
            for m in pattern.finditer(text):
                if cased and not m.group(0)[0].isupper():
                    continue
                if any(lo < m.end() and m.start() < hi for lo, hi in taken):
                    continue
                taken.append((m.start(), m.end()))
                start = m.start()
                if cased and text[max(0, start - 4):start].lower() == "the ":
                    start -= 4  # the claim's text then loses "the Verge", not "Verge"
                found.append(OutletMention(text[start:m.end()], start, m.end(), sources))
        return sorted(found, key=lambda o: o.start)

    def resolve(self, names: Sequence[str]) -> list[str]:
        """Stored outlet names for user-given ones (exact key, then the name's leading words, then a part)."""
        resolved: list[str] = []
        for name in names:
            key = outlet_key(name)
            matches = [k for k in self.known if outlet_key(k) == key]
            if not matches:
                matches = [k for k in self.known if (outlet_key(k) + " ").startswith(key + " ")]
            if not matches and key:
                matches = [k for k in self.known if key in outlet_key(k)]
            if not matches:
                sample = ", ".join(sorted(self.known)[:8])
                raise InputError(f"no outlet called '{name}' in the index", hint=f"known outlets include: {sample}")
            resolved.extend(m for m in matches if m not in resolved)
        return resolved


@lru_cache(maxsize=8)
def _cached(known: tuple[str, ...]) -> Outlets:
    return Outlets(known)


def outlets_of(known: Sequence[str]) -> Outlets:
    """The resolver for a list of stored outlet names, built once per distinct list."""
    return _cached(tuple(known))
