"""Signing in and out, and the front door that sends each role to its own pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.access import HOME
from arrears.entrypoints.web.deps import AppDep, SignedIn, VisitorDep
from arrears.entrypoints.web.rendering import page
from arrears.entrypoints.web.security import (
    SESSION_COOKIE,
    check_login_csrf,
    clear_session_cookie,
    login_csrf_token,
    now,
    set_login_csrf,
    set_session_cookie,
)
from arrears.services import accounts
from arrears.services.errors import TooManyAttempts

router = APIRouter(include_in_schema=False)


def local_path(target: str | None) -> str | None:
    """Only a path on this site (``/desk``), never ``//elsewhere`` or ``https://…``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/")
def front_door(visitor: VisitorDep) -> Response:
    if visitor.user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME[visitor.user.role], status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    app: AppDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_login_csrf(request, csrf_token)
    address = request.client.host if request.client else "unknown"
    lifetime = app.settings.web.session_hours
    try:
        signed = accounts.sign_in(
            app.uow_factory, username.strip(), password, address, now(),
            timedelta(hours=lifetime),
        )  # fmt: skip
    except TooManyAttempts as refused:
        response = _login_page(request, next, message="login.throttled", status_code=429,
                               username=username)  # fmt: skip
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    if signed is None:
        return _login_page(request, next, message="login.failed", status_code=401,
                           username=username)  # fmt: skip
    target = local_path(next) or HOME[signed.user.role]
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, signed.session_token, int(lifetime * 3600))
    return response


@router.post("/logout")
def logout(request: Request, app: AppDep, _: SignedIn) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.sign_out(app.uow_factory, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response


def _login_page(
    request: Request, next_path: str | None, *, message: str | None = None,
    status_code: int = 200, username: str = "",
) -> Response:  # fmt: skip
    token = login_csrf_token(request)
    response = page(
        request, "login.html", status_code=status_code, next=local_path(next_path) or "",
        message=message, login_csrf=token, username=username,
    )  # fmt: skip
    set_login_csrf(request, response, token)
    return response
