"""The API's bodies: what comes in (``*In``) and what goes out (``*Out``), separately.

Money travels as a decimal string in major units with its currency (``"1066.19"``,
``"CNY"``) — exact, as the CLI's JSON prints it — never as a JSON number, which a
client would read as a float. Dates are ISO 8601.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from arrears.domain.loan_state import LoanState
from arrears.domain.money import format_major
from arrears.domain.schedule import Installment

MoneyText = str  # a decimal string in major units, e.g. "1066.19"


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` (or a date): pydantic would otherwise read ``0.0`` as 1 Jan 1970."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored


class LoanStatusOut(BaseModel):
    loan_id: str
    as_of: date
    currency: str
    dpd: int
    bucket: str
    oldest_unpaid_due_date: date | None
    overdue_principal: MoneyText
    overdue_interest: MoneyText
    penalty: MoneyText
    fees: MoneyText
    total_overdue: MoneyText
    outstanding_principal: MoneyText
    payoff_amount: MoneyText
    credit: MoneyText

    @classmethod
    def of(cls, s: LoanState) -> LoanStatusOut:
        c = s.currency
        return cls(
            loan_id=s.loan_id, as_of=s.as_of, currency=c, dpd=s.dpd, bucket=s.bucket,
            oldest_unpaid_due_date=s.oldest_unpaid_due_date,
            overdue_principal=format_major(s.overdue_principal_minor, c),
            overdue_interest=format_major(s.overdue_interest_minor, c),
            penalty=format_major(s.penalty_minor, c), fees=format_major(s.fees_minor, c),
            total_overdue=format_major(s.total_overdue_minor, c),
            outstanding_principal=format_major(s.outstanding_principal_minor, c),
            payoff_amount=format_major(s.payoff_minor, c), credit=format_major(s.credit_minor, c),
        )  # fmt: skip


class InstalmentOut(BaseModel):
    seq: int
    due_date: date
    principal: MoneyText
    interest: MoneyText
    installment: MoneyText
    remaining_principal: MoneyText

    @classmethod
    def of(cls, i: Installment, currency: str) -> InstalmentOut:
        return cls(
            seq=i.seq, due_date=i.due_date, principal=format_major(i.principal_minor, currency),
            interest=format_major(i.interest_minor, currency),
            installment=format_major(i.installment_minor, currency),
            remaining_principal=format_major(i.remaining_principal_minor, currency),
        )  # fmt: skip


class ScheduleOut(BaseModel):
    loan_id: str
    currency: str
    principal: MoneyText
    repayment_method: str
    instalments: list[InstalmentOut]


class FindingOut(BaseModel):
    code: str
    message: str
    line: int | None = None
    column: str | None = None
    subject: str | None = None


class ImportOut(BaseModel):
    rows: int
    written: int
    unchanged: int
    rejected: int
    journal_entries: int
    findings: list[FindingOut]


class PaymentIn(_In):
    payment_id: str = Field(min_length=1, max_length=64, description="Its idempotency key.")
    loan_id: str = Field(min_length=1, max_length=64)
    paid_on: Day
    amount: Decimal = Field(gt=0, description="In major units, e.g. 1066.19.")


class PromiseIn(_In):
    loan_id: str = Field(min_length=1, max_length=64)
    amount: Decimal = Field(gt=0, description="In major units.")
    due_date: Day
    promise_id: str | None = Field(None, max_length=64, description="An idempotency key.")


class PromiseOut(BaseModel):
    promise_id: str
    loan_id: str
    currency: str
    amount: MoneyText
    due_date: date
    made_on: date
    status: str
    paid: MoneyText | None
    source: str
    arm: str | None


class ActionOut(BaseModel):
    action_id: int | None = None
    loan_id: str
    borrower_id: str | None = None
    channel: str
    step: str | None = None
    template: str | None = None
    priority: int
    overdue: MoneyText
    currency: str
    segment: str | None = None
    arm: str | None = None
    status: str
    rule_id: str | None = None
    earliest_at: str | None = None


class ActionsOut(BaseModel):
    day: date | None
    actions: list[ActionOut]


class ArrangementAskIn(_In):
    """What is asked for; each kind takes its own fields (docs/arrangements.md)."""

    loan_id: str = Field(min_length=1, max_length=64)
    kind: Literal["promise", "extension", "plan", "reage", "settlement", "pause"]
    as_of: Day | None = Field(None, description="Takes effect at its end (default: today).")
    instalments: int | None = None
    first_date: Day | None = None
    every_days: int | None = None
    down_payment: Decimal | None = None
    waive_penalty_percent: Decimal | None = None
    seq: int | None = None
    days: int | None = None
    fee: Decimal | None = None
    amount: Decimal | None = None
    discount_percent: Decimal | None = None
    term_months: int | None = None
    annual_rate_percent: Decimal | None = None
    method: str | None = None
    probation: int | None = None
    accrues_interest: bool | None = None


class ArrangementIn(ArrangementAskIn):
    arrangement_id: str | None = Field(None, max_length=64, description="An idempotency key.")


class QuoteInstalmentOut(BaseModel):
    due_date: date
    amount: MoneyText


class QuoteOut(BaseModel):
    loan_id: str
    kind: str
    currency: str
    instalments: list[QuoteInstalmentOut]
    total_to_pay: MoneyText
    waived: MoneyText
    fee: MoneyText
    within_policy: bool
    needs_approval_by: str | None
    reasons: list[str]


class ArrangementInstalmentOut(BaseModel):
    seq: int
    due_date: date
    amount: MoneyText
    status: str
    paid: MoneyText


class ArrangementOut(BaseModel):
    arrangement_id: str
    loan_id: str
    borrower_id: str
    kind: str
    status: str
    currency: str
    quoted_on: date
    starts_on: date | None
    ends_on: date | None
    total_to_pay: MoneyText
    waived: MoneyText
    fee: MoneyText
    paid: MoneyText
    policy: str | None
    policy_version: int | None
    needs_approval_by: str | None
    reasons: list[str]
    decided_by: str | None
    source: str
    created_by: str | None
    instalments: list[ArrangementInstalmentOut]


class ScenarioIn(_In):
    """A what-if scenario — the keys of a scenario file (docs/compliance.md, read by
    ``adapters.scenario_files``) — and the stored policy packs to decide it under."""

    packs: list[str] = Field(min_length=1, max_length=20, description="Stored packs' names.")
    borrower: dict[str, Any] = Field(description="The person: id, zones, phones, holds, ...")
    proposal: dict[str, Any] = Field(description="The contact: channel, at (with offset), ...")
    debts: list[dict[str, Any]] | None = None
    history: list[dict[str, Any]] | None = None
    lender: str | None = None
    lender_names: list[str] | None = None
    expect: dict[str, Any] | None = Field(None, description="Checked for shape, else unused.")


class NoteOut(BaseModel):
    rule: str
    reason: str


class DecisionOut(BaseModel):
    """The strictest rule's decision; ``not_before``: the next lawful moment (UTC) of a
    deferral, or of a denial that a later time would lift."""

    decision: Literal["allow", "deny", "defer"]
    rule: str
    reason: str
    not_before: str | None
    notes: list[NoteOut]


class ReportNameOut(BaseModel):
    name: str
    description: str


class MeOut(BaseModel):
    username: str
    role: str
    display_name: str | None
    borrower_id: str | None


class ProblemOut(BaseModel):
    """An error, as RFC 9457 describes it; ``findings`` name every bad row or field."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    findings: list[FindingOut] | None = None
    errors: list[dict[str, str]] | None = None


_PROBLEM = {"model": ProblemOut, "content": {"application/problem+json": {}}}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {**_PROBLEM, "description": description}
    for status, description in {
        400: "Bad request", 401: "Not signed in (no or a bad token)",
        403: "The role may not do this", 404: "No such object",
        409: "Clashes with what is recorded", 422: "Invalid input",
        429: "Too many attempts",
    }.items()
}  # fmt: skip
