"""The agent desk through the browser: the queue, "next account", a call cleared by the
gate at its moment, outcomes recorded under the permit, the account view and its access."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.i18n import Words
from arrears.services import accounts, arrangement_policies, compliance
from tests.helpers import NOW
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.desk_queue import AFTERNOON, DAY, NIGHT, PHONES, open_call_queue

Browser = Callable[[str], TestClient]


@pytest.fixture
def desk(web_app: FastAPI, app: App, monkeypatch: pytest.MonkeyPatch) -> App:
    """Today's call queue holds L1 (李伟, more overdue) and L2 (王芳); it is 14:00 there."""
    open_call_queue(app)
    monkeypatch.setattr(app, "today", lambda: DAY)
    monkeypatch.setattr(app, "now", lambda: AFTERNOON)
    accounts.add_user(app.uow_factory, "agent2", "agent", PASSWORD, NOW)
    accounts.add_user(app.uow_factory, "agent3", "agent", PASSWORD, NOW)
    return app


def post(browser: TestClient, path: str, page: str = "/desk", **form: str):  # type: ignore[no-untyped-def]
    return browser.post(path, data={"csrf_token": csrf_of(browser.get(page).text), **form})


def claimed(browser: TestClient) -> str:
    """Press "next account"; the claimed item's page."""
    response = post(browser, "/desk/next")
    assert response.status_code == 303
    return str(response.headers["location"])


def one(app: App, sql: str, **values: object) -> tuple[object, ...]:
    with app.engine.connect() as connection:
        return tuple(connection.execute(text(sql), values).one())


def test_the_queue_lists_todays_calls_most_overdue_first_with_money_by_locale(
    desk: App, signed_in: Browser
) -> None:
    page = signed_in("agent").get("/desk")
    assert page.status_code == 200
    html = page.text
    assert html.index("李伟") < html.index("王芳")  # L1 is the more overdue
    overdue = one(desk, "SELECT overdue_minor FROM work_item WHERE loan_id = 'L1'")[0]
    assert Words("en").money(int(overdue), "CNY") in html  # type: ignore[call-overload]
    assert 'data-testid="open-count">2<' in html
    assert 'data-shortcut="n"' in html and "<kbd>n</kbd>" in html


def test_next_account_gives_each_agent_a_different_item_until_none_is_left(
    desk: App, signed_in: Browser
) -> None:
    first, second = claimed(signed_in("agent")), claimed(signed_in("agent2"))
    ids = one(desk, "SELECT MIN(work_item_id), MAX(work_item_id) FROM work_item")
    assert {first, second} == {f"/desk/items/{n}" for n in ids}
    assert claimed(signed_in("agent3")) == "/desk?done=empty"
    assert one(desk, "SELECT status, assigned_to FROM work_item WHERE loan_id = 'L1'") == (
        "claimed", "agent" if first.endswith(f"/{ids[0]}") else "agent2",
    )  # fmt: skip


def test_another_agents_item_is_not_found(desk: App, signed_in: Browser) -> None:
    mine = claimed(signed_in("agent"))
    assert signed_in("agent2").get(mine).status_code == 404


def test_an_agent_sees_only_accounts_in_todays_queue_and_a_manager_any(
    desk: App, signed_in: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = signed_in("agent")
    assert agent.get("/desk/accounts/B2").status_code == 200
    monkeypatch.setattr(desk, "today", lambda: DAY + timedelta(days=1))  # no queue that day
    assert agent.get("/desk/accounts/B2").status_code == 404
    assert signed_in("manager").get("/desk/accounts/B2").status_code == 200
    assert signed_in("manager").get("/desk/accounts/NOBODY").status_code == 404


def test_the_desk_is_closed_to_borrowers_and_field_agents(desk: App, signed_in: Browser) -> None:
    assert signed_in("li.wei").get("/desk").status_code == 403
    assert signed_in("field_agent").get("/desk/accounts/B1").status_code == 403


def test_the_number_is_masked_until_the_gate_allows_the_call_and_the_decision_is_audited(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    page = agent.get(item)
    assert "+86*******5678" in page.text and PHONES["B1"] not in page.text
    assert 'data-testid="outcome"' not in page.text  # nothing to record before a call
    before = one(desk, "SELECT COUNT(*) FROM audit_log WHERE kind = 'gate_decision'")[0]
    called = post(agent, f"{item}/call", page=item)
    assert called.status_code == 200
    assert f'href="tel:{PHONES["B1"]}"' in called.text
    assert 'data-testid="outcome"' in called.text
    seq, payload = one(
        desk, "SELECT seq, payload_json FROM audit_log WHERE kind = 'gate_decision'"
        " ORDER BY seq DESC LIMIT 1",
    )  # fmt: skip
    assert one(desk, "SELECT COUNT(*) FROM audit_log WHERE kind = 'gate_decision'")[0] == (
        int(before) + 1  # type: ignore[call-overload]
    )
    decision = json.loads(str(payload))
    assert (decision["verdict"], decision["channel"], decision["loan_id"]) == (
        "allow",
        "call",
        "L1",
    )
    assert one(desk, "SELECT call_decision_id FROM work_item WHERE loan_id = 'L1'") == (seq,)


def test_a_call_at_night_is_deferred_with_the_rule_and_the_next_lawful_moment(
    desk: App, signed_in: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    compliance.load_shipped_packs(desk.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn"])
    monkeypatch.setattr(desk, "now", lambda: NIGHT)
    agent = signed_in("agent")
    item = claimed(agent)
    called = post(agent, f"{item}/call", page=item)
    assert called.status_code == 200
    assert "cn.contact_hours" in called.text and "Deferred" in called.text
    assert "next lawful moment" in called.text
    assert PHONES["B1"] not in called.text
    refused = post(agent, f"{item}/outcome", page=item, result="no_answer")
    assert refused.status_code == 409  # no call was cleared
    assert one(desk, "SELECT COUNT(*) FROM contact_attempt") == (0,)


def test_a_promise_to_pay_is_recorded_as_an_attempt_and_a_promise_and_closes_the_item(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    post(agent, f"{item}/call", page=item)
    done = post(agent, f"{item}/outcome", page=item, result="promise_to_pay", amount="500.00",
                promise_date=str(DAY + timedelta(days=5)), note="pays on Wednesday")  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].startswith("/desk?done=recorded")
    attempt = one(desk, "SELECT outcome, agent, action_id, arm, note FROM contact_attempt")
    action = one(desk, "SELECT action_id FROM work_item WHERE loan_id = 'L1'")[0]
    assert attempt == ("promise_to_pay", "agent", action, "champion", "pays on Wednesday")
    assert one(desk, "SELECT loan_id, amount_minor, source FROM promise") == ("L1", 50_000, "desk")
    assert one(desk, "SELECT status FROM work_item WHERE loan_id = 'L1'") == ("done",)
    account = agent.get("/desk/accounts/B1").text
    assert "promise_to_pay" in account and "none.allow_all" in account


def test_a_promise_without_an_amount_is_refused_and_nothing_is_recorded(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    post(agent, f"{item}/call", page=item)
    assert post(agent, f"{item}/outcome", page=item, result="promise_to_pay").status_code == 422
    assert one(desk, "SELECT COUNT(*) FROM contact_attempt") == (0,)
    assert one(desk, "SELECT status FROM work_item WHERE loan_id = 'L1'") == ("claimed",)


def test_a_callback_keeps_the_item_with_its_time_and_asks_for_a_new_clearance(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    post(agent, f"{item}/call", page=item)
    kept = post(agent, f"{item}/outcome", page=item, result="callback",
                callback_at="2026-11-27T18:30")  # fmt: skip
    assert kept.headers["location"].startswith("/desk?done=callback")
    status, callback_at, decision = one(
        desk, "SELECT status, callback_at, call_decision_id FROM work_item WHERE loan_id = 'L1'"
    )
    assert (status, decision) == ("claimed", None)
    assert "10:30" in str(callback_at)  # 18:30 in Shanghai, stored in UTC
    assert 'data-testid="mine"' in agent.get("/desk").text
    assert post(agent, f"{item}/outcome", page=item, result="reached").status_code == 409


def test_a_dispute_sets_the_borrowers_flag_which_the_account_shows(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    post(agent, f"{item}/call", page=item)
    post(agent, f"{item}/outcome", page=item, result="dispute", note="says it was repaid")
    assert one(desk, "SELECT flag FROM borrower_flag WHERE borrower_id = 'B1'") == ("dispute",)
    manager = signed_in("manager").get("/desk/accounts/B1").text
    assert 'class="badge bad">dispute' in manager


def test_a_note_is_added_to_the_account_and_shown_with_its_author(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    page = "/desk/accounts/B2"
    saved = post(agent, f"{page}/notes", page=page, text="asks for calls after 18:00")
    assert saved.status_code == 303
    notes = agent.get(page).text
    assert "asks for calls after 18:00" in notes
    assert one(desk, "SELECT author, borrower_id FROM account_note") == ("agent", "B2")


def test_the_desk_speaks_chinese(desk: App, signed_in: Browser) -> None:
    page = signed_in("agent").get("/desk?lang=zh-CN").text
    assert "下一个账户" in page and "今天待处理" in page


def test_a_plan_is_quoted_before_it_is_made_and_a_hardship_pause_waits_for_a_manager(
    desk: App, signed_in: Browser
) -> None:
    arrangement_policies.load_shipped_policies(desk.uow_factory, NOW, "cn-standard")
    agent = signed_in("agent")
    form = "/desk/accounts/B1/loans/L1/arrangement"
    quoted = agent.get(f"{form}?quote=1&kind=plan&instalments=6")
    assert quoted.status_code == 200
    assert 'data-testid="quote"' in quoted.text and 'data-testid="create"' in quoted.text
    assert one(desk, "SELECT COUNT(*) FROM arrangement") == (0,)  # a quote stores nothing
    made = post(agent, form, page=form, kind="plan", instalments="6")
    assert made.status_code == 303
    assert one(desk, "SELECT kind, status, source FROM arrangement") == ("plan", "active", "desk")
    pause = agent.get("/desk/accounts/B2/loans/L2/arrangement?quote=1&kind=pause&days=30").text
    assert "manager" in pause  # cn-standard sends every hardship pause to a manager


def test_the_desk_quotes_only_the_borrowers_own_loans(desk: App, signed_in: Browser) -> None:
    arrangement_policies.load_shipped_policies(desk.uow_factory, NOW, "cn-standard")
    agent = signed_in("agent")
    assert agent.get("/desk/accounts/B1/loans/L2/arrangement?quote=1&kind=plan").status_code == 404


def test_a_hardship_call_flags_the_borrower_and_leads_to_the_pause_quote(
    desk: App, signed_in: Browser
) -> None:
    agent = signed_in("agent")
    item = claimed(agent)
    post(agent, f"{item}/call", page=item)
    done = post(agent, f"{item}/outcome", page=item, result="hardship", note="lost his job")
    assert done.headers["location"] == "/desk/accounts/B1/loans/L1/arrangement?kind=pause"
    assert one(desk, "SELECT flag FROM borrower_flag WHERE borrower_id = 'B1'") == ("hardship",)
    assert agent.get(done.headers["location"]).status_code == 200  # still the agent's account
