"""The borrower portal's pages (``/portal``): their loans, what is owed and why, the
arrangement quote, contact preferences, their rights and two guides.

Every page is the borrower's own: the area check (``BorrowerUser``) keeps staff out, and
the services answer only for the borrower's own loans (another's is a 404). The forms
post to ``pages.portal_forms``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from arrears.domain.money import format_major
from arrears.entrypoints.web.deps import AppDep, BorrowerUser
from arrears.entrypoints.web.pages import portal_forms
from arrears.entrypoints.web.pages.portal_common import (
    arrangement_request,
    borrower_of,
    form_key,
    region_for,
    today_of,
)
from arrears.entrypoints.web.rendering import page
from arrears.services import portal, portal_preferences, portal_requests
from arrears.services.errors import InvalidInput, NotFound

router = APIRouter(include_in_schema=False)
GUIDES = ("planning", "credit")


@router.get("/portal")
def home(request: Request, app: AppDep, user: BorrowerUser) -> Response:
    borrower_id = borrower_of(user)
    today = today_of(app, borrower_id)
    loans = portal.my_loans(app.uow_factory, borrower_id, today)
    return page(request, "portal/home.html", loans=loans, today=today)


@router.get("/portal/loans/{loan_id}")
def loan(request: Request, app: AppDep, user: BorrowerUser, loan_id: str) -> Response:
    borrower_id = borrower_of(user)
    today = today_of(app, borrower_id)
    detail = portal.my_loan(app.uow_factory, borrower_id, loan_id, today)
    owed = detail.summary.overdue_minor
    overdue_major = format_major(owed, detail.summary.currency) if owed > 0 else ""
    return page(
        request, "portal/loan.html", loan=detail, s=detail.summary, today=today,
        key=form_key(), done=request.query_params.get("done"), overdue_major=overdue_major,
    )  # fmt: skip


@router.get("/portal/loans/{loan_id}/arrange")
def arrange(
    request: Request,
    app: AppDep,
    user: BorrowerUser,
    loan_id: str,
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The arrangement form; with ``kind`` and its figures, the quote and the policy's
    verdict on it (a GET: quoting stores nothing)."""
    borrower_id = borrower_of(user)
    today = today_of(app, borrower_id)
    detail = portal.my_loan(app.uow_factory, borrower_id, loan_id, today)
    offered = portal_requests.offered_kinds(app.uow_factory, borrower_id, loan_id)
    asked = dict(request.query_params)
    quoted = None
    problem: InvalidInput | NotFound | None = None
    if kind:
        try:
            request_of = arrangement_request(kind, asked)
            quoted = portal_requests.quote(
                app.uow_factory, borrower_id, loan_id, kind, request_of, today
            )
        except (InvalidInput, NotFound) as error:
            problem = error  # said in the borrower's language by the page (``t.say``)
    return page(
        request, "portal/arrange.html", loan=detail, s=detail.summary, offered=offered,
        kind=kind, asked=asked, quoted=quoted, problem=problem, key=form_key(), today=today,
    )  # fmt: skip


@router.get("/portal/preferences")
def preferences(request: Request, app: AppDep, user: BorrowerUser) -> Response:
    chosen = portal_preferences.contact_preferences(app.uow_factory, borrower_of(user))
    return page(
        request, "portal/preferences.html", chosen=chosen,
        channels=portal_preferences.CHANNELS, done=request.query_params.get("done"),
    )  # fmt: skip


@router.get("/portal/rights")
def rights(request: Request, app: AppDep, user: BorrowerUser) -> Response:
    region = region_for(app, borrower_of(user))
    return page(request, "portal/rights.html", region=region)


@router.get("/portal/guides/{name}")
def guide(request: Request, app: AppDep, user: BorrowerUser, name: str) -> Response:
    if name not in GUIDES:
        raise NotFound(f"no guide {name!r}", code="portal.no_guide", name=name)
    region = region_for(app, borrower_of(user))
    return page(request, "portal/guide.html", name=name, region=region)


router.include_router(portal_forms.router)  # the forms, beside the pages
