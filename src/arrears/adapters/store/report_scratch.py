"""Scratch tables the report statements join, so that one statement serves both stores.

SQLite and PostgreSQL add days and months to a date, and cut a date to its month,
differently. The reports need that for a few distinct days or months only, so those are
worked out here in Python and joined from a temporary table: a row per calendar day or
month, never per loan.

A report may be narrowed to one product: its statements mark where with
``/*product COLUMN*/`` (COLUMN holding a loan id), which ``for_product`` makes a
condition on that loan's product, or nothing for the whole book.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

from arrears.adapters.store.bulk import create_scratch, insert_rows

_PRODUCT_MARK = re.compile(r"/\*product ([\w.]+)\*/")


def for_product(sql: str, product: str | None) -> str:
    """``sql`` with each ``/*product COLUMN*/`` an ``AND`` on the loan in COLUMN being of
    ``:product`` — or removed when ``product`` is None (the whole book).

    >>> for_product("WHERE p.paid_on > :day /*product p.loan_id*/", "flat")
    'WHERE p.paid_on > :day  AND p.loan_id IN (SELECT pl.loan_id FROM loan pl WHERE pl.product = :product)'
    >>> for_product("WHERE p.paid_on > :day /*product p.loan_id*/", None)
    'WHERE p.paid_on > :day '
    """
    condition = " AND {} IN (SELECT pl.loan_id FROM loan pl WHERE pl.product = :product)"
    return _PRODUCT_MARK.sub(lambda m: condition.format(m[1]) if product else "", sql)


def run_dated(
    connection: Connection, sql: str, product: str | None = None, **values: Any
) -> Sequence[Any]:
    """Run ``sql`` with its date values bound as dates (ISO text on SQLite), narrowed to
    the loans of ``product`` where it marks ``/*product COLUMN*/`` (None: every loan)."""
    sql = for_product(sql, product)
    if product is not None:
        values["product"] = product
    dated = [
        bindparam(name, type_=Date)
        for name, value in values.items()
        if isinstance(value, date) and not isinstance(value, datetime)
    ]
    return connection.execute(text(sql).bindparams(*dated), values).all()


def drop(connection: Connection, *names: str) -> None:
    for name in names:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day if it is shorter.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 3, 15), 2)
    (datetime.date(2026, 2, 28), datetime.date(2026, 5, 15))
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> list[tuple[date, date]]:
    """The calendar months from ``first``'s through ``last``'s: (first day, last day).

    >>> months_between(date(2026, 1, 20), date(2026, 2, 3))
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)), (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))]
    """
    months = []
    month = first.replace(day=1)
    while month <= last:
        following = add_months(month, 1)
        months.append((month, following - timedelta(days=1)))
        month = following
    return months


def fill_months(connection: Connection, first: date, last: date) -> None:
    """``report_month(month, month_end)``: the months from ``first``'s through ``last``'s."""
    create_scratch(connection, "report_month", "month DATE PRIMARY KEY, month_end DATE NOT NULL")
    insert_rows(connection, "report_month", ("month", "month_end"), months_between(first, last))


def fill_shifts(connection: Connection, days: Iterable[date], horizons: Sequence[int]) -> None:
    """``report_shift(day, days, later)``: each day, each horizon, the day that many days on."""
    create_scratch(
        connection, "report_shift", "day DATE NOT NULL, days INTEGER NOT NULL, later DATE NOT NULL"
    )
    rows = [(day, n, day + timedelta(days=n)) for day in sorted(set(days)) for n in horizons]
    insert_rows(connection, "report_shift", ("day", "days", "later"), rows)
