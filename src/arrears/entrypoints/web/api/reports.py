"""``/api/v1/reports``: the manager's reports (docs/reports.md), each the same JSON object
``arrears report NAME --format json`` prints — both read entrypoints.report_catalog.

A report's period is ``from`` … ``to`` (both included; a side left out is the first or
last day the daily cycle ran); ``product`` narrows it to the loans of one product. Money is a decimal string in major units; rates are
percent strings with one decimal, null when there is nothing to count over.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from arrears.entrypoints.report_catalog import BY_NAME, report_json
from arrears.entrypoints.web.api.schemas import Day, ReportNameOut
from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.services.errors import InvalidInput, NotFound

router = APIRouter(tags=["reports"])

# The days a report may be asked about: a period reaches back to the oldest loans a
# book could hold and forward past their terms, and no further — the period's days are
# counted and stepped through, and year 1 or 9999 would overflow or take a while.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


@router.get("/reports", response_model=list[ReportNameOut])
def report_names(_: ManagerUser) -> list[ReportNameOut]:
    """The reports, by name, as `arrears report --help` lists them."""
    return [ReportNameOut(name=r.name, description=r.help) for r in BY_NAME.values()]


@router.get("/reports/{name}")
def report(
    name: str, app: AppDep, _: ManagerUser,
    first: Annotated[Day | None, Query(alias="from", description="First day (YYYY-MM-DD).")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Last day (YYYY-MM-DD).")] = None,
    product: Annotated[str | None, Query(min_length=1, max_length=64,
                                         description="Only the loans of this product.")] = None,
) -> dict[str, Any]:  # fmt: skip
    """A report over a period, as `arrears report NAME --from … --to … [--product CODE]
    --format json`: its facts (``report``, ``from``, ``to``, …), then a list of lines per
    table. A product no loan is of is a 422 listing the book's products."""
    chosen = BY_NAME.get(name)
    if chosen is None:
        raise NotFound(f"no report {name!r} (reports: {', '.join(BY_NAME)})")
    for label, day in (("from", first), ("to", last)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(f"{label}: {day} is outside {FIRST_DAY} … {LAST_DAY}")
    return report_json(chosen, app.uow_factory, first, last, product)
