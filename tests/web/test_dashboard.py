"""The manager's dashboard: the reports' figures over a worked portfolio, the charts,
the policy files (read, upload, activate) and the approvals, each for the roles that
may use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.i18n import Words
from arrears.services import (
    arrangement_policies,
    arrangements,
    reports_activity,
    reports_portfolio,
    strategies,
)
from arrears.services import dashboard as dashboard_service
from arrears.services.cycle import run_cycle
from arrears.services.managed_files import FileKind, list_files
from tests.helpers import NOW
from tests.web.conftest import csrf_of
from tests.web.page_tables import table_rows
from tests.web.worked_portfolio import FIRST_DAY, LAST_DAY, work_the_portfolio

SignedIn = Callable[[str], TestClient]
EN = Words("en")


@pytest.fixture
def worked(web_app: FastAPI) -> App:
    app: App = web_app.state.arrears
    work_the_portfolio(app)
    return app


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value} %"


# -- the reports ------------------------------------------------------------------------------
def test_the_dashboard_shows_the_aging_and_roll_rates_the_reports_compute(
    worked: App, signed_in: SignedIn
) -> None:
    page = signed_in("manager").get("/dashboard").text
    aging = reports_portfolio.aging_report(worked.uow_factory, None, None)
    assert [line.loans for line in aging.lines][-1] == 2  # both loans are open
    assert table_rows(page, "aging") == [
        [a.currency, "Total" if a.bucket == "total" else a.bucket, str(a.loans),
         _rate(a.loans_percent), EN.money(a.overdue_minor, a.currency),
         EN.money(a.outstanding_principal_minor, a.currency)]
        for a in aging.lines
    ]  # fmt: skip
    rolls = reports_portfolio.roll_rates_report(worked.uow_factory, None, None)
    assert rolls.lines, "the loans rolled from M0 as they fell due"
    assert [row[1:] for row in table_rows(page, "roll-rates")] == [
        [r.from_bucket, r.to_bucket, f"{r.loans} / {r.from_loans}", _rate(r.rate_percent)]
        for r in rolls.lines
    ]


def test_the_dashboard_shows_actions_by_channel_and_gate_decisions_by_rule(
    worked: App, signed_in: SignedIn
) -> None:
    page = signed_in("manager").get("/dashboard").text
    board = dashboard_service.dashboard(worked.uow_factory, None, None)
    assert sum(a.decided for a in board.actions) == board.denials.decided > 0
    assert table_rows(page, "channels") == [
        [a.channel, str(a.permitted), str(a.deferred), str(a.denied),
         str(board.contacts.get(a.channel, 0))]
        for a in board.actions
    ]  # fmt: skip
    assert table_rows(page, "denials") == [
        [d.status, d.rule, str(d.actions), _rate(d.share_percent)] for d in board.denials.rules
    ]
    assert f"{board.denials.decided} actions decided in the period" in page


def test_the_champion_and_challenger_cure_and_agent_tables_follow_their_reports(
    worked: App, signed_in: SignedIn
) -> None:
    page = signed_in("manager").get("/dashboard").text
    arms = reports_activity.arms_report(worked.uow_factory, None, None)
    assert [(row[0], row[2]) for row in table_rows(page, "arms")] == [
        (a.arm, str(a.loans)) for a in arms.lines
    ]
    cure = reports_portfolio.cure_report(worked.uow_factory, None, None)
    assert [row[1:3] for row in table_rows(page, "cure")] == [
        [str(c.delinquent), str(c.cured)] for c in cure.lines
    ]
    assert table_rows(page, "agents")[-1][0] == "Total"


def test_the_dates_chosen_narrow_the_period_of_every_report(
    worked: App, signed_in: SignedIn
) -> None:
    first, last = FIRST_DAY + timedelta(days=20), LAST_DAY - timedelta(days=5)
    page = signed_in("manager").get(f"/dashboard?first={first}&last={last}").text
    assert f"{EN.day(first)} to {EN.day(last)}" in page
    board = dashboard_service.dashboard(worked.uow_factory, first, last)
    assert f"{board.denials.decided} actions decided in the period" in page
    assert f'src="/dashboard/charts/mix.svg?first={first}&amp;last={last}"' in page


def test_a_date_that_is_not_a_date_is_refused_with_a_422(signed_in: SignedIn) -> None:
    response = signed_in("manager").get("/dashboard?first=2026-13-01")
    assert response.status_code == 422


def test_before_the_cycle_ran_the_dashboard_says_there_is_nothing_to_report(
    signed_in: SignedIn,
) -> None:
    page = signed_in("manager").get("/dashboard").text
    assert "The daily cycle has not run yet" in page


@pytest.mark.parametrize("name", ["mix", "roll_rates", "recovery"])
def test_each_chart_is_an_svg_image(worked: App, signed_in: SignedIn, name: str) -> None:
    response = signed_in("manager").get(f"/dashboard/charts/{name}.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") and b"<svg" in response.content


def test_an_unknown_chart_is_not_found(signed_in: SignedIn) -> None:
    assert signed_in("manager").get("/dashboard/charts/pie.svg").status_code == 404


@pytest.mark.parametrize("username", ["admin", "compliance"])
def test_admins_and_compliance_officers_see_the_dashboard_too(
    signed_in: SignedIn, username: str
) -> None:
    assert signed_in(username).get("/dashboard").status_code == 200


@pytest.mark.parametrize("username", ["agent", "field_agent", "legal", "li.wei"])
@pytest.mark.parametrize(
    "path", ["/dashboard", "/dashboard/files", "/dashboard/approvals", "/dashboard/charts/mix.svg"]
)
def test_other_roles_may_not_open_the_dashboard(
    signed_in: SignedIn, username: str, path: str
) -> None:
    assert signed_in(username).get(path).status_code == 403


# -- the policy files ---------------------------------------------------------------------
BAD_STRATEGY = """name: web-plan
description: one segment, one step
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1, every: 1}, action: teleport, priority: 50}
"""
GOOD_STRATEGY = BAD_STRATEGY.replace("teleport", "call")


def _upload(client: TestClient, kind: str, text: str) -> Any:  # the test client's response
    token = csrf_of(client.get("/dashboard/files").text)
    return client.post(f"/dashboard/files/{kind}", data={"text": text, "csrf_token": token})


def test_the_files_page_lists_every_kind_with_version_author_and_where_active(
    worked: App, signed_in: SignedIn
) -> None:
    page = signed_in("manager").get("/dashboard/files").text
    active = strategies.active_name(worked.uow_factory)
    rows = table_rows(page, "files-strategy")
    assert [row[0] for row in rows] == [
        f.name for f in list_files(worked.uow_factory, FileKind.STRATEGY)
    ]
    assert [row[4] for row in rows if row[0] == active] == ["the portfolio"]
    assert [row[2] for row in rows] == ["arrears"] * len(rows)  # the shipped files' author
    assert table_rows(page, "files-pack") and table_rows(page, "files-policy")


def test_a_stored_file_shows_its_text_and_version(worked: App, signed_in: SignedIn) -> None:
    name = strategies.active_name(worked.uow_factory)
    page = signed_in("manager").get(f"/dashboard/files/strategy/{name}").text
    stored = strategies.show_strategy(worked.uow_factory, name)
    assert f'data-testid="version">{stored.version}<' in page
    assert (
        f'<pre class="card scroll" data-testid="file-text">{escape(stored.source_text)}</pre>'
        in page
    )


def test_an_upload_with_a_problem_shows_the_finding_at_its_line_and_stores_nothing(
    worked: App, signed_in: SignedIn
) -> None:
    response = _upload(signed_in("manager"), "strategy", BAD_STRATEGY)
    assert response.status_code == 422
    findings = table_free(response.text)
    assert "Line 7" in findings and "teleport" in findings
    assert "web-plan" not in {f.name for f in list_files(worked.uow_factory, FileKind.STRATEGY)}


def table_free(page: str) -> str:
    start = page.index('data-testid="findings"')
    return page[start : page.index("</section>", start)]


def test_a_good_upload_stores_a_new_version_by_the_signed_in_user(
    worked: App, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    first = _upload(manager, "strategy", GOOD_STRATEGY)
    assert first.status_code == 303
    assert first.headers["location"] == "/dashboard/files/strategy/web-plan?version=1&done=uploaded"
    second = _upload(manager, "strategy", GOOD_STRATEGY + "# a comment is a new version\n")
    assert second.headers["location"].startswith("/dashboard/files/strategy/web-plan?version=2")
    stored = strategies.show_strategy(worked.uow_factory, "web-plan")
    assert (stored.version, stored.author, stored.active) == (2, "manager", False)


def test_a_file_can_be_uploaded_as_a_file_too(worked: App, signed_in: SignedIn) -> None:
    manager = signed_in("manager")
    token = csrf_of(manager.get("/dashboard/files").text)
    response = manager.post(
        "/dashboard/files/strategy", data={"csrf_token": token},
        files={"upload": ("plan.yaml", GOOD_STRATEGY.encode(), "application/yaml")},
    )  # fmt: skip
    assert response.status_code == 303
    assert strategies.show_strategy(worked.uow_factory, "web-plan").author == "manager"


def test_activating_an_uploaded_strategy_makes_it_the_portfolios(
    worked: App, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    _upload(manager, "strategy", GOOD_STRATEGY)
    token = csrf_of(manager.get("/dashboard/files/strategy/web-plan").text)
    response = manager.post(
        "/dashboard/files/strategy/web-plan/activate", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert strategies.active_name(worked.uow_factory) == "web-plan"


def test_an_arrangement_policy_is_activated_for_the_product_named(
    worked: App, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    name = arrangement_policies.list_policies(worked.uow_factory)[0].name
    token = csrf_of(manager.get(f"/dashboard/files/policy/{name}").text)
    manager.post(
        f"/dashboard/files/policy/{name}/activate",
        data={"csrf_token": token, "product": "consumer"},
    )
    assert arrangement_policies.active_policies(worked.uow_factory)["consumer"] == name


def test_a_bad_policy_pack_upload_shows_its_findings(worked: App, signed_in: SignedIn) -> None:
    response = _upload(signed_in("manager"), "pack", "name: broken\nrules: 12\n")
    assert response.status_code == 422
    assert "Not stored: the file has problems (Policy packs)" in response.text


def test_a_form_without_its_csrf_token_is_refused(worked: App, signed_in: SignedIn) -> None:
    response = signed_in("manager").post("/dashboard/files/strategy", data={"text": GOOD_STRATEGY})
    assert response.status_code == 403


# -- approvals ------------------------------------------------------------------------------
POLICY = """
name: web-plans
per_year: 2
kinds:
  plan: {max_instalments: 3, max_days: 120, min_down_payment_percent: "10", max_penalty_waiver_percent: "50"}
"""


@pytest.fixture
def pending(worked: App) -> str:
    """A plan of four instalments, beyond the policy's three: it waits for a manager."""
    arrangement_policies.load_text(worked.uow_factory, POLICY, "test", NOW, ["*"])
    made = arrangements.create_arrangement(
        worked.uow_factory, "L1", "plan",
        ArrangementRequest(instalments=4, down_payment_major=Decimal("500.00")),
        worked.today(), NOW,
    )  # fmt: skip
    assert (made.record.status, made.record.needs_approval_by) == ("pending", "manager")
    return made.record.arrangement_id


def test_the_approvals_page_lists_what_waits(pending: str, signed_in: SignedIn) -> None:
    rows = table_rows(signed_in("manager").get("/dashboard/approvals").text, "waiting")
    assert [(row[0], row[1], row[2]) for row in rows] == [(pending, "L1", "plan")]


def test_a_manager_approves_a_pending_arrangement(
    worked: App, pending: str, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    token = csrf_of(manager.get("/dashboard/approvals").text)
    response = manager.post(f"/dashboard/approvals/{pending}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    record = arrangements.list_arrangements(worked.uow_factory, loan_id="L1", kind="plan")[0]
    assert (record.status, record.decided_by) == ("active", "manager")
    assert "Nothing is waiting for approval." in manager.get(response.headers["location"]).text


def test_a_manager_rejects_a_pending_arrangement(
    worked: App, pending: str, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    token = csrf_of(manager.get("/dashboard/approvals").text)
    manager.post(f"/dashboard/approvals/{pending}/reject", data={"csrf_token": token})
    record = arrangements.list_arrangements(worked.uow_factory, loan_id="L1", kind="plan")[0]
    assert (record.status, record.decided_by) == ("rejected", "manager")


def test_an_agent_may_not_approve(worked: App, pending: str, signed_in: SignedIn) -> None:
    agent = signed_in("agent")
    token = csrf_of(agent.get("/account").text)
    response = agent.post(f"/dashboard/approvals/{pending}/approve", data={"csrf_token": token})
    assert response.status_code == 403
    record = arrangements.list_arrangements(worked.uow_factory, loan_id="L1", kind="plan")[0]
    assert record.status == "pending"


def test_a_compliance_officer_may_not_approve_what_waits_for_a_manager(
    worked: App, pending: str, signed_in: SignedIn
) -> None:
    officer = signed_in("compliance")
    token = csrf_of(officer.get("/dashboard/approvals").text)
    response = officer.post(f"/dashboard/approvals/{pending}/approve", data={"csrf_token": token})
    assert response.status_code == 422
    assert "may not approve it" in response.text


# -- kept figures -----------------------------------------------------------------------------
def test_the_dashboard_keeps_its_figures_until_refreshed_or_the_cycle_runs_another_day(
    worked: App, signed_in: SignedIn
) -> None:
    manager = signed_in("manager")
    before = manager.get("/dashboard").text
    assert "Figures as of" in before and "fresh=1" in before
    assert _made(before) == "0"
    arrangement_policies.load_text(worked.uow_factory, POLICY, "test", NOW, ["*"])
    arrangements.create_arrangement(
        worked.uow_factory, "L1", "plan",
        ArrangementRequest(instalments=2, down_payment_major=Decimal("500.00")),
        LAST_DAY, NOW,
    )  # fmt: skip
    kept = manager.get("/dashboard").text
    assert _made(kept) == "0"  # the kept figures, computed before it was made
    fresh = manager.get("/dashboard?fresh=1").text
    assert _made(fresh) == "1"
    assert "fresh=1" in fresh and "fresh=1&amp;fresh" not in fresh
    # another cycle day: the kept figures are of an earlier day, so they are computed again
    run_cycle(worked.uow_factory, LAST_DAY + timedelta(days=1), lambda: NOW)
    after = manager.get("/dashboard").text
    assert escape(EN.day(LAST_DAY + timedelta(days=1))) in after


def _made(page: str) -> str:
    """The arrangements made in the period, from the table's total line."""
    total = table_rows(page, "arrangements")[-1]
    assert total[0] == "Total"
    return total[2]
