"""Fast many-row inserts: multi-row VALUES on SQLite, COPY on PostgreSQL.

The ORM's per-object inserts cost tens of microseconds a row; a million-loan
import needs a few. On SQLite, binding many rows per statement is about twice
as fast as one statement per row, and dates are passed as the ISO text that
SQLAlchemy's SQLite types store (the sqlite3 module's own adapters are slow and
deprecated). Both paths run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import Connection

SQLITE_ROWS_PER_STATEMENT = 200  # × columns stays far below SQLite's 32 766 variables


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    column_list = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    _sqlite_insert(connection, table, column_list, len(columns), rows)


def _sqlite_insert(
    connection: Connection, table: str, column_list: str, width: int, rows: Sequence[Sequence[Any]]
) -> None:
    converting = [(i, c) for i, c in enumerate(_column_converters(rows)) if c]
    if converting:
        rows = [_converted(row, converting) for row in rows]
    cursor = connection.connection.driver_connection.cursor()
    sqlite_insert_many(cursor, table, column_list, width, rows)
    cursor.close()


def sqlite_insert_many(
    cursor: Any, table: str, column_list: str, width: int, rows: Sequence[Sequence[Any]]
) -> None:
    """Insert on a raw sqlite3 cursor, many rows per statement."""
    group = "(" + ", ".join("?" * width) + ")"
    per = SQLITE_ROWS_PER_STATEMENT
    full = len(rows) - len(rows) % per
    if full:
        statement = f"INSERT INTO {table} ({column_list}) VALUES " + ", ".join([group] * per)
        cursor.executemany(
            statement, [tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)]
        )
    if full < len(rows):
        rest = rows[full:]
        statement = f"INSERT INTO {table} ({column_list}) VALUES " + ", ".join([group] * len(rest))
        cursor.execute(statement, tuple(chain.from_iterable(rest)))


def _column_converters(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Per column, how to turn its values into SQLite text (judged on the first non-null)."""
    converters: list[Any] = [None] * len(rows[0])
    undecided = set(range(len(rows[0])))
    for row in rows[:1000]:
        for index in list(undecided):
            if row[index] is not None:
                converters[index] = _sqlite_converter(row[index])
                undecided.discard(index)
        if not undecided:
            break
    return converters


def _converted(row: Sequence[Any], converting: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for index, convert in converting:
        if values[index] is not None:
            values[index] = convert(values[index])
    return values


def _sqlite_converter(sample: Any) -> Any:
    if isinstance(sample, datetime):
        return sqlite_datetime
    if isinstance(sample, date):
        return date.isoformat
    return None


@lru_cache(maxsize=1024)  # a batch stamps every row with the same time
def sqlite_datetime(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores: UTC, microseconds, no offset."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def placeholder(connection: Connection) -> str:
    return "%s" if connection.dialect.name == "postgresql" else "?"


def select_in(
    connection: Connection,
    sql: str,
    ids: Sequence[str],
    part: int = 900,
    after: tuple[Any, ...] = (),
) -> list[Any]:
    """Run ``sql`` with ``{ids}`` bound to the ids, a few hundred at a time (rows, if any);
    ``after`` binds the placeholders (``{mark}``) that follow the id list.

    Plain driver SQL: the ORM's compiled IN lists cost more than the query on hot paths.
    """
    mark = placeholder(connection)
    rows: list[Any] = []
    for start in range(0, len(ids), part):
        chunk = tuple(ids[start : start + part])
        statement = sql.format(ids=", ".join([mark] * len(chunk)), mark=mark)
        result = connection.exec_driver_sql(statement, chunk + after)
        if result.returns_rows:
            rows.extend(result.fetchall())
    return rows


def sql_value(connection: Connection, value: date | datetime) -> Any:
    """A date or time bound to plain SQL as SQLAlchemy stores it: ISO text on SQLite
    (UTC, for times), the value itself on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        return value
    return sqlite_datetime(value) if isinstance(value, datetime) else value.isoformat()


_parse_day = lru_cache(maxsize=65536)(date.fromisoformat)


def as_date(value: date | str) -> date:
    """A date column read by plain driver SQL: SQLite gives ISO text, PostgreSQL a date."""
    return value if isinstance(value, date) else _parse_day(value)


def as_utc(value: datetime | str) -> datetime:
    """A stored UTC time read by plain SQL, as an aware datetime (SQLite gives its text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_scratch(connection: Connection, name: str, columns: str) -> None:
    """A temporary table for one transaction's work (dropped at commit on PostgreSQL)."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    suffix = " ON COMMIT DROP" if connection.dialect.name == "postgresql" else ""
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns}){suffix}")


def reuse_scratch(connection: Connection, name: str, columns: str) -> None:
    """An empty temporary table for work done again and again (each cycle day).

    SQLite keeps it for the connection's life, emptied instead of dropped: creating or
    dropping a table changes the schema, and SQLite then prepares every statement again.
    PostgreSQL makes it anew for the transaction (``create_scratch``)."""
    if connection.dialect.name == "postgresql":
        create_scratch(connection, name, columns)
        return
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns})")
    connection.exec_driver_sql(f"DELETE FROM {name}")
