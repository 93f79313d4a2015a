"""What the services need from the outside, as protocols; adapters implement them.

The services never import an adapter: the composition root hands them a unit
of work, whose ``ledger`` speaks the methods below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from arrears.domain.arrangement_policy import ArrangementPolicy
from arrears.domain.arrangements import ArrangementOutcome, ArrangementTerms
from arrears.domain.audit import AuditEntry, AuditRecord, ChainHead
from arrears.domain.compliance.facts import Contact, Person
from arrears.domain.compliance.rules import Pack
from arrears.domain.contacts import (
    AttemptRecord,
    BorrowerFlag,
    ContactFacts,
    ContactStatus,
    Promise,
    PromiseStatus,
)
from arrears.domain.daily_status import DueRow, StatusRow
from arrears.domain.findings import Finding
from arrears.domain.journal import Account, JournalEntry
from arrears.domain.letters import LetterParty, NewDocument, StoredDocument
from arrears.domain.loan_state import Payment
from arrears.domain.message_text import MessageContext, MessageFacts, RenderedMessage
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import Installment
from arrears.domain.strategy import Strategy
from arrears.domain.terms import LoanTerms, ProductRules
from arrears.services.account_ports import AccountStore
from arrears.services.audit_search_ports import AuditSearchStore
from arrears.services.casework_ports import CaseworkStore
from arrears.services.desk_ports import DeskStore
from arrears.services.portal_ports import PortalStore
from arrears.services.report_ports import ActivityReportStore, PortfolioReportStore

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
    def arrangement_terms(
        self, loan_ids: Sequence[str]
    ) -> dict[str, tuple[ArrangementTerms, ...]]: ...
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
class StrategyVersion(NamedTuple):
    version: int
    source_text: str
    author: str
    loaded_at: datetime


class StrategyStore(Protocol):
    """Strategy files as loaded, every version kept, and which one is active
    (adapters.store.strategy_sql.SqlStrategies). ``parse`` reads the file format, so the
    services can validate a file and read a stored one without knowing YAML."""

    def parse(self, text: str) -> tuple[Strategy | None, list[Finding]]: ...
    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int: ...
    def latest(self, name: str) -> StrategyVersion | None: ...
    def version(self, name: str, version: int) -> StrategyVersion | None: ...
    def versions(self, name: str) -> list[StrategyVersion]: ...
    def names(self) -> list[str]: ...
    def activate(self, name: str, now: datetime) -> None: ...
    def active_name(self) -> str | None: ...


# -- arrangement policies (stored files, versions, the one active per product) -----------
class ArrangementPolicyVersion(NamedTuple):
    version: int
    source_text: str
    author: str
    loaded_at: datetime


class StoredArrangementPolicy(NamedTuple):
    """One stored version of an arrangement policy, parsed: what a quote is judged by
    (an arrangement records ``name`` and ``version``)."""

    name: str
    version: int
    author: str
    loaded_at: datetime
    policy: ArrangementPolicy
    source_text: str


class ArrangementPolicyStore(Protocol):
    """Arrangement policy files as loaded, every version kept, and the one active per
    product, ``*`` for every product without its own
    (adapters.store.arrangement_policy_sql.SqlArrangementPolicies)."""

    def parse(self, text: str) -> tuple[ArrangementPolicy | None, list[Finding]]: ...
    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int: ...
    def latest(self, name: str) -> ArrangementPolicyVersion | None: ...
    def version(self, name: str, version: int) -> ArrangementPolicyVersion | None: ...
    def versions(self, name: str) -> list[ArrangementPolicyVersion]: ...
    def names(self) -> list[str]: ...
    def activate(self, product: str, name: str, now: datetime) -> None: ...
    def active(self) -> dict[str, str]: ...
    def policy_for(self, product: str) -> StoredArrangementPolicy | None: ...


# -- repayment arrangements (a promise to pay keeps its own table) ------------------------
class ArrangementRecord(NamedTuple):
    """One stored arrangement (table ``arrangement``); money in minor units of ``currency``."""

    arrangement_id: str
    loan_id: str
    borrower_id: str
    number: int  # 1, 2, ... per loan
    kind: str
    status: str  # domain.arrangements.ArrangementStatus
    currency: str
    quoted_on: date
    starts_on: date | None
    ends_on: date | None
    total_minor: int
    waived_minor: int
    fee_minor: int
    paid_minor: int
    terms_json: str  # adapters.store.arrangement_codec.terms_json
    policy: str | None
    policy_version: int | None
    reasons: tuple[str, ...]
    needs_approval_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    arm: str | None
    source: str
    created_by: str | None
    note: str | None
    created_at: datetime | None = None  # set by the store
    bucket: str | None = None  # the loan's bucket and DPD on the quote's day (for reports)
    dpd: int | None = None


class ArrangementInstalmentRow(NamedTuple):
    seq: int  # as the replay numbers it (domain.arrangement_quotes.Quote.instalment_seqs)
    due_date: date
    amount_minor: int
    status: str = "open"  # open | kept | broken
    paid_minor: int = 0


class ArrangementStore(Protocol):
    """Stored arrangements and their instalments (adapters.store.arrangements_sql)."""

    def encode_terms(self, terms: ArrangementTerms, asked: Mapping[str, object]) -> str: ...
    def next_number(self, loan_id: str) -> int: ...
    def insert(
        self,
        record: ArrangementRecord,
        instalments: Sequence[ArrangementInstalmentRow],
        now: datetime,
    ) -> None: ...
    def get(self, arrangement_id: str) -> ArrangementRecord | None: ...
    def instalments(self, arrangement_id: str) -> list[ArrangementInstalmentRow]: ...
    def in_force(self, loan_id: str) -> list[ArrangementRecord]: ...
    def count_made_since(self, borrower_id: str, since: date) -> int: ...
    def set_status(
        self,
        arrangement_id: str,
        status: str,
        *,
        was: str,
        starts_on: date | None = None,
        ends_on: date | None = None,
        decided_by: str | None = None,
        decided_at: datetime | None = None,
    ) -> bool: ...
    def record_outcomes(self, outcomes: Sequence[ArrangementOutcome]) -> int: ...
    def mark_for_rebuild(self, loan_id: str, day: date) -> None: ...
    # last: the name shadows the builtin ``list`` in the class body
    def list(
        self,
        loan_id: str | None = None,
        status: str | None = None,
        borrower_id: str | None = None,
    ) -> list[ArrangementRecord]: ...


# -- contacts, borrower flags, promises to pay ------------------------------------------
class ContactStore(Protocol):
    """Attempts, flags and promises (adapters.store.contacts_sql.SqlContacts).

    The daily cycle calls the set-based three inside its transaction:
    ``summarize_contacts`` (then joins table ``contact_summary`` on borrower_id, or
    reads ``contact_facts``), ``settle_promises`` and ``promise_facts``.
    """

    def has_borrower(self, borrower_id: str) -> bool: ...
    def loan_parties(self, loan_id: str, *, lock: bool = False) -> tuple[str, str] | None: ...
    def loans_parties(
        self, loan_ids: Sequence[str], *, lock: bool = False
    ) -> dict[str, tuple[str, str]]: ...
    def insert_attempt(self, record: AttemptRecord, now: datetime) -> int: ...
    def insert_attempts(self, records: Sequence[AttemptRecord], now: datetime) -> int: ...
    def attempts(self, borrower_id: str, loan_id: str | None = None) -> list[AttemptRecord]: ...
    def summarize_contacts(self, lost_after: int) -> int: ...
    def contact_summary(self, borrower_id: str) -> ContactStatus | None: ...
    def contact_facts(self, borrower_ids: Sequence[str]) -> dict[str, ContactFacts]: ...
    def set_flag(self, borrower_id: str, flag: str, now: datetime, note: str | None) -> bool: ...
    def clear_flag(self, borrower_id: str, flag: str) -> bool: ...
    def flags(self, borrower_id: str) -> list[BorrowerFlag]: ...
    def insert_promise(self, promise: Promise, now: datetime) -> None: ...
    def insert_promises(self, promises: Sequence[Promise], now: datetime) -> None: ...
    def promise(self, promise_id: str) -> Promise | None: ...
    def promises_of(
        self, promise_ids: Sequence[str], loan_ids: Sequence[str]
    ) -> tuple[dict[str, Promise], dict[str, list[Promise]]]: ...
    def promises(
        self, loan_id: str | None = None, status: PromiseStatus | None = None
    ) -> list[Promise]: ...
    def cancel_promise(self, promise_id: str, day: date) -> bool: ...
    def settle_promises(self, day: date, tolerances: Mapping[str, int]) -> tuple[int, int]: ...
    def promise_facts(self, day: date) -> list[tuple[str, str, date]]: ...


# -- the daily cycle's set-based work ---------------------------------------------------
class CycleStore(Protocol):
    def last_day(self) -> date | None: ...
    def day_summary(self, day: date) -> dict[str, object] | None: ...
    def record_day(
        self, day: date, started_at: datetime, finished_at: datetime, summary: Mapping[str, object]
    ) -> None: ...
    def open_day(self) -> None: ...
    def close_day(self) -> None: ...
    def choose_rebuilds(
        self, day: int, as_of: date, prepay_products: Sequence[str]
    ) -> tuple[list[str], set[str]]: ...
    def status_buckets(self, loan_ids: Sequence[str]) -> dict[str, str]: ...
    def write_rebuilt(
        self,
        statuses: Sequence[StatusRow],
        dues: Sequence[DueRow],
        rolls: Sequence[tuple[str, date, str | None, str, int]],
        next_dirty: Mapping[str, int],
        day: int,
    ) -> None: ...
    def products_in_play(self, day: int) -> list[str]: ...
    def load_rules(self, rules: Mapping[str, ProductRules]) -> None: ...
    def apply_payments(self, day: int, as_of: date) -> int: ...
    def charge_late_fees(self, day: int) -> int: ...
    def fall_due(self, day: int) -> int: ...
    def accrue_penalty(self, day: int) -> int: ...
    def refresh_status(self, day: int, as_of: date) -> int: ...
    def post_accruals(self, as_of: date, now: datetime) -> int: ...
    def arrangement_facts(self, day: date) -> dict[str, tuple[str, str, date | None]]: ...
    def late_loans(self, min_dpd: int, max_dpd: int) -> list[tuple[str, int, str]]: ...
    def bucket_counts(self) -> dict[str, int]: ...
    def transitions(self, as_of: date) -> dict[str, int]: ...
    def stored_status(
        self, loan_ids: Sequence[str]
    ) -> tuple[dict[str, StatusRow], dict[str, list[DueRow]]]: ...
    def strategy_candidates(
        self, due_days: Sequence[int], promised: Sequence[str]
    ) -> list[Any]: ...
    def buckets_at(self, day: date, product: str | None = None) -> dict[str, str]: ...


# -- planned actions and the gate's decisions -------------------------------------------
class ActionStore(Protocol):
    def store(self, rows: Sequence[Any], now: datetime) -> None: ...
    def counts(self, day: date) -> dict[str, dict[str, int]]: ...
    def totals(self, first: date, last: date) -> dict[str, int]: ...
    def by_rule(
        self, first: date, last: date, product: str | None = None
    ) -> list[tuple[date, str, str, str, str | None, int]]: ...
    def by_permit(self, permit_id: str) -> dict[str, Any] | None: ...
    def by_permits(self, permit_ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...
    def listing(
        self, day: date, channel: str | None, limit: int | None
    ) -> list[dict[str, Any]]: ...


# -- the audit log (a hash chain, domain.audit) ----------------------------------------
class AuditLog(Protocol):
    """The append-only audit log (adapters.store.audit_sql.SqlAudit).

    ``append`` links a batch after the head and writes it in the caller's transaction,
    holding off other appends until that transaction ends. A reader that needs the head
    and the entries to agree (``verify``) calls ``snapshot`` first in its unit of work.
    """

    def append(self, records: Sequence[AuditRecord]) -> list[int]: ...
    def snapshot(self) -> None: ...
    def head(self) -> ChainHead | None: ...
    def entries(self, after_seq: int | None = None) -> Iterator[AuditEntry]: ...
    def entries_recorded(self, start: datetime, end: datetime) -> Iterator[AuditEntry]: ...


# -- compliance: policy packs and what the gate reads of each borrower ----------------
class PolicyStore(Protocol):
    def parse(self, text: str) -> tuple[Pack | None, list[Finding]]: ...
    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int: ...
    def latest_texts(self) -> dict[str, tuple[int, str]]: ...
    def active(self) -> dict[str, list[str]]: ...
    def activate(self, pack: str, product: str, now: datetime) -> bool: ...
    def deactivate(self, pack: str, product: str) -> bool: ...


class ComplianceFactsStore(Protocol):
    def save_profile(self, borrower_id: str, profile: dict[str, Any], now: datetime) -> None: ...
    def profile(self, borrower_id: str) -> dict[str, Any] | None: ...
    def people(self, borrower_ids: Sequence[str]) -> dict[str, Person]: ...
    def place_numbers(self, numbers: set[str]) -> None: ...
    def history(self, borrower_ids: Sequence[str], since: datetime) -> dict[str, list[Contact]]: ...


# -- the outbox (adapters.store.outbox_sql.SqlOutbox) ------------------------------------
class OutboxStore(Protocol):
    def claim(
        self, channel: str, now: datetime, limit: int, lease_until: datetime
    ) -> list[dict[str, Any]]: ...
    def people(self, message_ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...
    def save_rendered(self, rows: Sequence[dict[str, Any]]) -> None: ...
    def update(self, changes: Sequence[dict[str, Any]]) -> None: ...
    def record_sent(self, message_ids: Sequence[str], now: datetime) -> None: ...
    def apply_receipts(
        self, provider: str | None, receipts: Sequence[Any]
    ) -> list[dict[str, Any]]: ...
    def record_receipts(self, changed: Sequence[dict[str, Any]], now: datetime) -> None: ...
    def expire(self, cutoff: datetime, now: datetime) -> int: ...
    def listing(
        self,
        status: str | None = None,
        loan_id: str | None = None,
        channel: str | None = None,
        limit: int | None = 50,
        message_id: str | None = None,
    ) -> list[dict[str, Any]]: ...
    def statistics(self, first: date | None, last: date | None) -> list[tuple[Any, ...]]: ...
    def status_counts(self) -> dict[str, int]: ...
    def borrowers_by_phone(self, numbers: Sequence[str]) -> dict[str, str]: ...
    def profiles_with_opt_outs(self) -> list[dict[str, Any]]: ...
    def work_counts(self) -> dict[tuple[str, str], int]: ...


# -- message texts: what templates are rendered with, and the renderer ---------------------
class MessageContextStore(Protocol):
    """What messages quote of each loan (adapters.store.message_context_sql)."""

    def message_facts(self, loan_ids: Sequence[str]) -> list[MessageFacts]: ...


class Renderer(Protocol):
    """Renders a message template (adapters.templates.TemplateBook): ``language`` None or
    unknown falls back to the context's; ``optout`` is appended. Raises
    ``message_texts.UnknownTemplate`` for a template that does not exist and
    ``message_texts.RenderFailed`` when one fails on this context."""

    def render(
        self,
        channel: str,
        name: str,
        language: str | None,
        context: MessageContext,
        optout: str | None = None,
    ) -> RenderedMessage: ...


# -- letters as stored (adapters.store.documents_sql.SqlDocuments) ------------------------
class DocumentStore(Protocol):
    def letter_party(self, loan_id: str) -> LetterParty | None: ...
    def insert(self, document: NewDocument) -> int: ...
    def by_message(self, message_id: str) -> StoredDocument | None: ...
    def listing(
        self,
        *,
        unmailed: bool = False,
        loan_id: str | None = None,
        document_ids: Sequence[int] | None = None,
    ) -> list[StoredDocument]: ...
    def content(self, document_id: int) -> bytes | None: ...
    def mark_mailed(self, document_ids: Sequence[int], now: datetime) -> int: ...


# -- the manager's reports (adapters.store.report_sql.SqlReports) ---------------------------
class ArrangementCountRow(NamedTuple):
    """Arrangements of a kind quoted in a bucket (None: not recorded), by status;
    ``cancelled`` took effect first, ``withdrawn`` were cancelled while pending."""

    kind: str
    bucket: str | None
    active: int
    kept: int
    broken: int
    cancelled: int
    pending: int
    withdrawn: int
    rejected: int


class ArrangementMoneyRow(NamedTuple):
    """The arrangements of a kind and currency that took effect; minor units."""

    kind: str
    currency: str
    made: int
    to_pay_minor: int  # sum of total_minor
    recovered_minor: int  # sum of paid_minor
    waived_minor: int  # net on account ``waived`` of their journal entries
    fees_minor: int  # net fee income of their journal entries


class ArrangementCureRow(NamedTuple):
    """How many ended arrangements of a kind, on loans of a product, found the loan in
    ``bucket_after`` some days after they ended."""

    kind: str
    product: str
    bucket_after: str
    count: int


class ReportStore(Protocol):
    """The manager's reports, set-based (adapters.store.report_sql.SqlReports); dates
    ``first``/``last`` bound the day an arrangement was quoted (None: open)."""

    def arrangement_counts(
        self, first: date | None, last: date | None, product: str | None = None
    ) -> list[ArrangementCountRow]: ...
    def arrangement_money(
        self, first: date | None, last: date | None, product: str | None = None
    ) -> list[ArrangementMoneyRow]: ...
    def arrangement_cures(
        self, first: date | None, last: date | None, ended_by: date, after_days: int,
        product: str | None = None,
    ) -> list[ArrangementCureRow]: ...  # fmt: skip


class WorkStore(Protocol):
    """The work queues of calls, visits and referrals (adapters.store.work_sql)."""

    def open_items(self, queue: str, day: date, limit: int) -> list[dict[str, Any]]: ...
    def close_items(self, closed: Sequence[tuple[int, str]], status: str, at: datetime) -> int: ...


class SimulationStore(Protocol):
    """What the simulator reads of the book each day (adapters.store.simulation_sql)."""

    def accounts(self, day: date) -> list[tuple[Any, ...]]: ...
    def plan_dues(self, day: date) -> dict[str, int]: ...
    def arrangements_in_force(self) -> list[tuple[str, str]]: ...
    def phones(self) -> dict[str, str]: ...
    def received(self, day: date) -> list[tuple[str, str, str | None, int]]: ...
    def arrangement_outcomes(self) -> list[tuple[str, str, str]]: ...


class UnitOfWork(Protocol):
    ledger: Ledger
    strategies: StrategyStore
    arrangement_policies: ArrangementPolicyStore
    arrangements: ArrangementStore
    contacts: ContactStore
    cycle: CycleStore
    actions: ActionStore
    audit: AuditLog
    policies: PolicyStore
    compliance: ComplianceFactsStore
    outbox: OutboxStore
    message_context: MessageContextStore
    documents: DocumentStore
    reports: ReportStore
    portfolio_reports: PortfolioReportStore  # services.report_ports
    activity_reports: ActivityReportStore
    work: WorkStore
    simulation: SimulationStore
    accounts: AccountStore  # services.account_ports
    desk: DeskStore  # services.desk_ports
    casework: CaseworkStore  # services.casework_ports
    audit_search: AuditSearchStore  # services.audit_search_ports
    portal: PortalStore  # services.portal_ports

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
