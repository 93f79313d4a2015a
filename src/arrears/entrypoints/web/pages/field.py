"""The field agent's pages (``/field``): visit assignments by area, one assignment with
its contact history, taking it, and recording what the visit found."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.access import User
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.deps import AppDep, FieldUser
from arrears.entrypoints.web.rendering import page
from arrears.services import field_work
from arrears.services.errors import InvalidInput
from arrears.services.field_work import VisitReport, VisitResult

router = APIRouter(include_in_schema=False)


def zone_of(name: str | None, fallback: str) -> ZoneInfo:
    """The borrower's own zone, else the portfolio's (an unknown name falls back too)."""
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


@router.get("/field")
def visits(request: Request, app: AppDep, user: FieldUser) -> Response:
    areas = field_work.visit_areas(app.uow_factory, user)
    return page(
        request, "field/index.html", areas=areas, zone=zone_of(None, app.settings.timezone),
        done=request.query_params.get("done"),
    )  # fmt: skip


@router.get("/field/{work_item_id}")
def visit(request: Request, app: AppDep, user: FieldUser, work_item_id: int) -> Response:
    return _visit_page(request, app, user, work_item_id)


def _visit_page(
    request: Request,
    app: App,
    user: User,
    work_item_id: int,
    error: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    """The assignment; after a refused form, with the reason beside it and what was entered."""
    shown = field_work.assignment(app.uow_factory, work_item_id, user)
    return page(
        request, "field/visit.html", 422 if error else 200, assignment=shown, item=shown.item,
        results=list(VisitResult), zone=zone_of(shown.item.timezone, app.settings.timezone),
        error=error, entered=entered or {},
    )  # fmt: skip


@router.post("/field/{work_item_id}/take")
def take(app: AppDep, user: FieldUser, work_item_id: int) -> Response:
    field_work.take_assignment(app.uow_factory, work_item_id, user, app.now())
    return RedirectResponse(f"/field/{work_item_id}", status_code=303)


@router.post("/field/{work_item_id}/visit")
def record(
    request: Request,
    app: AppDep,
    user: FieldUser,
    work_item_id: int,
    result: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
    promise_amount: Annotated[str, Form(max_length=32)] = "",
    promise_due: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    entered = {"result": result, "note": note, "promise_amount": promise_amount,
               "promise_due": promise_due}  # fmt: skip
    try:
        report = VisitReport(
            _choice(result), note or None, _amount(promise_amount), _day(promise_due)
        )
        field_work.record_visit(app.uow_factory, work_item_id, user, report, app.now(), app.today())
    except InvalidInput as error:
        return _visit_page(request, app, user, work_item_id, str(error), entered)
    return RedirectResponse("/field?done=recorded", status_code=303)


def _choice(result: str) -> VisitResult:
    try:
        return VisitResult(result)
    except ValueError:
        raise InvalidInput(f"{result!r} is not a visit result") from None


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not an amount") from None


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)") from None
