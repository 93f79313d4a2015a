"""The set-based cycle equals the per-loan reference for loans under arrangements too.

Random loans get a random arrangement (plan, extension, settlement, re-age, pause)
made on a random day — before that day's cycle, or after it (the next cycle takes
it) — sometimes cancelled later, with payments arriving along the way, some of them
bounced (reversed) days later. After every
day every loan's stored status equals ``loan_state``; at the end the journal
equals its derivation and every arrangement's stored outcome is the replay's.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from arrears.adapters.product_files import ProductModel
from arrears.adapters.store.arrangement_codec import terms_json
from arrears.adapters.store.bulk import as_date
from arrears.adapters.store.cycle_sql import mark_for_rebuild
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import SEQ_BLOCK, ArrangementTerms, Instalment, ReageTerms
from arrears.domain.calendar import day_number
from arrears.domain.money import Rounding
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import RepaymentMethod
from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_decisions as decisions
from arrears.services import importing, ledger_check, products, queries
from arrears.services.cycle import run_cycle
from arrears.services.cycle_check import check_status
from arrears.services.errors import Conflict
from arrears.services.journal_sync import sync_journals
from arrears.services.payments import reverse_payment
from tests.integration.test_cycle_differential import rows

FIRST_DAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, tzinfo=UTC)
EXAMPLES = settings(
    max_examples=int(os.environ.get("ARREARS_CYCLE_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def store_arrangement(app: App, loan_id: str, terms: ArrangementTerms) -> None:
    """Store an approved arrangement as the services do, and ask the cycle to replay it."""
    with app.uow() as uow:
        connection = uow.ledger.connection
        connection.execute(
            text(
                "INSERT INTO arrangement (arrangement_id, loan_id, borrower_id, number, kind,"
                " status, currency, quoted_on, starts_on, total_minor, waived_minor, fee_minor,"
                " terms_json, reasons_json, source, created_at) VALUES (:id, :loan, :borrower, :number,"
                " :kind, 'active', 'CNY', :day, :day, 0, 0, 0, :terms, '[]', 'test', :now)"
            ),
            {"id": terms.arrangement_id, "loan": loan_id, "number": terms.number,
             "borrower": loan_id.replace("L", "B", 1), "kind": str(terms.kind),
             "day": terms.starts_on, "terms": terms_json(terms), "now": NOW},
        )  # fmt: skip
        for k, instalment in enumerate(terms.instalments, start=1):
            seq = terms.number * SEQ_BLOCK + k  # numbered as the replay numbers them
            connection.execute(
                text(
                    "INSERT INTO arrangement_instalment (arrangement_id, seq, due_date,"
                    " amount_minor, status) VALUES (:id, :seq, :due, :amount, 'open')"
                ),
                {"id": terms.arrangement_id, "seq": seq, "due": instalment.due_date,
                 "amount": instalment.amount_minor},
            )  # fmt: skip
        mark_for_rebuild(connection, {loan_id: day_number(terms.starts_on)})
        sync_journals(uow.ledger, [loan_id], NOW)  # as services.arrangement_effects does
        uow.commit()
    _KINDS[terms.arrangement_id] = str(terms.kind)


def cancel_arrangement(app: App, terms: ArrangementTerms, day: date) -> None:
    """Cancel through the service: one already kept or broken is history and stays."""
    with contextlib.suppress(Conflict):
        decisions.cancel_arrangement(app.uow_factory, terms.arrangement_id, day, NOW)


@st.composite
def arrangement_for(
    draw: Any, loan: LoanRecord, days: int
) -> tuple[int, bool, ArrangementTerms, int | None]:
    made = draw(st.integers(1, days - 1))
    after_cycle = draw(st.booleans())  # made after the day's cycle: the next cycle takes it
    start = FIRST_DAY + timedelta(days=made - (1 if after_cycle else 0))
    first = start + timedelta(days=draw(st.integers(1, 15)))
    kind = draw(st.sampled_from([k for k in ArrangementKind if k is not ArrangementKind.PROMISE]))
    terms = ArrangementTerms(
        arrangement_id=f"A-{loan.loan_id}",
        number=1,
        kind=kind,
        starts_on=start,
        instalments=tuple(
            Instalment(first + timedelta(days=20 * k), draw(st.integers(1, 300_000)))
            for k in range(draw(st.integers(1, 3)))
        ),
        penalty_waiver_minor=draw(st.integers(0, 3_000)),
        fee_minor=draw(st.sampled_from([0, 1_500])),
        extend_seq=draw(st.integers(1, loan.term_months)),
        extend_days=draw(st.integers(1, 25)),
        reage=ReageTerms(
            term_months=draw(st.integers(1, 6)),
            annual_rate_percent=Decimal(draw(st.sampled_from(["0", "8", "12"]))),
            first_due_date=first,
            method=draw(st.sampled_from(RepaymentMethod)),
            probation=draw(st.integers(1, 2)),
        ),
        pause_days=draw(st.integers(1, 20)),
        pause_accrues_interest=draw(st.booleans()),
    )
    cancelled = draw(st.none() | st.integers(made, days - 1))
    return made, after_cycle, terms, cancelled


@st.composite
def portfolios(draw: Any) -> Any:
    days = draw(st.integers(15, 45))
    product = ProductModel(
        grace_days=draw(st.integers(0, 3)),
        tolerance_minor=draw(st.sampled_from([0, 100])),
        late_fee_minor=draw(st.sampled_from([0, 1500])),
    )
    loans, plans, payments = [], [], []
    for n in range(draw(st.integers(1, 3))):
        loan = LoanRecord(
            loan_id=f"L{n}", borrower_id=f"B{n}", currency="CNY",
            principal_minor=draw(st.integers(50_000, 2_000_000)),
            annual_rate_percent=draw(st.decimals(Decimal("0"), Decimal("24"), places=1)),
            term_months=draw(st.integers(1, 6)),
            start_date=FIRST_DAY + timedelta(days=draw(st.integers(-120, 0))),
            method=draw(st.sampled_from(RepaymentMethod)),
            rounding=draw(st.sampled_from(Rounding)), product="p",
        )  # fmt: skip
        loans.append(loan)
        plans.append(draw(arrangement_for(loan, days)))
        for k in range(draw(st.integers(0, 4))):
            arrives = draw(st.integers(0, days - 1))
            paid_on = max(
                loan.start_date, FIRST_DAY + timedelta(days=arrives - draw(st.integers(0, 3)))
            )
            amount = Decimal(draw(st.integers(1, loan.principal_minor // 3))) / 100
            record = PaymentRecord(f"{loan.loan_id}-p{k}", loan.loan_id, paid_on, amount, "CNY")
            bounces = draw(st.none() | st.integers(arrives, days))  # a reversal, some days on
            payments.append((arrives, record, bounces))
    return product, loans, plans, payments, days


@EXAMPLES
@given(portfolio=portfolios())
def test_loans_under_arrangements_equal_the_reference_after_every_day(
    app_factory: Callable[[], App], portfolio: Any
) -> None:
    product, loans, plans, payments, days = portfolio
    app = app_factory()
    products.load_products(app.uow_factory, {"p": product}, NOW)
    assert importing.import_loans(app.uow_factory, rows(loans), NOW).clean
    for index in range(days):
        day = FIRST_DAY + timedelta(days=index)
        arriving = [record for arrives, record, _ in payments if arrives == index]
        if arriving:
            assert importing.import_payments(app.uow_factory, rows(arriving), NOW).clean
        for _, record, bounces in payments:
            if bounces == index:
                bounced_on = max(record.paid_on, day)
                reverse_payment(app.uow_factory, record.payment_id, bounced_on, "bounced", NOW)
        for loan, (made, after_cycle, terms, cancelled) in zip(loans, plans, strict=True):
            if made == index and not after_cycle:
                store_arrangement(app, loan.loan_id, terms)
            if cancelled == index and made <= index:
                cancel_arrangement(app, terms, max(day, terms.starts_on))
        run_cycle(app.uow_factory, day, lambda: NOW)
        assert check_status(app.uow_factory, day) == [], f"on {day}"
        for loan, (made, after_cycle, terms, _) in zip(loans, plans, strict=True):
            if made == index + 1 and after_cycle:  # the day has run: the next cycle takes it
                store_arrangement(app, loan.loan_id, replace(terms, starts_on=day))
    assert ledger_check.check_ledger(app.uow_factory) == []
    stored = stored_outcomes(app)
    replayed = replayed_outcomes(app, FIRST_DAY + timedelta(days=days - 1))
    assert {key: stored.get(key) for key in replayed} == replayed
    assert {key for key in stored if "/" not in key} == {key for key in replayed if "/" not in key}


def stored_outcomes(app: App) -> dict[str, tuple[Any, ...]]:
    with app.uow() as uow:
        rows = uow.ledger.connection.execute(
            text("SELECT arrangement_id, status, ends_on, paid_minor, kind FROM arrangement")
        ).all()
        instalments = uow.ledger.connection.execute(
            text(
                "SELECT arrangement_id, seq, status, paid_minor FROM arrangement_instalment"
                " ORDER BY arrangement_id, seq"
            )
        ).all()
    paid = {(a, seq): (status, amount) for a, seq, status, amount in instalments}
    return {
        a: (status, as_date(ends) if ends else None, amount) if status != "cancelled" else (status,)
        for a, status, ends, amount, _ in rows
    } | {f"{a}/{seq}": value for (a, seq), value in paid.items() if _replayed(rows, a)}


def replayed_outcomes(app: App, day: date) -> dict[str, tuple[Any, ...]]:
    found: dict[str, tuple[Any, ...]] = {}
    with app.uow() as uow:
        ids = [row[0] for row in uow.ledger.connection.execute(text("SELECT loan_id FROM loan"))]
    for loan_id in ids:
        for outcome in queries.loan_status(app.uow_factory, loan_id, day).arrangements:
            if outcome.status == "cancelled":
                found[outcome.arrangement_id] = (str(outcome.status),)
                continue
            found[outcome.arrangement_id] = (
                str(outcome.status), outcome.ended_on, outcome.paid_minor,
            )  # fmt: skip
            for instalment in outcome.instalments if _numbered(outcome.arrangement_id) else ():
                found[f"{outcome.arrangement_id}/{instalment.seq}"] = (
                    instalment.status, instalment.paid_minor,
                )  # fmt: skip
    return found


def _replayed(rows: Any, arrangement_id: str) -> bool:
    """Instalments this test numbers as the replay does: new ones (plan, settlement).
    An extension or a pause keeps the seq of the instalment it moves."""
    return any(
        a == arrangement_id and status != "cancelled" and kind in NUMBERED
        for a, status, _, _, kind in rows
    )


NUMBERED = ("plan", "settlement")  # a re-age's are its quoted schedule (tests of quotes)
_KINDS: dict[str, str] = {}


def _numbered(arrangement_id: str) -> bool:
    return _KINDS.get(arrangement_id) in NUMBERED
