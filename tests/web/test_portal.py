"""The borrower portal: what is owed and why, paying, promising, arrangements, hardship,
disputes, contact preferences, rights and guides — each borrower seeing only their own.

The figures by hand. L1: ¥12,000.00 at 14.6 % over 12 months from 2026-01-15, equal
instalments of ¥1,080.84; the first is ¥934.84 principal + ¥146.00 interest
(12,000 × 14.6 % / 12), the second ¥946.21 + ¥134.63. 罚息 is 14.6 % × 1.5 = 21.9 % a
year, ÷ 365 = 0.06 % a day: ¥934.84 → ¥0.56 a day from 16 February, ¥946.21 → ¥0.57 a
day from 16 March. On 20 March that is 33 × 0.56 = ¥18.48 and 5 × 0.57 = ¥2.85, ¥21.33
in all, and ¥2,183.01 overdue (934.84 + 146.00 + 946.21 + 134.63 + 21.33), 33 days past
due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arrears.domain.compliance.facts import with_flags
from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies, compliance, contacts, portal, promises
from arrears.services.arrangements import list_arrangements
from tests.web.conftest import ROLES, csrf_of

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 3, 20)
PORTAL_PAGES = ("/portal", "/portal/loans/L1", "/portal/preferences", "/portal/rights")


@pytest.fixture(autouse=True)
def fixed_clock(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "now", lambda: NOW)
    monkeypatch.setattr(app, "today", lambda: TODAY)


@pytest.fixture
def li_wei(signed_in: Callable[[str], TestClient]) -> TestClient:
    return signed_in("li.wei")


def post_form(client: TestClient, page: str, action: str, **fields: str) -> int:
    """Submit a form as the browser would: with the page's CSRF token and form key."""
    html = client.get(page).text
    data = {"csrf_token": csrf_of(html), **fields}
    if "key" not in data and 'name="key"' in html:
        data["key"] = html.split('name="key" value="', 1)[1].split('"', 1)[0]
    return client.post(action, data=data).status_code


def standing_payments(app: App, loan_id: str) -> list[tuple[str, date, int]]:
    with app.uow() as uow:
        found = uow.ledger.standing_payments([loan_id]).get(loan_id, [])
    return [(p.payment_id, p.paid_on, p.amount_minor) for p in found]


# -- what is owed and why ------------------------------------------------------------------
def test_the_loans_page_shows_what_each_of_the_borrowers_loans_owes(li_wei: TestClient) -> None:
    page = li_wei.get("/portal")
    assert page.status_code == 200
    assert "CN¥2,183.01" in page.text and "33 days past due" in page.text
    assert "Loan L1" in page.text and "Loan L2" not in page.text


def test_the_penalty_is_explained_line_by_line_with_its_base_rate_and_days(
    app: App, web_app: FastAPI
) -> None:
    detail = portal.my_loan(app.uow_factory, "B1", "L1", TODAY)
    lines = [
        (x.seq, x.first_day, x.last_day, x.base_minor, x.daily_minor, x.days_charged,
         x.amount_minor)
        for x in detail.penalty_lines
    ]  # fmt: skip
    assert lines == [
        (1, date(2026, 2, 16), date(2026, 3, 20), 93484, 56, 33, 1848),
        (2, date(2026, 3, 16), date(2026, 3, 20), 94621, 57, 5, 285),
    ]
    assert detail.penalty_minor == detail.penalty_accrued_minor == 2133
    assert (detail.summary.overdue_minor, detail.summary.days_past_due) == (218301, 33)


def test_the_loan_page_shows_the_schedule_and_the_penalty_lines(li_wei: TestClient) -> None:
    page = li_wei.get("/portal/loans/L1").text
    assert 'data-testid="penalty">CN¥21.33<' in page
    assert "Feb 16, 2026 – Mar 20, 2026" in page and "21.9% a year ÷ 365" in page
    assert 'data-testid="penalty-total"><strong>CN¥21.33<' in page
    assert "CN¥934.84" in page and "CN¥1,099.32" in page  # instalment 1 and what is unpaid


def test_the_chinese_page_says_chinese_things_with_yuan_and_chinese_dates(
    li_wei: TestClient,
) -> None:
    page = li_wei.get("/portal/loans/L1?lang=zh-CN").text
    assert "借款 L1" in page and "罚息逐笔明细" in page and "已逾期 33 天" in page
    assert "¥2,183.01" in page and "CN¥" not in page
    assert "2026年2月16日" in page


# -- only one's own ------------------------------------------------------------------------
def test_another_borrowers_loan_is_not_found_and_cannot_be_paid(
    app: App, li_wei: TestClient
) -> None:
    assert li_wei.get("/portal/loans/L2").status_code == 404
    assert li_wei.get("/portal/loans/L2/arrange").status_code == 404
    refused = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L2/pay", amount="100.00")
    assert refused == 404
    assert standing_payments(app, "L2") == []


@pytest.mark.parametrize("role", ROLES)
def test_staff_cannot_open_the_portal(signed_in: Callable[[str], TestClient], role: str) -> None:
    client = signed_in(role)
    assert [client.get(path).status_code for path in PORTAL_PAGES] == [403] * len(PORTAL_PAGES)


def test_a_form_without_its_csrf_token_is_refused(app: App, li_wei: TestClient) -> None:
    response = li_wei.post("/portal/loans/L1/pay", data={"amount": "1.00", "key": "k" * 16})
    assert response.status_code == 403
    assert standing_payments(app, "L1") == []


# -- pay -----------------------------------------------------------------------------------
def test_a_payment_submitted_twice_is_posted_once(app: App, li_wei: TestClient) -> None:
    page = li_wei.get("/portal/loans/L1").text
    form = {"csrf_token": csrf_of(page), "amount": "1098.76",
            "key": page.split('name="key" value="', 1)[1].split('"', 1)[0]}  # fmt: skip
    first = li_wei.post("/portal/loans/L1/pay", data=form)
    second = li_wei.post("/portal/loans/L1/pay", data=form)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["location"] == "/portal/loans/L1?done=paid"
    ((payment_id, paid_on, amount_minor),) = standing_payments(app, "L1")
    assert (payment_id.startswith("PORTAL-"), paid_on, amount_minor) == (True, TODAY, 109876)
    # paid on the 20th, instalment 1 carries no 罚息 for that day: 32 × 0.56 + 146.00 +
    # 934.84 = 1,098.76 clears it; instalment 2 is what is left overdue
    after = li_wei.get("/portal/loans/L1?done=paid").text
    assert 'data-testid="overdue">CN¥1,083.69<' in after
    assert "Thank you: your payment is received and posted." in after


def test_a_payment_above_what_closes_the_loan_is_refused(app: App, li_wei: TestClient) -> None:
    status = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L1/pay", amount="12321.83")
    assert status == 422
    assert standing_payments(app, "L1") == []


# -- promise -------------------------------------------------------------------------------
def test_a_promise_is_recorded_and_a_second_open_one_is_refused(
    app: App, li_wei: TestClient
) -> None:
    made = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L1/promise",
                     amount="2183.01", due_date="2026-03-27")  # fmt: skip
    again = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L1/promise",
                      amount="500.00", due_date="2026-03-25")  # fmt: skip
    assert (made, again) == (303, 409)
    (promise,) = promises.list_promises(app.uow_factory, "L1")
    assert (promise.amount_minor, promise.due_date, promise.source) == (
        218301,
        date(2026, 3, 27),
        "portal",
    )
    page = li_wei.get("/portal/loans/L1?lang=en").text
    listed = page.split('data-testid="commitments"')[1].split("</table>")[0]
    assert "Promise to pay" in listed and "Mar 27, 2026" in listed and "¥2,183.01" in listed
    assert ">open<" in listed


def test_a_promise_more_than_30_days_ahead_is_refused(app: App, li_wei: TestClient) -> None:
    status = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L1/promise",
                       amount="100.00", due_date="2026-04-20")  # fmt: skip
    assert status == 422
    assert promises.list_promises(app.uow_factory, "L1") == []


# -- arrangements and hardship --------------------------------------------------------------
def test_a_plan_within_policy_is_quoted_and_made_active_when_accepted(
    app: App, li_wei: TestClient
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    quote_page = "/portal/loans/L1/arrange?kind=plan&instalments=3&down_payment=300.00"
    quoted = li_wei.get(quote_page).text
    assert "This is within what the lender agrees to at once." in quoted
    assert 'data-testid="quote-total">CN¥2,183.01<' in quoted
    status = post_form(li_wei, quote_page, "/portal/loans/L1/arrange",
                       kind="plan", instalments="3", down_payment="300.00")  # fmt: skip
    assert status == 303
    (made,) = list_arrangements(app.uow_factory, "L1", kind="plan")
    assert (made.status, made.source, made.created_by) == ("active", "portal", "li.wei")


def test_a_plan_beyond_the_policy_shows_the_policys_reason(app: App, li_wei: TestClient) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    page = li_wei.get("/portal/loans/L1/arrange?kind=plan&instalments=24&down_payment=300")
    assert page.status_code == 200
    reasons = page.text.split('data-testid="reasons">', 1)[1].split("</ul>", 1)[0]
    assert "12" in reasons and "24" in reasons
    assert list_arrangements(app.uow_factory, "L1") == []


def test_without_a_policy_nothing_is_offered_and_hardship_sets_the_flag(
    app: App, li_wei: TestClient
) -> None:
    assert 'data-testid="no-policy"' in li_wei.get("/portal/loans/L1/arrange").text
    status = post_form(li_wei, "/portal/loans/L1/arrange", "/portal/loans/L1/hardship",
                       days="30", reason="lost my job in February")  # fmt: skip
    assert status == 303
    flags = {f.flag: f.note for f in contacts.list_flags(app.uow_factory, "B1")}
    assert flags == {"hardship": "lost my job in February"}


def test_hardship_under_a_policy_with_pauses_asks_for_a_pause(app: App, li_wei: TestClient) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    status = post_form(li_wei, "/portal/loans/L1/arrange", "/portal/loans/L1/hardship",
                       days="60", reason="in hospital")  # fmt: skip
    assert status == 303
    (pause,) = list_arrangements(app.uow_factory, "L1", kind="pause")
    assert (pause.status, pause.source) == ("pending", "portal")  # a manager decides


# -- dispute and contact preferences ---------------------------------------------------------
def test_a_dispute_sets_the_hold_the_gate_honours(app: App, li_wei: TestClient) -> None:
    status = post_form(li_wei, "/portal/loans/L1", "/portal/loans/L1/dispute",
                       reason="I repaid this in cash at the branch")  # fmt: skip
    assert status == 303
    with app.uow() as uow:
        person = uow.compliance.people(["B1"])["B1"]
        flags = uow.contacts.flags("B1")
    assert [(f.flag, f.note) for f in flags] == [
        ("dispute", "L1: I repaid this in cash at the branch")
    ]
    held = with_flags(person, tuple((f.flag, f.set_at) for f in flags))  # as the gate does
    assert [h.kind.value for h in held.holds] == ["dispute"]


def test_contact_preferences_are_saved_where_the_gate_reads_them(
    app: App, li_wei: TestClient
) -> None:
    page = li_wei.get("/portal/preferences").text
    saved = li_wei.post("/portal/preferences", data={
        "csrf_token": csrf_of(page), "preferred": "email", "opted_out": ["sms", "call"],
        "quiet_from": "21:00", "quiet_until": "09:00", "language": "zh-CN",
    })  # fmt: skip
    assert saved.headers["location"] == "/portal/preferences?done=saved"
    with app.uow() as uow:
        person = uow.compliance.people(["B1"])["B1"]
    assert sorted(o.channel.value for o in person.opt_outs) == ["call", "sms"]
    assert [c.value for c in person.preferences.channels] == ["email"]
    blocked = person.preferences.blocked[0]
    assert (blocked.start.isoformat(), blocked.end.isoformat()) == ("21:00:00", "09:00:00")
    assert person.preferences.language == "zh-CN"
    shown = li_wei.get("/portal/preferences").text
    assert 'name="opted_out" value="sms" checked' in shown
    assert 'value="21:00"' in shown


def test_withdrawing_one_opt_out_keeps_the_others_from_their_first_time(
    app: App, web_app: FastAPI
) -> None:
    from arrears.services.portal_preferences import (
        ContactPreferences,
        save_contact_preferences,
    )

    save_contact_preferences(
        app.uow_factory, "B1", ContactPreferences(opted_out=("sms", "call")), NOW
    )
    later = datetime(2026, 3, 21, tzinfo=UTC)
    save_contact_preferences(app.uow_factory, "B1", ContactPreferences(opted_out=("sms",)), later)
    profile = compliance.get_profile(app.uow_factory, "B1")
    assert profile["opt_outs"] == [{"channel": "sms", "at": "2026-03-20T02:00:00Z"}]


def test_quiet_hours_need_both_times(li_wei: TestClient) -> None:
    page = li_wei.get("/portal/preferences").text
    response = li_wei.post(
        "/portal/preferences", data={"csrf_token": csrf_of(page), "quiet_from": "21:00"}
    )
    assert response.status_code == 422


# -- rights and guides ---------------------------------------------------------------------
def test_the_rights_page_speaks_of_the_borrowers_region(li_wei: TestClient) -> None:
    english = li_wei.get("/portal/rights").text
    chinese = li_wei.get("/portal/rights?lang=zh-CN").text
    assert "For loans in mainland China." in english and "22:00" in english
    assert "12378" in chinese and "适用于中国大陆的借款。" in chinese


def test_the_credit_guide_explains_the_pboc_credit_reference_centre(li_wei: TestClient) -> None:
    page = li_wei.get("/portal/guides/credit?lang=zh-CN").text
    assert "中国人民银行征信中心" in page and "五年" in page
    assert li_wei.get("/portal/guides/planning").status_code == 200
    assert li_wei.get("/portal/guides/nothing").status_code == 404
