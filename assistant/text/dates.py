"""Date parsing for article metadata and leading date lines (``date 2025-02-28 NEW DELHI: ...``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

_DATE_LINE = re.compile(
    r"^\s*(?:date|published|updated|dated)\s*[:\-]?\s*"
    r"(?P<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+\.? \d{4})\s*",
    re.IGNORECASE,
)


def parse_date(text: str | None) -> str | None:
    """Parse many date formats to ISO 8601 (date, or datetime when a time is given); None when unparseable."""
    if not text or not str(text).strip():
        return None
    raw = str(text).strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return _iso(value, has_time=len(raw) > 10)
    except ValueError:
        pass
    from dateutil import parser

    try:
        default = datetime(1900, 1, 1)
        value = parser.parse(raw, default=default, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if value.year < 1900 or value.year > 2200:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", raw))
    return _iso(value, has_time)


def _iso(value: datetime, has_time: bool) -> str:
    if not has_time:
        return value.date().isoformat()
    return value.isoformat()


def split_date_line(text: str) -> tuple[str | None, str]:
    """Pull a leading ``date ...`` marker off a paragraph; return (ISO date or None, remaining text)."""
    match = _DATE_LINE.match(text)
    if not match:
        return None, text
    parsed = parse_date(match.group("date"))
    if parsed is None:
        return None, text
    return parsed, text[match.end():]


def to_timestamp(iso: str) -> int | None:
    """Seconds since the epoch (UTC; naive values taken as UTC) for Chroma range filters."""
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def day_bounds(text: str, end: bool) -> int:
    """Timestamp of the start (or end, inclusive) of the day a user-given date names."""
    iso = parse_date(text)
    if iso is None:
        from ..core.errors import InputError

        raise InputError(f"cannot read the date '{text}'", hint="use YYYY-MM-DD")
    return day_stamp(date.fromisoformat(iso[:10]), end)


def day_stamp(day: date, end: bool = False) -> int:
    """Epoch seconds of a UTC day's first second, or of its last one (``end``): every date filter's edge."""
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
    return stamp + 86399 if end else stamp
