"""The unit of work: one transaction, committed once at the end, rolled back by default."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar, overload

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

R = TypeVar("R")


class _Repository(Generic[R]):
    """A unit of work's repository, made on first use over its connection: a request that
    reads two tables does not build the other twenty repositories."""

    def __init__(self, make: Callable[[Connection], R]) -> None:
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        _REPOSITORIES.append(name)

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> R | _Repository[R]:
        if uow is None:
            return self
        if uow._connection is None:
            raise RuntimeError("a unit of work's repositories exist inside its `with` only")
        repository = self.make(uow._connection)
        uow.__dict__[self.name] = repository  # later reads find it without this descriptor
        return repository


_REPOSITORIES: list[str] = []


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back."""

    ledger = _Repository(SqlLedger)
    strategies = _Repository(SqlStrategies)
    arrangement_policies = _Repository(SqlArrangementPolicies)
    arrangements = _Repository(SqlArrangements)
    contacts = _Repository(SqlContacts)
    cycle = _Repository(SqlCycle)
    actions = _Repository(SqlActions)
    audit = _Repository(SqlAudit)
    policies = _Repository(SqlPolicies)
    compliance = _Repository(SqlComplianceFacts)
    documents = _Repository(SqlDocuments)
    message_context = _Repository(SqlMessageContexts)
    outbox = _Repository(SqlOutbox)
    reports = _Repository(SqlReports)
    portfolio_reports = _Repository(SqlPortfolioReports)
    activity_reports = _Repository(SqlActivityReports)
    work = _Repository(SqlWork)
    simulation = _Repository(SqlSimulation)
    accounts = _Repository(SqlAccounts)
    desk = _Repository(SqlDesk)
    casework = _Repository(SqlCasework)
    audit_search = _Repository(SqlAuditSearch)
    portal = _Repository(SqlPortal)

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection: Connection | None = None
        self._transaction: Transaction | None = None

    def __enter__(self) -> SqlUnitOfWork:
        for name in _REPOSITORIES:  # a repository belongs to one transaction's connection
            self.__dict__.pop(name, None)
        self._connection = self.engine.connect()
        self._transaction = self._connection.begin()
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
