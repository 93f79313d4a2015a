"""The manager's dashboard (``/dashboard``): the reports of docs/reports.md over a period,
as tables and as charts (SVG images drawn by adapters.charts at ``/dashboard/charts/``).

Every figure is the report services' (services.dashboard); the page only lays them out.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.entrypoints.web.pages import dashboard_approvals, dashboard_charts, dashboard_files
from arrears.entrypoints.web.rendering import page
from arrears.services import dashboard as dashboard_service
from arrears.services.errors import InvalidInput, NotFound

router = APIRouter(include_in_schema=False)

Day = Annotated[str | None, Query(max_length=10)]


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD query value; blank is none; anything else a 422 naming the field."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


@router.get("/dashboard")
def dashboard(
    request: Request, app: AppDep, user: ManagerUser, first: Day = None, last: Day = None
) -> Response:
    chosen = parse_day(first, "from"), parse_day(last, "to")
    board = dashboard_service.dashboard(app.uow_factory, *chosen)
    query = request.url.query
    return page(
        request, "dashboard/index.html", board=board, first=first or "", last=last or "",
        query=f"?{query}" if query else "", charts=dashboard_charts.CHARTS,
    )  # fmt: skip


@router.get("/dashboard/charts/{name}.svg")
def chart(
    app: AppDep, user: ManagerUser, name: str, first: Day = None, last: Day = None
) -> Response:
    """A report drawn as SVG (the CSP lets the page show same-origin images)."""
    if name not in dashboard_charts.CHARTS:
        raise NotFound(f"no chart named {name!r}")
    svg = dashboard_charts.draw(
        app.uow_factory, name, parse_day(first, "from"), parse_day(last, "to")
    )
    return Response(svg, media_type="image/svg+xml")


router.include_router(dashboard_files.router)
router.include_router(dashboard_approvals.router)
