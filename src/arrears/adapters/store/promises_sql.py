"""Promises to pay in SQL: stored, listed, cancelled, and settled set-based by the cycle.

Part of ``SqlContacts`` (``uow.contacts``). Dates on SQLite are ISO text and on
PostgreSQL dates: the set-based statements compare them through bound, typed
parameters, so the same SQL runs on both. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Date,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)

from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import as_date
from arrears.domain.contacts import (
    BROKEN_PROMISE_MEMORY_DAYS,
    Promise,
    PromiseSource,
    PromiseStatus,
)

# What stands toward a promise: the loan's payments not reversed (a reversed payment
# never arrived), from the day it was made through its due date, known by the day.
_PAID = """(
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM payment p
    WHERE p.loan_id = promise.loan_id
      AND p.paid_on >= promise.made_on AND p.paid_on <= promise.due_date AND p.paid_on <= :day
      AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = p.payment_id)
)"""


class PromisesSql:
    connection: Connection

    def insert_promise(self, promise: Promise, now: datetime) -> None:
        self.insert_promises([promise], now)

    def insert_promises(self, promises: Sequence[Promise], now: datetime) -> None:
        """Store each promise (one statement for the lot)."""
        if promises:
            self.connection.execute(t.promise.insert(), [_values(p, now) for p in promises])

    def promise(self, promise_id: str) -> Promise | None:
        row = self.connection.execute(
            select(t.promise).where(t.promise.c.promise_id == promise_id)
        ).first()
        return None if row is None else _promise(row)

    def promises_of(
        self, promise_ids: Sequence[str], loan_ids: Sequence[str]
    ) -> tuple[dict[str, Promise], dict[str, list[Promise]]]:
        """The stored promises of ``promise_ids`` by id, and the open promises of
        ``loan_ids`` by loan, oldest first (what a batch of new promises is checked on)."""
        p = t.promise
        by_id: dict[str, Promise] = {}
        for chunk in _chunks(sorted(set(promise_ids))):
            for row in self.connection.execute(select(p).where(p.c.promise_id.in_(chunk))):
                by_id[row.promise_id] = _promise(row)
        opened: dict[str, list[Promise]] = {}
        for chunk in _chunks(sorted(set(loan_ids))):
            rows = self.connection.execute(
                select(p)
                .where(p.c.loan_id.in_(chunk), p.c.status == str(PromiseStatus.OPEN))
                .order_by(p.c.made_on, p.c.created_at, p.c.promise_id)
            )
            for row in rows:
                opened.setdefault(row.loan_id, []).append(_promise(row))
        return by_id, opened

    def promises(
        self, loan_id: str | None = None, status: PromiseStatus | None = None
    ) -> list[Promise]:
        """Promises of a loan and/or in a status, oldest first."""
        p = t.promise
        query = select(p)
        if loan_id is not None:
            query = query.where(p.c.loan_id == loan_id)
        if status is not None:
            query = query.where(p.c.status == str(status))
        rows = self.connection.execute(query.order_by(p.c.made_on, p.c.created_at, p.c.promise_id))
        return [_promise(row) for row in rows]

    def cancel_promise(self, promise_id: str, day: date) -> bool:
        """Cancel an open promise (settled on ``day``); False if it was not open."""
        p = t.promise
        changed = self.connection.execute(
            p.update()
            .where(p.c.promise_id == promise_id, p.c.status == str(PromiseStatus.OPEN))
            .values(status=str(PromiseStatus.CANCELLED), settled_on=day)
        )
        return changed.rowcount > 0

    def settle_promises(self, day: date, tolerances: Mapping[str, int]) -> tuple[int, int]:
        """Mark open promises kept or broken as of ``day``; returns (kept, broken).

        Kept (settled on ``day``): the standing payments of the loan from the day the
        promise was made through min(day, due date) reach the amount less the
        tolerance of the loan's product (``tolerances``: product → minor units,
        missing → 0), and are more than nothing. Broken (settled on the due date):
        ``day`` is on or after the due date and the payments fall short. Either way
        ``paid_minor`` keeps the sum. Settled promises are not looked at again, so a
        second run for the same day changes nothing.
        """
        params: dict[str, Any] = {"day": day}
        cases = []
        for i, (product, tolerance_minor) in enumerate(sorted(tolerances.items())):
            cases.append(f"WHEN :product_{i} THEN :tolerance_{i}")
            params |= {f"product_{i}": product, f"tolerance_{i}": int(tolerance_minor)}
        tolerance = (
            "(SELECT CASE l.product "
            + " ".join(cases)
            + " ELSE 0 END FROM loan l WHERE l.loan_id = promise.loan_id)"
            if cases
            else "0"
        )
        kept_sql = (
            f"UPDATE promise SET status = '{PromiseStatus.KEPT}', settled_on = :day,"
            f" paid_minor = {_PAID}"
            f" WHERE status = '{PromiseStatus.OPEN}' AND made_on <= :day"
            f" AND {_PAID} > 0 AND {_PAID} >= amount_minor - {tolerance}"
        )
        broken_sql = (
            f"UPDATE promise SET status = '{PromiseStatus.BROKEN}', settled_on = due_date,"
            f" paid_minor = {_PAID}"
            f" WHERE status = '{PromiseStatus.OPEN}' AND made_on <= :day AND due_date <= :day"
        )
        kept = self.connection.execute(_dated(kept_sql), params).rowcount
        broken = self.connection.execute(_dated(broken_sql), params).rowcount
        return kept, broken

    def promise_facts_select(self, day: date) -> CompoundSelect[str, str, date]:
        """Promise facts as a query the cycle can join (``.subquery()``): columns
        ``loan_id``, ``state`` ('open' | 'broken') and ``due_date``, one row per loan.

        As of ``day``: a loan's promise is *open* if it was made by then and not yet
        settled by then; otherwise its most recent promise *broken* in the 30 days
        through ``day`` (settled on its due date, day − 29 … day) is reported. A loan
        with neither has no row.
        """
        p = t.promise
        other = t.promise.alias("other")
        other_open = and_(other.c.loan_id == p.c.loan_id, _open_on(other, day))
        since = day - timedelta(days=BROKEN_PROMISE_MEMORY_DAYS - 1)
        open_rows = (
            select(
                p.c.loan_id,
                literal_column(f"'{PromiseStatus.OPEN}'").label("state"),
                func.min(p.c.due_date).label("due_date"),
            )
            .where(_open_on(p, day))
            .group_by(p.c.loan_id)
        )
        broken_rows = (
            select(
                p.c.loan_id,
                literal_column(f"'{PromiseStatus.BROKEN}'").label("state"),
                func.max(p.c.due_date).label("due_date"),
            )
            .where(
                p.c.status == str(PromiseStatus.BROKEN),
                p.c.settled_on >= since,
                p.c.settled_on <= day,
                ~exists().where(other_open),
            )
            .group_by(p.c.loan_id)
        )
        return union_all(open_rows, broken_rows)

    def promise_facts(self, day: date) -> list[tuple[str, str, date]]:
        """(loan_id, 'open' | 'broken', due_date) per loan with one, as of ``day``
        (see ``promise_facts_select``), ordered by loan id."""
        rows = self.connection.execute(self.promise_facts_select(day)).all()
        return sorted((loan_id, state, as_date(due)) for loan_id, state, due in rows)


def _open_on(p: Any, day: date) -> Any:
    """Made by ``day`` and not settled by then (kept, broken or cancelled later, or not yet)."""
    return and_(
        p.c.made_on <= day,
        or_(
            p.c.status == str(PromiseStatus.OPEN),
            and_(p.c.settled_on.is_not(None), p.c.settled_on > day),
        ),
    )


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _values(p: Promise, now: datetime) -> dict[str, Any]:
    return {
        "promise_id": p.promise_id, "loan_id": p.loan_id, "borrower_id": p.borrower_id,
        "amount_minor": p.amount_minor, "currency": p.currency, "made_on": p.made_on,
        "due_date": p.due_date, "status": str(p.status), "settled_on": p.settled_on,
        "paid_minor": p.paid_minor, "arm": p.arm, "source": str(p.source),
        "created_at": now.astimezone(UTC),
    }  # fmt: skip


def _dated(sql: str) -> Any:
    return text(sql).bindparams(bindparam("day", type_=Date))


def _promise(row: Any) -> Promise:
    return Promise(
        promise_id=row.promise_id,
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        amount_minor=row.amount_minor,
        currency=row.currency,
        made_on=row.made_on,
        due_date=row.due_date,
        status=PromiseStatus(row.status),
        settled_on=row.settled_on,
        paid_minor=row.paid_minor,
        arm=row.arm,
        source=PromiseSource(row.source),
    )
