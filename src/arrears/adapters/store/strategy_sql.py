"""Stored strategies: every version of each file as it was loaded, and the active one.

A version is the exact text a manager loaded, kept forever, so an action can
always be traced to the strategy version that chose it. Loading a text whose
checksum equals the latest version's stores nothing new.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection, Row, select

from arrears.adapters.store import tables as t
from arrears.adapters.store.versions import save_version
from arrears.adapters.strategy_files import parse_strategy
from arrears.domain.findings import Finding
from arrears.domain.strategy import Strategy
from arrears.services.ports import StrategyVersion

PORTFOLIO = "default"  # one portfolio for now; the key leaves room for more

_COLUMNS = (
    t.strategy.c.version,
    t.strategy.c.source_text,
    t.strategy.c.author,
    t.strategy.c.loaded_at,
)


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@lru_cache(maxsize=16)
def _parsed(text: str) -> tuple[Strategy | None, tuple[Finding, ...]]:
    """A text's strategy, parsed once: the daily cycle reads the active strategy every day,
    and its YAML takes tens of milliseconds to parse. The result is immutable (frozen)."""
    strategy, findings = parse_strategy(text)
    return strategy, tuple(findings)


def _version(row: Row[tuple[int, str, str, datetime]]) -> StrategyVersion:
    return StrategyVersion(row.version, row.source_text, row.author, _as_utc(row.loaded_at))


class SqlStrategies:
    def __init__(self, connection: Connection):
        self.connection = connection

    @staticmethod
    def parse(text: str) -> tuple[Strategy | None, list[Finding]]:
        strategy, findings = _parsed(text)
        return strategy, list(findings)

    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int:
        """Store the text as the next version unless the latest has the same checksum."""
        return save_version(self.connection, t.strategy, name, text, checksum, author, now)

    def latest(self, name: str) -> StrategyVersion | None:
        row = self.connection.execute(
            select(*_COLUMNS)
            .where(t.strategy.c.name == name)
            .order_by(t.strategy.c.version.desc())
            .limit(1)
        ).first()
        return _version(row) if row else None

    def version(self, name: str, version: int) -> StrategyVersion | None:
        row = self.connection.execute(
            select(*_COLUMNS).where(t.strategy.c.name == name, t.strategy.c.version == version)
        ).first()
        return _version(row) if row else None

    def versions(self, name: str) -> list[StrategyVersion]:
        """Every version of a strategy, oldest first."""
        rows = self.connection.execute(
            select(*_COLUMNS).where(t.strategy.c.name == name).order_by(t.strategy.c.version)
        )
        return [_version(row) for row in rows]

    def names(self) -> list[str]:
        rows = self.connection.execute(
            select(t.strategy.c.name).group_by(t.strategy.c.name).order_by(t.strategy.c.name)
        )
        return [row.name for row in rows]

    def activate(self, name: str, now: datetime) -> None:
        """Make ``name`` the portfolio's strategy (its latest version, read at each cycle)."""
        updated = self.connection.execute(
            t.strategy_active.update()
            .where(t.strategy_active.c.portfolio == PORTFOLIO)
            .values(name=name, activated_at=now)
        )
        if updated.rowcount == 0:
            self.connection.execute(
                t.strategy_active.insert().values(portfolio=PORTFOLIO, name=name, activated_at=now)
            )

    def active_name(self) -> str | None:
        return self.connection.execute(
            select(t.strategy_active.c.name).where(t.strategy_active.c.portfolio == PORTFOLIO)
        ).scalar_one_or_none()
