"""The legal officer's pages (``/legal``): the cases referred for legal review, a case
with its figures, contacts, letters and notes, taking and closing it, and the case
file for counsel (a ZIP built by services.case_files)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.entrypoints.web.deps import AppDep, LegalUser
from arrears.entrypoints.web.pages.field import zone_of
from arrears.entrypoints.web.rendering import page
from arrears.services import case_files, legal_cases
from arrears.services.errors import InvalidInput
from arrears.services.legal_cases import CaseOutcome

router = APIRouter(include_in_schema=False)


@router.get("/legal")
def cases(request: Request, app: AppDep, user: LegalUser) -> Response:
    listed = legal_cases.cases(app.uow_factory, user)
    return page(
        request, "legal/index.html", cases=listed, zone=zone_of(None, app.settings.timezone),
        done=request.query_params.get("done"),
    )  # fmt: skip


@router.get("/legal/{work_item_id}")
def case(request: Request, app: AppDep, user: LegalUser, work_item_id: int) -> Response:
    shown = legal_cases.case(app.uow_factory, work_item_id, user, app.today())
    return page(
        request, "legal/case.html", case=shown, item=shown.item, state=shown.state,
        outcomes=list(CaseOutcome), zone=zone_of(shown.item.timezone, app.settings.timezone),
    )  # fmt: skip


@router.post("/legal/{work_item_id}/take")
def take(app: AppDep, user: LegalUser, work_item_id: int) -> Response:
    legal_cases.take_case(app.uow_factory, work_item_id, user, app.now())
    return RedirectResponse(f"/legal/{work_item_id}", status_code=303)


@router.post("/legal/{work_item_id}/close")
def close(
    app: AppDep,
    user: LegalUser,
    work_item_id: int,
    outcome: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        chosen = CaseOutcome(outcome)
    except ValueError:
        raise InvalidInput(f"{outcome!r} is not an outcome of a case") from None
    legal_cases.close_case(app.uow_factory, work_item_id, user, chosen, note, app.now())
    return RedirectResponse("/legal?done=closed", status_code=303)


@router.get("/legal/{work_item_id}/case-file")
def case_file(app: AppDep, user: LegalUser, work_item_id: int) -> Response:
    made = case_files.case_file(app.uow_factory, work_item_id, user, app.today(), app.now())
    return Response(
        made.content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )
