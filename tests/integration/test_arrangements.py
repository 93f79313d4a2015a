"""Arrangements on a real database: quoted, judged, made, approved, cancelled, replayed.

The loans (product ``cash``: a late fee of 50.00, no grace):
    L1, B1: 12,000.00 CNY at 12 %, 等额本金 over 12 months from 2026-01-15; nothing paid,
        so on 2026-04-01 it owes 2,360.38 fallen due (30.38 of it 罚息, 100.00 fees);
    L2, B1: the same loan of the same borrower;
    L3, B3: 6,000.00 CNY of product ``other`` (no policy of its own).
The policy ``test-plans`` is active for ``cash``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.adapters.product_files import parse_products
from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.arrangements import ArrangementOutcome, ArrangementStatus
from arrears.domain.loan_state import LoanState
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies, arrangements, payments, products, queries
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.journal_sync import sync_journals
from arrears.services.ledger_check import check_ledger
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

AS_OF = date(2026, 4, 1)
PRODUCTS = """
[products.cash]
late_fee_minor = 5000
[products.other]
"""
POLICY = """
name: test-plans
per_year: 2
kinds:
  promise: {max_days: 15}
  extension: {max_days: 60}
  plan: {max_instalments: 3, max_days: 120, min_down_payment_percent: "10", max_penalty_waiver_percent: "50"}
  settlement:
    max_instalments: 2
    max_penalty_waiver_percent: "100"
    max_discount_percent_by_bucket: {M2: "10"}
    approver: compliance
  reage: {max_term_months: 24, always_needs_approval: true}
"""
PLAN = ArrangementRequest(
    instalments=3, down_payment_major=Decimal("500.00"), waive_penalty_percent=Decimal("50")
)


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    models, findings = parse_products(PRODUCTS)
    assert findings == []
    products.load_products(app.uow_factory, models, NOW)
    rows = (
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_principal,half_up,cash,王芳",
        "L2,B1,CNY,12000,12,12,2026-01-15,equal_principal,half_up,cash,王芳",
        "L3,B3,CNY,6000,12,6,2026-01-15,equal_installment,half_up,other,李伟",
    )
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows))
    assert (report.written, report.findings) == (3, [])
    arrangement_policies.load_text(app.uow_factory, POLICY, "test", NOW, ["cash"])
    return app


def _create(
    app: App, request: ArrangementRequest = PLAN, kind: str = "plan", **options: object
) -> arrangements.ArrangementView:
    return arrangements.create_arrangement(
        app.uow_factory, options.pop("loan_id", "L1"), kind, request,  # type: ignore[arg-type]
        options.pop("as_of", AS_OF), NOW, **options,  # type: ignore[arg-type]
    )  # fmt: skip


def _status(app: App, loan_id: str, as_of: date) -> LoanState:
    return queries.loan_status(app.uow_factory, loan_id, as_of)


# -- quotes and the policy ------------------------------------------------------------------
def test_a_quote_within_the_policy_is_approved_automatically(loaded: App) -> None:
    result = arrangements.quote_arrangement(loaded.uow_factory, "L1", "plan", PLAN, AS_OF)
    assert [(i.due_date, i.amount_minor) for i in result.quote.instalments] == [
        (date(2026, 4, 8), 50000),
        (date(2026, 5, 8), 92259),
        (date(2026, 6, 8), 92260),
    ]
    assert (result.verdict.within_policy, result.verdict.needs_approval_by) == (True, None)
    assert (result.policy, result.policy_version, result.borrower_id) == ("test-plans", 1, "B1")


def test_a_quote_beyond_the_policy_names_who_must_approve_and_why(loaded: App) -> None:
    request = replace(PLAN, instalments=4)
    result = arrangements.quote_arrangement(loaded.uow_factory, "L1", "plan", request, AS_OF)
    assert result.verdict.within_policy is False
    assert result.verdict.needs_approval_by == "manager"
    assert result.verdict.reasons == ("4 instalments is more than the 3 allowed",)


def test_without_a_policy_for_the_product_every_arrangement_waits_for_a_manager(
    loaded: App,
) -> None:
    request = ArrangementRequest(instalments=2)
    result = arrangements.quote_arrangement(loaded.uow_factory, "L3", "plan", request, AS_OF)
    assert (result.verdict.within_policy, result.verdict.needs_approval_by) == (False, "manager")
    assert result.verdict.reasons == ("no arrangement policy is active for product other",)
    assert (result.policy, result.policy_version) == (None, None)


def test_a_kind_the_policy_does_not_offer_is_refused(loaded: App) -> None:
    with pytest.raises(InvalidInput, match="the arrangement policy test-plans does not offer a"):
        _create(loaded, ArrangementRequest(days=30), "pause")


def test_a_bad_request_is_refused_naming_the_field(loaded: App) -> None:
    with pytest.raises(InvalidInput) as refused:
        _create(loaded, ArrangementRequest(instalments=0))
    assert str(refused.value) == (
        "cannot quote a repayment plan on loan L1: instalments: must be 1 or more, got 0"
    )
    with pytest.raises(NotFound, match="no loan L9 is stored"):
        _create(loaded, loan_id="L9")


# -- making ---------------------------------------------------------------------------------
def test_an_arrangement_within_policy_is_active_from_the_end_of_its_day(loaded: App) -> None:
    made = _create(loaded, arrangement_id="A1", created_by="wang.fang")
    record = made.record
    assert (record.arrangement_id, record.number, record.kind, record.status) == (
        "A1",
        1,
        "plan",
        "active",
    )
    assert (record.quoted_on, record.starts_on, record.ends_on) == (AS_OF, AS_OF, None)
    assert (record.total_minor, record.waived_minor, record.fee_minor) == (234519, 1519, 0)
    assert (record.policy, record.policy_version, record.needs_approval_by) == (
        "test-plans",
        1,
        None,
    )
    assert (record.source, record.created_by, record.borrower_id) == ("cli", "wang.fang", "B1")
    assert [(i.seq, i.due_date, i.amount_minor, i.status) for i in made.instalments] == [
        (1001, date(2026, 4, 8), 50000, "open"),
        (1002, date(2026, 5, 8), 92259, "open"),
        (1003, date(2026, 6, 8), 92260, "open"),
    ]
    # the loan is measured against the plan from the end of 1 April: nothing overdue then
    before = _status(loaded, "L1", AS_OF - timedelta(days=1))
    after = _status(loaded, "L1", AS_OF)
    assert (before.dpd, before.bucket) == (44, "M2")
    assert (after.dpd, after.bucket, after.total_overdue_minor) == (0, "M0", 0)
    assert after.arrangements[0].status is ArrangementStatus.ACTIVE


def test_the_same_id_and_request_again_returns_the_arrangement_made(loaded: App) -> None:
    first = _create(loaded, arrangement_id="A1")
    again = _create(loaded, replace(PLAN, down_payment_major=Decimal("500")), arrangement_id="A1")
    assert again == first
    with pytest.raises(
        Conflict, match="arrangement id A1 is already used for a repayment plan on loan L1"
    ):
        _create(loaded, replace(PLAN, instalments=2), arrangement_id="A1")
    with pytest.raises(Conflict, match="arrangement id A1 is already used"):
        _create(loaded, loan_id="L2", arrangement_id="A1")


def test_a_loan_has_one_arrangement_pending_or_active_at_a_time(loaded: App) -> None:
    _create(loaded, replace(PLAN, instalments=4), arrangement_id="A1")  # pending
    with pytest.raises(Conflict, match="loan L1 already has a pending plan A1"):
        _create(loaded)
    with pytest.raises(Conflict, match="loan L1 already has a pending plan A1"):
        arrangements.quote_arrangement(loaded.uow_factory, "L1", "plan", PLAN, AS_OF)
    arrangements.cancel_arrangement(loaded.uow_factory, "A1", AS_OF, NOW)
    assert _create(loaded).record.number == 2


def test_a_pending_arrangement_has_no_effect_until_approved(loaded: App) -> None:
    # given a plan beyond the policy, pending a manager
    made = _create(loaded, replace(PLAN, instalments=4), arrangement_id="A1").record
    assert (made.status, made.starts_on, made.needs_approval_by) == ("pending", None, "manager")
    assert made.reasons == ("4 instalments is more than the 3 allowed",)
    assert _status(loaded, "L1", date(2026, 4, 2)).dpd == 46
    # when an agent tries to approve it, then a manager does on 3 April
    with pytest.raises(InvalidInput, match="needs approval by a manager; an agent may not"):
        arrangements.approve_arrangement(
            loaded.uow_factory, "A1", "li.lei", "agent", date(2026, 4, 3), NOW
        )
    approved = arrangements.approve_arrangement(
        loaded.uow_factory, "A1", "zhao.min", "manager", date(2026, 4, 3), NOW
    )
    # then it is active from the end of 3 April, with who decided when
    assert (approved.status, approved.starts_on, approved.decided_by) == (
        "active",
        date(2026, 4, 3),
        "zhao.min",
    )
    assert approved.decided_at == NOW
    assert _status(loaded, "L1", date(2026, 4, 2)).dpd == 46
    assert _status(loaded, "L1", date(2026, 4, 3)).dpd == 0
    with pytest.raises(Conflict, match="arrangement A1 is active: only a pending one"):
        arrangements.approve_arrangement(
            loaded.uow_factory, "A1", "zhao.min", "manager", date(2026, 4, 3), NOW
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("agent", False), ("manager", False), ("compliance", True), ("admin", True)],
)
def test_what_waits_for_compliance_is_approved_by_compliance_or_an_admin(
    loaded: App, role: str, allowed: bool
) -> None:
    request = ArrangementRequest(discount_percent=Decimal("20"), instalments=1)
    made = _create(loaded, request, "settlement", arrangement_id="S1").record
    assert (made.status, made.needs_approval_by) == ("pending", "compliance")
    assert made.reasons == ("a discount of 20 % is more than the 10 % allowed in M2",)
    approve = lambda: arrangements.approve_arrangement(  # noqa: E731
        loaded.uow_factory, "S1", "someone", role, AS_OF, NOW
    )
    if allowed:
        assert approve().status == "active"
    else:
        with pytest.raises(InvalidInput, match="needs approval by a compliance officer"):
            approve()


def test_a_stale_quote_cannot_be_approved(loaded: App) -> None:
    _create(loaded, replace(PLAN, instalments=4), arrangement_id="A1")
    with pytest.raises(Conflict, match="first instalment due 2026-04-08, not after 2026-04-08"):
        arrangements.approve_arrangement(
            loaded.uow_factory, "A1", "zhao.min", "manager", date(2026, 4, 8), NOW
        )


def test_a_rejected_arrangement_ends_without_effect(loaded: App) -> None:
    _create(loaded, replace(PLAN, instalments=4), arrangement_id="A1")
    rejected = arrangements.reject_arrangement(
        loaded.uow_factory, "A1", "zhao.min", date(2026, 4, 2), NOW
    )
    assert (rejected.status, rejected.ends_on, rejected.decided_by) == (
        "rejected",
        date(2026, 4, 2),
        "zhao.min",
    )
    assert _status(loaded, "L1", date(2026, 4, 5)).dpd == 49


def test_cancelling_an_active_plan_gives_back_the_original_obligations(loaded: App) -> None:
    _create(loaded, arrangement_id="A1")
    assert arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 5), NOW)
    assert not arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 5), NOW)
    with loaded.uow() as uow:
        record = uow.arrangements.get("A1")
    assert record is not None
    assert (record.status, record.ends_on) == ("cancelled", date(2026, 4, 5))
    # under the plan through 4 April; it is undone at the end of the 5th
    assert _status(loaded, "L1", date(2026, 4, 4)).dpd == 0
    back = _status(loaded, "L1", date(2026, 4, 5))
    assert (back.dpd, back.oldest_unpaid_due_date) == (49, date(2026, 2, 15))
    assert back.arrangements[0].status is ArrangementStatus.CANCELLED


def test_a_plan_the_replay_finds_broken_cannot_be_cancelled_before_any_cycle_ran(
    loaded: App,
) -> None:
    # Given a plan whose 500.00 due on 2026-04-08 was never paid (no cycle has run)
    made = _create(loaded, arrangement_id="A1")
    # When it is cancelled a week later
    with pytest.raises(Conflict, match="arrangement A1 was already broken on 2026-04-09"):
        arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 15), NOW)
    # Then what the replay found is recorded, not the cancellation
    assert made.record.status == "active"
    (record,) = arrangements.list_arrangements(loaded.uow_factory, loan_id="L1")
    assert (record.status, record.ends_on) == ("broken", date(2026, 4, 9))


def test_history_cannot_be_cancelled(loaded: App) -> None:
    _create(loaded, replace(PLAN, instalments=4), arrangement_id="A1")
    arrangements.reject_arrangement(loaded.uow_factory, "A1", "zhao.min", AS_OF, NOW)
    with pytest.raises(Conflict, match="arrangement A1 was already rejected on 2026-04-01"):
        arrangements.cancel_arrangement(loaded.uow_factory, "A1", AS_OF, NOW)
    with pytest.raises(NotFound, match="no arrangement A9 is stored"):
        arrangements.cancel_arrangement(loaded.uow_factory, "A9", AS_OF, NOW)


# -- the yearly count ----------------------------------------------------------------------
def test_the_borrowers_arrangements_of_the_last_365_days_count_toward_the_yearly_limit(
    loaded: App,
) -> None:
    # given B1's plan on L1 (kept in force) and a withdrawn one on L2
    _create(loaded, arrangement_id="A1")
    _create(loaded, replace(PLAN, instalments=4), loan_id="L2", arrangement_id="A2")
    arrangements.cancel_arrangement(loaded.uow_factory, "A2", AS_OF, NOW)
    _create(
        loaded, replace(PLAN, instalments=2), loan_id="L2", arrangement_id="A3",
        as_of=date(2026, 4, 1),
    )  # fmt: skip
    with loaded.uow() as uow:
        assert uow.arrangements.count_made_since("B1", date(2025, 4, 2)) == 2
        assert uow.arrangements.count_made_since("B1", date(2026, 4, 2)) == 0
        assert uow.arrangements.count_made_since("B3", date(2025, 4, 2)) == 0
    # then a third this year needs a manager
    arrangements.cancel_arrangement(loaded.uow_factory, "A3", AS_OF, NOW)
    result = arrangements.quote_arrangement(loaded.uow_factory, "L2", "plan", PLAN, AS_OF)
    assert result.quote.proposal.arrangements_this_year == 2
    assert result.verdict.reasons == (
        "the borrower already made 2 arrangements in the last 365 days; 2 are allowed",
    )


# -- promises -------------------------------------------------------------------------------
def test_a_promise_is_recorded_as_a_promise_to_pay(loaded: App) -> None:
    request = ArrangementRequest(amount_major=Decimal("300.00"), first_date=date(2026, 4, 10))
    made = _create(loaded, request, "promise", arrangement_id="P1")
    assert (made.record.kind, made.record.status, made.record.total_minor) == (
        "promise",
        "open",
        30000,
    )
    with loaded.uow() as uow:
        promise = uow.contacts.promise("P1")
        assert uow.arrangements.get("P1") is None
    assert promise is not None and promise.due_date == date(2026, 4, 10)
    listed = arrangements.list_arrangements(loaded.uow_factory, loan_id="L1")
    assert [(r.arrangement_id, r.kind, r.status) for r in listed] == [("P1", "promise", "open")]
    assert arrangements.cancel_arrangement(loaded.uow_factory, "P1", AS_OF, NOW)
    assert arrangements.list_arrangements(loaded.uow_factory, status="cancelled")[0].kind == (
        "promise"
    )


def test_a_promise_beyond_the_policy_cannot_wait_for_approval(loaded: App) -> None:
    request = ArrangementRequest(amount_major=Decimal("300.00"), first_date=date(2026, 4, 20))
    with pytest.raises(InvalidInput, match="19 days is longer than the 15 allowed"):
        _create(loaded, request, "promise")


# -- listing and showing --------------------------------------------------------------------
def test_arrangements_are_listed_by_loan_status_and_kind(loaded: App) -> None:
    _create(loaded, arrangement_id="A1")
    _create(loaded, replace(PLAN, instalments=4), loan_id="L2", arrangement_id="A2")
    listed = arrangements.list_arrangements
    assert [r.arrangement_id for r in listed(loaded.uow_factory)] == ["A1", "A2"]
    assert [r.arrangement_id for r in listed(loaded.uow_factory, status="pending")] == ["A2"]
    assert [r.arrangement_id for r in listed(loaded.uow_factory, loan_id="L1")] == ["A1"]
    assert listed(loaded.uow_factory, kind="settlement") == []
    with pytest.raises(InvalidInput, match="'done' is not a status of an arrangement"):
        listed(loaded.uow_factory, status="done")


def test_show_gives_the_instalments_and_the_loan_as_of_the_day(loaded: App) -> None:
    _create(loaded, arrangement_id="A1")
    shown = arrangements.show_arrangement(loaded.uow_factory, "A1", date(2026, 4, 2))
    assert shown.view.record.arrangement_id == "A1"
    assert len(shown.view.instalments) == 3
    assert (shown.state.dpd, shown.state.as_of) == (0, date(2026, 4, 2))


# -- the cycle's part -----------------------------------------------------------------------
def test_outcomes_are_recorded_on_the_arrangement_and_its_instalments(loaded: App) -> None:
    # given the plan, its first instalment paid on time and the second missed
    _create(loaded, arrangement_id="A1")
    payment = PaymentRecord("X1", "L1", date(2026, 4, 8), Decimal("500.00"))
    payments.post_payment(loaded.uow_factory, payment, NOW)
    state = _status(loaded, "L1", date(2026, 5, 9))
    # when the replay's outcomes are recorded (as the daily cycle does)
    with loaded.uow() as uow:
        assert uow.arrangements.record_outcomes(state.arrangements) == 1
        uow.commit()
    # then the plan is broken on 9 May, with what was paid
    with loaded.uow() as uow:
        record = uow.arrangements.get("A1")
        rows = uow.arrangements.instalments("A1")
    assert record is not None
    assert (record.status, record.ends_on, record.paid_minor) == (
        "broken",
        date(2026, 5, 9),
        50000,
    )
    assert [(r.seq, r.status, r.paid_minor) for r in rows] == [
        (1001, "kept", 50000),
        (1002, "broken", 0),
        (1003, "open", 0),
    ]


def test_outcomes_do_not_touch_a_cancelled_arrangement(loaded: App) -> None:
    _create(loaded, arrangement_id="A1")
    state = _status(loaded, "L1", date(2026, 4, 2))
    arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 2), NOW)
    with loaded.uow() as uow:
        assert uow.arrangements.record_outcomes(state.arrangements) == 0
        assert uow.arrangements.record_outcomes([]) == 0
        record = uow.arrangements.get("A1")
    assert record is not None and record.status == "cancelled"


def test_a_cancelled_arrangement_the_replay_finds_broken_before_is_recorded_broken(
    loaded: App,
) -> None:
    # Given a plan cancelled on 2026-04-02…
    _create(loaded, arrangement_id="A1")
    arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 2), NOW)
    # …when a reversal shows its first instalment was never paid, the replay finds it
    # broken on 2026-04-09, before the cancellation
    broken = ArrangementOutcome("A1", ArrangementStatus.BROKEN, date(2026, 4, 9), 0, ())
    active = ArrangementOutcome("A1", ArrangementStatus.ACTIVE, None, 0, ())
    with loaded.uow() as uow:
        assert uow.arrangements.record_outcomes([active]) == 0  # never back to active
        assert uow.arrangements.record_outcomes([broken]) == 1
        uow.commit()
        record = uow.arrangements.get("A1")
    assert record is not None and (record.status, record.ends_on) == ("broken", date(2026, 4, 9))


def test_starting_and_ending_an_arrangement_marks_the_loan_for_the_cycle(loaded: App) -> None:
    with loaded.uow() as uow:  # as if a cycle had run
        uow.ledger.connection.execute(
            text(
                "INSERT INTO cycle_day (as_of, started_at, finished_at, summary_json)"
                " VALUES (:day, :at, :at, '{}')"
            ),
            {"day": date(2026, 3, 31), "at": datetime(2026, 3, 31, tzinfo=UTC)},
        )
        uow.commit()
    _create(loaded, arrangement_id="A1")
    arrangements.cancel_arrangement(loaded.uow_factory, "A1", date(2026, 4, 9), NOW)
    with loaded.uow() as uow:
        marks = uow.ledger.connection.execute(
            text("SELECT loan_id, from_day FROM cycle_dirty ORDER BY loan_id")
        ).all()
    assert [tuple(m) for m in marks] == [("L1", 20544)]  # 2026-04-01, the earlier of the two


def test_the_journal_posts_the_waiver_and_the_ledger_check_is_clean(loaded: App) -> None:
    _create(loaded, arrangement_id="A1")
    with loaded.uow() as uow:
        posted = sync_journals(uow.ledger, ["L1"], NOW, date(2026, 4, 2))
        uow.commit()
    assert posted > 0
    assert check_ledger(loaded.uow_factory) == []
    with loaded.uow() as uow:
        kinds = uow.ledger.connection.execute(
            text("SELECT kind, source FROM journal_entry WHERE source LIKE 'arrangement:%'")
        ).all()
    assert [tuple(k) for k in kinds] == [("waiver", "arrangement:A1:waiver")]


def test_a_journal_posted_past_the_start_by_a_later_payment_is_re_derived(loaded: App) -> None:
    # Given a payment dated after the day the plan will start, its journal posted to then
    later = PaymentRecord("P-LATER", "L1", date(2026, 4, 5), Decimal("100.00"), "CNY")
    payments.post_payment(loaded.uow_factory, later, NOW)
    # When a plan starts on 2026-04-01, before the journal's date
    _create(loaded, arrangement_id="A1")
    # Then the journal holds its waiver and agrees with the derivation at once
    assert check_ledger(loaded.uow_factory) == []
    with loaded.uow() as uow:
        sources = (
            uow.ledger.connection.execute(
                text("SELECT source FROM journal_entry WHERE source LIKE 'arrangement:%'")
            )
            .scalars()
            .all()
        )
    assert sources == ["arrangement:A1:waiver"]


@pytest.mark.parametrize(
    ("kind", "request_", "seqs"),
    [
        ("plan", PLAN, [1001, 1002, 1003]),
        ("extension", ArrangementRequest(seq=3, days=10, fee_major=Decimal("20")), [3]),
        ("extension", ArrangementRequest(days=50), [1001]),
        (
            "settlement",
            ArrangementRequest(discount_percent=Decimal("5"), instalments=2),
            [1001, 1002],
        ),
        ("reage", ArrangementRequest(term_months=6), [1001, 1002, 1003, 1004, 1005, 1006]),
    ],
)
def test_what_is_stored_is_what_the_replay_reads_back(
    loaded: App, kind: str, request_: ArrangementRequest, seqs: list[int]
) -> None:
    # given the quote, and the arrangement made from it (a re-age approved the same day)
    quoted = arrangements.quote_arrangement(loaded.uow_factory, "L1", kind, request_, AS_OF)
    made = _create(loaded, request_, kind, arrangement_id="A1")
    if made.record.status == "pending":
        arrangements.approve_arrangement(loaded.uow_factory, "A1", "zhao", "admin", AS_OF, NOW)
    # then its instalments carry the replay's seqs, and the replay reads the quoted terms
    assert [i.seq for i in made.instalments] == seqs
    with loaded.uow() as uow:
        (stored,) = uow.ledger.arrangement_terms(["L1"])["L1"]
    assert stored == replace(quoted.quote.terms, arrangement_id="A1", number=1)
    outcome = _status(loaded, "L1", AS_OF).arrangements[0]
    assert [(o.seq, o.due_date) for o in outcome.instalments] == [
        (i.seq, i.due_date) for i in made.instalments[: len(outcome.instalments)]
    ]
