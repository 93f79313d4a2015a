"""What a borrower-facing message may say: the variables of a template, and what rendering gives.

A template (SMS or e-mail, zh-CN and en; ``arrears/templates``) sees exactly the fields
of ``MessageContext`` and nothing else: ``TemplateBook.load`` refuses a template that
names any other variable, so a typo fails when templates load, not when a message is
sent. The context is built per loan from the cycle's stored status
(``services.message_context``) for one language — the lender's name is already in it.

>>> facts = MessageFacts("L1001", "B001", "consumer", "CNY", "王芳", "zh-CN", 20517, 0,
...                      "M0", 20517, 20545, 0, 2800000, 0, 0, 0, 0, 256830, 256830, None, None)
>>> sender = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")
>>> context = context_from_facts(facts, sender, "zh-CN", date(2026, 3, 5))
>>> context.lender_name, context.loan_ref, context.next_due_amount, context.next_due_date
('示例消费金融', '1001', Money(minor=256830, currency='CNY'), datetime.date(2026, 3, 5))
>>> choose_language("zh_cn", "en"), choose_language(None, "en"), choose_language("fr", "zh-CN")
('zh-CN', 'en', 'zh-CN')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from arrears.domain.calendar import day_from_number
from arrears.domain.money import Money
from arrears.domain.sms_text import SmsEncoding

LANGUAGES = ("zh-CN", "en")  # every template exists in each
_SIMPLIFIED_CHINESE = frozenset({"zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg"})


def choose_language(preferred: str | None, default: str) -> str:
    """The template language for a borrower: theirs when we write it (``zh``, ``zh_CN``,
    ``en-US`` … count), else ``default`` — the product's or region's language."""
    tag = (preferred or "").strip().replace("_", "-").lower()
    if tag == "en" or tag.startswith("en-"):
        return "en"
    if tag in _SIMPLIFIED_CHINESE:
        return "zh-CN"
    return default


def default_language(currency: str) -> str:
    """A product's language when nobody set one: Chinese for renminbi loans, else English.

    >>> default_language("CNY"), default_language("USD")
    ('zh-CN', 'en')
    """
    return "zh-CN" if currency == "CNY" else "en"


def loan_ref(loan_id: str) -> str:
    """How a text names the loan: its id's last 4 characters, as banks name a card
    (enough for the borrower to recognise it, little for anyone else).

    >>> loan_ref("L000123"), loan_ref("L1")
    ('0123', 'L1')
    """
    return loan_id[-4:]


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the borrower hears from and where they can pay or ask (from settings)."""

    lender_name: str  # in English
    lender_name_zh: str
    support_phone: str
    portal_url: str

    def lender_name_in(self, language: str) -> str:
        return self.lender_name_zh if language.startswith("zh") else self.lender_name


@dataclass(frozen=True, slots=True)
class MessageContext:
    """The variables a template may use, for one loan in one language.

    Amounts are ``Money`` (use the ``money`` filter), dates ``date`` (the ``date``
    filter). Amounts and days past due are those of the loan's status as the last
    daily cycle stored it. Optional values are None when the loan has none: a template
    guards them with ``{% if ... is not none %}`` (the load check renders with them
    both present and absent).
    """

    language: str  # the language this context was made for: lender_name is in it
    borrower_name: str  # as in the loan file; "" when it has none
    loan_id: str
    loan_ref: str  # the loan id's last 4 characters, for display
    product: str
    lender_name: str  # the lender's name in ``language``
    currency: str
    overdue: Money  # fallen due before as_of and unpaid: principal, interest, 罚息, fees
    outstanding: Money  # principal not repaid + overdue interest, 罚息 and fees − credit
    next_due_amount: Money | None  # unpaid of the installment due today, else of the next
    next_due_date: date | None  # its due date; None when nothing is left to fall due
    oldest_due_date: date | None  # the oldest installment fallen due and still unpaid
    days_past_due: int  # 0 while current or in grace
    bucket: str  # M0, M1, … (the product's buckets)
    as_of: date  # the date the message is written for
    portal_url: str  # where the borrower can see the loan and pay
    support_phone: str
    promise_amount: Money | None = None  # an open promise to pay, if any
    promise_date: date | None = None
    plan_amount: Money | None = None  # the next instalment of an arrangement in force
    plan_date: date | None = None
    # A pack active for the product wants the debt-collector disclosure (us-regf's
    # mini_miranda, FDCPA 1692e(11)): the template then says who is collecting and why.
    debt_collector: bool = False


TEMPLATE_VARIABLES: frozenset[str] = frozenset(f.name for f in dataclasses.fields(MessageContext))


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A template rendered for one loan, the opt-out sentence appended. SMS: no subject
    or HTML, and the encoding and segments of the final text; e-mail: no SMS figures."""

    subject: str | None
    text: str
    html: str | None
    encoding: SmsEncoding | None
    segments: int | None
    language: str = ""  # the template language used (after any fallback)


class MessageFacts(NamedTuple):
    """One loan's facts as the store reads them (days are day numbers, amounts minor
    units of ``currency``); ``status_day`` is None until a cycle has run for it."""

    loan_id: str
    borrower_id: str
    product: str
    currency: str
    borrower_name: str | None
    language: str | None
    status_day: int | None
    dpd: int
    bucket: str
    open_due_day: int | None
    next_due_day: int | None
    overdue_minor: int
    outstanding_principal_minor: int
    overdue_interest_minor: int
    penalty_minor: int
    fees_minor: int
    credit_minor: int
    due_today_minor: int | None  # unpaid of an installment due on the status day
    next_installment_minor: int | None  # the next installment per schedule (None: re-amortised)
    promise_amount_minor: int | None
    promise_date: date | None
    plan_amount_minor: int | None = None  # the next unpaid instalment of an arrangement
    plan_date: date | None = None


def context_from_facts(
    facts: MessageFacts,
    sender: Sender,
    language: str,
    as_of: date,
    debt_collector: bool = False,
) -> MessageContext:
    """The template variables of one loan in one language."""
    currency = facts.currency
    outstanding = (
        facts.outstanding_principal_minor + facts.overdue_interest_minor
        + facts.penalty_minor + facts.fees_minor - facts.credit_minor
    )  # fmt: skip
    next_amount, next_day = _next_due(facts)
    return MessageContext(
        language=language,
        borrower_name=facts.borrower_name or "",
        loan_id=facts.loan_id,
        loan_ref=loan_ref(facts.loan_id),
        product=facts.product,
        lender_name=sender.lender_name_in(language),
        currency=currency,
        overdue=Money(facts.overdue_minor, currency),
        outstanding=Money(max(outstanding, 0), currency),
        next_due_amount=None if next_amount is None else Money(next_amount, currency),
        next_due_date=None if next_day is None else day_from_number(next_day),
        oldest_due_date=None if facts.open_due_day is None else day_from_number(facts.open_due_day),
        days_past_due=facts.dpd,
        bucket=facts.bucket,
        as_of=as_of,
        portal_url=sender.portal_url,
        support_phone=sender.support_phone,
        promise_amount=(
            None
            if facts.promise_amount_minor is None
            else Money(facts.promise_amount_minor, currency)
        ),
        promise_date=facts.promise_date,
        plan_amount=(
            None if facts.plan_amount_minor is None else Money(facts.plan_amount_minor, currency)
        ),
        plan_date=facts.plan_date,
        debt_collector=debt_collector,
    )


def _next_due(facts: MessageFacts) -> tuple[int | None, int | None]:
    # On its due date an installment has fallen due but is not yet overdue: "due today"
    # means it. Otherwise the next one to fall due, whose amount the stored schedule
    # gives unless a prepayment re-amortised it (then the amount is unknown here: None).
    if facts.due_today_minor is not None and facts.status_day is not None:
        return facts.due_today_minor, facts.status_day
    return facts.next_installment_minor, facts.next_due_day


# -- the sample contexts the load check renders every template with ---------------------
SAMPLE_NAMES = {"zh-CN": "欧阳·阿卜杜热合曼江", "en": "Maximilian Worthington-Smythe"}
SAMPLE_MINOR = 1_234_567_890  # 12,345,678.90: a long amount


def sample_contexts(sender: Sender, language: str, currency: str) -> list[MessageContext]:
    """Worst cases for one language: a long name and long amounts, with every optional
    value present and the disclosure on, and with every optional value absent."""
    amount = Money(SAMPLE_MINOR, currency)
    full = MessageContext(
        language=language,
        borrower_name=SAMPLE_NAMES.get(language, SAMPLE_NAMES["en"]),
        loan_id="L000000123456",
        loan_ref="3456",
        product="consumer",
        lender_name=sender.lender_name_in(language),
        currency=currency,
        overdue=amount,
        outstanding=amount,
        next_due_amount=amount,
        next_due_date=date(2026, 12, 28),
        oldest_due_date=date(2026, 11, 28),
        days_past_due=179,
        bucket="M6",
        as_of=date(2026, 12, 25),
        portal_url=sender.portal_url,
        support_phone=sender.support_phone,
        promise_amount=amount,
        promise_date=date(2026, 12, 28),
        plan_amount=amount,
        plan_date=date(2026, 12, 27),
        debt_collector=True,
    )
    bare = dataclasses.replace(
        full,
        borrower_name="",
        next_due_amount=None,
        next_due_date=None,
        oldest_due_date=None,
        days_past_due=0,
        bucket="M0",
        promise_amount=None,
        promise_date=None,
        plan_amount=None,
        plan_date=None,
        debt_collector=False,
    )
    return [full, bare]
