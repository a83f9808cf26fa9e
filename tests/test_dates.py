"""Date parsing: metadata formats, leading date lines, filter bounds."""

from __future__ import annotations

import pytest

from assistant.core.errors import InputError
from assistant.text.dates import (
    day_bounds,
    parse_date,
    read_date,
    split_date_line,
    to_timestamp,
)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        pytest.param("2023-10-04T23:32:53+00:00", "2023-10-04T23:32:53+00:00", id="iso-datetime"),
        pytest.param("2023-10-04", "2023-10-04", id="iso-date"),
        pytest.param("2023-10-04T23:32:53Z", "2023-10-04T23:32:53+00:00", id="zulu"),
        pytest.param("October 4, 2023", "2023-10-04", id="month-name"),
        pytest.param("4 Oct 2023", "2023-10-04", id="day-first"),
        pytest.param("Wed, 04 Oct 2023 10:15:00 GMT", "2023-10-04T10:15:00+00:00", id="rfc822"),
        pytest.param("", None, id="empty"),
        pytest.param("yesterday-ish", None, id="garbage"),
        pytest.param("Tuesday", None, id="weekday-only"),
        pytest.param("May", None, id="month-only"),
        pytest.param("10", None, id="day-only"),
        pytest.param("Feb 29", None, id="day-and-month-no-year"),
        pytest.param("May 2023", "2023-05-01", id="month-and-year"),
        pytest.param("2023", "2023-01-01", id="year-only"),
    ],
)
def test_parse_date(raw: str, iso: str | None) -> None:
    assert parse_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "year", "iso"),
    [
        pytest.param("May 5", 2024, "2024-05-05", id="month-day"),
        pytest.param("Feb 29", 2024, "2024-02-29", id="leap-day"),
        pytest.param("Feb 29", 2023, None, id="leap-day-in-a-common-year"),
        pytest.param("5 May 2021", 2024, "2021-05-05", id="the-text's-own-year-wins"),
    ],
)
def test_parse_date_with_a_year_from_context(raw: str, year: int, iso: str | None) -> None:
    assert parse_date(raw, year=year) == iso


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("May", "no year", id="no-year"),
        pytest.param("the day after", "unparseable date", id="garbage"),
    ],
)
def test_read_date_says_why(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_date(raw)


def test_leading_date_line() -> None:
    assert split_date_line("date 2025-02-28 NEW DELHI: The EU said") == ("2025-02-28", "NEW DELHI: The EU said")
    assert split_date_line("Published: March 3, 2024 Text") == ("2024-03-03", "Text")
    assert split_date_line("The date is not here") == (None, "The date is not here")


def test_bounds_cover_whole_days() -> None:
    assert day_bounds("2023-10-01", end=True) - day_bounds("2023-10-01", end=False) == 86399
    assert to_timestamp("2023-10-01T00:00:00+00:00") == day_bounds("2023-10-01", end=False)
    with pytest.raises(InputError):
        day_bounds("not a date", end=False)
    with pytest.raises(InputError, match="no year"):
        day_bounds("May", end=False)
