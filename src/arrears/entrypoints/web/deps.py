"""The routes' dependencies, as ``Annotated`` aliases in one place.

``Staff(Area.DESK)`` in a route's signature means: someone signed in whose role works in
that area, with the form's CSRF token checked for anything but a read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from arrears.domain.access import Area, User, may_enter
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.security import (
    Visitor,
    application,
    check_csrf,
    visitor_of,
)
from arrears.services.errors import Forbidden

AppDep = Annotated[App, Depends(application)]
VisitorDep = Annotated[Visitor, Depends(visitor_of)]


def _user_in(area: Area) -> Callable[[Request], Awaitable[User]]:
    async def signed_in_to(request: Request) -> User:
        user = (await _visitor(request)).must_be_signed_in()
        if not may_enter(user.role, area):
            raise Forbidden(f"a {user.role} may not use the {area} pages")
        await check_csrf(request)
        return user

    return signed_in_to


async def _visitor(request: Request) -> Visitor:
    """The visitor, looked up in a worker thread: the lookup reads the database, which
    would hold up every other request if the event loop waited for it."""
    return await run_in_threadpool(visitor_of, request)


async def _signed_in(request: Request) -> User:
    user = (await _visitor(request)).must_be_signed_in()
    await check_csrf(request)
    return user


# One dependency per area, made once: FastAPI caches a dependency per request by identity.
_AREA_DEPS = {area: Depends(_user_in(area)) for area in Area}


SignedIn = Annotated[User, Depends(_signed_in)]
DeskUser = Annotated[User, _AREA_DEPS[Area.DESK]]
FieldUser = Annotated[User, _AREA_DEPS[Area.FIELD]]
LegalUser = Annotated[User, _AREA_DEPS[Area.LEGAL]]
ManagerUser = Annotated[User, _AREA_DEPS[Area.DASHBOARD]]
ComplianceUser = Annotated[User, _AREA_DEPS[Area.COMPLIANCE]]
BorrowerUser = Annotated[User, _AREA_DEPS[Area.PORTAL]]
AdminUser = Annotated[User, _AREA_DEPS[Area.ADMIN]]
OperationsUser = Annotated[User, _AREA_DEPS[Area.OPERATIONS]]
