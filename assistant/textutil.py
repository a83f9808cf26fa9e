"""Text helpers shared by chunking, query analysis, citation parsing and the verifier.

Standard library only, so importing them costs nothing. Mentions (numbers, dates, names, quotes) carry
their character spans in the original text, so callers can both check and rewrite them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")

STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how however i if in into is it its itself just me meanwhile more
most my no nor not now of off on once only or other our ours out over own same she should so some still
such than that the their theirs them then there these they this those through to too under until up us
very was we were what when where which while who whom why will with would yet you your according said says
""".split())

# Citation/footnote markers such as [1], [1, 3], [1-3], [Passage 2]. After a full stop they still belong to
# the sentence before ("... end. [2] Next ..."), so the sentence splitter needs to know them.
_CITE_ITEM = r"(?:(?:passages?|sources?|refs?|docs?|articles?)\s*)?#?\d{1,3}"
CITATION_MARK = rf"\[\s*{_CITE_ITEM}(?:\s*(?:[,;&]|-|–|—|and|to)\s*{_CITE_ITEM})*\s*\]"
CITATION_RE = re.compile(CITATION_MARK, re.IGNORECASE)

_FOLD = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'",
    "′": "'", "″": '"', "–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ",
})


def fold(text: str) -> str:
    """ASCII quotes, dashes and spaces, keeping length and case so character spans stay valid."""
    return text.translate(_FOLD)


def normalize(text: str) -> str:
    """Lower-case comparison form: NFKC, folded punctuation, no thousands separators, single spaces.

    Punctuation becomes a space except where it is part of a number ("3.5", "50%"), so
    "Apple’s  “iPhone 15”" and "apple's iphone 15" compare equal.
    """
    text = unicodedata.normalize("NFKC", fold(text)).lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)|[^\w.%$\s]", " ", text)
    return " ".join(text.split())


def word_key(token: str) -> str:
    """A word's comparison key: lower case, no possessive, no dots ("U.S." -> "us"), simple plural removed."""
    key = fold(token).lower()
    if key.endswith("'s"):
        key = key[:-2]
    key = key.replace(".", "").strip("'")
    if len(key) > 4 and key.endswith("ies"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’&][^\W_]+)*")


def word_keys(text: str) -> list[str]:
    """Comparison keys of every word; hyphenated words count as their parts ("Bankman-Fried")."""
    return [word_key(m.group(0)) for m in _WORD.finditer(text)]


def content_keys(text: str) -> list[str]:
    """Word keys without stop words and citation markers: what a sentence actually claims."""
    return [k for k in word_keys(CITATION_RE.sub(" ", text)) if k not in STOPWORDS and len(k) > 1]


# --- sentences -------------------------------------------------------------------------------------

# Never end a sentence: titles and month abbreviations precede what they belong to.
_ABBREV_NEVER = frozenset(
    "mr mrs ms dr prof st mt gen gov sen rep lt col capt sgt rev hon pres supt vs v approx est dept univ "
    "eg ie cf al jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Only before a number ("No. 3", "Vol. 2").
_ABBREV_NUMBER = frozenset("no nos vol fig art p pp".split())
# May end a sentence: split only when a typical sentence opener follows ("... the U.S. The ...").
_ABBREV_MAYBE = frozenset("inc ltd co corp llc plc etc jr sr bros us uk un eu am pm dc".split())
_OPENERS = frozenset(w for w in STOPWORDS if len(w) > 1) | {"i", "a"}

_BOUNDARY = re.compile(
    r"(?:[.!?]+|…)"                      # terminal punctuation
    r"[\"'”’»)\]]*"                      # closing quotes and brackets
    rf"(?:\s*{CITATION_MARK})*"          # citation markers placed after the full stop
    r"(?=\s|$)",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]|[-*•])\s*$")


def sentence_spans(text: str, newline_breaks: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding whitespace.

    Blank lines always end a sentence; single newlines too when ``newline_breaks`` (model output, where
    a line is an item) or when the next line is a list item. Abbreviations, initials and decimals don't.
    """
    breaks = r"\n" if newline_breaks else r"\n\s*\n|\n(?=\s*(?:[-*•]|\d{1,2}[.)])\s)"
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in re.finditer(breaks, text):
        spans.extend(_block_spans(text[pos:match.start()], pos))
        pos = match.end()
    spans.extend(_block_spans(text[pos:], pos))
    return spans


def _block_spans(block: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        end = match.end()
        if _is_boundary(block, start, match):
            spans.append((start, end))
            start = end
    spans.append((start, len(block)))
    out = []
    for lo, hi in spans:
        piece = block[lo:hi]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((offset + lo + lead, offset + lo + len(piece.rstrip())))
    return out


def _is_boundary(block: str, start: int, match: re.Match[str]) -> bool:
    rest = block[match.end():].lstrip()
    if not rest:
        return True
    nxt = rest[0]
    if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘([«-*•"):
        return False
    if _LIST_ITEM.fullmatch(block[start:match.end()]):
        return False
    if match.group(0)[0] != "." or match.group(0).startswith(".."):
        return True
    before = re.search(r"(\S+)$", block[start:match.start()])
    if not before:
        return True
    word = before.group(1).lstrip("\"'“‘([").lower()
    bare = word.replace(".", "")
    next_word = re.match(r"[\"'“‘(]*([^\W\d_]+)", rest)
    opener = bool(next_word) and next_word.group(1).lower() in _OPENERS
    if bare in _ABBREV_NEVER:
        return False
    if bare in _ABBREV_NUMBER:
        return not nxt.isdigit()
    if bare in _ABBREV_MAYBE or len(bare) == 1 and bare.isalpha() or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return opener
    return True


def split_sentences(text: str, newline_breaks: bool = False) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``)."""
    return [text[lo:hi] for lo, hi in sentence_spans(text, newline_breaks)]


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
_NAME_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:['’]\w+|-\w+)*")
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
