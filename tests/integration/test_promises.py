"""Promises to pay on a real database: making them, and settling them kept or broken by date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.adapters.product_files import parse_products
from arrears.domain.contacts import Promise, PromiseSource, PromiseStatus
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import payments, products, promises
from arrears.services.errors import Conflict, InvalidInput, NotFound
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

MADE_ON = date(2026, 3, 1)
DUE = date(2026, 3, 10)
PRODUCTS = """
[products.cash]
tolerance_minor = 100   # an unpaid remainder of 1.00 or less counts as paid
"""


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    models, findings = parse_products(PRODUCTS)
    assert findings == []
    products.load_products(app.uow_factory, models, NOW)
    rows = (
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,cash,王芳",
        "L2,B2,CNY,6000,12,6,2026-01-15,equal_installment,half_up,,李伟",
        "L3,B3,JPY,100000,5,3,2026-01-15,bullet,half_up,cash,Aiko",
    )
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows))
    assert (report.written, report.findings) == (3, [])
    return app


def _promise(app: App, amount: str, loan_id: str = "L1", promise_id: str = "P1") -> str:
    return promises.add_promise(
        app.uow_factory, loan_id, Decimal(amount), DUE, MADE_ON, NOW, promise_id=promise_id
    )


def _pay(app: App, payment_id: str, paid_on: date, amount: str, loan_id: str = "L1") -> None:
    record = PaymentRecord(payment_id, loan_id, paid_on, Decimal(amount))
    payments.post_payment(app.uow_factory, record, NOW)


def _settle(app: App, day: date) -> tuple[int, int]:
    return promises.settle_promises(app.uow_factory, day)


def _stored(app: App, promise_id: str = "P1") -> Promise:
    with app.uow() as uow:
        found = uow.contacts.promise(promise_id)
    assert found is not None
    return found


def _settlement(app: App, promise_id: str = "P1") -> tuple[str, date | None, int | None]:
    p = _stored(app, promise_id)
    return (str(p.status), p.settled_on, p.paid_minor)


# -- settling ---------------------------------------------------------------------------
def test_a_promise_paid_early_is_kept_on_the_first_day_it_is_covered(loaded: App) -> None:
    # given a promise of 300.00 by 10 March, paid in two parts on 3 and 4 March
    _promise(loaded, "300.00")
    _pay(loaded, "X1", date(2026, 3, 3), "100.00")
    _pay(loaded, "X2", date(2026, 3, 4), "200.00")
    # when settled on 3 March it is still open; on 5 March it is kept
    assert _settle(loaded, date(2026, 3, 3)) == (0, 0)
    assert _settlement(loaded) == ("open", None, None)
    assert _settle(loaded, date(2026, 3, 5)) == (1, 0)
    # then it is settled that day with what was paid
    assert _settlement(loaded) == ("kept", date(2026, 3, 5), 30_000)


def test_a_promise_paid_on_its_due_date_is_kept_that_day(loaded: App) -> None:
    _promise(loaded, "300.00")
    _pay(loaded, "X1", DUE, "300.00")
    assert _settle(loaded, date(2026, 3, 9)) == (0, 0)
    assert _settle(loaded, DUE) == (1, 0)
    assert _settlement(loaded) == ("kept", DUE, 30_000)


def test_a_promise_short_by_no_more_than_the_product_tolerance_is_kept(loaded: App) -> None:
    # given product cash's tolerance of 1.00 and 299.00 paid against 300.00
    _promise(loaded, "300.00")
    _pay(loaded, "X1", date(2026, 3, 8), "299.00")
    assert _settle(loaded, date(2026, 3, 8)) == (1, 0)
    assert _settlement(loaded) == ("kept", date(2026, 3, 8), 29_900)


def test_a_promise_short_by_more_than_the_tolerance_is_broken_on_its_due_date(loaded: App) -> None:
    # given 298.99 paid against 300.00 (tolerance 1.00), and 5.00 more after the due date
    _promise(loaded, "300.00")
    _pay(loaded, "X1", date(2026, 3, 8), "298.99")
    _pay(loaded, "X2", date(2026, 3, 12), "5.00")
    # when settled before, and then (late) after the due date
    assert _settle(loaded, date(2026, 3, 9)) == (0, 0)
    assert _settle(loaded, date(2026, 3, 15)) == (0, 1)
    # then it is broken as of its due date; the late payment does not count
    assert _settlement(loaded) == ("broken", DUE, 29_899)


def test_a_promise_with_nothing_paid_is_broken_with_zero_paid(loaded: App) -> None:
    _promise(loaded, "300.00")
    assert _settle(loaded, DUE) == (0, 1)
    assert _settlement(loaded) == ("broken", DUE, 0)


def test_a_payment_before_the_promise_was_made_does_not_count(loaded: App) -> None:
    _pay(loaded, "X0", date(2026, 2, 28), "300.00")
    _promise(loaded, "300.00")
    assert _settle(loaded, DUE) == (0, 1)
    assert _settlement(loaded) == ("broken", DUE, 0)


def test_a_reversed_payment_does_not_count_toward_a_promise(loaded: App) -> None:
    # given 300.00 paid on 4 March that bounced on 6 March, and 50.00 that stands
    _promise(loaded, "300.00")
    _pay(loaded, "X1", date(2026, 3, 4), "300.00")
    _pay(loaded, "X2", date(2026, 3, 5), "50.00")
    payments.reverse_payment(loaded.uow_factory, "X1", date(2026, 3, 6), "bounced", NOW)
    # when settled on the due date
    assert _settle(loaded, DUE) == (0, 1)
    # then only the standing 50.00 counts
    assert _settlement(loaded) == ("broken", DUE, 5_000)


def test_a_product_missing_from_the_tolerances_has_none(loaded: App) -> None:
    # given L2 (no product rules) short by 0.01
    _promise(loaded, "300.00", loan_id="L2", promise_id="P2")
    _pay(loaded, "X1", date(2026, 3, 2), "299.99", loan_id="L2")
    with loaded.uow() as uow:
        assert uow.contacts.settle_promises(DUE, {"cash": 100}) == (0, 1)
        uow.commit()
    assert _settlement(loaded, "P2") == ("broken", DUE, 29_999)


def test_settling_twice_for_the_same_day_changes_nothing(loaded: App) -> None:
    # given one promise kept and one broken on the due date
    _promise(loaded, "300.00")
    _promise(loaded, "200.00", loan_id="L2", promise_id="P2")
    _pay(loaded, "X1", date(2026, 3, 2), "300.00")
    assert _settle(loaded, DUE) == (1, 1)
    before = _rows(loaded)
    # when settled again for the same day, and for a later one
    assert _settle(loaded, DUE) == (0, 0)
    assert _settle(loaded, date(2026, 3, 20)) == (0, 0)
    # then nothing changed
    assert _rows(loaded) == before
    assert [r[1:4] for r in before] == [("kept", DUE, 30_000), ("broken", DUE, 0)]


def _rows(app: App) -> list[tuple[object, ...]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT promise_id, status, settled_on, paid_minor, created_at"
                " FROM promise ORDER BY promise_id"
            )
        ).all()
    return [(r[0], r[1], _day(r[2]), r[3], r[4]) for r in rows]


def _day(value: object) -> object:
    return date.fromisoformat(value) if isinstance(value, str) else value


# -- promise facts for the strategy -------------------------------------------------------
def test_promise_facts_give_the_open_promise_then_a_broken_one_for_30_days(loaded: App) -> None:
    # given a promise on L1 broken on its due date, and an open one on L2 made on 5 March
    _promise(loaded, "300.00")
    _settle(loaded, DUE)
    promises.add_promise(
        loaded.uow_factory, "L2", Decimal("50"), date(2026, 3, 20), date(2026, 3, 5), NOW
    )

    def facts(day: date) -> list[tuple[str, str, date]]:
        with loaded.uow() as uow:
            return uow.contacts.promise_facts(day)

    # then as of each day
    assert facts(date(2026, 3, 1)) == [("L1", "open", DUE)]
    assert facts(date(2026, 3, 9)) == [("L1", "open", DUE), ("L2", "open", date(2026, 3, 20))]
    assert facts(DUE)[0] == ("L1", "broken", DUE)
    assert facts(date(2026, 4, 8))[0] == ("L1", "broken", DUE)  # due date + 29 days
    assert facts(date(2026, 4, 9)) == [("L2", "open", date(2026, 3, 20))]


def test_promise_facts_prefer_a_new_open_promise_to_a_broken_one(loaded: App) -> None:
    _promise(loaded, "300.00")
    _settle(loaded, DUE)
    promises.add_promise(
        loaded.uow_factory,
        "L1",
        Decimal("100"),
        date(2026, 3, 25),
        date(2026, 3, 12),
        NOW,
        promise_id="P2",
    )
    with loaded.uow() as uow:
        assert uow.contacts.promise_facts(date(2026, 3, 11)) == [("L1", "broken", DUE)]
        assert uow.contacts.promise_facts(date(2026, 3, 12)) == [("L1", "open", date(2026, 3, 25))]


# -- making, cancelling and listing -----------------------------------------------------------
def test_a_promise_is_stored_in_minor_units_with_its_borrower_and_source(loaded: App) -> None:
    promise_id = promises.add_promise(
        loaded.uow_factory, "L1", Decimal("300.5"), DUE, MADE_ON, NOW, source="desk"
    )
    stored = _stored(loaded, promise_id)
    assert promise_id.startswith("PTP-")
    assert (stored.borrower_id, stored.amount_minor, stored.currency) == ("B1", 30_050, "CNY")
    assert (stored.made_on, stored.due_date, stored.status) == (MADE_ON, DUE, PromiseStatus.OPEN)
    assert stored.source is PromiseSource.DESK


@pytest.mark.parametrize(
    ("loan_id", "amount", "due", "message"),
    [
        ("L1", "0", DUE, "must be positive"),
        ("L1", "-5", DUE, "must be positive"),
        ("L1", "300.001", DUE, "300.001 has more decimals than CNY allows"),
        ("L3", "300.5", DUE, "300.5 has more decimals than JPY allows"),
        ("L1", "300", date(2026, 2, 28), "cannot be due in the past"),
        ("L1", "300", date(2026, 4, 1), "must be due within 30 days, by 2026-03-31"),
    ],
)
def test_a_bad_promise_is_refused_with_a_reason(
    loaded: App, loan_id: str, amount: str, due: date, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        promises.add_promise(loaded.uow_factory, loan_id, Decimal(amount), due, MADE_ON, NOW)
    assert promises.list_promises(loaded.uow_factory) == []


def test_a_promise_due_today_or_in_exactly_30_days_is_accepted(loaded: App) -> None:
    today = promises.add_promise(loaded.uow_factory, "L1", Decimal(1), MADE_ON, MADE_ON, NOW)
    promises.cancel_promise(loaded.uow_factory, today, MADE_ON)
    last = date(2026, 3, 31)
    later = promises.add_promise(loaded.uow_factory, "L1", Decimal(1), last, MADE_ON, NOW)
    assert _stored(loaded, later).due_date == last


def test_a_second_open_promise_on_a_loan_is_a_conflict_until_the_first_is_cancelled(
    loaded: App,
) -> None:
    _promise(loaded, "300.00")
    with pytest.raises(Conflict, match="loan L1 already has an open promise P1"):
        _promise(loaded, "100.00", promise_id="P2")
    assert promises.cancel_promise(loaded.uow_factory, "P1", date(2026, 3, 2)) is True
    assert _promise(loaded, "100.00", promise_id="P2") == "P2"
    assert _settlement(loaded, "P1") == ("cancelled", date(2026, 3, 2), None)


def test_the_same_promise_id_and_payload_again_returns_the_first_promise(loaded: App) -> None:
    # given a promise made on 1 March
    assert _promise(loaded, "300.00") == "P1"
    # when the same request is replayed a day later (amount written differently)
    again = promises.add_promise(
        loaded.uow_factory, "L1", Decimal("300"), DUE, date(2026, 3, 2), NOW, promise_id="P1"
    )
    # then it is the first promise, unchanged, and no other was made
    assert again == "P1"
    assert [p.promise_id for p in promises.list_promises(loaded.uow_factory)] == ["P1"]
    assert _stored(loaded).made_on == MADE_ON


def test_the_same_promise_id_with_another_payload_is_a_conflict(loaded: App) -> None:
    _promise(loaded, "300.00")
    with pytest.raises(Conflict, match="promise id P1 is already used for loan L1"):
        _promise(loaded, "301.00")
    with pytest.raises(Conflict, match="already used"):
        _promise(loaded, "300.00", loan_id="L2")


def test_an_unknown_loan_or_promise_is_not_found(loaded: App) -> None:
    with pytest.raises(NotFound, match="no loan L9"):
        _promise(loaded, "300.00", loan_id="L9")
    with pytest.raises(NotFound, match="no promise P9"):
        promises.cancel_promise(loaded.uow_factory, "P9", MADE_ON)
    with pytest.raises(NotFound, match="no loan L9"):
        promises.list_promises(loaded.uow_factory, loan_id="L9")


def test_a_settled_promise_cannot_be_cancelled_and_a_cancelled_one_is_left_as_is(
    loaded: App,
) -> None:
    _promise(loaded, "300.00")
    _settle(loaded, DUE)
    with pytest.raises(Conflict, match="promise P1 was already broken on 2026-03-10"):
        promises.cancel_promise(loaded.uow_factory, "P1", date(2026, 3, 11))
    _promise(loaded, "10.00", loan_id="L2", promise_id="P2")
    assert promises.cancel_promise(loaded.uow_factory, "P2", date(2026, 3, 2)) is True
    assert promises.cancel_promise(loaded.uow_factory, "P2", date(2026, 3, 3)) is False
    assert _settlement(loaded, "P2") == ("cancelled", date(2026, 3, 2), None)


def test_cancelled_promises_are_never_settled(loaded: App) -> None:
    _promise(loaded, "300.00")
    promises.cancel_promise(loaded.uow_factory, "P1", date(2026, 3, 2))
    assert _settle(loaded, DUE) == (0, 0)


def test_promises_are_listed_by_loan_and_status(loaded: App) -> None:
    _promise(loaded, "300.00")
    _promise(loaded, "200.00", loan_id="L2", promise_id="P2")
    _pay(loaded, "X1", date(2026, 3, 2), "300.00")
    _settle(loaded, DUE)
    assert [p.promise_id for p in promises.list_promises(loaded.uow_factory)] == ["P1", "P2"]
    listed = promises.list_promises(loaded.uow_factory, status="broken")
    assert [(p.promise_id, p.paid_minor) for p in listed] == [("P2", 0)]
    listed = promises.list_promises(loaded.uow_factory, loan_id="L1", status="kept")
    assert [p.promise_id for p in listed] == ["P1"]
    with pytest.raises(InvalidInput, match="'late' is not a promise status"):
        promises.list_promises(loaded.uow_factory, status="late")
