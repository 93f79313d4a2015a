"""What the services need from the outside, as protocols; adapters implement them.

The services never import an adapter: the composition root hands them a unit
of work, whose ``ledger`` speaks the methods below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from arrears.domain.findings import Finding
from arrears.domain.journal import Account, JournalEntry
from arrears.domain.loan_state import Payment
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import Installment
from arrears.domain.terms import LoanTerms, ProductRules

R_co = TypeVar("R_co", covariant=True)


class ParsedRowLike(Protocol, Generic[R_co]):
    """A row of an input file after parsing: where it was, what it said, what it became."""

    @property
    def line(self) -> int: ...
    @property
    def raw(self) -> dict[str, str]: ...
    @property
    def record(self) -> R_co | None: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...


class Ledger(Protocol):
    def product_rules(self, name: str) -> ProductRules: ...
    def product_calendar(self, name: str) -> str | None: ...
    def save_product(self, name: str, model: Any, now: datetime) -> int: ...
    def product_models(self) -> dict[str, tuple[int, dict[str, object]]]: ...
    def loan_fingerprints(self, loan_ids: Sequence[str]) -> dict[str, tuple[object, ...]]: ...
    def insert_loans(
        self,
        records: Sequence[LoanRecord],
        schedules: Sequence[Sequence[Installment]],
        calendars: Sequence[str | None],
        now: datetime,
    ) -> None: ...
    def loan_terms(self, loan_ids: Sequence[str]) -> dict[str, LoanTerms]: ...
    def loan_ids(self, chunk_size: int = 2000) -> Iterator[list[str]]: ...
    def count_loans(self) -> int: ...
    def installments(self, loan_ids: Sequence[str]) -> dict[str, tuple[Installment, ...]]: ...
    def loan_facts(self, loan_ids: Sequence[str]) -> dict[str, tuple[str, date]]: ...
    def payment_fingerprints(
        self, payment_ids: Sequence[str]
    ) -> dict[str, tuple[str, date, int]]: ...
    def insert_payments(
        self, rows: Sequence[tuple[str, str, date, int, str, str | None]], now: datetime
    ) -> None: ...
    def payment_row(self, payment_id: str) -> Any: ...
    def insert_reversal(
        self, payment_id: str, reversed_on: date, reason: str, now: datetime
    ) -> None: ...
    def standing_payments(self, loan_ids: Sequence[str]) -> dict[str, list[Payment]]: ...
    def journal_heads(self, loan_ids: Sequence[str]) -> dict[str, tuple[int, date | None]]: ...
    def posted_effects(
        self, loan_ids: Sequence[str]
    ) -> dict[str, dict[str, dict[Account, int]]]: ...
    def append_entries(
        self, batch: Iterable[tuple[str, str, date, Sequence[JournalEntry], int]], now: datetime
    ) -> None: ...
    def unbalanced_entries(self) -> list[tuple[str, int, int]]: ...
    def balance_mismatches(self) -> list[tuple[str, str, int, int]]: ...
    def balances(self, loan_id: str) -> dict[str, int]: ...


# -- strategies (stored files, versions, the active one) ------------------------------
class StrategyStore(Protocol):
    pass


# -- contacts, borrower flags, promises to pay ------------------------------------------
class ContactStore(Protocol):
    pass


# -- the daily cycle's set-based work ---------------------------------------------------
class CycleStore(Protocol):
    pass


class UnitOfWork(Protocol):
    ledger: Ledger
    strategies: StrategyStore
    contacts: ContactStore
    cycle: CycleStore

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
