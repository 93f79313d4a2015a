"""The HTTP API, /api/v1: bearer tokens and sessions, roles, problem documents, and what
the CLI does — status, schedules, imports, payments, actions, promises, arrangements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arrears.domain.money import format_major
from arrears.entrypoints.bootstrap import App
from arrears.services import accounts, arrangement_policies, queries
from tests.helpers import LOANS_HEADER, NOW, PAYMENTS_HEADER
from tests.web.conftest import csrf_of


@pytest.fixture
def api(web_app: FastAPI, app: App) -> Callable[[str], TestClient]:
    """A client holding an API token of the named user (no cookies)."""

    def as_user(username: str) -> TestClient:
        token = accounts.issue_token(app.uow_factory, username, "tests", NOW)
        client = TestClient(web_app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    return as_user


def test_a_token_says_who_it_belongs_to(api: Callable[[str], TestClient]) -> None:
    response = api("manager").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "manager", "role": "manager", "display_name": None, "borrower_id": None
    }  # fmt: skip


def test_without_a_token_the_answer_is_a_401_problem(client: TestClient) -> None:
    response = client.get("/api/v1/loans/L1/status")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "/problems/not-signed-in"


def test_a_borrower_cannot_call_the_staff_api(api: Callable[[str], TestClient]) -> None:
    response = api("li.wei").get("/api/v1/actions")
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert api("agent").get("/api/v1/loans/L1/status").status_code == 403


def test_a_revoked_user_token_stops_working(
    api: Callable[[str], TestClient], app: App
) -> None:
    client = api("manager")
    accounts.set_disabled(app.uow_factory, "manager", True, NOW)
    assert client.get("/api/v1/me").status_code == 401


def test_status_and_schedule_are_the_ledger_s_figures(
    api: Callable[[str], TestClient], app: App
) -> None:
    client = api("manager")
    status = client.get("/api/v1/loans/L1/status", params={"as_of": "2026-04-01"}).json()
    expected = queries.loan_status(app.uow_factory, "L1", date(2026, 4, 1))
    assert status["dpd"] == expected.dpd == 45  # nothing paid since the 2026-02-15 instalment
    assert status["bucket"] == "M2"
    assert status["oldest_unpaid_due_date"] == "2026-02-15"
    assert status["currency"] == "CNY"
    assert status["total_overdue"] == format_major(expected.total_overdue_minor, "CNY")
    assert expected.total_overdue_minor > 2 * 100000  # two instalments of about 1,078
    schedule = client.get("/api/v1/loans/L1/schedule").json()
    assert schedule["principal"] == "12000.00"
    assert len(schedule["instalments"]) == 12
    assert schedule["instalments"][0]["due_date"] == "2026-02-15"
    assert schedule["instalments"][-1]["remaining_principal"] == "0.00"
    assert client.get("/api/v1/loans/NOPE/status").status_code == 404


def test_an_import_with_a_bad_row_writes_nothing_and_names_the_row(
    api: Callable[[str], TestClient], app: App
) -> None:
    body = "\n".join([
        LOANS_HEADER,
        "L3,B3,CNY,5000.00,12,6,2026-03-01,equal_installment,half_up,consumer,张三",
        "L4,B4,CNY,-5,12,6,2026-03-01,equal_installment,half_up,consumer,李四",
    ]) + "\n"  # fmt: skip
    client = api("manager")
    response = client.post("/api/v1/imports/loans", content=body.encode(),
                           headers={"content-type": "text/csv"})  # fmt: skip
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/invalid-input"
    assert [(f["line"], f["column"]) for f in problem["findings"]] == [(3, "principal")]
    assert queries.count_loans(app.uow_factory) == 2
    good = body.rsplit("L4", 1)[0]
    response = client.post("/api/v1/imports/loans", content=good.encode(),
                           headers={"content-type": "text/csv"})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["written"] == 1
    assert queries.count_loans(app.uow_factory) == 3


def test_a_payment_posts_once_and_a_clashing_replay_is_a_conflict(
    api: Callable[[str], TestClient],
) -> None:
    client = api("manager")
    payment = {"payment_id": "P1", "loan_id": "L1", "paid_on": "2026-02-15", "amount": "1077.91"}
    first = client.post("/api/v1/payments", json=payment)
    assert first.status_code == 201 and first.json()["written"] == 1
    again = client.post("/api/v1/payments", json=payment)
    assert again.status_code == 201 and again.json()["unchanged"] == 1
    clash = client.post("/api/v1/payments", json={**payment, "amount": "10.00"})
    assert clash.status_code == 409
    typo = client.post("/api/v1/payments", json={**payment, "amout": "1"})
    assert typo.status_code == 422
    assert "amout" in typo.json()["detail"]


def test_payments_import_as_csv(api: Callable[[str], TestClient], app: App) -> None:
    body = f"{PAYMENTS_HEADER}\nP9,L2,2026-03-01,1000.00\n"
    response = api("manager").post("/api/v1/imports/payments", content=body.encode(),
                                   headers={"content-type": "text/csv"})  # fmt: skip
    assert response.status_code == 200 and response.json()["written"] == 1
    state = queries.loan_status(app.uow_factory, "L2", date(2026, 3, 2))
    assert sum(state.payment_allocations["P9"].values()) == 100000  # all of it, to L2


def test_a_promise_is_recorded_and_listed(
    api: Callable[[str], TestClient], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(App, "today", lambda self: date(2026, 4, 1))
    client = api("manager")
    made = client.post("/api/v1/promises", json={
        "loan_id": "L1", "amount": "500.00", "due_date": "2026-04-10", "promise_id": "PTP-1"
    })  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["amount"] == "500.00" and made.json()["source"] == "api"
    listed = client.get("/api/v1/loans/L1/promises").json()
    assert [(p["promise_id"], p["status"]) for p in listed] == [("PTP-1", "open")]
    late = client.post("/api/v1/promises", json={
        "loan_id": "L1", "amount": "500.00", "due_date": "2026-06-10"
    })  # fmt: skip
    assert late.status_code in (409, 422)


def test_an_arrangement_is_quoted_then_made_once(
    api: Callable[[str], TestClient], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    monkeypatch.setattr(App, "today", lambda self: date(2026, 4, 1))
    client = api("manager")
    ask = {"loan_id": "L1", "kind": "plan", "instalments": 3, "first_date": "2026-04-10"}
    quote = client.post("/api/v1/arrangements/quote", json=ask)
    assert quote.status_code == 200, quote.text
    quoted = quote.json()
    assert len(quoted["instalments"]) == 3 and quoted["within_policy"] is True
    made = client.post("/api/v1/arrangements", json={**ask, "arrangement_id": "A-1"})
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "active"
    assert made.json()["total_to_pay"] == quoted["total_to_pay"]
    again = client.post("/api/v1/arrangements", json={**ask, "arrangement_id": "A-1"})
    assert again.status_code == 201 and again.json()["arrangement_id"] == "A-1"
    listed = client.get("/api/v1/arrangements", params={"loan_id": "L1"}).json()
    assert [a["arrangement_id"] for a in listed] == ["A-1"]


def test_a_page_script_needs_the_csrf_header_to_post(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("manager")
    payment = {"payment_id": "P2", "loan_id": "L1", "paid_on": "2026-02-15", "amount": "1.00"}
    assert client.post("/api/v1/payments", json=payment).status_code == 403
    token = csrf_of(client.get("/account").text)
    response = client.post("/api/v1/payments", json=payment, headers={"X-CSRF-Token": token})
    assert response.status_code == 201


def test_the_openapi_document_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/loans/{loan_id}/status", "/api/v1/imports/loans", "/api/v1/payments",
                 "/api/v1/actions", "/api/v1/promises", "/api/v1/arrangements/quote"):  # fmt: skip
        assert path in paths
    assert not any(path.startswith("/login") for path in paths)


def test_a_nul_character_is_refused_not_a_failure(api: Callable[[str], TestClient]) -> None:
    """PostgreSQL cannot hold a NUL in text; SQLite finds no such loan: a 4xx either way."""
    ask = {"loan_id": "\x00", "kind": "plan", "instalments": 3, "first_date": "2026-04-10"}
    answer = api("manager").post("/api/v1/arrangements", json=ask)
    assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
