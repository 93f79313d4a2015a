"""Fast many-row inserts: executemany on SQLite, COPY on PostgreSQL.

The ORM's per-object inserts cost tens of microseconds a row; a million-loan
import needs a few. Both paths run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    column_list = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", list(rows))


def placeholder(connection: Connection) -> str:
    return "%s" if connection.dialect.name == "postgresql" else "?"
