"""Who is asking: the session cookie or an API token, the CSRF check on every form,
and the cookies themselves.

Pages use a session cookie (HttpOnly, SameSite=Lax, Secure — except over plain HTTP
to this machine itself, for development and the demo). Every POST from a page carries
the session's CSRF token (a hidden ``csrf_token`` field, or the ``X-CSRF-Token``
header); the sign-in form, which has no session yet, carries a double-submit token
from its own cookie. Integrations send ``Authorization: Bearer <token>``, which no
browser sends by itself, so they need no CSRF token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request, Response

from arrears.domain.access import User
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web import i18n
from arrears.services import accounts
from arrears.services.errors import ArrearsError

SESSION_COOKIE = "arrears_session"
LOGIN_CSRF_COOKIE = "arrears_login_csrf"
LANGUAGE_COOKIE = "arrears_lang"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})


class NotSignedIn(ArrearsError):
    """No session or token: pages send the visitor to sign in; the API answers 401."""

    exit_code = 9


class CsrfRefused(ArrearsError):
    exit_code = 7


@dataclass(frozen=True, slots=True)
class Visitor:
    user: User | None
    csrf_token: str | None  # the session's; None for a token or no one
    by_token: bool
    language: str

    def must_be_signed_in(self) -> User:
        if self.user is None:
            raise NotSignedIn("sign in first")
        return self.user


def application(request: Request) -> App:
    app: App = request.app.state.arrears
    return app


def now() -> datetime:
    return datetime.now(UTC)


def visitor_of(request: Request) -> Visitor:
    """The request's visitor, worked out once per request."""
    cached: Visitor | None = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached
    app = application(request)
    user, csrf, by_token = None, None, False
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = accounts.token_user(app.uow_factory, authorization[7:].strip())
        by_token = True
    elif token := request.cookies.get(SESSION_COOKIE):
        found = accounts.session_user(app.uow_factory, token, now())
        if found is not None:
            user, csrf = found
    visitor = Visitor(user, csrf, by_token, _language(request, user))
    request.state.visitor = visitor
    return visitor


def _language(request: Request, user: User | None) -> str:
    return (
        i18n.supported(request.query_params.get("lang"))
        or i18n.supported(user.language if user else None)
        or i18n.supported(request.cookies.get(LANGUAGE_COOKIE))
        or i18n.from_accept_language(request.headers.get("accept-language"))
        or "en"
    )


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request from a page that does not carry the session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    visitor = visitor_of(request)
    if visitor.by_token or visitor.user is None:
        return  # tokens need none; no session: the route refuses the visitor anyway
    sent = request.headers.get("x-csrf-token")
    if sent is None and _is_form(request):
        sent = str((await request.form()).get("csrf_token") or "")
    if (
        not sent
        or visitor.csrf_token is None
        or not secrets.compare_digest(sent, visitor.csrf_token)
    ):
        raise CsrfRefused(
            "the form was stale or not from this site; reload the page and try again",
            code="form.stale",
        )


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def secure_cookies(request: Request) -> bool:
    settings = application(request).settings.web
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").strip("[]")
    return not (settings.allow_insecure_loopback and host in LOOPBACK_HOSTS)


def set_session_cookie(
    request: Request, response: Response, token: str, max_age_seconds: int
) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age_seconds, httponly=True, samesite="lax",
        secure=secure_cookies(request), path="/",
    )  # fmt: skip


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=secure_cookies(request), path="/"
    )


def login_csrf_token(request: Request) -> str:
    """The sign-in form's double-submit token: the cookie's, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
        secure=secure_cookies(request), path="/login",
    )  # fmt: skip


def check_login_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfRefused(
            "the sign-in form was stale; reload the page and try again", code="form.stale_sign_in"
        )


def remember_language(request: Request, response: Response, language: str) -> None:
    if request.query_params.get("lang"):
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax",
            secure=secure_cookies(request), path="/",
        )  # fmt: skip
