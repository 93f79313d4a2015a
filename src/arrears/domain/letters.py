"""Letters: the kinds a strategy may send by post, and the facts each one states.

A letter is built from facts read as of one date (the letter date) and rendered to a PDF
by an adapter (``adapters.letters``); nothing here knows the store, fonts or Babel. The
figures of a validation notice (Reg F 1006.34(c), reference/regulation.md
``us.regf.validation_content``) are an ``Itemization`` that must add up, and its
validation period ends 30 days after the notice is assumed received
(``us.regf.validation_period``).

>>> validation_period_end(date(2025, 11, 25), mailing_days=0)  # Thanksgiving, a weekend
datetime.date(2026, 1, 2)
>>> itemize(date(2026, 1, 15), 100000, 101500, interest_minor=1200, fees_minor=500,
...         payments_minor=200).current_minor
101500
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.domain.compliance.checks_notices import assumed_receipt
from arrears.domain.compliance.facts import Itemization
from arrears.domain.money import Money


class LetterKind(StrEnum):
    """The ``template`` of a strategy's ``letter`` steps, and the plan confirmation."""

    OVERDUE_LETTER = "overdue_letter"  # early: a missed instalment, a friendly reminder
    DEMAND_LETTER = "demand_letter"  # a formal request to pay the overdue amount
    FINAL_DEMAND_LETTER = "final_demand_letter"  # the last request before a legal review
    LEGAL_DEMAND_LETTER = "legal_demand_letter"  # 催告函: a formal demand under the contract
    VALIDATION_NOTICE = "validation_notice"  # Reg F 1006.34 (us-regf)
    PLAN_CONFIRMATION = "plan_confirmation"  # a repayment plan or a promise, confirmed
    CONTACT_REQUEST = "contact_request"  # lost contact: please get in touch


LANGUAGES = ("zh-CN", "en")

# Days the borrower is given to pay or to get in touch, counted from the letter date.
# Generous on purpose: a letter takes days to arrive, and a reply takes days to arrange.
RESPONSE_DAYS = {
    LetterKind.OVERDUE_LETTER: 14,
    LetterKind.DEMAND_LETTER: 14,
    LetterKind.FINAL_DEMAND_LETTER: 30,
    LetterKind.LEGAL_DEMAND_LETTER: 30,
    LetterKind.VALIDATION_NOTICE: 0,  # the validation period's end is the date that counts
    LetterKind.PLAN_CONFIRMATION: 0,
    LetterKind.CONTACT_REQUEST: 14,
}

# A validation notice is printed on its letter date and mailed by the mail house within
# this many calendar days; its validation period is counted from the last day it may be
# mailed, so that a notice mailed late still gives the consumer the full period
# (Reg F 1006.34(b)(5): 30 days after receipt, receipt assumed 5 business days after
# sending, weekends and federal holidays excluded; reference us.regf.validation_period).
MAILING_DAYS = 5
RECEIPT_BUSINESS_DAYS = 5
VALIDATION_PERIOD_DAYS = 30


def validation_period_end(
    letter_date: date,
    mailing_days: int = MAILING_DAYS,
    receipt_business_days: int = RECEIPT_BUSINESS_DAYS,
    period_days: int = VALIDATION_PERIOD_DAYS,
    holidays_country: str = "US",
) -> date:
    """The end of the validation period printed on a notice dated ``letter_date``: 30 days
    after the day it is assumed received, itself 5 business days after the last day it
    may be mailed (1006.34(b)(5)).

    >>> validation_period_end(date(2026, 3, 5))  # mailed by Tue 03-10 → received 03-17
    datetime.date(2026, 4, 16)
    """
    sent = letter_date + timedelta(days=mailing_days)
    return assumed_receipt(sent, receipt_business_days, holidays_country) + timedelta(
        days=period_days
    )


class ItemizationBasis(StrEnum):
    """Which reference date a lender itemizes from (1006.34(b)(3)); one is used for every
    notice of a portfolio ("used consistently", reference us.regf.validation_content).

    ``transaction``: the loan's start date (the transaction that gave rise to the debt);
    ``last_statement``: the due date of the last instalment fallen due by the letter date,
    each instalment's bill being the statement the lender gives the borrower.
    """

    TRANSACTION = "transaction"
    LAST_STATEMENT = "last_statement"


class ItemizationError(ValueError):
    """Figures that do not add up: amount + interest + fees − payments − credits ≠ current."""


def itemize(
    itemization_date: date,
    amount_minor: int,
    current_minor: int,
    *,
    interest_minor: int = 0,
    fees_minor: int = 0,
    payments_minor: int = 0,
    credits_minor: int = 0,
) -> Itemization:
    """The itemization a validation notice prints, refused unless it adds up (reference
    us.regf.validation_content: amount on the itemization date + interest + fees −
    payments − credits = current amount).

    >>> itemize(date(2026, 1, 15), 100000, 99999)
    Traceback (most recent call last):
    ...
    arrears.domain.letters.ItemizationError: 100000 + 0 + 0 - 0 - 0 is 100000, not 99999
    """
    total = amount_minor + interest_minor + fees_minor - payments_minor - credits_minor
    if total != current_minor:
        raise ItemizationError(
            f"{amount_minor} + {interest_minor} + {fees_minor} - {payments_minor}"
            f" - {credits_minor} is {total}, not {current_minor}"
        )
    return Itemization(
        amount_minor=amount_minor,
        current_minor=current_minor,
        interest_minor=interest_minor,
        fees_minor=fees_minor,
        payments_minor=payments_minor,
        credits_minor=credits_minor,
        itemization_date=itemization_date,
    )


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Who writes, as printed at the top: the lender (or its collector) as the borrower
    knows it, in the letter's language, with its mailing address. ``creditor``: the
    creditor the debt is owed to now, if not the writer."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    portal_url: str
    creditor: str | None = None

    @property
    def current_creditor(self) -> str:
        return self.creditor or self.name


@dataclass(frozen=True, slots=True)
class Recipient:
    borrower_id: str
    name: str
    address_lines: tuple[str, ...]  # empty: no postal address on file


@dataclass(frozen=True, slots=True)
class PlanInstalment:
    due_date: date
    amount: Money


@dataclass(frozen=True, slots=True)
class Arrears:
    """A loan's figures on the letter date (all in the loan's currency)."""

    dpd: int
    oldest_due_date: date | None  # the oldest instalment unpaid beyond tolerance
    overdue_principal: Money
    overdue_interest: Money
    penalty: Money  # 罚息 (default interest), charged and unpaid
    fees: Money  # late fees, charged and unpaid
    balance: Money  # the whole debt as recognised: principal not repaid + charges − credit

    @property
    def total_overdue(self) -> Money:
        return self.overdue_principal + self.overdue_interest + self.penalty + self.fees


@dataclass(frozen=True, slots=True)
class Letter:
    """Everything one letter states: who to whom, about which loan, as of which date."""

    kind: LetterKind
    language: str
    letter_date: date
    loan_id: str  # the account number the borrower knows
    product: str
    start_date: date
    principal: Money
    sender: Letterhead
    recipient: Recipient
    arrears: Arrears
    respond_by: date | None = None
    # Reg F binds the loan (the us-regf pack is active for its product): every letter says
    # it is from a debt collector, trying to collect a debt (1006.18(e), us.regf.mini_miranda)
    debt_collector_disclosure: bool = False
    # validation notice (Reg F 1006.34(c)): the creditor on the itemization date (None:
    # the current creditor), the itemization, its basis, and the validation period's end
    creditor_on_itemization_date: str | None = None
    itemization: Itemization | None = None
    itemization_basis: ItemizationBasis | None = None
    validation_end: date | None = None
    plan: tuple[PlanInstalment, ...] = field(default_factory=tuple)
    # a Chinese validation notice is followed by the English one, under this letterhead
    english_sender: Letterhead | None = None

    @property
    def currency(self) -> str:
        return self.arrears.balance.currency

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)

    @property
    def plan_total(self) -> Money:
        return sum((p.amount for p in self.plan), Money.zero(self.currency))


def plan_of(instalments: Sequence[tuple[date, Money]]) -> tuple[PlanInstalment, ...]:
    """A repayment plan from (due date, amount) pairs, in date order, in one currency.

    >>> [p.due_date.month for p in plan_of([(date(2026, 4, 1), Money(500, "CNY")),
    ...                                    (date(2026, 3, 1), Money(700, "CNY"))])]
    [3, 4]
    """
    plan = tuple(PlanInstalment(d, m) for d, m in sorted(instalments, key=lambda p: p[0]))
    if len({p.amount.currency for p in plan}) > 1:
        raise ValueError("a repayment plan is in one currency")
    if any(p.amount.minor <= 0 for p in plan):
        raise ValueError("every instalment of a plan is a positive amount")
    return plan


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    """A letter as printed: the file, its page count, and its words as plain text (what
    the gate judges and a reader of the outbox sees)."""

    content: bytes
    pages: int
    text: str
    content_type: str = "application/pdf"


# -- letters as stored (table ``document``) ----------------------------------------------
@dataclass(frozen=True, slots=True)
class LetterParty:
    """Whom a loan's letters go to: the borrower, their language and the postal addresses
    on file — ``address_lines`` from the ``address.text`` of their compliance profile,
    ``loan_file_address_lines`` from the loans file's ``address`` column (one printed line
    each; ``services.letter_facts`` prefers the profile's)."""

    loan_id: str
    borrower_id: str
    name: str
    language: str | None
    address_lines: tuple[str, ...]
    loan_file_address_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewDocument:
    loan_id: str
    borrower_id: str
    kind: str
    language: str
    message_id: str | None
    content_type: str
    content: bytes
    sha256: str
    pages: int
    address: str  # the addressee as printed: name, then address lines, joined by \n
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored letter without its bytes (``content`` reads them)."""

    document_id: int
    loan_id: str
    borrower_id: str
    kind: str
    language: str
    message_id: str | None
    content_type: str
    sha256: str
    pages: int | None
    created_at: datetime
    mailed_at: datetime | None
    address: str | None

    @property
    def addressee_lines(self) -> tuple[str, ...]:
        return tuple((self.address or "").split("\n")) if self.address else ()
