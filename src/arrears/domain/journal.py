"""The double-entry journal: entries of postings that sum to zero, per loan.

Balances are derived by summing postings; nothing is updated in place. The
journal is kept equal to the as-of derivation by posting *differences*: each
money source of a loan (its disbursement, recognised interest, 罚息, fees, each
payment's allocation, credit applied) has a desired net effect; when what was
posted differs, the old net is reversed by a new entry and the new one posted.

>>> entry = JournalEntry(EntryKind.DISBURSEMENT, "disbursement",
...     {Account.PRINCIPAL_RECEIVABLE: 100, Account.FUNDING: -100})
>>> entry.balanced
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from arrears.domain.allocation import Component
from arrears.domain.loan_state import CREDIT, LoanState


class Account(StrEnum):
    """Per-loan accounts. Debits are positive, credits negative."""

    PRINCIPAL_RECEIVABLE = "principal_receivable"
    INTEREST_RECEIVABLE = "interest_receivable"
    PENALTY_RECEIVABLE = "penalty_receivable"
    FEE_RECEIVABLE = "fee_receivable"
    BORROWER_CREDIT = "borrower_credit"  # money held for the borrower (a liability)
    CASH = "cash"  # money received from the borrower
    FUNDING = "funding"  # money lent out
    INTEREST_INCOME = "interest_income"
    PENALTY_INCOME = "penalty_income"
    FEE_INCOME = "fee_income"
    WAIVED = "waived"
    WRITTEN_OFF = "written_off"


class EntryKind(StrEnum):
    DISBURSEMENT = "disbursement"
    INTEREST = "interest"
    PENALTY = "penalty"
    FEE = "fee"
    PAYMENT = "payment"
    CREDIT_APPLIED = "credit_applied"
    REVERSAL = "reversal"
    WAIVER = "waiver"
    WRITE_OFF = "write_off"
    REAGE = "reage"  # unpaid interest, 罚息 and fees capitalised into principal


RECEIVABLE_OF = {
    Component.PRINCIPAL: Account.PRINCIPAL_RECEIVABLE,
    Component.INTEREST: Account.INTEREST_RECEIVABLE,
    Component.PENALTY: Account.PENALTY_RECEIVABLE,
    Component.FEE: Account.FEE_RECEIVABLE,
}

Effect = dict[Account, int]


class UnbalancedEntryError(ValueError):
    """A journal entry whose postings do not sum to zero."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One money event: its kind, the source it belongs to, and its postings."""

    kind: EntryKind
    source: str
    postings: Mapping[Account, int]

    def __post_init__(self) -> None:
        if not self.postings or not self.balanced:
            raise UnbalancedEntryError(f"{self.kind} {self.source}: postings {dict(self.postings)}")

    @property
    def balanced(self) -> bool:
        return sum(self.postings.values()) == 0


def _pair(debit: Account, credit: Account, amount: int) -> Effect:
    return {debit: amount, credit: -amount} if amount else {}


def disbursement_effect(principal_minor: int) -> Effect:
    return _pair(Account.PRINCIPAL_RECEIVABLE, Account.FUNDING, principal_minor)


def desired_effects(principal_minor: int, state: LoanState) -> dict[str, tuple[EntryKind, Effect]]:
    """What each money source of a loan should have posted, as of ``state.as_of``."""
    effects: dict[str, tuple[EntryKind, Effect]] = {
        "disbursement": (EntryKind.DISBURSEMENT, disbursement_effect(principal_minor)),
        "interest": (
            EntryKind.INTEREST,
            _pair(
                Account.INTEREST_RECEIVABLE,
                Account.INTEREST_INCOME,
                state.interest_recognized_minor,
            ),
        ),
        "penalty": (
            EntryKind.PENALTY,
            _pair(Account.PENALTY_RECEIVABLE, Account.PENALTY_INCOME, state.penalty_accrued_minor),
        ),
        "fee": (
            EntryKind.FEE,
            _pair(Account.FEE_RECEIVABLE, Account.FEE_INCOME, state.fees_charged_minor),
        ),
    }
    for payment_id, parts in state.payment_allocations.items():
        effect: Effect = {Account.CASH: sum(parts.values())}
        for name, amount in parts.items():
            account = Account.BORROWER_CREDIT if name == CREDIT else RECEIVABLE_OF[Component(name)]
            effect[account] = effect.get(account, 0) - amount
        effects[f"payment:{payment_id}"] = (EntryKind.PAYMENT, effect)
    applied = {RECEIVABLE_OF[c]: -v for c, v in state.credit_applied.items() if v}
    if applied:
        applied[Account.BORROWER_CREDIT] = -sum(applied.values())
    effects["credit_applied"] = (EntryKind.CREDIT_APPLIED, applied)
    for source, (kind, postings) in state.arrangement_postings.items():
        effects[source] = (EntryKind(kind), {Account(a): v for a, v in postings.items()})
    return effects


def _clean(effect: Mapping[Account, int]) -> Effect:
    return {a: v for a, v in effect.items() if v}


def differing_sources(
    posted: Mapping[str, Mapping[Account, int]],
    desired: Mapping[str, tuple[EntryKind, Effect]],
) -> list[str]:
    """The sources whose posted net is not their desired net, in order."""
    return [
        source
        for source in sorted(set(posted) | set(desired))
        if _clean(posted.get(source, {}))
        != _clean(desired.get(source, (EntryKind.REVERSAL, {}))[1])
    ]


# Sources that only grow day by day, and the account whose debit is their growth.
DELTA_SOURCES = {
    "interest": Account.INTEREST_RECEIVABLE,
    "penalty": Account.PENALTY_RECEIVABLE,
    "fee": Account.FEE_RECEIVABLE,
    "credit_applied": Account.BORROWER_CREDIT,
}


def _delta_step(
    kind: EntryKind, source: str, old: Mapping[Account, int], new: Mapping[Account, int]
) -> JournalEntry:
    """The entry that moves a growing source from its posted net to its desired net."""
    difference = _clean({a: new.get(a, 0) - old.get(a, 0) for a in set(old) | set(new)})
    grew = difference.get(DELTA_SOURCES[source], 0) > 0
    return JournalEntry(kind if grew else EntryKind.REVERSAL, source, difference)


def journal_delta(
    posted: Mapping[str, Mapping[Account, int]],
    desired: Mapping[str, tuple[EntryKind, Effect]],
) -> list[JournalEntry]:
    """The entries that bring the posted net of every source to its desired net.

    A source whose net changed is reversed in full and posted anew (never
    edited), so the journal reads as a history of what was known when.
    A source no longer desired (a reversed payment) is only reversed.
    Accruals (interest, 罚息, fees) and credit applied grow day by day, so their
    sources post the difference instead: the journal holds one entry per day they
    grow, and a backdated payment that lowers one posts a reversal of the difference.
    """
    entries: list[JournalEntry] = []
    for source in differing_sources(posted, desired):
        old = _clean(posted.get(source, {}))
        kind, new_effect = desired.get(source, (EntryKind.REVERSAL, {}))
        new = _clean(new_effect)
        if source in DELTA_SOURCES:
            entries.append(_delta_step(kind, source, old, new))
            continue
        if old:
            entries.append(
                JournalEntry(EntryKind.REVERSAL, source, {a: -v for a, v in old.items()})
            )
        if new:
            entries.append(JournalEntry(kind, source, new))
    return entries
