"""A loan's message context from the facts the store reads: exact amounts, the installment
a reminder means, the lender's name in the borrower's language."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.domain.calendar import day_number
from arrears.domain.message_text import (
    TEMPLATE_VARIABLES,
    MessageFacts,
    Sender,
    choose_language,
    context_from_facts,
)
from arrears.domain.money import Money

SENDER = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")
STATUS_DAY = date(2026, 3, 5)


def facts(**changes: object) -> MessageFacts:
    base = MessageFacts(
        loan_id="L000123", borrower_id="B1", product="consumer", currency="CNY",
        borrower_name="王芳", language="zh-CN", status_day=day_number(STATUS_DAY), dpd=12,
        bucket="M1", open_due_day=day_number(date(2026, 2, 5)),
        next_due_day=day_number(date(2026, 4, 5)), overdue_minor=251_496,
        outstanding_principal_minor=2_600_000, overdue_interest_minor=30_000,
        penalty_minor=1_234, fees_minor=5_000, credit_minor=100,
        due_today_minor=None, next_installment_minor=251_496,
        promise_amount_minor=None, promise_date=None,
    )  # fmt: skip
    return base._replace(**changes)


def test_the_context_carries_exact_money_and_dates() -> None:
    context = context_from_facts(facts(), SENDER, "zh-CN", STATUS_DAY)
    assert context.overdue == Money(251_496, "CNY")
    # principal + overdue interest + 罚息 + fees − credit
    assert context.outstanding == Money(2_600_000 + 30_000 + 1_234 + 5_000 - 100, "CNY")
    assert (context.next_due_amount, context.next_due_date) == (
        Money(251_496, "CNY"), date(2026, 4, 5),
    )  # fmt: skip
    assert context.oldest_due_date == date(2026, 2, 5)
    assert (context.days_past_due, context.bucket, context.loan_ref) == (12, "M1", "0123")


def test_on_its_due_date_the_installment_due_today_is_the_one_a_reminder_means() -> None:
    context = context_from_facts(facts(due_today_minor=100_000), SENDER, "zh-CN", STATUS_DAY)
    assert (context.next_due_amount, context.next_due_date) == (
        Money(100_000, "CNY"), STATUS_DAY,
    )  # fmt: skip


def test_a_reamortised_schedule_gives_no_next_amount_but_keeps_its_date() -> None:
    context = context_from_facts(facts(next_installment_minor=None), SENDER, "en", STATUS_DAY)
    assert (context.next_due_amount, context.next_due_date) == (None, date(2026, 4, 5))


def test_the_lender_is_named_in_the_contexts_language() -> None:
    assert context_from_facts(facts(), SENDER, "zh-CN", STATUS_DAY).lender_name == "示例消费金融"
    assert (
        context_from_facts(facts(), SENDER, "en", STATUS_DAY).lender_name == "Arrears Demo Finance"
    )


def test_a_missing_name_is_empty_and_a_promise_is_money() -> None:
    context = context_from_facts(
        facts(borrower_name=None, promise_amount_minor=50_000, promise_date=date(2026, 3, 9)),
        SENDER, "zh-CN", STATUS_DAY,
    )  # fmt: skip
    assert context.borrower_name == ""
    assert (context.promise_amount, context.promise_date) == (
        Money(50_000, "CNY"), date(2026, 3, 9),
    )  # fmt: skip


def test_credit_beyond_the_balance_is_not_a_negative_outstanding() -> None:
    paid_off = facts(outstanding_principal_minor=0, overdue_interest_minor=0, penalty_minor=0,
                     fees_minor=0, credit_minor=500)  # fmt: skip
    assert context_from_facts(paid_off, SENDER, "en", STATUS_DAY).outstanding == Money(0, "CNY")


@pytest.mark.parametrize(
    ("preferred", "default", "chosen"),
    [("zh-CN", "en", "zh-CN"), ("zh", "en", "zh-CN"), ("ZH_cn", "en", "zh-CN"),
     ("en-GB", "zh-CN", "en"), (None, "en", "en"), ("", "zh-CN", "zh-CN"), ("fr", "en", "en"),
     ("zh-TW", "en", "en")],
)  # fmt: skip
def test_the_borrowers_language_when_we_write_it_else_the_default(
    preferred: str | None, default: str, chosen: str
) -> None:
    assert choose_language(preferred, default) == chosen


def test_the_template_variables_are_the_contexts_fields() -> None:
    assert {"borrower_name", "overdue", "next_due_date", "portal_url", "debt_collector"} <= (
        TEMPLATE_VARIABLES
    )
    assert "amount_due" not in TEMPLATE_VARIABLES
