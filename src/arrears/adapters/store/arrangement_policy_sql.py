"""Stored arrangement policies: every version as loaded, and the one active per product.

A version is the exact text loaded, kept forever, so every arrangement can be traced
to the limits it was judged by. ``arrangement_policy_active`` maps a product to the
name of its policy; ``*`` is the policy of every product without a row of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from arrears.adapters.arrangement_policy_files import parse_arrangement_policy
from arrears.adapters.store import tables as t
from arrears.adapters.store.versions import save_version
from arrears.domain.arrangement_policy import ArrangementPolicy
from arrears.domain.findings import Finding
from arrears.services.arrangement_policies import EVERY_PRODUCT, InvalidArrangementPolicy
from arrears.services.ports import ArrangementPolicyVersion, StoredArrangementPolicy

_POLICY = t.arrangement_policy
_ACTIVE = t.arrangement_policy_active
_COLUMNS = (_POLICY.c.version, _POLICY.c.source_text, _POLICY.c.author, _POLICY.c.loaded_at)


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _version(row: Any) -> ArrangementPolicyVersion:
    """A row of ``_COLUMNS`` (typed loosely: SQLAlchemy 2.0 and 2.1 spell ``Row`` apart)."""
    return ArrangementPolicyVersion(
        row.version, row.source_text, row.author, _as_utc(row.loaded_at)
    )


class SqlArrangementPolicies:
    def __init__(self, connection: Connection):
        self.connection = connection

    @staticmethod
    def parse(text: str) -> tuple[ArrangementPolicy | None, list[Finding]]:
        policy, findings = _parsed(text)
        return policy, list(findings)

    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int:
        """Store the text as the next version unless the latest has the same checksum."""
        return save_version(self.connection, _POLICY, name, text, checksum, author, now)

    def latest(self, name: str) -> ArrangementPolicyVersion | None:
        row = self.connection.execute(
            select(*_COLUMNS)
            .where(_POLICY.c.name == name)
            .order_by(_POLICY.c.version.desc())
            .limit(1)
        ).first()
        return _version(row) if row else None

    def version(self, name: str, version: int) -> ArrangementPolicyVersion | None:
        row = self.connection.execute(
            select(*_COLUMNS).where(_POLICY.c.name == name, _POLICY.c.version == version)
        ).first()
        return _version(row) if row else None

    def versions(self, name: str) -> list[ArrangementPolicyVersion]:
        """Every version of a policy, oldest first."""
        rows = self.connection.execute(
            select(*_COLUMNS).where(_POLICY.c.name == name).order_by(_POLICY.c.version)
        )
        return [_version(row) for row in rows]

    def names(self) -> list[str]:
        rows = self.connection.execute(
            select(_POLICY.c.name).group_by(_POLICY.c.name).order_by(_POLICY.c.name)
        )
        return [row.name for row in rows]

    def activate(self, product: str, name: str, now: datetime) -> None:
        """Make ``name`` the product's policy (its latest version, read at each quote)."""
        updated = self.connection.execute(
            _ACTIVE.update().where(_ACTIVE.c.product == product).values(name=name, activated_at=now)
        )
        if updated.rowcount == 0:
            self.connection.execute(
                _ACTIVE.insert().values(product=product, name=name, activated_at=now)
            )

    def active(self) -> dict[str, str]:
        """product → the name of its policy (``*``: every product without its own)."""
        rows = self.connection.execute(
            select(_ACTIVE.c.product, _ACTIVE.c.name).order_by(_ACTIVE.c.product)
        )
        return {row.product: row.name for row in rows}

    def policy_for(self, product: str) -> StoredArrangementPolicy | None:
        """The latest version of the policy active for ``product``, else for ``*``, parsed;
        None when neither has one."""
        rows = self.connection.execute(
            select(_ACTIVE.c.product, _ACTIVE.c.name).where(
                _ACTIVE.c.product.in_([product, EVERY_PRODUCT])
            )
        )
        names = {row.product: row.name for row in rows}
        name = names.get(product) or names.get(EVERY_PRODUCT)
        row = self.latest(name) if name is not None else None
        if name is None or row is None:
            return None
        policy, findings = self.parse(row.source_text)
        if policy is None:  # stored texts were valid when loaded: a format change broke it
            source = f"stored arrangement policy {name} version {row.version}"
            raise InvalidArrangementPolicy(findings, source)
        return StoredArrangementPolicy(
            name, row.version, row.author, row.loaded_at, policy, row.source_text
        )


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[ArrangementPolicy | None, tuple[Finding, ...]]:
    """A stored version's text never changes: each is parsed once per process (every
    quote asks for its product's policy)."""
    policy, findings = parse_arrangement_policy(text)
    return policy, tuple(findings)
