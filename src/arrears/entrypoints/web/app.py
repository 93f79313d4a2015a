"""The web app's composition: one FastAPI application over one ``App`` (settings,
engine, units of work), its pages, its API under ``/api/v1``, static files, error
handlers and security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import RequestResponseEndpoint

from arrears import __version__
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web import api, problems
from arrears.entrypoints.web.pages import account, auth, compliance_view, dashboard, field, legal
from arrears.entrypoints.web.pages import desk as desk_pages
from arrears.entrypoints.web.pages import portal as portal_pages

STATIC = Path(__file__).parent / "static"

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
    )
    app.state.arrears = application
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

    @app.middleware("http")
    async def security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
