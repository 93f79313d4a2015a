"""Stored repayment arrangements (``arrangement``) and their instalments.

An arrangement row holds what was quoted and decided; the replay reads the rows that
took effect (``SqlLedger.arrangement_terms``), and the daily cycle writes back what
it found (``record_outcomes``: kept, broken, what was paid). Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select

from arrears.adapters.store import tables as t
from arrears.adapters.store.arrangement_codec import terms_json
from arrears.adapters.store.bulk import as_date
from arrears.adapters.store.cycle_sql import cycle_has_run, mark_for_rebuild
from arrears.domain.arrangements import ArrangementOutcome, ArrangementStatus, ArrangementTerms
from arrears.domain.calendar import day_number
from arrears.services.ports import ArrangementInstalmentRow, ArrangementRecord

_A = t.arrangement
_I = t.arrangement_instalment

# The statuses the replay decides (kept or broken may still change: a payment
# reversed later can break a kept plan); pending, rejected and cancelled are people's.
_REPLAYED = (ArrangementStatus.ACTIVE, ArrangementStatus.KEPT, ArrangementStatus.BROKEN)
# Not made after all: refused, or withdrawn before it took effect.
_NOT_MADE = (ArrangementStatus.REJECTED,)


class SqlArrangements:
    def __init__(self, connection: Connection):
        self.connection = connection

    @staticmethod
    def encode_terms(terms: ArrangementTerms, asked: Mapping[str, object]) -> str:
        """``arrangement.terms_json``: the kind's terms as the replay reads them
        (``arrangement_codec``), with what was asked for under keys of its own (a repeated
        idempotency key must ask for the same)."""
        data = json.loads(terms_json(terms)) | dict(asked)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def next_number(self, loan_id: str) -> int:
        """The loan's next arrangement number: 1, 2, ... (its highest + 1)."""
        highest = self.connection.execute(
            select(func.max(_A.c.number)).where(_A.c.loan_id == loan_id)
        ).scalar()
        return int(highest or 0) + 1

    def insert(
        self,
        record: ArrangementRecord,
        instalments: Sequence[ArrangementInstalmentRow],
        now: datetime,
    ) -> None:
        values = record._asdict()
        values["reasons_json"] = json.dumps(list(values.pop("reasons")), ensure_ascii=False)
        values["created_at"] = now.astimezone(UTC)
        values["decided_at"] = _utc(record.decided_at)
        self.connection.execute(_A.insert().values(**values))
        if instalments:
            self.connection.execute(
                _I.insert(),
                [{"arrangement_id": record.arrangement_id, **i._asdict()} for i in instalments],
            )

    def get(self, arrangement_id: str) -> ArrangementRecord | None:
        row = self.connection.execute(
            select(_A).where(_A.c.arrangement_id == arrangement_id)
        ).first()
        return None if row is None else _record(row)

    def instalments(self, arrangement_id: str) -> list[ArrangementInstalmentRow]:
        rows = self.connection.execute(
            select(_I.c.seq, _I.c.due_date, _I.c.amount_minor, _I.c.status, _I.c.paid_minor)
            .where(_I.c.arrangement_id == arrangement_id)
            .order_by(_I.c.seq)
        )
        return [
            ArrangementInstalmentRow(
                r.seq, as_date(r.due_date), r.amount_minor, r.status, r.paid_minor
            )
            for r in rows
        ]

    def in_force(self, loan_id: str) -> list[ArrangementRecord]:
        """The loan's arrangements pending approval or active."""
        rows = self.connection.execute(
            select(_A)
            .where(
                _A.c.loan_id == loan_id,
                _A.c.status.in_([ArrangementStatus.PENDING, ArrangementStatus.ACTIVE]),
            )
            .order_by(_A.c.number)
        )
        return [_record(row) for row in rows]

    def count_made_since(self, borrower_id: str, since: date) -> int:
        """The borrower's arrangements quoted on or after ``since``, except those rejected
        or cancelled while pending (they never took effect)."""
        withdrawn = and_(_A.c.status == ArrangementStatus.CANCELLED, _A.c.starts_on.is_(None))
        count = self.connection.execute(
            select(func.count())
            .select_from(_A)
            .where(
                _A.c.borrower_id == borrower_id,
                _A.c.quoted_on >= since,
                _A.c.status.not_in(_NOT_MADE),
                ~withdrawn,
            )
        ).scalar_one()
        return int(count)

    def set_status(
        self,
        arrangement_id: str,
        status: str,
        *,
        was: str,
        starts_on: date | None = None,
        ends_on: date | None = None,
        decided_by: str | None = None,
        decided_at: datetime | None = None,
    ) -> bool:
        """Move an arrangement from status ``was`` to ``status``; the dates and decision
        given are set too. False if it was not in ``was`` (someone else moved it)."""
        values: dict[str, Any] = {"status": str(status)}
        for name, value in (
            ("starts_on", starts_on),
            ("ends_on", ends_on),
            ("decided_by", decided_by),
            ("decided_at", _utc(decided_at)),
        ):
            if value is not None:
                values[name] = value
        changed = self.connection.execute(
            _A.update()
            .where(_A.c.arrangement_id == arrangement_id, _A.c.status == str(was))
            .values(**values)
        )
        return changed.rowcount > 0

    def record_outcomes(self, outcomes: Sequence[ArrangementOutcome]) -> int:
        """Write what the replay found: each arrangement's status, end and amount paid,
        and each instalment's status and amount paid. Only rows whose status the replay
        decides (active, kept, broken) change, and a cancelled one the replay finds had
        ended before its cancellation; returns how many arrangements did.

        Two ``executemany`` statements, whatever the number of arrangements.
        """
        if not outcomes:
            return 0
        # equalities, not IN: an executemany statement cannot expand a list
        changed = self._record(outcomes, or_(*(_A.c.status == str(s) for s in _REPLAYED)))
        # A payment reversed after a cancellation can show the arrangement had already
        # ended before it: the replay then ignores the cancellation, and so does the record.
        ended = [
            o for o in outcomes if o.status in (ArrangementStatus.KEPT, ArrangementStatus.BROKEN)
        ]
        if ended:
            changed += self._record(ended, _A.c.status == str(ArrangementStatus.CANCELLED))
        return changed

    def _record(self, outcomes: Sequence[ArrangementOutcome], replayed: Any) -> int:
        owner_replayed = exists().where(_A.c.arrangement_id == _I.c.arrangement_id, replayed)
        instalment_rows = [
            {"a": o.arrangement_id, "s": i.seq, "new_status": i.status, "paid": i.paid_minor}
            for o in outcomes
            for i in o.instalments
        ]
        if instalment_rows:
            self.connection.execute(
                _I.update()
                .where(
                    _I.c.arrangement_id == bindparam("a"),
                    _I.c.seq == bindparam("s"),
                    owner_replayed,
                )
                .values(status=bindparam("new_status"), paid_minor=bindparam("paid")),
                instalment_rows,
            )
        changed = self.connection.execute(
            _A.update()
            .where(_A.c.arrangement_id == bindparam("a"), replayed)
            .values(
                status=bindparam("new_status"),
                ends_on=bindparam("ended", type_=_A.c.ends_on.type),
                paid_minor=bindparam("paid"),
            ),
            [
                {
                    "a": o.arrangement_id,
                    "new_status": str(o.status),
                    "ended": o.ended_on,
                    "paid": o.paid_minor,
                }
                for o in outcomes
            ],
        )
        return max(changed.rowcount, 0)

    def mark_for_rebuild(self, loan_id: str, day: date) -> None:
        """Have the next daily cycle replay the loan from ``day`` (an arrangement started,
        was approved or cancelled). Before the first cycle every loan is built anyway."""
        if cycle_has_run(self.connection):
            mark_for_rebuild(self.connection, {loan_id: day_number(day)})

    # last: the name shadows the builtin ``list`` in the class body
    def list(
        self,
        loan_id: str | None = None,
        status: str | None = None,
        borrower_id: str | None = None,
    ) -> list[ArrangementRecord]:
        """Arrangements of a loan, a borrower and/or in a status, oldest first."""
        query = select(_A)
        if loan_id is not None:
            query = query.where(_A.c.loan_id == loan_id)
        if status is not None:
            query = query.where(_A.c.status == str(status))
        if borrower_id is not None:
            query = query.where(_A.c.borrower_id == borrower_id)
        rows = self.connection.execute(
            query.order_by(_A.c.quoted_on, _A.c.created_at, _A.c.loan_id, _A.c.number)
        )
        return [_record(row) for row in rows]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _stored_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _optional_date(value: date | str | None) -> date | None:
    return None if value is None else as_date(value)


def _record(row: Any) -> ArrangementRecord:
    return ArrangementRecord(
        arrangement_id=row.arrangement_id,
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        number=row.number,
        kind=row.kind,
        status=row.status,
        currency=row.currency,
        quoted_on=as_date(row.quoted_on),
        starts_on=_optional_date(row.starts_on),
        ends_on=_optional_date(row.ends_on),
        total_minor=row.total_minor,
        waived_minor=row.waived_minor,
        fee_minor=row.fee_minor,
        paid_minor=row.paid_minor,
        terms_json=row.terms_json,
        policy=row.policy,
        policy_version=row.policy_version,
        reasons=tuple(json.loads(row.reasons_json)),
        needs_approval_by=row.needs_approval_by,
        decided_by=row.decided_by,
        decided_at=_stored_utc(row.decided_at),
        arm=row.arm,
        source=row.source,
        created_by=row.created_by,
        note=row.note,
        created_at=_stored_utc(row.created_at),
        bucket=row.bucket,
        dpd=row.dpd,
    )
