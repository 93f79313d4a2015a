"""The day of the issue, in a real browser: an agent takes the next account with the
keyboard, is cleared to call, and records a promise to pay; the borrower sees the
promise in the portal and accepts a repayment plan; the manager sees both on the
dashboard. Each main page is screenshotted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies, compliance
from tests.helpers import NOW
from tests.web.browser.conftest import screenshot, sign_in
from tests.web.desk_queue import AFTERNOON, DAY, open_call_queue


@pytest.fixture
def working_day(web_app: FastAPI, app: App, monkeypatch: pytest.MonkeyPatch) -> App:
    """Today's call queue (L1 of 李伟, L2 of 王芳) at 14:00 in Shanghai, the shipped cn
    policy pack and arrangement policy in force."""
    open_call_queue(app)
    compliance.load_shipped_packs(app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn"])
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    monkeypatch.setattr(app, "today", lambda: DAY)
    monkeypatch.setattr(app, "now", lambda: AFTERNOON)
    return app


def test_a_promise_at_the_desk_reaches_the_portal_and_the_plan_reaches_the_dashboard(
    working_day: App, served: Callable[[], str], new_page: Callable[[], Page]
) -> None:
    base = served()
    agent = new_page()
    sign_in(agent, base, "agent")
    expect(agent.get_by_test_id("open-count")).to_have_text("2")
    screenshot(agent, "desk-queue")
    agent.keyboard.press("n")  # next account: the most overdue, 李伟's L1
    agent.wait_for_url(f"{base}/desk/items/*")
    expect(agent.get_by_test_id("borrower")).to_contain_text("李伟")
    expect(agent.get_by_test_id("phone")).not_to_contain_text("13812345678")  # masked
    screenshot(agent, "desk-account")
    agent.get_by_test_id("call-button").click()
    expect(agent.get_by_test_id("clearance")).to_contain_text("+8613812345678")
    agent.get_by_label("Promised amount").fill("500.00")
    agent.get_by_label("Promised date").fill("2026-12-04")
    agent.get_by_role("button", name="Promise to pay").click()
    agent.wait_for_url(f"{base}/desk?done=*")
    expect(agent.get_by_test_id("done")).to_be_visible()
    expect(agent.get_by_test_id("open-count")).to_have_text("1")

    borrower = new_page()
    sign_in(borrower, base, "li.wei")
    screenshot(borrower, "portal-home")
    borrower.goto(f"{base}/portal/loans/L1")
    commitments = borrower.get_by_test_id("commitments")
    expect(commitments).to_contain_text("Promise to pay")
    expect(commitments).to_contain_text("¥500.00")
    screenshot(borrower, "portal-loan")
    borrower.goto(f"{base}/portal/loans/L1/arrange")
    plan = borrower.locator("form", has=borrower.locator("input[name=kind][value=plan]"))
    plan.get_by_label("Instalments").fill("3")
    plan.get_by_role("button", name="See the plan").click()
    screenshot(borrower, "portal-quote")
    borrower.once("dialog", lambda dialog: dialog.accept())  # "Agree to this plan?"
    borrower.get_by_role("button", name="Agree to this plan").click()
    borrower.wait_for_url(f"{base}/portal/loans/L1*")
    expect(borrower.get_by_test_id("commitments")).to_contain_text("Repayment plan")
    borrower.goto(f"{base}/portal/loans/L1?lang=zh-CN")
    expect(borrower.get_by_test_id("commitments")).to_contain_text("分期还款计划")
    screenshot(borrower, "portal-loan-zh")

    manager = new_page()
    sign_in(manager, base, "manager")
    plans = manager.get_by_test_id("arrangements").locator("tbody tr", has_text="plan")
    expect(plans.locator("td").nth(2)).to_have_text("1")  # one plan made
    agent_row = manager.get_by_test_id("agents").locator("tbody tr").filter(
        has=manager.locator("td", has_text="agent")
    ).first
    expect(agent_row.locator("td").nth(1)).to_have_text("1")  # one call attempt …
    expect(agent_row.locator("td").nth(4)).to_have_text("1")  # … and its promise
    screenshot(manager, "dashboard")
    manager.goto(f"{base}/compliance")
    assert manager.title()  # a manager is refused the compliance view …
    assert "You may not open this page" in manager.content()
