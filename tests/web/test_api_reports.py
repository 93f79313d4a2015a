"""The API's compliance evaluator and reports: /api/v1/compliance/evaluate decides a
scenario under the stored packs as `arrears compliance evaluate` does; /api/v1/reports
answers each report as `arrears report NAME --format json` prints it for the same
database. Both for the dashboard's roles only (admin, manager, compliance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts
from tests.e2e.test_cli import run
from tests.helpers import NOW
from tests.web.worked_portfolio import work_the_portfolio

Api = Callable[[str], TestClient]
SCENARIOS = Path(__file__).parents[1] / "compliance" / "scenarios"
NIGHT_CALL = SCENARIOS / "cn" / "10_call_at_2200.json"  # 22:00 in Shanghai: cn.contact_hours
DAY_CALL = SCENARIOS / "cn" / "10_call_at_0800.json"
REPORTS = ["aging", "roll-rates", "cure", "recovery", "vintage", "arms", "agents", "intensity",
           "denials", "arrangements"]  # fmt: skip


@pytest.fixture
def worked(web_app: FastAPI) -> App:
    """The fixture's two loans after the daily cycle ran 2026-02-10 … 2026-03-20, with
    the shipped packs stored (cn and house active, us-regf stored)."""
    app: App = web_app.state.arrears
    work_the_portfolio(app)
    return app


@pytest.fixture
def api(worked: App, web_app: FastAPI) -> Api:
    """A client holding an API token of the named user, on the worked portfolio."""

    def as_user(username: str) -> TestClient:
        token = accounts.issue_token(worked.uow_factory, username, "tests", NOW)
        client = TestClient(web_app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    return as_user


def _scenario(path: Path, **changes: Any) -> dict[str, Any]:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    del scenario["expect"]
    return {**scenario, **changes}


# -- compliance evaluate ----------------------------------------------------------------------
def test_a_call_at_night_is_denied_by_the_contact_hours_rule(api: Api) -> None:
    # given a call at 22:00 Shanghai time, under the stored cn pack
    body = _scenario(NIGHT_CALL, packs=["cn"])
    # when a compliance officer asks
    response = api("compliance").post("/api/v1/compliance/evaluate", json=body)
    # then it is denied until 08:00 there the next morning
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["decision"] == "deny"
    assert decision["rule"] == "cn.contact_hours"
    assert decision["not_before"] == "2025-08-02T00:00:00Z"
    assert decision["reason"]


def test_the_api_decides_every_scenario_as_its_file_expects(api: Api) -> None:
    client = api("manager")
    for path in (NIGHT_CALL, DAY_CALL):
        expect = json.loads(path.read_text(encoding="utf-8"))["expect"]
        decision = client.post("/api/v1/compliance/evaluate",
                               json=_scenario(path, packs=["cn"])).json()  # fmt: skip
        assert {key: decision[key] for key in expect} == expect


def test_a_scenario_with_problems_is_a_422_naming_each_path(api: Api) -> None:
    body = _scenario(NIGHT_CALL, packs=["cn"])
    body["borrower"] = {**body["borrower"], "hlods": []}
    body["proposal"] = {**body["proposal"], "at": "2025-08-01T22:00:00"}  # no offset
    response = api("compliance").post("/api/v1/compliance/evaluate", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/invalid-input"
    assert [(f["code"], f["subject"]) for f in problem["findings"]] == [("unknown_key", "borrower")]
    assert "hlods" in problem["detail"]
    body["borrower"].pop("hlods")
    problem = api("compliance").post("/api/v1/compliance/evaluate", json=body).json()
    assert [(f["code"], f["subject"]) for f in problem["findings"]] == [("bad_date", "proposal.at")]


def test_a_missing_part_or_a_misspelt_key_is_a_422_with_its_field(api: Api) -> None:
    client = api("compliance")
    body = _scenario(NIGHT_CALL, packs=["cn"])
    del body["proposal"]
    problem = client.post("/api/v1/compliance/evaluate", json=body).json()
    assert problem["status"] == 422 and [e["field"] for e in problem["errors"]] == ["proposal"]
    problem = client.post("/api/v1/compliance/evaluate",
                          json={**_scenario(NIGHT_CALL), "packs": []}).json()  # fmt: skip
    assert problem["status"] == 422 and [e["field"] for e in problem["errors"]] == ["packs"]


def test_an_unknown_pack_is_a_404_naming_it(api: Api) -> None:
    body = _scenario(NIGHT_CALL, packs=["cn", "atlantis"])
    response = api("compliance").post("/api/v1/compliance/evaluate", json=body)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "'atlantis'" in response.json()["detail"]


def test_only_the_dashboard_s_roles_may_evaluate(api: Api) -> None:
    body = _scenario(NIGHT_CALL, packs=["cn"])
    for user, status in (("admin", 200), ("manager", 200), ("compliance", 200),
                         ("agent", 403), ("li.wei", 403)):  # fmt: skip
        response = api(user).post("/api/v1/compliance/evaluate", json=body)
        assert response.status_code == status, user


# -- reports ----------------------------------------------------------------------------------
def test_the_reports_are_listed_by_name(api: Api) -> None:
    listed = api("compliance").get("/api/v1/reports").json()
    assert [r["name"] for r in listed] == REPORTS
    assert all(r["description"] for r in listed)


def test_each_report_is_what_the_cli_prints_as_json(api: Api, database_url: str) -> None:
    client = api("manager")
    period = ["--from", "2026-02-01", "--to", "2026-03-20"]
    for name in REPORTS:
        printed = run("report", name, *period, "--format", "json", db=database_url)
        assert printed.returncode == 0, printed.stderr
        response = client.get(f"/api/v1/reports/{name}",
                              params={"from": "2026-02-01", "to": "2026-03-20"})  # fmt: skip
        assert response.status_code == 200, (name, response.text)
        assert response.json() == json.loads(printed.stdout), name


def test_the_aging_report_counts_the_book_by_bucket(api: Api) -> None:
    # on 2026-03-20 L1 (due 2026-02-15, unpaid) is 33 days past due, M2; L2 (due
    # 2026-03-01) 19 days, M1: one loan each, half the open loans each
    aging = api("manager").get("/api/v1/reports/aging").json()
    assert aging["report"] == "aging"
    assert aging["last_cycle_day"] == "2026-03-20"
    assert (aging["from"], aging["to"]) == ("2026-02-10", "2026-03-20")
    lines = {(a["bucket"], a["loans"], a["loans_percent"]) for a in aging["aging"]}
    assert {("M1", 1, "50.0"), ("M2", 1, "50.0")} <= lines


def test_an_unknown_report_is_a_404_listing_the_names(api: Api) -> None:
    response = api("manager").get("/api/v1/reports/ageing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert all(name in response.json()["detail"] for name in REPORTS)


def test_bad_dates_are_a_422_problem(api: Api) -> None:
    client = api("manager")
    for params in ({"from": "2026-13-01"}, {"to": "20260301"}, {"from": "0.0"},
                   {"from": "2026-03-20", "to": "2026-03-01"}, {"from": "0001-01-01"},
                   {"to": "9999-12-31"}):  # fmt: skip
        response = client.get("/api/v1/reports/cure", params=params)
        assert response.status_code == 422, params
        assert response.json()["type"] == "/problems/invalid-input", params


def test_only_the_dashboard_s_roles_may_read_reports(api: Api) -> None:
    for user, status in (("admin", 200), ("manager", 200), ("compliance", 200),
                         ("agent", 403), ("li.wei", 403)):  # fmt: skip
        assert api(user).get("/api/v1/reports").status_code == status, user
        assert api(user).get("/api/v1/reports/denials").status_code == status, user
