"""Errors at the web edge, in one place: the API answers RFC 9457 problem documents
(``application/problem+json``), pages an error page in the visitor's language; a
visitor who is not signed in is sent to sign in. No one sees a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from arrears.domain.reasons import Reason
from arrears.entrypoints.web.security import CsrfRefused, NotSignedIn
from arrears.services.errors import (
    ArrearsError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)

log = logging.getLogger("arrears.web")

# (status, problem type slug) per named error; the first match in order wins.
STATUSES: tuple[tuple[type[ArrearsError], int, str], ...] = (
    (NotSignedIn, 401, "not-signed-in"),
    (CsrfRefused, 403, "csrf"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (TooManyAttempts, 429, "too-many-attempts"),
    (InvalidInput, 422, "invalid-input"),
)
TITLES = {
    400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 422: "Invalid input",
    429: "Too many attempts", 500: "Internal error",
}  # fmt: skip


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    request: Request, status: int, detail: str, kind: str | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"/problems/{kind}" if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _status_of(error: ArrearsError) -> tuple[int, str]:
    for kind, status, slug in STATUSES:
        if isinstance(error, kind):
            return status, slug
    return 400, "bad-request"


def _error_page(request: Request, status: int, detail: str | ArrearsError) -> Response:
    """The error page; an error's detail is said in the visitor's language where it has a
    code (``Words.say``), else in the English it carries."""
    from arrears.entrypoints.web.rendering import page  # the pages import this module

    return page(request, "error.html", status_code=status, status=status, detail=detail)


async def on_arrears_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ArrearsError)
    status, slug = _status_of(error)
    if isinstance(error, NotSignedIn) and not is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    if is_api(request):
        extra: dict[str, Any] = {}
        findings = getattr(error, "findings", None)
        if findings:
            extra["findings"] = [_finding(f) for f in findings]
        response = problem(request, status, str(error), slug, **extra)
    else:
        response = _error_page(request, status, error)
    if isinstance(error, NotSignedIn):
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def _finding(finding: Any) -> dict[str, Any]:
    """A finding (domain.findings.Finding, or an API schema of one) as JSON: its code,
    message, line, column and subject."""
    shown = finding.model_dump() if hasattr(finding, "model_dump") else asdict(finding)
    return {k: v if v is None or isinstance(v, int) else str(v) for k, v in shown.items()}


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    if is_api(request):
        return problem(request, 422, detail, "invalid-input", errors=errors)
    return _error_page(request, 422, _form_problems(error.errors(), detail))


def _form_problems(errors: Sequence[Any], detail: str) -> Reason:
    """A form's problems for a page, coded by pydantic's error type (``form.missing``,
    ``field.days``) so that it says them in the visitor's language; the English where
    the catalogs have no words."""
    each = []
    for e in errors:
        field = ".".join(str(p) for p in e["loc"][1:])
        params = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, int | str)}
        params["field"] = Reason(f"field.{field}", field)
        each.append(Reason(f"form.{e['type']}", f"{field}: {e['msg']}", **params))
    return Reason("form.problems", detail, all=tuple(each))


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = str(error.detail)
    if is_api(request):
        response: Response = problem(request, error.status_code, detail)
    else:
        response = _error_page(request, error.status_code, detail)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def on_unstorable(request: Request, error: Exception) -> Response:
    """A value the database refuses to hold (PostgreSQL: a NUL character in a text): the
    request's fault, not ours — a 422, nothing written."""
    detail = "a value sent cannot be stored (it holds a character such as NUL that text may not)"
    if is_api(request):
        return problem(request, 422, detail, "invalid-input")
    return _error_page(request, 422, detail)


async def on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    detail = "something went wrong on our side; it has been logged"
    if is_api(request):
        return problem(request, 500, detail)
    return Response(detail, status_code=500, media_type="text/plain")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ArrearsError, on_arrears_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(DataError, on_unstorable)
    app.add_exception_handler(Exception, on_unexpected)
