"""The web app's composition: one FastAPI application over one ``App`` (settings,
engine, units of work), its pages, its API under ``/api/v1``, static files, error
handlers and security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arrears import __version__
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web import api, problems
from arrears.entrypoints.web.pages import account, auth, compliance_view, dashboard, field, legal
from arrears.entrypoints.web.pages import desk as desk_pages
from arrears.entrypoints.web.pages import portal as portal_pages

STATIC = Path(__file__).parent / "static"
THREADS = 10  # requests served at once (the database pool keeps a connection for each)

# No inline scripts or styles, nothing from elsewhere, no framing (clickjacking).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response (and ``no-store`` to all but static
    files) where the route set none: plain ASGI, so a request costs no extra task."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Sync routes run in a pool of threads: a few, so that requests share two cores
    # without a crowd of threads taking the interpreter lock from each other.
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


def create_app(application: App) -> FastAPI:
    """The web app over ``application``'s store; the schema must be current."""
    application.require_current_schema()
    app = FastAPI(
        title="arrears",
        version=__version__,
        description="Collections platform API: loans, actions, promises, arrangements,"
        " compliance decisions and reports.",
        docs_url=None,  # Swagger UI would load scripts from elsewhere; the CSP forbids it
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=_lifespan,
    )
    app.state.arrears = application
    app.state.dashboards = dashboard.kept_boards(application)
    problems.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(portal_pages.router)  # with its forms
    app.include_router(field.router)
    app.include_router(legal.router)
    app.include_router(desk_pages.router)
    app.include_router(dashboard.router)  # with its files and approvals
    app.include_router(compliance_view.router)
    app.include_router(api.router)

    app.add_middleware(SecurityHeaders)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
