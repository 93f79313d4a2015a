"""``arrears ledger check``: every entry balances, every cached balance equals its derivation,
and every loan's journal equals what its payments and schedule say as of its journal date."""

from __future__ import annotations

from collections.abc import Callable

from arrears.domain.findings import Finding, FindingCode
from arrears.domain.journal import desired_effects, differing_sources
from arrears.domain.loan_state import loan_state
from arrears.services.ports import UnitOfWork


def check_ledger(
    uow_factory: Callable[[], UnitOfWork], progress: Callable[[int], None] | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    with uow_factory() as uow:
        ledger = uow.ledger
        for loan_id, seq, total in ledger.unbalanced_entries():
            findings.append(Finding(
                FindingCode.UNBALANCED_ENTRY,
                f"journal entry {seq} sums to {total}, not 0" if total else f"journal entry {seq} has no postings",
                subject=f"loan {loan_id}",
            ))  # fmt: skip
        for loan_id, account, cached, derived in ledger.balance_mismatches():
            findings.append(Finding(
                FindingCode.BALANCE_MISMATCH,
                f"cached {account} balance {cached} differs from the journal's {derived}",
                subject=f"loan {loan_id}",
            ))  # fmt: skip
        for ids in ledger.loan_ids():
            findings.extend(_derivation_findings(ledger, ids))
            if progress:
                progress(len(ids))
    return findings


def _derivation_findings(ledger, loan_ids: list[str]) -> list[Finding]:  # type: ignore[no-untyped-def]
    heads = ledger.journal_heads(loan_ids)
    terms = ledger.loan_terms(loan_ids)
    schedules = ledger.installments(loan_ids)
    payments = ledger.standing_payments(loan_ids)
    posted = ledger.posted_effects(loan_ids)
    found = []
    for loan_id in loan_ids:
        loan = terms[loan_id]
        as_of = heads[loan_id][1] or loan.start_date
        rules = ledger.product_rules(loan.product)
        state = loan_state(
            loan, rules, payments.get(loan_id, []), as_of, schedules.get(loan_id, ())
        )
        desired = desired_effects(loan.principal_minor, state)
        for source in differing_sources(posted.get(loan_id, {}), desired):
            found.append(Finding(
                FindingCode.BALANCE_MISMATCH,
                f"journal source {source} differs from its derivation as of {as_of}",
                subject=f"loan {loan_id}",
            ))  # fmt: skip
    return found
