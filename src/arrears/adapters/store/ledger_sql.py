"""The ledger's reads and writes in SQL, over one connection (one transaction).

Reads are set-based over chunks of loan ids; writes go through bulk inserts.
Nothing here commits: the unit of work does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, func, select, text

from arrears.adapters.product_files import ProductModel, rules_from_json
from arrears.adapters.store import tables as t
from arrears.adapters.store.arrangement_codec import replay_terms
from arrears.adapters.store.bulk import as_date, insert_rows, placeholder, select_in
from arrears.adapters.store.cycle_sql import cycle_has_run, mark_for_rebuild
from arrears.adapters.store.journal_sql import JournalSql
from arrears.domain.arrangements import ArrangementTerms
from arrears.domain.calendar import day_number
from arrears.domain.journal import disbursement_effect
from arrears.domain.loan_state import Payment
from arrears.domain.money import Rounding
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import Installment, RepaymentMethod
from arrears.domain.terms import DEFAULT_RULES, LoanTerms, ProductRules

PPM = Decimal(10_000)

# Dates go to bulk inserts as ISO text (what both stores parse, and SQLite stores);
# a portfolio repeats few dates, so each is rendered once.
iso = lru_cache(maxsize=65536)(date.isoformat)


def rate_ppm(annual_rate_percent: Decimal) -> int:
    """annual_rate_ppm = percent × 10 000."""
    return int(annual_rate_percent * PPM)


_FINGERPRINT_COLUMNS = (
    t.loan.c.borrower_id,
    t.loan.c.currency,
    t.loan.c.principal_minor,
    t.loan.c.annual_rate_ppm,
    t.loan.c.term_months,
    t.loan.c.start_date,
    t.loan.c.first_due_date,
    t.loan.c.repayment_method,
    t.loan.c.rounding,
    t.loan.c.product,
)


class SqlLedger(JournalSql):
    def __init__(self, connection: Connection):
        self.connection = connection
        self._rules: dict[str, ProductRules] | None = None
        self._calendars: dict[str, str | None] | None = None

    # -- products --------------------------------------------------------------
    def _load_products(self) -> None:
        rows = self.connection.execute(select(t.product.c.name, t.product.c.rules_json)).all()
        self._rules = {name: rules_from_json(body) for name, body in rows}
        self._calendars = {
            name: ProductModel.model_validate_json(body).holiday_calendar for name, body in rows
        }

    def product_rules(self, name: str) -> ProductRules:
        if self._rules is None:
            self._load_products()
        assert self._rules is not None
        return self._rules.get(name, DEFAULT_RULES)

    def product_calendar(self, name: str) -> str | None:
        if self._calendars is None:
            self._load_products()
        assert self._calendars is not None
        return self._calendars.get(name)

    def product_models(self) -> dict[str, tuple[int, dict[str, object]]]:
        rows = self.connection.execute(
            select(t.product.c.name, t.product.c.version, t.product.c.rules_json).order_by(
                t.product.c.name
            )
        ).all()
        return {name: (version, json.loads(body)) for name, version, body in rows}

    def save_product(self, name: str, model: ProductModel, now: datetime) -> int:
        """Store a product's rules as a new version (or leave it if unchanged); returns the version."""
        body = model.model_dump_json()
        current = self.connection.execute(
            select(t.product.c.version, t.product.c.rules_json).where(t.product.c.name == name)
        ).first()
        if current is None:
            self.connection.execute(
                t.product.insert().values(name=name, version=1, rules_json=body, loaded_at=now)
            )
            version = 1
            self._mark_changed_product(name)  # its loans had the default rules until now
        elif json.loads(current.rules_json) == json.loads(body):
            version = current.version
        else:
            version = current.version + 1
            self.connection.execute(
                t.product.update()
                .where(t.product.c.name == name)
                .values(version=version, rules_json=body, loaded_at=now)
            )
            self._mark_changed_product(name)
        self._rules = None
        return version

    def _mark_changed_product(self, name: str) -> None:
        """New rules change every loan of the product from its start: rebuild them all."""
        if cycle_has_run(self.connection):
            self.connection.execute(
                text(
                    "INSERT INTO cycle_dirty (loan_id, from_day) SELECT loan_id, 0 FROM loan"
                    " WHERE product = :name ON CONFLICT (loan_id) DO UPDATE SET from_day = 0"
                ),
                {"name": name},
            )

    # -- loans -----------------------------------------------------------------
    def loan_fingerprints(self, loan_ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
        loan_ids = self.known_loan_ids(loan_ids)  # a fresh import finds none: skip the wide read
        if not loan_ids:
            return {}
        rows = self.connection.execute(
            select(t.loan.c.loan_id, *_FINGERPRINT_COLUMNS).where(t.loan.c.loan_id.in_(loan_ids))
        ).all()
        # The same shape as records.loan_identity, the rate back in percent.
        return {row[0]: (*row[1:4], Decimal(row[4]) / PPM, *row[5:]) for row in rows}

    def known_loan_ids(self, loan_ids: Sequence[str]) -> list[str]:
        """Which of these loan ids are stored."""
        rows = self._select_in("SELECT loan_id FROM loan WHERE loan_id IN ({ids})", loan_ids)
        return [row[0] for row in rows]

    def insert_loans(
        self,
        records: Sequence[LoanRecord],
        schedules: Sequence[Sequence[Installment]],
        calendars: Sequence[str | None],
        now: datetime,
    ) -> None:
        """Write new loans with their borrowers, schedules and disbursement entries."""
        if not records:
            return
        self._upsert_borrowers(records)
        c = self.connection
        insert_rows(
            c,
            "loan",
            (
                "loan_id",
                "borrower_id",
                "product",
                "currency",
                "principal_minor",
                "annual_rate_ppm",
                "term_months",
                "start_date",
                "first_due_date",
                "repayment_method",
                "rounding",
                "holiday_calendar",
                "imported_at",
                "journal_seq",
                "journal_as_of",
            ),
            [
                (
                    r.loan_id,
                    r.borrower_id,
                    r.product,
                    r.currency,
                    r.principal_minor,
                    rate_ppm(r.annual_rate_percent),
                    r.term_months,
                    iso(r.start_date),
                    r.first_due_date and iso(r.first_due_date),
                    str(r.method),
                    str(r.rounding),
                    cal,
                    now,
                    1,
                    iso(r.start_date),
                )
                for r, cal in zip(records, calendars, strict=True)
            ],
        )
        insert_rows(
            c,
            "installment",
            ("loan_id", "seq", "due_date", "principal_minor", "interest_minor"),
            [
                (r.loan_id, i.seq, iso(i.due_date), i.principal_minor, i.interest_minor)
                for r, schedule in zip(records, schedules, strict=True)
                for i in schedule
            ],
        )
        insert_rows(
            c,
            "journal_entry",
            ("loan_id", "entry_seq", "kind", "source", "currency", "posted_on", "created_at"),
            [
                (r.loan_id, 1, "disbursement", "disbursement", r.currency, iso(r.start_date), now)
                for r in records
            ],
        )
        postings = [
            (r.loan_id, 1, str(account), amount)
            for r in records
            for account, amount in disbursement_effect(r.principal_minor).items()
        ]
        insert_rows(
            c, "journal_posting", ("loan_id", "entry_seq", "account", "amount_minor"), postings
        )
        insert_rows(
            c,
            "loan_balance",
            ("loan_id", "account", "balance_minor"),
            [(loan_id, account, amount) for loan_id, _seq, account, amount in postings],
        )

    def _upsert_borrowers(self, records: Sequence[LoanRecord]) -> None:
        latest = {r.borrower_id: r for r in records}
        mark = placeholder(self.connection)
        columns = ("borrower_id", "name", "phone", "email", "timezone", "language", "address")
        self.connection.exec_driver_sql(
            f"INSERT INTO borrower ({', '.join(columns)})"
            f" VALUES ({', '.join([mark] * len(columns))})"
            " ON CONFLICT (borrower_id) DO UPDATE SET name = excluded.name,"
            " phone = excluded.phone, email = excluded.email, timezone = excluded.timezone,"
            " language = excluded.language, address = excluded.address",
            [
                (r.borrower_id, r.borrower_name, r.phone, r.email, r.timezone, r.language,
                 r.address)
                for r in latest.values()
            ],
        )  # fmt: skip

    def loan_terms(self, loan_ids: Sequence[str]) -> dict[str, LoanTerms]:
        rows = self.connection.execute(select(t.loan).where(t.loan.c.loan_id.in_(loan_ids))).all()
        return {row.loan_id: _terms(row) for row in rows}

    def loan_ids(self, chunk_size: int = 2000) -> Iterator[list[str]]:
        """Every loan id in order, in chunks (keyset pagination, no long-lived cursor)."""
        last = ""
        while True:
            ids = list(
                self.connection.scalars(
                    select(t.loan.c.loan_id)
                    .where(t.loan.c.loan_id > last)
                    .order_by(t.loan.c.loan_id)
                    .limit(chunk_size)
                )
            )
            if not ids:
                return
            yield ids
            last = ids[-1]

    def count_loans(self) -> int:
        return int(self.connection.scalar(select(func.count()).select_from(t.loan)) or 0)

    def installments(self, loan_ids: Sequence[str]) -> dict[str, tuple[Installment, ...]]:
        rows = self._select_in(
            "SELECT i.loan_id, i.seq, i.due_date, i.principal_minor, i.interest_minor,"
            " l.principal_minor FROM installment i JOIN loan l ON l.loan_id = i.loan_id"
            " WHERE i.loan_id IN ({ids})",
            loan_ids,
        )
        rows.sort(key=lambda row: (row[0], row[1]))
        grouped: dict[str, list[Installment]] = defaultdict(list)
        remaining: dict[str, int] = {}
        for loan_id, seq, due, principal, interest, loan_principal in rows:
            left = remaining.get(loan_id, loan_principal) - principal
            remaining[loan_id] = left
            grouped[loan_id].append(Installment(seq, as_date(due), principal, interest, left))
        return {loan_id: tuple(items) for loan_id, items in grouped.items()}

    def _select_in(self, sql: str, ids: Sequence[str]) -> list[Any]:
        return select_in(self.connection, sql, ids)

    # -- payments --------------------------------------------------------------
    def loan_facts(self, loan_ids: Sequence[str]) -> dict[str, tuple[str, date]]:
        rows = self.connection.execute(
            select(t.loan.c.loan_id, t.loan.c.currency, t.loan.c.start_date).where(
                t.loan.c.loan_id.in_(loan_ids)
            )
        ).all()
        return {row.loan_id: (row.currency, row.start_date) for row in rows}

    def payment_fingerprints(self, payment_ids: Sequence[str]) -> dict[str, tuple[str, date, int]]:
        rows = self.connection.execute(
            select(
                t.payment.c.payment_id,
                t.payment.c.loan_id,
                t.payment.c.paid_on,
                t.payment.c.amount_minor,
            ).where(t.payment.c.payment_id.in_(payment_ids))
        ).all()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def insert_payments(
        self, rows: Sequence[tuple[str, str, date, int, str, str | None]], now: datetime
    ) -> None:
        insert_rows(
            self.connection,
            "payment",
            (
                "payment_id",
                "loan_id",
                "paid_on",
                "amount_minor",
                "currency",
                "channel",
                "posted_at",
            ),
            [(*row, now) for row in rows],
        )
        self._mark_changed((loan_id, paid_on) for _, loan_id, paid_on, *_ in rows)

    def payment_row(self, payment_id: str):  # type: ignore[no-untyped-def]
        return self.connection.execute(
            select(t.payment, t.payment_reversal.c.reversed_on)
            .outerjoin(
                t.payment_reversal, t.payment_reversal.c.payment_id == t.payment.c.payment_id
            )
            .where(t.payment.c.payment_id == payment_id)
        ).first()

    def insert_reversal(
        self, payment_id: str, reversed_on: date, reason: str, now: datetime
    ) -> None:
        self.connection.execute(
            t.payment_reversal.insert().values(
                payment_id=payment_id, reversed_on=reversed_on, reason=reason, posted_at=now
            )
        )
        paid = self.connection.execute(
            select(t.payment.c.loan_id, t.payment.c.paid_on).where(
                t.payment.c.payment_id == payment_id
            )
        ).one()
        self._mark_changed([(paid.loan_id, paid.paid_on)])

    def _mark_changed(self, changes: Iterable[tuple[str, date]]) -> None:
        """Tell the daily cycle that these loans' histories changed from these days on."""
        if not cycle_has_run(self.connection):
            return  # the first cycle builds every loan from its history anyway
        earliest: dict[str, int] = {}
        for loan_id, day in changes:
            number = day_number(day)
            if number < earliest.get(loan_id, number + 1):
                earliest[loan_id] = number
        mark_for_rebuild(self.connection, earliest)

    def standing_payments(self, loan_ids: Sequence[str]) -> dict[str, list[Payment]]:
        """Payments that stand (not reversed), per loan."""
        rows = self.connection.execute(
            select(
                t.payment.c.loan_id,
                t.payment.c.payment_id,
                t.payment.c.paid_on,
                t.payment.c.amount_minor,
            )
            .outerjoin(
                t.payment_reversal, t.payment_reversal.c.payment_id == t.payment.c.payment_id
            )
            .where(t.payment.c.loan_id.in_(loan_ids), t.payment_reversal.c.payment_id.is_(None))
        ).all()
        grouped: dict[str, list[Payment]] = defaultdict(list)
        for loan_id, payment_id, paid_on, amount in rows:
            grouped[loan_id].append(Payment(payment_id, paid_on, amount))
        return grouped

    def arrangement_terms(self, loan_ids: Sequence[str]) -> dict[str, tuple[ArrangementTerms, ...]]:
        """The arrangements that took effect, per loan (those with none are absent)."""
        rows = self._select_in(
            "SELECT arrangement_id, loan_id, number, kind, status, starts_on, ends_on, terms_json"
            " FROM arrangement WHERE starts_on IS NOT NULL AND loan_id IN ({ids})",
            loan_ids,
        )
        if not rows:
            return {}
        planned: dict[str, list[tuple[date, int]]] = defaultdict(list)
        for arrangement_id, due, amount in select_in(
            self.connection,
            "SELECT i.arrangement_id, i.due_date, i.amount_minor FROM arrangement_instalment i"
            " WHERE i.arrangement_id IN ({ids}) ORDER BY i.arrangement_id, i.seq",
            [row.arrangement_id for row in rows],
        ):
            planned[arrangement_id].append((as_date(due), amount))
        grouped: dict[str, list[ArrangementTerms]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: (r.loan_id, r.number)):
            terms = replay_terms(row, planned.get(row.arrangement_id, ()))
            if terms is not None:
                grouped[row.loan_id].append(terms)
        return {loan_id: tuple(items) for loan_id, items in grouped.items()}


def _terms(row) -> LoanTerms:  # type: ignore[no-untyped-def]
    return LoanTerms(
        loan_id=row.loan_id,
        currency=row.currency,
        principal_minor=row.principal_minor,
        annual_rate_percent=Decimal(row.annual_rate_ppm) / PPM,
        term_months=row.term_months,
        start_date=row.start_date,
        method=RepaymentMethod(row.repayment_method),
        rounding=Rounding(row.rounding),
        first_due_date=row.first_due_date,
        product=row.product,
        holiday_calendar=row.holiday_calendar,
    )
