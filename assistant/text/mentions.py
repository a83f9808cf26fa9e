"""Mentions with character spans: numbers, dates, names and quotes (stdlib only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .words import STOPWORDS, fold

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")


# --- numbers -----------------------------------------------------------------------------------------

_WORD_NUMBERS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "hundreds": 100, "dozen": 12,
    "dozens": 12,
}
_SCALES: dict[str, float] = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12,
}
_NUMBER = re.compile(
    r"(?<![\w.,$£€¥])(?P<cur>[$£€¥]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
    rf"|(?i:\b(?:{'|'.join(sorted(_WORD_NUMBERS, key=len, reverse=True))})\b))"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?P<pct>\s?(?:%|(?i:percent|per cent|percentage points?)\b))?"
    r"(?P<scale>\s?(?i:thousand|million|billion|trillion)\b|(?:bn|mn|mln|tn|[kmbt])\b)?"
)


@dataclass(frozen=True)
class NumberMention:
    """A number as written; ``value`` applies the scale ("$1.2 billion" -> 1.2e9), ``raw`` does not."""

    text: str
    start: int
    end: int
    raw: float
    value: float
    decimals: int
    is_percent: bool
    is_money: bool

    @property
    def is_year(self) -> bool:
        return self.decimals == 0 and 1900 <= self.raw <= 2100 and self.raw == self.value \
            and not (self.is_percent or self.is_money) and "," not in self.text


def find_numbers(text: str) -> list[NumberMention]:
    """Numbers with their written forms: "3.5%", "$1.2 billion", "2,000", "21st", "five", "£3bn"."""
    out: list[NumberMention] = []
    for m in _NUMBER.finditer(fold(text)):
        num = m.group("num")
        scale_word = (m.group("scale") or "").strip().lower()
        if scale_word in ("m", "b", "t") and not m.group("cur"):
            scale_word = ""  # "5m" is five metres unless it is money
        end = m.end() if scale_word else m.end("pct") if m.group("pct") else m.end("num") + len(m.group("ord") or "")
        if num.lower() in _WORD_NUMBERS:
            raw, decimals = float(_WORD_NUMBERS[num.lower()]), 0
        else:
            digits = num.replace(",", "")
            raw = float(digits)
            decimals = len(digits.split(".")[1]) if "." in digits else 0
        out.append(NumberMention(
            text=text[m.start():end], start=m.start(), end=end, raw=raw, value=raw * _SCALES.get(scale_word, 1.0),
            decimals=decimals, is_percent=bool(m.group("pct")), is_money=bool(m.group("cur")),
        ))
    return out


# --- dates -------------------------------------------------------------------------------------------

_MONTH = (r"(?P<month>(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
          r"|January|February|March|April|May|June|July|August|September|October|November|December)")
_DATES = [
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"\b(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?(?!\w)"),
    re.compile(rf"\b{_MONTH}(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d))?(?:,?\s+(?P<year>\d{{4}})\b)?(?!\w)"),
]


@dataclass(frozen=True)
class DateMention:
    """A calendar date with whatever parts were written ("October 5" has no year)."""

    text: str
    start: int
    end: int
    year: int | None
    month: int
    day: int | None


def find_dates(text: str) -> list[DateMention]:
    """Dates written as ISO, m/d/yyyy, "5 October 2023", "Oct. 5, 2023", "October 2023" or "October"."""
    folded = fold(text)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATES:
        for m in pattern.finditer(folded):
            if any(lo < m.end() and m.start() < hi for lo, hi in taken):
                continue
            parts = m.groupdict()
            month = int(parts["mnum"]) if parts.get("mnum") else MONTHS[parts["month"].rstrip(".").lower()]
            day = int(parts["day"]) if parts.get("day") else None
            if not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
                continue
            taken.append((m.start(), m.end()))
            out.append(DateMention(text[m.start():m.end()], m.start(), m.end(),
                                   int(parts["year"]) if parts.get("year") else None, month, day))
    return sorted(out, key=lambda d: d.start)


# --- names and quotes --------------------------------------------------------------------------------

NAME_CONNECTORS = frozenset("of de da del della di du van von der den la le al bin ibn y & for".split())
_NAME_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:['’]\w+|-\w+|&\w+)*")
"""A name's word: initials ("U.S."), or letters joined by apostrophes, hyphens or an ampersand ("S&P", "AT&T")."""

_MONTH_WORDS = frozenset(k for k in MONTHS) | {m.lower() for m in MONTH_NAMES}
# Acronyms that name a role or a technology rather than an entity, and so need not be in the passage.
_GENERIC_ACRONYMS = frozenset("CEO CFO CTO COO AI TV PC OK AM PM".split())
_TITLES = frozenset("mr mrs ms mx dr prof sir dame gen gov sen rep lt col capt sgt rev hon".split())


@dataclass(frozen=True)
class NameMention:
    """A proper name: capitalised words (with connectors such as "of"), an acronym, or a camel-cased word."""

    text: str
    start: int
    end: int
    at_start: bool = False

    @property
    def is_acronym(self) -> bool:
        letters = re.sub(r"[^A-Za-z]", "", self.text)
        return " " not in self.text and len(letters) >= 2 and letters.isupper()


def _name_token(word: str) -> bool:
    """Capitalised or camel-cased, and not a month, "I", a generic acronym or a capitalised stop word.

    Tokens starting with a digit ("4K", "22V", "8BitDo") are model numbers, left to the number check."""
    lower = word.lower()
    if not word[0].isalpha() or not any(c.isupper() for c in word):
        return False
    if lower in _MONTH_WORDS or lower in _TITLES or word in _GENERIC_ACRONYMS:
        return False
    return lower not in STOPWORDS or (len(word) > 1 and word.isupper())


def find_names(sentence: str) -> list[NameMention]:
    """Proper names in one sentence. A lone capitalised first word ("Shares rose") is not a name,
    months are dates, and words inside quotation marks are left to the quote check."""
    quoted = [(q.start, q.end) for q in find_quotes(sentence)]
    tokens = [m for m in _NAME_TOKEN.finditer(sentence) if not any(lo <= m.start() < hi for lo, hi in quoted)]
    names: list[NameMention] = []
    group: list[re.Match[str]] = []

    def flush() -> None:
        while group and group[-1].group(0).lower() in NAME_CONNECTORS:
            group.pop()
        first = group[0].group(0) if group else ""
        if group and _starts_sentence(sentence, group[0].start()) and not NameMention(first, 0, 0).is_acronym:
            # A capitalised first word is only a name when another name word follows it directly.
            if len(group) == 1 or group[1].group(0).lower() in NAME_CONNECTORS:
                del group[0]
                while group and group[0].group(0).lower() in NAME_CONNECTORS:
                    del group[0]
        if group:
            lo, hi = group[0].start(), group[-1].end()
            names.append(NameMention(sentence[lo:hi], lo, hi, _starts_sentence(sentence, lo)))
        group.clear()

    for tok in tokens:
        if group and not re.fullmatch(r"\s+", sentence[group[-1].end():tok.start()]):
            flush()
        word = tok.group(0)
        if _name_token(word):
            group.append(tok)
        elif group and word.lower() in NAME_CONNECTORS:
            group.append(tok)
        else:
            flush()
    flush()
    return names


def _starts_sentence(text: str, pos: int) -> bool:
    """True when only punctuation and list markers, or a clause-opening colon, precede ``pos``."""
    return bool(re.search(r"(?:^|:)[\s\"'“‘(\[*•\-\d.)]*$", text[:pos]))


QUOTE_RES = (  # a quotation's inner text as group 1, curly or straight, double or single
    re.compile(r"“([^“”]{12,500})”"),
    re.compile(r'"([^"\n]{12,500})"'),
    re.compile(r"(?<![\w‘])‘((?:[^‘’\n]|’(?=\w))+?)’(?!\w)"),
    re.compile(r"(?:(?<=\s)|^)'((?:[^'\n]|'(?=\w))+?)'(?!\w)"),
)
_QUOTES = re.compile(r"“(?P<a>[^“”]{1,400})”|\"(?P<b>[^\"]{1,400})\""
                     r"|(?<!\w)‘(?P<c>[^‘’]{1,400})’(?!\w)")


@dataclass(frozen=True)
class QuoteMention:
    """Text inside quotation marks; ``start``/``end`` include the marks."""

    text: str
    start: int
    end: int


def find_quotes(text: str) -> list[QuoteMention]:
    """Quoted strings in straight or curly double quotes, or curly single quotes (not apostrophes)."""
    out = []
    for m in _QUOTES.finditer(text):
        inner = m.group("a") or m.group("b") or m.group("c") or ""
        if inner.strip():
            out.append(QuoteMention(inner.strip(), m.start(), m.end()))
    return out
