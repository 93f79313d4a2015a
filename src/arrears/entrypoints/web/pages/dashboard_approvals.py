"""Arrangements waiting for approval, on the dashboard: approve or reject each.

The decision is services.arrangement_decisions' with the signed-in user's name and role;
the service refuses (422) a role that may not approve what the arrangement waits for (an
admin approves anything; compliance only what waits for compliance). Approval sends the
confirmation letter through the same effects as the CLI.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.arrangements import ArrangementStatus
from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.entrypoints.web.rendering import page
from arrears.services import arrangement_decisions, arrangement_views

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/approvals")
def approvals(request: Request, app: AppDep, user: ManagerUser) -> Response:
    waiting = arrangement_views.list_arrangements(
        app.uow_factory, status=str(ArrangementStatus.PENDING)
    )
    return page(
        request, "dashboard/approvals.html", waiting=waiting,
        done=request.query_params.get("done"), which=request.query_params.get("id"),
    )  # fmt: skip


@router.post("/dashboard/approvals/{arrangement_id}/approve")
def approve(app: AppDep, user: ManagerUser, arrangement_id: str) -> Response:
    from arrears.entrypoints.channels import arrangement_effects  # letters: loaded on use

    arrangement_decisions.approve_arrangement(
        app.uow_factory, arrangement_id, user.username, str(user.role), app.today(), app.now(),
        effects=arrangement_effects(app.settings),
    )  # fmt: skip
    return RedirectResponse(
        f"/dashboard/approvals?done=approved&id={arrangement_id}", status_code=303
    )


@router.post("/dashboard/approvals/{arrangement_id}/reject")
def reject(app: AppDep, user: ManagerUser, arrangement_id: str) -> Response:
    arrangement_decisions.reject_arrangement(
        app.uow_factory, arrangement_id, user.username, app.today(), app.now()
    )
    return RedirectResponse(
        f"/dashboard/approvals?done=rejected&id={arrangement_id}", status_code=303
    )
