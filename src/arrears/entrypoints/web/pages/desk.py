"""The agent desk's pages (issue #8): the queue, "next account", an item's call and its
outcome, and the account view. Every figure and rule comes from services.desk,
services.desk_outcomes and services.desk_account — the API calls the same functions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.contacts import Outcome
from arrears.entrypoints.web.deps import AppDep, DeskUser
from arrears.entrypoints.web.rendering import page
from arrears.services import desk, desk_account, desk_arrangements, desk_outcomes
from arrears.services.errors import InvalidInput

router = APIRouter(include_in_schema=False)

# The outcome buttons' keys (app.js clicks the control whose data-shortcut is pressed).
SHORTCUTS = {
    Outcome.REACHED: "r", Outcome.NO_ANSWER: "a", Outcome.WRONG_NUMBER: "w",
    Outcome.REFUSED: "x", Outcome.PROMISE_TO_PAY: "p", Outcome.CALLBACK: "b",
    Outcome.DISPUTE: "d", Outcome.HARDSHIP: "h",
}  # fmt: skip

Text = Annotated[str, Form(max_length=2000)]
Optional = Annotated[str, Form(max_length=64)]


@router.get("/desk")
def queue(request: Request, app: AppDep, user: DeskUser) -> Response:
    found = desk.my_queue(app.uow_factory, user, app.today())
    return page(request, "desk/queue.html", queue=found, zone=app.settings.timezone,
                done=request.query_params.get("done"))  # fmt: skip


@router.post("/desk/next")
def next_account(app: AppDep, user: DeskUser) -> Response:
    claimed = desk.claim_next(app.uow_factory, user, app.today(), app.now())
    if claimed is None:
        return RedirectResponse("/desk?done=empty", status_code=303)
    return RedirectResponse(f"/desk/items/{claimed.work_item_id}", status_code=303)


@router.get("/desk/items/{work_item_id}")
def item(request: Request, app: AppDep, user: DeskUser, work_item_id: int) -> Response:
    return _item_page(request, app, user, work_item_id, None)


@router.post("/desk/items/{work_item_id}/call")
def call(request: Request, app: AppDep, user: DeskUser, work_item_id: int) -> Response:
    clearance = desk.clear_call(app.uow_factory, user, work_item_id, app.now())
    return _item_page(request, app, user, work_item_id, clearance)


@router.post("/desk/items/{work_item_id}/outcome")
def outcome(
    app: AppDep,
    user: DeskUser,
    work_item_id: int,
    result: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
    amount: Optional = "",
    promise_date: Optional = "",
    callback_at: Optional = "",
) -> Response:
    line = desk.work_item(app.uow_factory, user, work_item_id)
    told = desk_outcomes.CallOutcome(
        _outcome(result), note.strip() or None, _amount(amount), _day(promise_date),
        _moment(callback_at, app.settings.timezone),
    )  # fmt: skip
    recorded = desk_outcomes.record_outcome(
        app.uow_factory, user, work_item_id, told, app.today(), app.now()
    )
    if recorded.flag == "hardship":  # offer the pause the borrower may need
        where = f"/desk/accounts/{line.borrower_id}/loans/{line.loan_id}/arrangement?kind=pause"
        return RedirectResponse(where, status_code=303)
    done = "callback" if recorded.kept else "recorded"
    return RedirectResponse(f"/desk?done={done}&account={line.borrower_id}", status_code=303)


@router.get("/desk/accounts/{borrower_id}")
def account(request: Request, app: AppDep, user: DeskUser, borrower_id: str) -> Response:
    view = desk_account.account_view(app.uow_factory, user, borrower_id, app.today())
    return page(request, "desk/account.html", view=view, zone=app.settings.timezone,
                line=None, clearance=None, outcomes=desk_outcomes.DESK_OUTCOMES,
                shortcuts=SHORTCUTS)  # fmt: skip


@router.post("/desk/accounts/{borrower_id}/notes")
def add_note(app: AppDep, user: DeskUser, borrower_id: str, text: Text) -> Response:
    desk_account.add_note(app.uow_factory, user, borrower_id, text, app.today(), app.now())
    return RedirectResponse(f"/desk/accounts/{borrower_id}#notes", status_code=303)


@router.get("/desk/accounts/{borrower_id}/loans/{loan_id}/arrangement")
def arrangement_quote(
    request: Request, app: AppDep, user: DeskUser, borrower_id: str, loan_id: str
) -> Response:
    """The arrangement form; with ``quote`` in the query, the quote and the policy's verdict."""
    asked = {k: v for k, v in request.query_params.items() if k in _ASKED and len(v) <= 64}
    kind = request.query_params.get("kind", "plan")
    quote = None
    if "quote" in request.query_params:
        quote = desk_arrangements.desk_quote(
            app.uow_factory, user, borrower_id, loan_id, kind, _request(kind, asked), app.today()
        )
    return page(request, "desk/arrangement.html", borrower_id=borrower_id, loan_id=loan_id,
                kind=kind, kinds=desk_arrangements.DESK_KINDS, asked=asked, quote=quote,
                fields=sorted(desk_arrangements.fields_of(kind)))  # fmt: skip


@router.post("/desk/accounts/{borrower_id}/loans/{loan_id}/arrangement")
async def arrangement_create(
    request: Request, app: AppDep, user: DeskUser, borrower_id: str, loan_id: str
) -> Response:
    form = await request.form()
    asked = {k: str(v) for k, v in form.items() if k in _ASKED and len(str(v)) <= 64}
    kind = str(form.get("kind", ""))
    desk_arrangements.desk_create(
        app.uow_factory, user, borrower_id, loan_id, kind, _request(kind, asked), app.today(),
        app.now(),
    )  # fmt: skip
    return RedirectResponse(f"/desk/accounts/{borrower_id}#arrangements", status_code=303)


# The arrangement form's fields: name → how its text is read.
_ASKED = {
    "instalments": int, "first_date": date.fromisoformat, "every_days": int,
    "down_payment_major": Decimal, "waive_penalty_percent": Decimal, "seq": int, "days": int,
    "fee_major": Decimal, "amount_major": Decimal, "discount_percent": Decimal,
}  # fmt: skip


def _request(kind: str, asked: dict[str, str]) -> ArrangementRequest:
    """The request from the fields ``kind`` takes; a blank field is "not given"."""
    values: dict[str, object] = {}
    for name in desk_arrangements.fields_of(kind) & _ASKED.keys():
        text = asked.get(name, "").strip()
        if not text:
            continue
        try:
            values[name] = _ASKED[name](text)
        except (ValueError, InvalidOperation):
            raise InvalidInput(f"{name}: {text!r} cannot be read") from None
    return ArrangementRequest(**values)  # type: ignore[arg-type]


def _item_page(
    request: Request, app: AppDep, user: DeskUser, work_item_id: int,
    clearance: desk.CallClearance | None,
) -> Response:  # fmt: skip
    line = desk.work_item(app.uow_factory, user, work_item_id)
    view = desk_account.account_view(app.uow_factory, user, line.borrower_id, app.today())
    return page(request, "desk/account.html", view=view, zone=app.settings.timezone, line=line,
                clearance=clearance, outcomes=desk_outcomes.DESK_OUTCOMES, shortcuts=SHORTCUTS)  # fmt: skip


def _outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an outcome") from None


def _amount(value: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount") from None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value.strip() else None
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _moment(value: str, zone: str) -> datetime | None:
    """A ``datetime-local`` field's value, read in the portfolio's zone."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        raise InvalidInput(f"{value!r} is not a moment (YYYY-MM-DDTHH:MM)") from None
