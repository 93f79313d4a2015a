"""``/api/v1/compliance/evaluate``: the what-if evaluator, as ``arrears compliance
evaluate`` and the compliance view, over the policy packs stored in the database.

The body is a scenario file's object plus ``packs``; the scenario is read by the same
parser as the CLI's and the page's (adapters.scenario_files), so a misspelt key or a
time without its offset is refused the same way, every finding named with its path.
Nothing is recorded.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from arrears.adapters.scenario_files import parse_scenario
from arrears.domain.findings import Finding
from arrears.entrypoints.web.api.schemas import DecisionOut, FindingOut, NoteOut, ScenarioIn
from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.services import what_if
from arrears.services.errors import InvalidInput

router = APIRouter(tags=["compliance"])


# ManagerUser: the dashboard's area (admin, manager, compliance), where the packs are kept.
@router.post("/compliance/evaluate", response_model=DecisionOut)
def evaluate(scenario: ScenarioIn, app: AppDep, _: ManagerUser) -> DecisionOut:
    """Decide a scenario's proposed contact under the stored packs (the strictest rule
    wins), as `arrears compliance evaluate`: allow, deny or defer, the rule, the reason
    and, when a later time would do, the next lawful moment in UTC. A bad scenario is a
    422 naming every finding's path; an unknown pack a 404 naming it."""
    fields = scenario.model_dump(exclude={"packs"}, exclude_none=True)
    parsed, _expect, findings = parse_scenario(json.dumps(fields, ensure_ascii=False))
    if parsed is None:
        raise ScenarioRefused(findings)
    decision = what_if.evaluate_scenario(app.uow_factory, parsed, scenario.packs)
    shown: dict[str, Any] = decision.as_json()
    return DecisionOut(
        decision=shown["decision"], rule=shown["rule"], reason=shown["reason"],
        not_before=shown["not_before"], notes=[NoteOut(**note) for note in shown["notes"]],
    )  # fmt: skip


class ScenarioRefused(InvalidInput):
    """A scenario with problems: the problem lists every finding, with its path."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(str(f) for f in findings))
        self.findings = [
            FindingOut(code=str(f.code), message=f.message, line=f.line, column=f.column,
                       subject=f.subject)
            for f in findings
        ]  # fmt: skip
