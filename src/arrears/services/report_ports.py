"""What the portfolio and activity reports need from the store: their rows and protocols.

The store groups in SQL (adapters.store.report_portfolio_sql, report_cohort_sql and
report_activity_sql); every row here is a line or a part of a line of a report, never
a loan. Dates ``first``/``last`` bound a period, both days included. The unit of work
reaches them as ``uow.portfolio_reports`` and ``uow.activity_reports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple, Protocol


# -- the portfolio: aging, bucket mix, cure, recovery, vintage ----------------------------
class AgingRow(NamedTuple):
    """Open loans (owing anything) of a currency in a bucket on the last cycle day."""

    currency: str
    bucket: str
    loans: int
    overdue_minor: int  # overdue principal + interest + 罚息 + fees
    outstanding_principal_minor: int


class BucketDayRow(NamedTuple):
    """Loans in ``bucket`` at the end of ``day``, from the roll history."""

    day: date
    bucket: str
    loans: int


class CureRow(NamedTuple):
    """Loans of a product, currency and arm by the deepest bucket they were in during the
    period and the bucket they ended it in."""

    product: str
    currency: str
    arm: str
    worst_bucket: str
    end_bucket: str
    loans: int


class CohortRow(NamedTuple):
    """Loans that entered a bucket in a month: how many, what they owed on entry."""

    currency: str
    bucket: str
    month: date  # its first day
    loans: int
    owed_at_entry_minor: int


class CohortPaidRow(NamedTuple):
    """What a cohort paid in the ``days`` after its members' entry."""

    currency: str
    bucket: str
    month: date
    days: int
    paid_minor: int


class VintageRow(NamedTuple):
    """Loans of an origination month that had been on the book ``months`` months by the
    last cycle day, and how many of them had been more than 30, 60 and 90 days past due by
    then."""

    month: date
    months: int
    loans: int
    over_30: int
    over_60: int
    over_90: int


class PortfolioReportStore(Protocol):
    """``product``: the loans of that product only; None: the whole book."""

    def cycle_days(self) -> tuple[date, date] | None: ...
    def products(self) -> list[str]: ...
    def aging(self, product: str | None = None) -> list[AgingRow]: ...
    def bucket_days(
        self, days: Sequence[date], product: str | None = None
    ) -> list[BucketDayRow]: ...
    def cures(
        self, first: date, last: date, challenger_slots: int, product: str | None = None
    ) -> list[CureRow]: ...
    def cohorts(self, first: date, last: date, product: str | None = None) -> list[CohortRow]: ...
    def cohort_paid(
        self, first: date, last: date, horizons: Sequence[int], product: str | None = None
    ) -> list[CohortPaidRow]: ...
    def vintages(
        self, last_day: date, thresholds: Sequence[int], product: str | None = None
    ) -> list[VintageRow]: ...


# -- activity: arms, agents, contact intensity --------------------------------------------
class ArmLoansRow(NamedTuple):
    """Loans of an arm and currency on the last cycle day; money in minor units."""

    arm: str
    currency: str
    loans: int
    delinquent: int
    overdue_minor: int


class ArmMoneyRow(NamedTuple):
    """Payments (not reversed) in the period on loans of an arm, per currency."""

    arm: str
    currency: str
    recovered_minor: int


class ArmCountRow(NamedTuple):
    """Something counted per arm as recorded on it and currency of the loan: contacts by
    channel, promises made and kept."""

    arm: str
    currency: str
    kind: str  # a channel, or "promises" / "kept"
    number: int


class AgentRow(NamedTuple):
    agent: str
    attempts: int
    reached: int
    promises: int
    kept: int


class AgentMoneyRow(NamedTuple):
    agent: str
    currency: str
    collected_minor: int


class IntensityRow(NamedTuple):
    """Per week and bucket: loan-days in the bucket and the contacts made on those days."""

    week: date  # its first day
    bucket: str
    loan_days: int
    contacts: int


class ActivityReportStore(Protocol):
    """``product``: the loans of that product only; None: the whole book."""

    def arm_loans(self, challenger_slots: int, product: str | None = None) -> list[ArmLoansRow]: ...
    def arm_money(
        self, first: date, last: date, challenger_slots: int, product: str | None = None
    ) -> list[ArmMoneyRow]: ...
    def arm_counts(
        self, first: date, last: date, product: str | None = None
    ) -> list[ArmCountRow]: ...
    def arm_promises(
        self, first: date, last: date, product: str | None = None
    ) -> list[ArmCountRow]: ...
    def agents(self, first: date, last: date, product: str | None = None) -> list[AgentRow]: ...
    def agent_money(
        self, first: date, last: date, after_days: int, product: str | None = None
    ) -> list[AgentMoneyRow]: ...
    def intensity(
        self, first: date, last: date, product: str | None = None
    ) -> list[IntensityRow]: ...
