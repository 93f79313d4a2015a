"""The compliance officer's view: the what-if evaluator, the audit log searched and
paged, the chain verified, and exports of a span of days."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from arrears.domain.audit import AuditRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import audit
from tests.web.conftest import csrf_of
from tests.web.page_tables import table_rows
from tests.web.worked_portfolio import work_the_portfolio

SignedIn = Callable[[str], TestClient]
SCENARIOS = Path(__file__).parents[1] / "compliance" / "scenarios" / "us-regf"
DENIED = SCENARIOS / "01_eighth_call_in_seven_days.json"  # us.regf.call_frequency_7in7
ALLOWED = SCENARIOS / "01_next_day_the_window_holds_six_calls.json"


@pytest.fixture
def worked(web_app: FastAPI) -> App:
    app: App = web_app.state.arrears
    work_the_portfolio(app)
    return app


@pytest.fixture
def notes(worked: App) -> list[int]:
    """Three entries on three days (Asia/Shanghai, the portfolio's zone): 1, 2 and 3 March
    2026 at 09:00 there; subjects S1, S2, S1."""
    days = [datetime(2026, 3, day, 1, 0, tzinfo=UTC) for day in (1, 2, 3)]
    records = [
        AuditRecord("web_note", subject, {"n": n}, at)
        for n, (subject, at) in enumerate(zip(["S1", "S2", "S1"], days, strict=True))
    ]
    return audit.append_entries(worked.uow_factory, records)


def _evaluate(
    client: TestClient, scenario: Path, packs: list[str]
) -> Any:  # the test client's response
    token = csrf_of(client.get("/compliance").text)
    return client.post(
        "/compliance/evaluate",
        data={
            "csrf_token": token,
            "scenario": scenario.read_text(encoding="utf-8"),
            "packs": packs,
        },
    )


# -- the what-if evaluator --------------------------------------------------------------------
def test_the_evaluator_denies_with_the_rule_that_denies(worked: App, signed_in: SignedIn) -> None:
    response = _evaluate(signed_in("compliance"), DENIED, ["us-regf"])
    page = response.text
    assert response.status_code == 200
    assert 'data-testid="verdict">deny<' in page
    assert 'data-testid="rule">us.regf.call_frequency_7in7<' in page
    assert "(2025-03-10T13:00:00+00:00)" in page  # not before, as the scenario expects


def test_the_evaluator_allows_what_no_rule_blocks(worked: App, signed_in: SignedIn) -> None:
    page = _evaluate(signed_in("compliance"), ALLOWED, ["us-regf"]).text
    assert 'data-testid="verdict">allow<' in page


def test_the_evaluator_decides_as_the_cli_does(worked: App, signed_in: SignedIn) -> None:
    """The same scenarios as tests/compliance: each decision is what its file expects."""
    client = signed_in("compliance")
    for scenario in (DENIED, ALLOWED):
        expect = json.loads(scenario.read_text(encoding="utf-8"))["expect"]
        page = _evaluate(client, scenario, ["us-regf"]).text
        assert f'data-testid="verdict">{expect["decision"]}<' in page
        assert f'data-testid="rule">{expect["rule"]}<' in page


def test_a_scenario_with_problems_shows_them(worked: App, signed_in: SignedIn) -> None:
    client = signed_in("compliance")
    token = csrf_of(client.get("/compliance").text)
    response = client.post(
        "/compliance/evaluate",
        data={"csrf_token": token, "scenario": '{"borrower": {"id": "B1", "hlods": []}}',
              "packs": ["us-regf"]},
    )  # fmt: skip
    assert response.status_code == 422
    assert "unknown key &#39;hlods&#39;" in response.text
    assert "missing key &#39;proposal&#39;" in response.text


def test_the_evaluator_needs_a_pack(worked: App, signed_in: SignedIn) -> None:
    response = _evaluate(signed_in("compliance"), DENIED, [])
    assert response.status_code == 422


def test_the_packs_active_are_chosen_to_start_with(worked: App, signed_in: SignedIn) -> None:
    page = signed_in("compliance").get("/compliance").text
    assert 'value="cn" checked' in page and 'value="house" checked' in page
    assert 'value="us-regf">' in page  # stored, not active: offered, not chosen


# -- verify ---------------------------------------------------------------------------------
def test_verify_reports_an_intact_chain(worked: App, signed_in: SignedIn) -> None:
    client = signed_in("compliance")
    token = csrf_of(client.get("/compliance").text)
    page = client.post("/compliance/verify", data={"csrf_token": token}).text
    checked = audit.count_entries(worked.uow_factory)
    assert checked > 0
    assert f"The chain is intact: {checked} entries checked." in page


def test_verify_reports_a_tampered_entry(
    worked: App, notes: list[int], signed_in: SignedIn
) -> None:
    with worked.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET payload_json = :p WHERE seq = :seq"),
            {"p": '{"n":99}', "seq": notes[1]},
        )
    client = signed_in("compliance")
    token = csrf_of(client.get("/compliance").text)
    page = client.post("/compliance/verify", data={"csrf_token": token}).text
    assert f"The chain is broken after {notes[1] - 1} entries" in page


# -- the audit log searched -------------------------------------------------------------------
def _seqs(page: str) -> list[int]:
    return [int(row[0]) for row in table_rows(page, "entries")]


def test_the_audit_log_is_searched_by_subject_and_kind(
    worked: App, notes: list[int], signed_in: SignedIn
) -> None:
    client = signed_in("compliance")
    assert _seqs(client.get("/compliance/audit?subject=S1&kind=web_note").text) == [
        notes[2],
        notes[0],
    ]  # newest first
    loan_page = client.get("/compliance/audit?subject=L1&kind=gate_decision").text
    rows = table_rows(loan_page, "entries")
    assert rows and {(row[2], row[3]) for row in rows} == {("gate_decision", "L1")}


def test_the_audit_log_is_searched_by_the_portfolios_days(
    worked: App, notes: list[int], signed_in: SignedIn
) -> None:
    page = signed_in("compliance").get("/compliance/audit?first=2026-03-02&last=2026-03-03").text
    assert _seqs(page) == [notes[2], notes[1]]


def test_the_audit_log_is_paged(worked: App, notes: list[int], signed_in: SignedIn) -> None:
    client = signed_in("compliance")
    total = audit.count_entries(worked.uow_factory)
    assert total > 50, "the worked portfolio's decisions fill more than a page"
    first = client.get("/compliance/audit").text
    second = client.get("/compliance/audit?page=2").text
    assert _seqs(first) == list(range(total, total - 50, -1))
    assert _seqs(second)[0] == total - 50
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_a_search_that_finds_nothing_says_so(worked: App, signed_in: SignedIn) -> None:
    page = signed_in("compliance").get("/compliance/audit?subject=nobody").text
    assert "No entries match." in page


# -- exports --------------------------------------------------------------------------------
def test_a_csv_export_downloads_the_entries_of_the_days_chosen(
    worked: App, notes: list[int], signed_in: SignedIn
) -> None:
    response = signed_in("compliance").get(
        "/compliance/export?first=2026-03-01&last=2026-03-02&format=csv"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-2026-03-01-2026-03-02.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(int(r["seq"]), r["subject"]) for r in rows] == [(notes[0], "S1"), (notes[1], "S2")]


def test_a_json_lines_export_has_an_entry_a_line_with_its_hashes(
    worked: App, notes: list[int], signed_in: SignedIn
) -> None:
    response = signed_in("compliance").get(
        "/compliance/export?first=2026-03-03&last=2026-03-03&format=jsonl"
    )
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [(line["seq"], line["payload"]) for line in lines] == [(notes[2], {"n": 2})]
    assert len(lines[0]["entry_hash"]) == 64


def test_an_export_needs_both_days(worked: App, signed_in: SignedIn) -> None:
    assert signed_in("compliance").get("/compliance/export?first=2026-03-01").status_code == 422


# -- who may -----------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["agent", "manager", "field_agent", "legal", "wang.fang"])
@pytest.mark.parametrize(
    "path",
    ["/compliance", "/compliance/audit", "/compliance/export?first=2026-03-01&last=2026-03-01"],
)
def test_only_compliance_officers_and_admins_open_the_compliance_view(
    signed_in: SignedIn, username: str, path: str
) -> None:
    assert signed_in(username).get(path).status_code == 403


def test_an_admin_opens_the_compliance_view(signed_in: SignedIn) -> None:
    assert signed_in("admin").get("/compliance").status_code == 200


def test_an_agent_may_not_run_the_evaluator(worked: App, signed_in: SignedIn) -> None:
    agent = signed_in("agent")
    token = csrf_of(agent.get("/account").text)
    response = agent.post(
        "/compliance/evaluate",
        data={"csrf_token": token, "scenario": DENIED.read_text(encoding="utf-8"), "packs": ["us-regf"]},
    )  # fmt: skip
    assert response.status_code == 403
