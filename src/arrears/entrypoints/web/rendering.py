"""Pages from Jinja2 templates, each given the visitor, their language's words (``t``),
the CSRF token for its forms and the navigation their role may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from arrears.domain.access import Area, UserRole, may_enter
from arrears.entrypoints.web import i18n
from arrears.entrypoints.web.security import remember_language, visitor_of

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.auto_reload = False  # templates ship with the package: no stat per page
templates.env.globals["LANGUAGES"] = i18n.LANGUAGE_NAMES

# The navigation: (area, path, catalog key), shown to the roles that may enter each.
NAVIGATION = (
    (Area.DESK, "/desk", "nav.desk"),
    (Area.FIELD, "/field", "nav.field"),
    (Area.LEGAL, "/legal", "nav.legal"),
    (Area.DASHBOARD, "/dashboard", "nav.dashboard"),
    (Area.COMPLIANCE, "/compliance", "nav.compliance"),
    (Area.PORTAL, "/portal", "nav.portal"),
)


def navigation(role: UserRole | None) -> list[tuple[str, str]]:
    if role is None:
        return []
    return [(path, key) for area, path, key in NAVIGATION if may_enter(role, area)]


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    visitor = visitor_of(request)
    words = i18n.Words(visitor.language)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "visitor": visitor,
            "user": visitor.user,
            "t": words,
            "lang": visitor.language,
            "csrf_token": visitor.csrf_token or "",
            "nav": navigation(visitor.user.role if visitor.user else None),
            **context,
        },
        status_code=status_code,
    )
    remember_language(request, response, visitor.language)
    return response
