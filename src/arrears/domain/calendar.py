"""Dates for loans: monthly due dates clamped to month end, business-day calendars.

>>> add_months(date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
>>> monthly_due_dates(date(2026, 1, 31), 3)
[datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1970-01-01: how the daily cycle's tables hold dates, for integer SQL.

    >>> day_number(date(2026, 11, 29)), day_from_number(20786)
    (20786, datetime.date(2026, 11, 29))
    """
    return day.toordinal() - EPOCH_ORDINAL


def day_from_number(number: int) -> date:
    return date.fromordinal(number + EPOCH_ORDINAL)


def add_months(start: date, months: int, day_of_month: int | None = None) -> date:
    """The date ``months`` later on ``day_of_month`` (default: start's day), clamped to month end."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    wanted_day = day_of_month or start.day
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(wanted_day, last_day))


def monthly_due_dates(first_due: date, count: int) -> list[date]:
    """``count`` monthly dates on the first due date's day of month, each clamped to month end.

    The anchor is always the first date's day, so Jan 31 → Feb 28 → Mar 31 (not Mar 28).
    """
    return [add_months(first_due, k, first_due.day) for k in range(count)]


class BusinessCalendar(Protocol):
    """Tells whether a day is a business day; due dates on other days move forward."""

    def is_business_day(self, day: date) -> bool: ...

    def __hash__(self) -> int: ...  # calendars key the due-date cache


class EveryDay:
    """No calendar: every day is a business day (due dates never move)."""

    def is_business_day(self, day: date) -> bool:
        return True


class HolidayCalendar:
    """A country's public holidays and weekends from the ``holidays`` package.

    Uses the package's working-day rule, so China's make-up working Saturdays
    (调休) count as business days.
    """

    def __init__(self, country: str) -> None:
        # ``holidays`` loads here, not with the module: most processes (a CLI command, a
        # worker) never build a calendar, and its country tables take a while to import.
        import holidays

        self.country = country.upper()
        self._holidays = holidays.country_holidays(self.country)

    def is_business_day(self, day: date) -> bool:
        return bool(self._holidays.is_working_day(day))


SUPPORTED_CALENDARS = ("CN", "US", "GB", "HK", "SG")


@lru_cache(maxsize=16)
def calendar_for(code: str | None) -> BusinessCalendar:
    """The calendar for a code such as ``"CN"``; ``None`` or ``""`` means no adjustment."""
    if not code:
        return EveryDay()
    if code.upper() not in SUPPORTED_CALENDARS:
        raise ValueError(
            f"unknown holiday calendar {code!r}; known: {', '.join(SUPPORTED_CALENDARS)}"
        )
    return HolidayCalendar(code)


def next_business_day(day: date, business_calendar: BusinessCalendar) -> date:
    """``day`` itself if it is a business day, else the next one."""
    while not business_calendar.is_business_day(day):
        day += timedelta(days=1)
    return day
