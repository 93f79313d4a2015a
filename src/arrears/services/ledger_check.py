"""``arrears ledger check``: every entry balances, every cached balance equals its derivation,
and every loan's journal equals what its payments and schedule say as of its journal date."""

from __future__ import annotations

from collections.abc import Callable

from arrears.domain.findings import Finding, FindingCode
from arrears.domain.journal import differing_sources
from arrears.services.journal_sync import journal_views
from arrears.services.ports import Ledger, UnitOfWork


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


def _derivation_findings(ledger: Ledger, loan_ids: list[str]) -> list[Finding]:
    return [
        Finding(
            FindingCode.BALANCE_MISMATCH,
            f"journal source {source} differs from its derivation as of {view.as_of}",
            subject=f"loan {view.loan.loan_id}",
        )
        for view in journal_views(ledger, loan_ids)
        for source in differing_sources(view.posted, view.desired)
    ]
