"""What a loan's letter states as of a date: the borrower and their postal address, the
loan's figures, a validation notice's itemization and period, a plan's instalments.

The figures come from the loan's replay as of the date (``domain.loan_state``, the
per-loan reference the daily cycle's stored status and the journal are both held equal
to), so a letter can be written for any date — the validation notice's itemization date
included — whether or not the cycle has run for it. A loan's *balance* is what the
journal's receivable accounts hold: principal lent, plus interest of instalments fallen
due, 罚息 and fees charged, less every payment (money held as credit included). So the
itemization adds up by construction: balance then + interest + fees − payments = balance
now, credits being zero until waivers exist.

The borrower's postal address is their compliance profile's ``address.text`` when it is
set, else the ``address`` the loans file gave. Who writes (the lender's names, phone,
portal, mailing address) is passed in by the caller from settings; services never read
settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from arrears.domain.contacts import PromiseStatus
from arrears.domain.letters import (
    LANGUAGES,
    RESPONSE_DAYS,
    Arrears,
    ItemizationBasis,
    Letter,
    Letterhead,
    LetterKind,
    LetterParty,
    PlanInstalment,
    Recipient,
    itemize,
    plan_of,
    validation_period_end,
)
from arrears.domain.loan_state import LoanState, Payment, loan_state
from arrears.domain.message_text import Sender, choose_language, default_language
from arrears.domain.money import Money
from arrears.domain.terms import LoanTerms
from arrears.services import compliance
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.message_context import rules_for, wants_debt_collector
from arrears.services.ports import UnitOfWork


def letter_kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in LetterKind)
        raise InvalidInput(f"no letter kind {kind!r}; known: {known}") from None


def letterhead(
    sender: Sender, language: str, return_address: Sequence[str] = (), creditor: str | None = None
) -> Letterhead:
    """The letterhead in ``language``: the lender's name in it, its address and contacts."""
    return Letterhead(
        sender.lender_name_in(language),
        tuple(return_address),
        sender.support_phone,
        sender.portal_url,
        creditor,
    )


def letter_facts(
    uow: UnitOfWork,
    *,
    loan_id: str,
    kind: str,
    language: str | None,
    as_of: date,
    sender: Sender,
    return_addresses: Mapping[str, Sequence[str]] | None = None,
    plan: Sequence[tuple[date, Money]] | None = None,
    itemization_basis: ItemizationBasis = ItemizationBasis.TRANSACTION,
) -> Letter:
    """The facts of a ``kind`` letter about ``loan_id`` dated ``as_of``, in ``language``
    (None: the borrower's, else the loan currency's default).

    ``return_addresses``: the lender's mailing address (lines) per language.
    ``plan`` (a plan confirmation's instalments): when not given, the loan's open promises
    to pay are confirmed. Raises ``NotFound`` for an unknown loan and ``InvalidInput`` for
    an unknown kind or language, or a plan confirmation with nothing to confirm.
    """
    letter_type = letter_kind(kind)
    terms = uow.ledger.loan_terms([loan_id]).get(loan_id)
    party = uow.documents.letter_party(loan_id)
    if terms is None or party is None:
        raise NotFound(f"no loan {loan_id} is stored")
    chosen = language or choose_language(party.language, default_language(terms.currency))
    if chosen not in LANGUAGES:
        raise InvalidInput(f"no letters in {chosen!r}; known: {', '.join(LANGUAGES)}")
    payments = uow.ledger.standing_payments([loan_id]).get(loan_id, [])
    state = _state(uow, terms, payments, as_of)
    days = RESPONSE_DAYS[letter_type]
    letter = Letter(
        kind=letter_type,
        language=chosen,
        letter_date=as_of,
        loan_id=loan_id,
        product=terms.product,
        start_date=terms.start_date,
        principal=Money(terms.principal_minor, terms.currency),
        sender=letterhead(sender, chosen, (return_addresses or {}).get(chosen, ())),
        recipient=_recipient(party),
        arrears=_arrears(terms, state, payments),
        respond_by=as_of + timedelta(days=days) if days else None,
        debt_collector_disclosure=_wants_disclosure(uow, terms.product),
    )
    if letter_type is LetterKind.VALIDATION_NOTICE:
        english = letterhead(sender, "en", (return_addresses or {}).get("en", ()))
        return _with_itemization(uow, letter, terms, payments, itemization_basis, english)
    if letter_type is LetterKind.PLAN_CONFIRMATION:
        return _with_plan(uow, letter, plan)
    return letter


def _state(uow: UnitOfWork, terms: LoanTerms, payments: list[Payment], day: date) -> LoanState:
    rules = uow.ledger.product_rules(terms.product)
    schedule = uow.ledger.installments([terms.loan_id]).get(terms.loan_id)
    arrangements = uow.ledger.arrangement_terms([terms.loan_id]).get(terms.loan_id, ())
    return loan_state(terms, rules, payments, day, schedule, arrangements)


def _recipient(party: LetterParty) -> Recipient:
    """The addressee: the compliance profile's address when it has one — kept there on
    purpose (a correction, or where the borrower asked to be written to) — else the
    loans file's."""
    return Recipient(
        party.borrower_id, party.name, party.address_lines or party.loan_file_address_lines
    )


def _wants_disclosure(uow: UnitOfWork, product: str) -> bool:
    """A pack active for the product asks for the debt-collector statement (us-regf)."""
    return wants_debt_collector(rules_for(compliance.rules_by_product(uow), product))


def balance_minor(terms: LoanTerms, state: LoanState, payments: Sequence[Payment]) -> int:
    """The loan's balance at the end of ``state.as_of`` as the journal's receivables hold it:
    principal + interest fallen due + 罚息 + fees charged − payments made by then."""
    paid = sum(p.amount_minor for p in payments if p.paid_on <= state.as_of)
    return (
        terms.principal_minor
        + state.interest_recognized_minor
        + state.penalty_accrued_minor
        + state.fees_charged_minor
        - paid
    )


def _arrears(terms: LoanTerms, state: LoanState, payments: Sequence[Payment]) -> Arrears:
    def money(minor: int) -> Money:
        return Money(minor, terms.currency)

    return Arrears(
        dpd=state.dpd,
        oldest_due_date=state.oldest_unpaid_due_date,
        overdue_principal=money(state.overdue_principal_minor),
        overdue_interest=money(state.overdue_interest_minor),
        penalty=money(state.penalty_minor),
        fees=money(state.fees_minor),
        balance=money(balance_minor(terms, state, payments)),
    )


def itemization_date(
    basis: ItemizationBasis, terms: LoanTerms, schedule_dates: Sequence[date], as_of: date
) -> date:
    """The reference date of a notice dated ``as_of`` (1006.34(b)(3)): the loan's start
    (transaction date), or the due date of the last instalment fallen due (last statement)."""
    if basis is ItemizationBasis.TRANSACTION:
        return terms.start_date
    fallen = [d for d in schedule_dates if d <= as_of]
    if not fallen:
        raise InvalidInput(
            f"loan {terms.loan_id} has no instalment fallen due by {as_of}: no last statement"
            " to itemize from"
        )
    return max(fallen)


def _with_itemization(
    uow: UnitOfWork,
    letter: Letter,
    terms: LoanTerms,
    payments: list[Payment],
    basis: ItemizationBasis,
    english: Letterhead,
) -> Letter:
    """Reg F 1006.34(c)(2)(vi)–(viii): the amount on the itemization date, then interest
    (罚息 is interest: default interest on the principal), fees, payments and credits
    since, adding up to the current amount (``itemize`` refuses figures that do not)."""
    schedule = uow.ledger.installments([terms.loan_id]).get(terms.loan_id, ())
    on = itemization_date(basis, terms, [i.due_date for i in schedule], letter.letter_date)
    then = _state(uow, terms, payments, on)
    now = _state(uow, terms, payments, letter.letter_date)
    paid_between = sum(p.amount_minor for p in payments if on < p.paid_on <= letter.letter_date)
    item = itemize(
        on,
        balance_minor(terms, then, payments),
        balance_minor(terms, now, payments),
        interest_minor=(now.interest_recognized_minor + now.penalty_accrued_minor)
        - (then.interest_recognized_minor + then.penalty_accrued_minor),
        fees_minor=now.fees_charged_minor - then.fees_charged_minor,
        payments_minor=paid_between,
        credits_minor=0,  # no waivers or write-offs are recorded yet
    )
    return replace(
        letter,
        english_sender=english if letter.language != "en" else None,
        itemization=item,
        itemization_basis=basis,
        validation_end=validation_period_end(letter.letter_date),
    )


def _with_plan(
    uow: UnitOfWork, letter: Letter, plan: Sequence[tuple[date, Money]] | None
) -> Letter:
    if plan is None:
        promises = uow.contacts.promises(letter.loan_id, PromiseStatus.OPEN)
        plan = [(p.due_date, Money(p.amount_minor, p.currency)) for p in promises]
    if not plan:
        raise InvalidInput(
            f"loan {letter.loan_id} has no open promise to pay and no plan was given:"
            " nothing to confirm"
        )
    try:
        instalments: tuple[PlanInstalment, ...] = plan_of(plan)
    except ValueError as error:
        raise InvalidInput(f"the repayment plan is not valid: {error}") from None
    if instalments[0].amount.currency != letter.currency:
        raise InvalidInput(
            f"the plan is in {instalments[0].amount.currency}, the loan in {letter.currency}"
        )
    return replace(letter, plan=instalments)
