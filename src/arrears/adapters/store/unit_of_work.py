"""The unit of work: one transaction, committed once at the end, rolled back by default."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, Transaction

from arrears.adapters.store.accounts_sql import SqlAccounts
from arrears.adapters.store.actions_sql import SqlActions
from arrears.adapters.store.arrangement_policy_sql import SqlArrangementPolicies
from arrears.adapters.store.arrangements_sql import SqlArrangements
from arrears.adapters.store.audit_search_sql import SqlAuditSearch
from arrears.adapters.store.audit_sql import SqlAudit
from arrears.adapters.store.casework_sql import SqlCasework
from arrears.adapters.store.compliance_sql import SqlComplianceFacts
from arrears.adapters.store.contacts_sql import SqlContacts
from arrears.adapters.store.cycle_sql import SqlCycle
from arrears.adapters.store.desk_sql import SqlDesk
from arrears.adapters.store.documents_sql import SqlDocuments
from arrears.adapters.store.ledger_sql import SqlLedger
from arrears.adapters.store.message_context_sql import SqlMessageContexts
from arrears.adapters.store.outbox_sql import SqlOutbox
from arrears.adapters.store.policy_sql import SqlPolicies
from arrears.adapters.store.portal_sql import SqlPortal
from arrears.adapters.store.report_activity_sql import SqlActivityReports
from arrears.adapters.store.report_portfolio_sql import SqlPortfolioReports
from arrears.adapters.store.report_sql import SqlReports
from arrears.adapters.store.simulation_sql import SqlSimulation
from arrears.adapters.store.strategy_sql import SqlStrategies
from arrears.adapters.store.work_sql import SqlWork


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back."""

    ledger: SqlLedger
    strategies: SqlStrategies
    arrangement_policies: SqlArrangementPolicies
    arrangements: SqlArrangements
    contacts: SqlContacts
    cycle: SqlCycle
    actions: SqlActions
    audit: SqlAudit
    policies: SqlPolicies
    compliance: SqlComplianceFacts
    documents: SqlDocuments
    message_context: SqlMessageContexts
    outbox: SqlOutbox
    reports: SqlReports
    portfolio_reports: SqlPortfolioReports
    activity_reports: SqlActivityReports
    work: SqlWork
    simulation: SqlSimulation
    accounts: SqlAccounts
    desk: SqlDesk
    casework: SqlCasework
    audit_search: SqlAuditSearch
    portal: SqlPortal

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection: Connection | None = None
        self._transaction: Transaction | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._connection = self.engine.connect()
        self._transaction = self._connection.begin()
        self.ledger = SqlLedger(self._connection)
        self.strategies = SqlStrategies(self._connection)
        self.arrangement_policies = SqlArrangementPolicies(self._connection)
        self.arrangements = SqlArrangements(self._connection)
        self.contacts = SqlContacts(self._connection)
        self.cycle = SqlCycle(self._connection)
        self.actions = SqlActions(self._connection)
        self.audit = SqlAudit(self._connection)
        self.policies = SqlPolicies(self._connection)
        self.compliance = SqlComplianceFacts(self._connection)
        self.documents = SqlDocuments(self._connection)
        self.message_context = SqlMessageContexts(self._connection)
        self.outbox = SqlOutbox(self._connection)
        self.reports = SqlReports(self._connection)
        self.portfolio_reports = SqlPortfolioReports(self._connection)
        self.activity_reports = SqlActivityReports(self._connection)
        self.work = SqlWork(self._connection)
        self.simulation = SqlSimulation(self._connection)
        self.accounts = SqlAccounts(self._connection)
        self.desk = SqlDesk(self._connection)
        self.casework = SqlCasework(self._connection)
        self.audit_search = SqlAuditSearch(self._connection)
        self.portal = SqlPortal(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None and self._transaction is not None
        if self._transaction.is_active:
            self._transaction.rollback()
        self._connection.close()

    def commit(self) -> None:
        assert self._transaction is not None
        self._transaction.commit()

    def rollback(self) -> None:
        assert self._transaction is not None
        if self._transaction.is_active:
            self._transaction.rollback()
