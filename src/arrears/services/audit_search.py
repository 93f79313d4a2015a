"""The audit log as the compliance officer searches it: by subject (a loan or borrower
id), kind and days, newest first, a page at a time (docs/audit.md).

Days are the portfolio's (``zone``), turned into UTC times as ``audit.day_span`` does for
exports, so a search and an export of the same days show the same entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from arrears.domain.audit import AuditEntry
from arrears.services.errors import InvalidInput
from arrears.services.ports import UnitOfWork

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What to look for; None: any. ``page`` counts from 1."""

    subject: str | None = None
    kind: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class AuditPage:
    query: AuditQuery
    entries: tuple[AuditEntry, ...]
    has_next: bool  # another page follows
    kinds: tuple[str, ...]  # every kind recorded, to choose from


def search_audit(
    uow_factory: Callable[[], UnitOfWork], query: AuditQuery, zone: tzinfo
) -> AuditPage:
    """One page of the entries matching ``query``; reads one entry past the page to know
    whether another follows."""
    if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"pages count from 1 and hold 1 to {MAX_PAGE_SIZE} entries")
    start, end = _span(query.first_day, query.last_day, zone)
    offset = (query.page - 1) * query.page_size
    with uow_factory() as uow:
        found = uow.audit_search.search(
            query.subject or None, query.kind or None, start, end, offset, query.page_size + 1
        )
        kinds = uow.audit_search.kinds()
    return AuditPage(
        query, tuple(found[: query.page_size]), len(found) > query.page_size, tuple(kinds)
    )


def _span(
    first_day: date | None, last_day: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The UTC bounds of the days (either side open); the last day is included."""
    if first_day is not None and last_day is not None and last_day < first_day:
        raise InvalidInput(f"the days end ({last_day}) before they start ({first_day})")
    start = None if first_day is None else datetime.combine(first_day, time(), zone)
    end = None if last_day is None else datetime.combine(last_day + timedelta(1), time(), zone)
    return start, end
