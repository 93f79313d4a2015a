"""A signed-in person's own account: who they are, their language, their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.entrypoints.web import i18n
from arrears.entrypoints.web.deps import AppDep, SignedIn
from arrears.entrypoints.web.rendering import page
from arrears.entrypoints.web.security import SESSION_COOKIE
from arrears.services import accounts

router = APIRouter(include_in_schema=False)


@router.get("/account")
def account(request: Request, user: SignedIn) -> Response:
    return page(request, "account.html", done=request.query_params.get("done"))


@router.post("/account/language")
def set_language(
    app: AppDep, user: SignedIn, language: Annotated[str, Form(max_length=16)]
) -> Response:
    chosen = i18n.supported(language) or "en"
    accounts.set_language(app.uow_factory, user, chosen)
    return RedirectResponse("/account?done=language", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request,
    app: AppDep,
    user: SignedIn,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
) -> Response:
    session = request.cookies.get(SESSION_COOKIE)
    accounts.change_password(app.uow_factory, user, current, new, session)
    return RedirectResponse("/account?done=password", status_code=303)
