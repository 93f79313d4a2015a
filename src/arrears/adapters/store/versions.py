"""Versioned texts users load (strategies, policy packs): each version kept as loaded.

Both tables have ``name, version, source_text, checksum, author, loaded_at``; loading
a text whose checksum equals the latest version's stores nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Table, select


def save_version(
    connection: Connection,
    table: Table,
    name: str,
    text: str,
    checksum: str,
    author: str,
    now: datetime,
) -> int:
    """Store ``text`` as ``name``'s next version unless the latest has the same checksum;
    returns the version that holds it."""
    latest = connection.execute(
        select(table.c.version, table.c.checksum)
        .where(table.c.name == name)
        .order_by(table.c.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.checksum == checksum:
        return int(latest.version)
    version = 1 if latest is None else int(latest.version) + 1
    connection.execute(
        table.insert().values(
            name=name, version=version, source_text=text, checksum=checksum, author=author,
            loaded_at=now,
        )
    )  # fmt: skip
    return version
