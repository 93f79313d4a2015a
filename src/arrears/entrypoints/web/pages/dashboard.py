"""The manager's dashboard (``/dashboard``): the reports of docs/reports.md over a period,
as tables and as charts (SVG images drawn by adapters.charts at ``/dashboard/charts/``).

Every figure is the report services' (services.dashboard); the page only lays them out.
They take seconds to compute on a large book, so the app keeps them (services.kept_figures):
the page answers with the figures kept for its filters, says when they were computed, and
has them computed again behind it once they are five minutes old; "refresh" computes them now.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.entrypoints.web.pages import dashboard_approvals, dashboard_charts, dashboard_files
from arrears.entrypoints.web.rendering import page
from arrears.services import dashboard as dashboard_service
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.kept_figures import Kept, KeptFigures

router = APIRouter(include_in_schema=False)

Day = Annotated[str | None, Query(max_length=10)]
Product = Annotated[str | None, Query(max_length=64)]  # a product code; blank: every product


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD query value; blank is none; anything else a 422 naming the field."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


Boards = KeptFigures[tuple[Any, ...], dashboard_service.Dashboard]
DEFAULT: tuple[Any, ...] = (None, None, None)  # the filters (from, to, product) as first opened


def kept_boards(application: App) -> Boards:
    """The dashboards the web app keeps, by their filters; a new edition every cycle day."""

    def edition() -> Hashable:
        with application.uow_factory() as uow:
            return uow.portfolio_reports.cycle_days()

    return KeptFigures(
        lambda key: dashboard_service.dashboard(application.uow_factory, *key),
        edition, application.now, max_age=timedelta(minutes=5),
    )  # fmt: skip


@router.get("/dashboard")
def dashboard(
    request: Request, app: AppDep, user: ManagerUser, first: Day = None, last: Day = None,
    product: Product = None,
) -> Response:  # fmt: skip
    kept = _board(request, first, last, product)
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "fresh"])
    return page(
        request, "dashboard/index.html", board=kept.value, computed_at=kept.computed_at,
        zone=request.app.state.arrears.settings.timezone,
        first=first or "", last=last or "", product=product or "",
        query=f"?{query}" if query else "",
        charts=dashboard_charts.CHARTS,
    )  # fmt: skip


@router.get("/dashboard/charts/{name}.svg")
def chart(
    request: Request, user: ManagerUser, name: str, first: Day = None, last: Day = None,
    product: Product = None,
) -> Response:  # fmt: skip
    """A report drawn as SVG (the CSP lets the page show same-origin images), from the
    figures the page showed."""
    if name not in dashboard_charts.CHARTS:
        raise NotFound(f"no chart named {name!r}")
    return Response(
        dashboard_charts.draw(name, _board(request, first, last, product)),
        media_type="image/svg+xml",
    )


def _board(
    request: Request, first: str | None, last: str | None, product: str | None = None
) -> Kept[Any]:
    boards: Boards = request.app.state.dashboards
    key = (parse_day(first, "from"), parse_day(last, "to"), (product or "").strip() or None)
    return boards.get(key, fresh="fresh" in request.query_params)


router.include_router(dashboard_files.router)
router.include_router(dashboard_approvals.router)
