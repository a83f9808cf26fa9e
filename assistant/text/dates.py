"""Date parsing for article metadata and leading date lines (``date 2025-02-28 NEW DELHI: ...``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_DATE_LINE = re.compile(
    r"^\s*(?:date|published|updated|dated)\s*[:\-]?\s*"
    r"(?P<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+\.? \d{4})\s*",
    re.IGNORECASE,
)


def parse_date(text: str | None, year: int | None = None) -> str | None:
    """ISO 8601 for many date formats (date, or datetime when a time is given); None when not a date."""
    try:
        return read_date(text, year)
    except ValueError:
        return None


def read_date(text: str | None, year: int | None = None) -> str:
    """Like ``parse_date``, but raises ``ValueError`` saying why the text is not a date.

    A date needs a year: "May", "10" or "Tuesday" name no day in particular, so they are refused unless
    the caller knows the year from context and passes it.
    """
    raw = str(text or "").strip()
    if not raw:
        raise ValueError("no date")
    try:
        value = datetime.fromisoformat(raw)
        return _iso(value, has_time=len(raw) > 10)
    except ValueError:
        pass
    from dateutil import parser

    # dateutil fills what the text lacks from a default date: parsed against two defaults a year
    # apart (both leap years, so "Feb 29" parses), a text without a year comes out with two years.
    defaults = [datetime(year, 1, 1)] if year else [datetime(2000, 1, 1), datetime(2004, 1, 1)]
    try:
        values = [parser.parse(raw, default=default, fuzzy=False) for default in defaults]
    except (ValueError, OverflowError, TypeError):
        raise ValueError("unparseable date") from None
    if len({v.year for v in values}) > 1:
        raise ValueError("no year")
    value = values[0]
    if value.year < 1900 or value.year > 2200:
        raise ValueError("unparseable date")
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
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def day_bounds(text: str, end: bool) -> int:
    """Timestamp of the start (or end, inclusive) of the day a user-given date names."""
    try:
        iso = read_date(text)
    except ValueError as exc:
        from ..core.errors import InputError

        raise InputError(f"cannot read the date '{text}': {exc}", hint="use YYYY-MM-DD") from None
    return day_stamp(date.fromisoformat(iso[:10]), end)


def stamp_day(stamp: float) -> date:
    """The UTC day an epoch-seconds timestamp falls on (the inverse of ``day_stamp``)."""
    return datetime.fromtimestamp(stamp, tz=UTC).date()


def day_stamp(day: date, end: bool = False) -> int:
    """Epoch seconds of a UTC day's first second, or of its last one (``end``): every date filter's edge."""
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return stamp + 86399 if end else stamp
