"""The English letters (all kinds but the validation notice, which is ``validation``).

Plain, respectful words: what is owed and since when, how to pay through the lender's own
channels, that help exists for a borrower who cannot pay, and, in the later letters, what
may happen next — said as a possibility the law permits, never as a threat, and never
what the lender does not intend (FDCPA 1692e(5); Reg F 1006.18). Words on the packs'
forbidden lists (arrest, court officer, extra fee, personal account, …) never appear.
"""

from __future__ import annotations

from collections.abc import Callable

from arrears.adapters.letters.document import Amounts, Block, Grid, Para
from arrears.adapters.letters.formats import Formats
from arrears.domain.letters import Letter, LetterKind

TITLES = {
    LetterKind.OVERDUE_LETTER: "Your payment is overdue",
    LetterKind.DEMAND_LETTER: "Request for payment of the overdue amount",
    LetterKind.FINAL_DEMAND_LETTER: "Final request for payment",
    LetterKind.LEGAL_DEMAND_LETTER: "Formal demand for payment",
    LetterKind.VALIDATION_NOTICE: "Validation notice",
    LetterKind.PLAN_CONFIRMATION: "Confirmation of your repayment plan",
    LetterKind.CONTACT_REQUEST: "Please contact us about your account",
}

# Reg F 1006.18(e) and Model Form B-1's words; the gate's mini-Miranda check matches them.
DEBT_COLLECTOR = (
    "This communication is from a debt collector. We are trying to collect a debt, and we "
    "will use any information you give us to help collect the debt."
)


def overdue_table(letter: Letter, f: Formats) -> Amounts:
    a = letter.arrears
    rows = [("Overdue principal", f.money(a.overdue_principal), False)]
    rows.append(("Overdue interest", f.money(a.overdue_interest), False))
    if a.penalty:
        rows.append(("Default interest", f.money(a.penalty), False))
    if a.fees:
        rows.append(("Late fees", f.money(a.fees), False))
    rows.append(("Total overdue", f.money(a.total_overdue), True))
    return Amounts(tuple(rows))


def _greeting(letter: Letter) -> Para:
    return Para(f"Dear {letter.recipient.name},")


def _since(letter: Letter, f: Formats) -> str:
    a = letter.arrears
    if a.oldest_due_date is None:
        return f"As of {f.date(letter.letter_date)}, your account has an overdue amount."
    return (
        f"The instalment due on {f.date(a.oldest_due_date)} has not been paid in full, and as"
        f" of {f.date(letter.letter_date)} your account is {a.dpd} days past due."
    )


def _balance(letter: Letter, f: Formats) -> Para:
    return Para(
        "The outstanding balance of your loan, including the amounts not yet due, is"
        f" {f.money(letter.arrears.balance)}."
    )


def _how_to_pay(letter: Letter) -> Para:
    s = letter.sender
    return Para(
        f"You can pay online at {s.portal_url} or by calling us at {s.phone}. Please pay only"
        " through these official channels of ours."
    )


def _help() -> Para:
    return Para(
        "If you are having difficulty paying, please tell us. We will listen, and we can"
        " discuss options such as a repayment plan that fits your circumstances."
    )


def _already_paid(letter: Letter, f: Formats) -> Para:
    return Para(
        f"If you have paid since {f.date(letter.letter_date)}, thank you, and please"
        " disregard this letter."
    )


def closing(letter: Letter) -> list[Block]:
    blocks: list[Block] = [Para("Yours sincerely,"), Para(letter.sender.name)]
    if letter.debt_collector_disclosure:
        blocks.append(Para(DEBT_COLLECTOR, small=True))
    return blocks


def _respond_by(letter: Letter, f: Formats) -> str:
    assert letter.respond_by is not None
    return f.date(letter.respond_by)


def overdue_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"We are writing about your loan, account number {letter.loan_id}. "
             + _since(letter, f) + " The overdue amount is:"),
        overdue_table(letter, f),
        Para(f"Please pay {total} by {_respond_by(letter, f)}, or contact us before then if"
             " you cannot."),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"Despite our earlier reminders, your loan account {letter.loan_id} is still"
             " overdue. " + _since(letter, f) + " The overdue amount is:"),
        overdue_table(letter, f),
        _balance(letter, f),
        Para(f"We ask you to pay the overdue amount of {total} by {_respond_by(letter, f)}."
             " If you cannot pay it all at once, please contact us by that date to agree on a"
             " plan."),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def final_demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"We have written to you and tried to reach you about your loan account"
             f" {letter.loan_id}, and we would still like to resolve this with you. "
             + _since(letter, f) + " The overdue amount is:"),
        overdue_table(letter, f),
        _balance(letter, f),
        Para(f"Please pay {total}, or contact us to agree on a repayment plan, by"
             f" {_respond_by(letter, f)}. If we do not hear from you by then, we may review"
             " your account for further steps that the law permits, which can include legal"
             " action. No such decision has been made, and we would much prefer to agree on a"
             " way forward with you."),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def legal_demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"Under your loan agreement for account {letter.loan_id}, made on"
             f" {f.date(letter.start_date)}, you agreed to repay a loan of"
             f" {f.money(letter.principal)} with interest in instalments. "
             + _since(letter, f) + " The overdue amount is:"),
        overdue_table(letter, f),
        _balance(letter, f),
        Para(f"We formally demand payment of the overdue amount of {total} by"
             f" {_respond_by(letter, f)}. If the account is not brought up to date, or a"
             " repayment plan agreed with us, by then, we may enforce our rights under the"
             " loan agreement through lawful channels, which can include legal proceedings."
             " Any such step would be taken only as the law allows."),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def plan_confirmation(letter: Letter, f: Formats) -> list[Block]:
    rows = tuple(
        (str(n), f.date(p.due_date), f.money(p.amount)) for n, p in enumerate(letter.plan, 1)
    )
    a = letter.arrears
    return [
        _greeting(letter),
        Para(f"Thank you for arranging a repayment plan for your loan account"
             f" {letter.loan_id}. This letter confirms the payments you agreed to make:"),
        Grid(("No.", "Due date", "Amount"), (*rows, ("Total", "", f.money(letter.plan_total)))),
        Para(f"As of {f.date(letter.letter_date)}, the overdue amount on your account is"
             f" {f.money(a.total_overdue)} and the outstanding balance of the loan is"
             f" {f.money(a.balance)}."),
        Para("Please make each payment by its due date. If you cannot make a payment on time,"
             " contact us before its due date, and we will look for a solution together."),
        _how_to_pay(letter), *closing(letter),
    ]  # fmt: skip


def contact_request(letter: Letter, f: Formats) -> list[Block]:
    s = letter.sender
    return [
        _greeting(letter),
        Para(f"We have been trying to reach you about your loan account {letter.loan_id}"
             f" with {s.current_creditor}, and have not been able to. Please call us at"
             f" {s.phone} or visit {s.portal_url} by {_respond_by(letter, f)}, or as soon"
             " as you can."),
        Para("If your phone number, e-mail address or postal address has changed, please let"
             " us know, so that we can keep you informed about your account."),
        _help(), *closing(letter),
    ]  # fmt: skip


BODIES: dict[LetterKind, Callable[[Letter, Formats], list[Block]]] = {
    LetterKind.OVERDUE_LETTER: overdue_letter,
    LetterKind.DEMAND_LETTER: demand_letter,
    LetterKind.FINAL_DEMAND_LETTER: final_demand_letter,
    LetterKind.LEGAL_DEMAND_LETTER: legal_demand_letter,
    LetterKind.PLAN_CONFIRMATION: plan_confirmation,
    LetterKind.CONTACT_REQUEST: contact_request,
}
