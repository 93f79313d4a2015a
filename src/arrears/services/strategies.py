"""Loading, reading and activating collection strategies.

A strategy file is stored whole as a new version when its text changed (as an
arrangement policy is: ``services.versioned_files``); the portfolio's active
strategy is a name, and the daily cycle uses that name's latest version (so
loading a new version of the active strategy takes effect at the next cycle). A
strategy may name a challenger, which must already be stored; its latest version
runs on the challenger's share of loans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from arrears.domain.strategy import Arm, Strategy, arm_for, arm_slot
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import StrategyVersion, UnitOfWork
from arrears.services.versioned_files import (
    FileSummary,
    InvalidFile,
    VersionedFiles,
    check_author,
)
from arrears.services.versioned_files import checksum as checksum  # as it was: public here

# The strategies shipped in the package (src/arrears/strategies), loaded by `arrears init`.
DEFAULT_STRATEGY_FILES = ("cn-consumer.yaml", "us-consumer.yaml")


class InvalidStrategy(InvalidFile):
    """A strategy text with problems; ``findings`` holds every one of them."""

    noun = "strategy"


FILES: VersionedFiles[Strategy, StrategyVersion] = VersionedFiles(
    lambda uow: uow.strategies, InvalidStrategy, "strategies", DEFAULT_STRATEGY_FILES
)


@dataclass(frozen=True, slots=True)
class StoredStrategy:
    """One stored version of a strategy, parsed."""

    name: str
    version: int
    author: str
    loaded_at: datetime
    strategy: Strategy
    source_text: str
    active: bool


@dataclass(frozen=True, slots=True)
class ActiveStrategies:
    """What the cycle runs: the champion and, on a share of loans, its challenger."""

    champion: StoredStrategy
    challenger: StoredStrategy | None
    share_percent: Decimal  # the challenger's share of loans; 0 without one

    def arm_of(self, loan_id: str) -> Arm:
        if self.challenger is None:
            return Arm.CHAMPION
        return arm_for(arm_slot(loan_id), self.share_percent)

    def for_loan(self, loan_id: str) -> tuple[Arm, StoredStrategy]:
        """The arm a loan is in and the strategy that treats it (stable across runs)."""
        arm = self.arm_of(loan_id)
        if arm is Arm.CHALLENGER and self.challenger is not None:
            return arm, self.challenger
        return Arm.CHAMPION, self.champion


@dataclass(frozen=True, slots=True)
class StrategySummary(FileSummary):
    active: bool


def load_strategy(
    uow_factory: Callable[[], UnitOfWork],
    text: str,
    author: str,
    now: datetime,
    activate: bool = False,
) -> tuple[str, int]:
    """Validate and store a strategy file; returns (name, version). Nothing is stored if
    the file has any problem or names a challenger that is not stored."""
    check_author(author)
    with uow_factory() as uow:
        strategy = FILES.parse(uow, text)
        challenger = strategy.challenger
        if challenger is not None and uow.strategies.latest(challenger.strategy) is None:
            raise InvalidInput(
                f"strategy {strategy.name} names the challenger {challenger.strategy!r},"
                " which is not stored: load it first"
            )
        version = FILES.save(uow, strategy.name, text, author, now)
        if activate:
            uow.strategies.activate(strategy.name, now)
        uow.commit()
    return strategy.name, version


def activate_strategy(uow_factory: Callable[[], UnitOfWork], name: str, now: datetime) -> int:
    """Make a stored strategy the portfolio's; returns the version the next cycle will use."""
    with uow_factory() as uow:
        latest = FILES.latest(uow, name)
        uow.strategies.activate(name, now)
        uow.commit()
    return latest.version


def active_strategies(uow: UnitOfWork) -> ActiveStrategies | None:
    """The active strategy and its challenger, parsed; None if none is active.

    Takes the caller's unit of work: the daily cycle reads them in its own transaction.
    """
    name = uow.strategies.active_name()
    if name is None:
        return None
    champion = _stored(uow, name, FILES.latest(uow, name), active=True)
    rival = champion.strategy.challenger
    if rival is None:
        return ActiveStrategies(champion, None, Decimal(0))
    challenger = _stored(uow, rival.strategy, FILES.latest(uow, rival.strategy), active=False)
    return ActiveStrategies(champion, challenger, rival.share_percent)


def arm_of_loan(uow: UnitOfWork, loan_id: str) -> str | None:
    """The arm (champion or challenger) a loan is treated in now; None with no active
    strategy. Recorded on every outcome (attempts, promises) so arms can be compared."""
    active = active_strategies(uow)
    return None if active is None else str(active.arm_of(loan_id))


def active_name(uow_factory: Callable[[], UnitOfWork]) -> str | None:
    with uow_factory() as uow:
        return uow.strategies.active_name()


def show_strategy(
    uow_factory: Callable[[], UnitOfWork], name: str | None = None, version: int | None = None
) -> StoredStrategy:
    """A stored strategy: by default the active one, at its latest version."""
    with uow_factory() as uow:
        active = uow.strategies.active_name()
        if name is None:
            if active is None:
                raise NotFound(
                    "no strategy is active: run `arrears init` or `arrears strategy activate NAME`"
                )
            name = active
        return _stored(uow, name, FILES.version(uow, name, version), active=name == active)


def list_strategies(uow_factory: Callable[[], UnitOfWork]) -> list[StrategySummary]:
    """Every stored strategy at its latest version, by name."""
    with uow_factory() as uow:
        active = uow.strategies.active_name()
        return [
            StrategySummary(name, row.version, row.author, row.loaded_at, name == active)
            for name, row in FILES.latest_of_each(uow)
        ]


def default_strategy_texts() -> dict[str, str]:
    """The shipped strategy files, by file name."""
    return FILES.shipped_texts()


def load_default_strategies(
    uow_factory: Callable[[], UnitOfWork], now: datetime, activate_name: str
) -> dict[str, int]:
    """Store each shipped strategy whose name is not stored yet; activate ``activate_name``
    if no strategy is active. Returns the latest version of each shipped strategy.

    A name already stored is left alone, even if the shipped text differs: the managers
    may have edited it, and an upgrade must not replace the strategy they run.
    """
    with uow_factory() as uow:
        versions = FILES.store_shipped(uow, now)
        if uow.strategies.active_name() is None:
            FILES.latest(uow, activate_name)
            uow.strategies.activate(activate_name, now)
        uow.commit()
    return versions


def _stored(uow: UnitOfWork, name: str, row: StrategyVersion, *, active: bool) -> StoredStrategy:
    strategy = FILES.parse_stored(uow, name, row)
    return StoredStrategy(
        name, row.version, row.author, row.loaded_at, strategy, row.source_text, active
    )
