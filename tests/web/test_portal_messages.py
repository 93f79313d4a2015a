"""What services and the arrangement policy tell a borrower — a bad amount, a promise
outside the rules, a quote the policy refuses, a dispute without a reason — is said in
the borrower's language on the portal (by the message code it carries, from
``i18n/*/messages.toml``), while the API keeps its English ``detail``.

The loan is the portal tests' L1 on 20 March 2026 (tests/web/test_portal.py): ¥2,183.01
overdue; a promise may be due from today to 30 days ahead, 19 April.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

import arrears
from arrears.domain.arrangement_policy import ArrangementKind, Role
from arrears.domain.reasons import Reason
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.i18n import LANGUAGES, Words, catalog
from arrears.services import accounts, arrangement_policies
from arrears.services.errors import InvalidInput
from tests.web.conftest import csrf_of

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def fixed_clock(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "now", lambda: NOW)
    monkeypatch.setattr(app, "today", lambda: TODAY)


@pytest.fixture
def li_wei(signed_in: Callable[[str], TestClient]) -> Callable[[str], TestClient]:
    """li.wei signed in, reading the portal in the language asked for (remembered)."""

    def reading(language: str) -> TestClient:
        client = signed_in("li.wei")
        assert client.get(f"/portal?lang={language}").status_code == 200
        return client

    return reading


def submit(client: TestClient, action: str, **fields: str) -> Response:
    """Post a loan page's form as the browser would, with its CSRF token and form key."""
    html = client.get("/portal/loans/L1").text
    key = html.split('name="key" value="', 1)[1].split('"', 1)[0]
    return client.post(action, data={"csrf_token": csrf_of(html), "key": key, **fields})


def detail_of(page: Response) -> str:
    return page.text.split('data-testid="error-detail">', 1)[1].split("</p>", 1)[0]


# -- paying --------------------------------------------------------------------------------
def test_a_bad_amount_on_pay_is_explained_in_chinese(li_wei: Callable[[str], TestClient]) -> None:
    refused = submit(li_wei("zh-CN"), "/portal/loans/L1/pay", amount="0")
    assert refused.status_code == 422
    assert detail_of(refused) == "金额必须大于零"
    assert "more than zero" not in refused.text


def test_a_bad_amount_on_pay_is_explained_in_english(li_wei: Callable[[str], TestClient]) -> None:
    refused = submit(li_wei("en"), "/portal/loans/L1/pay", amount="0")
    assert refused.status_code == 422
    assert detail_of(refused) == "the amount must be more than zero"


def test_an_amount_that_is_not_one_is_named_in_chinese(
    li_wei: Callable[[str], TestClient],
) -> None:
    refused = submit(li_wei("zh-CN"), "/portal/loans/L1/pay", amount="abc")
    assert detail_of(refused) == "“abc”不是有效金额"
    assert "is not an amount" not in refused.text


# -- promising -----------------------------------------------------------------------------
def test_a_promise_outside_the_rules_is_explained_in_chinese_with_chinese_dates(
    li_wei: Callable[[str], TestClient],
) -> None:
    refused = submit(li_wei("zh-CN"), "/portal/loans/L1/promise",
                     amount="100.00", due_date="2026-04-20")  # fmt: skip
    assert refused.status_code == 422
    assert detail_of(refused) == (
        "承诺还款日须在 30 天之内，即不晚于 2026年4月19日；2026年4月20日 太晚了"
    )
    assert "must be due within" not in refused.text


def test_a_promise_outside_the_rules_is_explained_in_english(
    li_wei: Callable[[str], TestClient],
) -> None:
    refused = submit(li_wei("en"), "/portal/loans/L1/promise",
                     amount="100.00", due_date="2026-04-20")  # fmt: skip
    assert detail_of(refused) == (
        "a promise must be due within 30 days, by Apr 19, 2026; Apr 20, 2026 is later"
    )


def test_a_second_open_promise_names_the_first_in_chinese_money(
    li_wei: Callable[[str], TestClient],
) -> None:
    client = li_wei("zh-CN")
    made = submit(client, "/portal/loans/L1/promise", amount="2183.01", due_date="2026-03-27")
    assert made.status_code == 303
    again = submit(client, "/portal/loans/L1/promise", amount="500.00", due_date="2026-03-25")
    assert again.status_code == 409
    assert detail_of(again) == (
        "借款 L1 已有一项未到期的还款承诺（2026年3月27日 前还 ¥2,183.01），须先取消才能再承诺"
    )


# -- quoting an arrangement ------------------------------------------------------------------
QUOTE_BEYOND = "/portal/loans/L1/arrange?kind=plan&instalments=24&down_payment=300"


def reasons_of(page: Response) -> str:
    return page.text.split('data-testid="reasons">', 1)[1].split("</ul>", 1)[0]


def test_a_quote_the_policy_refuses_gives_its_reasons_in_chinese(
    app: App, li_wei: Callable[[str], TestClient]
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    page = li_wei("zh-CN").get(QUOTE_BEYOND)
    assert page.status_code == 200
    assert "<li>分 24 期，超过了允许的 12 期</li>" in reasons_of(page)
    assert "instalments is more than" not in page.text


def test_a_quote_the_policy_refuses_gives_its_reasons_in_english(
    app: App, li_wei: Callable[[str], TestClient]
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    page = li_wei("en").get(QUOTE_BEYOND)
    assert "<li>24 instalments is more than the 12 allowed</li>" in reasons_of(page)


def test_a_quote_that_cannot_be_made_says_why_in_chinese(
    app: App, li_wei: Callable[[str], TestClient]
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    client = li_wei("zh-CN")
    page = client.get("/portal/loans/L1/arrange?kind=plan&instalments=0")
    problem = page.text.split('data-testid="quote-problem">', 1)[1].split("</p>", 1)[0]
    assert problem == "无法为借款 L1 计算分期还款计划方案：期数：至少为 1，您填写的是 0。"
    typo = client.get("/portal/loans/L1/arrange?kind=plan&instalments=x3")
    assert "期数：“x3”不是整数" in typo.text and "not a whole number" not in typo.text


def test_a_quote_that_cannot_be_made_says_why_in_english(
    app: App, li_wei: Callable[[str], TestClient]
) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    page = li_wei("en").get("/portal/loans/L1/arrange?kind=plan&instalments=0")
    problem = page.text.split('data-testid="quote-problem">', 1)[1].split("</p>", 1)[0]
    assert (
        problem == "cannot quote a repayment plan on loan L1: instalments: must be 1 or more, got 0"
    )


# -- disputing -------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_dispute_without_a_reason_asks_for_one_in_chinese(
    li_wei: Callable[[str], TestClient], reason: str
) -> None:
    refused = submit(li_wei("zh-CN"), "/portal/loans/L1/dispute", reason=reason)
    assert refused.status_code == 422
    assert detail_of(refused) == "请简单说明理由"
    assert "please say why" not in refused.text


def test_a_dispute_without_a_reason_asks_for_one_in_english(
    li_wei: Callable[[str], TestClient],
) -> None:
    refused = submit(li_wei("en"), "/portal/loans/L1/dispute", reason="   ")
    assert detail_of(refused) == "please say why, in a few words"


# -- a form the page cannot read ---------------------------------------------------------------
def test_a_form_field_out_of_range_is_explained_in_chinese(
    li_wei: Callable[[str], TestClient],
) -> None:
    client = li_wei("zh-CN")
    refused = submit(client, "/portal/loans/L1/hardship", days="0", reason="lost my job")
    assert refused.status_code == 422
    assert detail_of(refused) == "天数：不能小于 1。"
    assert "greater than or equal" not in refused.text
    bad_day = submit(client, "/portal/loans/L1/promise", amount="100.00", due_date="2026-02-30")
    assert detail_of(bad_day) == "还款日：须为有效日期（格式为 YYYY-MM-DD）。"


def test_a_form_field_out_of_range_is_explained_in_english(
    li_wei: Callable[[str], TestClient],
) -> None:
    refused = submit(li_wei("en"), "/portal/loans/L1/hardship", days="0", reason="lost my job")
    assert detail_of(refused) == "days: must be 1 or more"


def test_a_stale_form_is_explained_in_chinese(li_wei: Callable[[str], TestClient]) -> None:
    refused = li_wei("zh-CN").post("/portal/loans/L1/dispute", data={"reason": "paid in cash"})
    assert refused.status_code == 403
    assert detail_of(refused) == "表单已过期或并非来自本网站，请刷新页面后重试"


# -- the API keeps English ---------------------------------------------------------------------
def test_the_api_still_answers_the_english_detail(
    app: App, web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = accounts.issue_token(app.uow_factory, "manager", "tests", NOW)
    with TestClient(web_app, base_url="https://testserver") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        client.headers["Accept-Language"] = "zh-CN"
        late = client.post("/api/v1/promises", json={
            "loan_id": "L1", "amount": "100.00", "due_date": "2026-04-20"
        })  # fmt: skip
    assert late.status_code == 422
    assert late.json()["detail"] == (
        "a promise must be due within 30 days, by 2026-04-19; 2026-04-20 is later"
    )


# -- the mechanism -----------------------------------------------------------------------------
def test_a_code_without_an_entry_falls_back_to_the_english_text() -> None:
    unknown = InvalidInput("something new went wrong", code="nowhere.in.the.catalogs")
    assert Words("zh-CN").say(unknown) == "something new went wrong"
    assert Words("zh-CN").say(Reason("limit.days", "60 days is too long")) == (
        "60 days is too long"  # an entry whose parameters are missing: the English
    )
    assert Words("zh-CN").say("plain text") == "plain text"


def test_an_error_keeps_its_english_text_beside_its_code() -> None:
    error = InvalidInput("the amount must be more than zero", code="amount.not_positive")
    assert (str(error), error.code, error.params) == (
        "the amount must be more than zero",
        "amount.not_positive",
        {},
    )
    coded = InvalidInput(Reason("limit.days", "60 days is longer than the 30 allowed",
                                asked=60, most=30))  # fmt: skip
    assert (coded.code, coded.params, Words("zh-CN").say(coded)) == (
        "limit.days",
        {"asked": 60, "most": 30},
        "60 天，超过了允许的 30 天",
    )


# every code a borrower can meet on the portal path has its words in the catalogs
PORTAL_PATH = (
    "domain/arrangement_policy.py", "domain/arrangement_figures.py",
    "domain/arrangement_quoting.py", "services/arrangements.py", "services/promises.py",
    "services/portal.py", "services/portal_payments.py", "services/portal_requests.py",
    "services/portal_preferences.py", "entrypoints/web/pages/portal.py",
    "entrypoints/web/pages/portal_common.py", "entrypoints/web/security.py",
)  # fmt: skip
CODE = re.compile(r"""(?:\bcode=|\bReason\(\s*)"([a-z_.]+)\"""")


def test_every_message_code_on_the_portal_path_is_in_the_catalogs() -> None:
    source = Path(arrears.__file__).parent
    codes = {c for name in PORTAL_PATH for c in CODE.findall((source / name).read_text())}
    assert len(codes) > 40, "the pattern finds no codes"
    made = {f"kind.{k}" for k in ArrangementKind} | {f"role.{r}" for r in Role}
    made |= {"arrangement.already_active", "arrangement.already_pending"}
    made |= {f"field.{f}" for f in ("instalments", "first_date", "down_payment", "seq",
                                    "days", "amount", "kind")}  # fmt: skip
    for language in LANGUAGES:
        words = catalog(language)
        assert sorted(c for c in codes | made if f"messages.{c}" not in words) == [], language
