"""Stored policy packs: every version as loaded, and which packs are active per product.

A version is the exact text loaded, kept forever, so every gate decision can be traced
to the rules it was made under. ``policy_active`` maps a product (``*``: every product)
to the packs that bind it; a product's rules are the union of its own and ``*``'s.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, delete, func, select

from arrears.adapters.policy_files import parse_pack
from arrears.adapters.store import tables as t
from arrears.adapters.store.versions import save_version
from arrears.domain.compliance.rules import Pack
from arrears.domain.findings import Finding

EVERY_PRODUCT = "*"


# Built once: the gate, the composer and the letter printer read the latest texts often.
_NEWEST = (
    select(t.policy_pack.c.name, func.max(t.policy_pack.c.version).label("version"))
    .group_by(t.policy_pack.c.name)
    .subquery()
)
_LATEST = select(t.policy_pack.c.name, t.policy_pack.c.version, t.policy_pack.c.source_text).join(
    _NEWEST,
    (_NEWEST.c.name == t.policy_pack.c.name) & (_NEWEST.c.version == t.policy_pack.c.version),
)


class SqlPolicies:
    def __init__(self, connection: Connection):
        self.connection = connection

    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int:
        """Store the text as the next version unless the latest has the same checksum."""
        return save_version(self.connection, t.policy_pack, name, text, checksum, author, now)

    def latest_texts(self) -> dict[str, tuple[int, str]]:
        """Each stored pack's latest version: name → (version, text)."""
        rows = self.connection.execute(_LATEST)
        return {row.name: (int(row.version), row.source_text) for row in rows}

    def active(self) -> dict[str, list[str]]:
        """product → the packs active for it, by name (``*``: every product)."""
        a = t.policy_active
        found: dict[str, list[str]] = {}
        for product, pack in self.connection.execute(
            select(a.c.product, a.c.pack).order_by(a.c.product, a.c.pack)
        ):
            found.setdefault(product, []).append(pack)
        return found

    def activate(self, pack: str, product: str, now: datetime) -> bool:
        """Make ``pack`` bind ``product``; False if it already did."""
        a = t.policy_active
        exists = self.connection.execute(
            select(a.c.pack).where(a.c.product == product, a.c.pack == pack)
        ).first()
        if exists:
            return False
        self.connection.execute(a.insert().values(product=product, pack=pack, activated_at=now))
        return True

    def deactivate(self, pack: str, product: str) -> bool:
        a = t.policy_active
        result = self.connection.execute(delete(a).where(a.c.product == product, a.c.pack == pack))
        return bool(result.rowcount)

    @staticmethod
    def parse(text: str) -> tuple[Pack | None, list[Finding]]:
        pack, findings = _parsed(text)
        return pack, list(findings)


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[Pack | None, tuple[Finding, ...]]:
    """A stored version's text never changes: each is parsed once per process (the cycle
    asks for the active packs every day)."""
    pack, findings = parse_pack(text)
    return pack, tuple(findings)
