"""The compliance officer's view (``/compliance``): the what-if evaluator over the stored
policy packs, the audit log searched and paged, the chain verified, and exports of a span
of days as CSV or JSON lines (docs/audit.md, docs/compliance.md).

Nothing here writes: evaluating decides without recording; verifying and exporting read.
Verify is a POST only because it is a button that does work, not a link to a page.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response, StreamingResponse

from arrears.adapters.scenario_files import parse_scenario
from arrears.entrypoints.web.deps import AppDep, ComplianceUser
from arrears.entrypoints.web.pages.dashboard import Day, parse_day
from arrears.entrypoints.web.rendering import page
from arrears.services import audit, audit_search, compliance, what_if
from arrears.services.errors import InvalidInput

router = APIRouter(include_in_schema=False)

MAX_SCENARIO_CHARS = 200_000


@router.get("/compliance")
def compliance_home(request: Request, app: AppDep, user: ComplianceUser) -> Response:
    return _home(request, app)


@router.post("/compliance/evaluate")
def evaluate(
    request: Request, app: AppDep, user: ComplianceUser,
    scenario: Annotated[str, Form(max_length=MAX_SCENARIO_CHARS)],
    packs: Annotated[list[str] | None, Form()] = None,
) -> Response:  # fmt: skip
    parsed, _, findings = parse_scenario(scenario)
    if parsed is None:
        return _home(request, app, 422, scenario=scenario, chosen=packs or [], findings=findings)
    decision = what_if.evaluate_scenario(app.uow_factory, parsed, packs or [])
    return _home(request, app, scenario=scenario, chosen=packs or [], decision=decision)


@router.post("/compliance/verify")
def verify(request: Request, app: AppDep, user: ComplianceUser) -> Response:
    return _home(request, app, check=audit.verify(app.uow_factory))


@router.get("/compliance/audit")
def audit_log(
    request: Request, app: AppDep, user: ComplianceUser,
    subject: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    first: Day = None, last: Day = None, page_number: Annotated[int, Query(alias="page")] = 1,
) -> Response:  # fmt: skip
    query = audit_search.AuditQuery(
        (subject or "").strip() or None, (kind or "").strip() or None,
        parse_day(first, "from"), parse_day(last, "to"), page_number,
    )  # fmt: skip
    found = audit_search.search_audit(app.uow_factory, query, ZoneInfo(app.settings.timezone))
    return page(
        request, "compliance/audit.html", found=found, zone=ZoneInfo(app.settings.timezone),
        form={"subject": subject or "", "kind": kind or "", "first": first or "", "last": last or ""},
    )  # fmt: skip


@router.get("/compliance/export")
def export(
    app: AppDep, user: ComplianceUser, first: Day = None, last: Day = None,
    format: Annotated[str, Query(max_length=8)] = "csv",
) -> Response:  # fmt: skip
    """The entries recorded on the days chosen, downloaded as a file (audit.export)."""
    first_day, last_day = parse_day(first, "from"), parse_day(last, "to")
    if first_day is None or last_day is None:
        raise InvalidInput("choose the first and the last day to export")
    if format not in {f.value for f in audit.ExportFormat}:
        raise InvalidInput(f"{format!r} is not an export format (csv, jsonl)")
    chosen = audit.ExportFormat(format)
    text = audit.export(
        app.uow_factory, first_day, last_day, ZoneInfo(app.settings.timezone), chosen
    )
    media = "text/csv" if chosen is audit.ExportFormat.CSV else "application/x-ndjson"
    name = f"audit-{first_day}-{last_day}.{chosen}"
    return StreamingResponse(
        (piece.encode("utf-8") for piece in text),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _home(request: Request, app: AppDep, status_code: int = 200, **shown: object) -> Response:
    packs = compliance.list_packs(app.uow_factory)
    active = sorted({p.name for p in packs if p.products})
    defaults = {"scenario": "", "chosen": active}
    return page(
        request, "compliance/index.html", status_code, packs=packs, today=app.today(),
        **{**defaults, **shown},
    )  # fmt: skip
