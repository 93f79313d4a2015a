"""The borrower portal's forms: pay, promise to pay, accept an arrangement, ask for a
hardship pause, dispute, and save contact preferences. Each calls one service and sends
the borrower back to the page with a note of what was done (post, redirect, get)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.adapters.payments.sandbox import provider_named
from arrears.entrypoints.web.deps import AppDep, BorrowerUser
from arrears.entrypoints.web.pages.portal_common import (
    arrangement_request,
    borrower_of,
    today_of,
)
from arrears.services import portal_payments, portal_preferences, portal_requests

router = APIRouter(include_in_schema=False)

Amount = Annotated[str, Form(max_length=32)]
Key = Annotated[str, Form(max_length=48)]
Reason = Annotated[str, Form(max_length=2000)]


def back(loan_id: str, done: str) -> Response:
    return RedirectResponse(f"/portal/loans/{loan_id}?done={done}", status_code=303)


@router.post("/portal/loans/{loan_id}/pay")
def pay(app: AppDep, user: BorrowerUser, loan_id: str, amount: Amount, key: Key) -> Response:
    borrower_id = borrower_of(user)
    provider = provider_named(app.settings.web.payments, app.uow_factory)
    portal_payments.pay(
        app.uow_factory, provider, borrower_id, loan_id, amount, key,
        today_of(app, borrower_id), app.now(),
    )  # fmt: skip
    return back(loan_id, "paid")


@router.post("/portal/loans/{loan_id}/promise")
def promise(
    app: AppDep,
    user: BorrowerUser,
    loan_id: str,
    amount: Amount,
    due_date: Annotated[date, Form()],
    key: Key,
) -> Response:
    borrower_id = borrower_of(user)
    portal_requests.promise_to_pay(
        app.uow_factory, borrower_id, loan_id, amount, due_date,
        today_of(app, borrower_id), app.now(), key,
    )  # fmt: skip
    return back(loan_id, "promised")


@router.post("/portal/loans/{loan_id}/arrange")
async def accept(request: Request, app: AppDep, user: BorrowerUser, loan_id: str) -> Response:
    """Accept the quote shown: the same figures as the quote, sent back as hidden fields."""
    borrower_id = borrower_of(user)
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    kind = fields.get("kind", "")
    view = portal_requests.accept(
        app.uow_factory, borrower_id, loan_id, kind, arrangement_request(kind, fields),
        today_of(app, borrower_id), app.now(), fields.get("key", ""), user.username,
    )  # fmt: skip
    return back(loan_id, f"arranged_{view.record.status}")


@router.post("/portal/loans/{loan_id}/hardship")
def hardship(
    app: AppDep,
    user: BorrowerUser,
    loan_id: str,
    days: Annotated[int, Form(ge=1, le=366)],
    key: Key,
    reason: Reason = "",  # none: the service's own words ask for one
) -> Response:
    borrower_id = borrower_of(user)
    outcome = portal_requests.ask_hardship(
        app.uow_factory, borrower_id, loan_id, days, reason,
        today_of(app, borrower_id), app.now(), key, user.username,
    )  # fmt: skip
    return back(loan_id, f"hardship_{outcome.kind}")


@router.post("/portal/loans/{loan_id}/dispute")
def dispute(app: AppDep, user: BorrowerUser, loan_id: str, reason: Reason = "") -> Response:
    """Without a reason, the service's own words ask for one (in the borrower's language)."""
    portal_requests.dispute(app.uow_factory, borrower_of(user), loan_id, reason, app.now())
    return back(loan_id, "disputed")


@router.post("/portal/preferences")
async def save_preferences(request: Request, app: AppDep, user: BorrowerUser) -> Response:
    form = await request.form()
    texts = {k: v for k, v in form.items() if isinstance(v, str)}
    chosen = portal_preferences.ContactPreferences(
        preferred=tuple(str(v) for v in form.getlist("preferred")),
        quiet_from=texts.get("quiet_from") or None,
        quiet_until=texts.get("quiet_until") or None,
        opted_out=tuple(str(v) for v in form.getlist("opted_out")),
        language=texts.get("language") or None,
    )
    portal_preferences.save_contact_preferences(
        app.uow_factory, borrower_of(user), chosen, app.now()
    )
    return RedirectResponse("/portal/preferences?done=saved", status_code=303)
