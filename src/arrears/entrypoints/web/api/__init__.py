"""The HTTP API, ``/api/v1``: what the CLI does, for integrations (a bearer token from
``arrears user token``) and for pages' scripts (the session cookie with its CSRF header).
Errors are RFC 9457 problem documents; the OpenAPI document is ``/api/v1/openapi.json``."""

from __future__ import annotations

from fastapi import APIRouter

from arrears.entrypoints.web.api import collections, compliance, ledger, reports
from arrears.entrypoints.web.api.schemas import PROBLEM_RESPONSES, MeOut
from arrears.entrypoints.web.deps import SignedIn

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=MeOut, tags=["accounts"])
def me(user: SignedIn) -> MeOut:
    """Who the token or session belongs to."""
    return MeOut(username=user.username, role=user.role.value, display_name=user.display_name,
                 borrower_id=user.borrower_id)  # fmt: skip


router.include_router(ledger.router)
router.include_router(collections.router)
router.include_router(compliance.router)
router.include_router(reports.router)
