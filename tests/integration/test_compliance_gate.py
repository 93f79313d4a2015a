"""The cycle's compliance gate: decisions from the store's packs, people and history;
reusing a verdict for borrowers of one shape changes nothing; old gate decisions move
into the audit chain when the store is migrated."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from arrears.adapters.store.bulk import insert_rows
from arrears.adapters.store.database import make_engine, migrate
from arrears.domain.compliance.facts import Channel
from arrears.domain.gate import ContactProposal, Verdict
from arrears.entrypoints.bootstrap import App
from arrears.services import audit, compliance
from arrears.services.compliance_gate import ComplianceGate
from arrears.settings import load_settings

NOW = datetime(2026, 11, 29, 16, tzinfo=UTC)
DAY = date(2026, 11, 30)
MORNING = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


def people_with_histories(app: App, count: int, seed: int) -> None:
    rng = random.Random(seed)
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    borrowers, attempts, profiles = [], [], []
    for i in range(count):
        phone = rng.choice([f"+86138{i:08d}", f"+1212555{i:04d}", f"+1310555{i:04d}"])
        borrowers.append((f"B{i}", f"B {i}", phone, rng.choice(["Asia/Shanghai", None])))
        for _ in range(rng.choice([0, 0, 1, 3, 7])):
            at = MORNING - timedelta(hours=rng.randint(1, 200))
            outcome = rng.choice(["no_answer", "reached", "busy", "delivered"])
            channel = "sms" if outcome == "delivered" else "call"
            attempts.append((f"B{i}", channel, "outbound", "borrower", outcome, at, NOW, "lender"))
        if rng.random() < 0.1:
            opt_out = {"opt_outs": [{"channel": "sms", "at": "2026-11-01T00:00:00Z"}]}
            profiles.append((f"B{i}", json.dumps(opt_out), NOW))
    with app.engine.begin() as connection:
        insert_rows(connection, "borrower", ("borrower_id", "name", "phone", "timezone"), borrowers)
        insert_rows(connection, "contact_attempt",
                    ("borrower_id", "channel", "direction", "party", "outcome", "attempted_at",
                     "recorded_at", "made_by"), attempts)  # fmt: skip
        insert_rows(connection, "compliance_profile",
                    ("borrower_id", "profile_json", "updated_at"), profiles)  # fmt: skip


def test_reusing_a_verdict_per_shape_decides_as_deciding_each_alone(app: App) -> None:
    people_with_histories(app, 400, seed=11)
    batch = [
        ContactProposal(f"L{i}", f"B{i}", DAY, "m1.0", ["sms", "call", "letter"][i % 3],
                        MORNING + timedelta(hours=i % 16), product="cash_loan")
        for i in range(400)
    ]  # fmt: skip
    with app.uow_factory() as uow:
        shared = ComplianceGate.of(uow).decide(batch)
        alone = [ComplianceGate.of(uow).decide([p])[0] for p in batch]
    assert shared == alone
    verdicts = {d.verdict for d in shared}
    assert Verdict.ALLOW in verdicts and Verdict.DENY in verdicts  # the batch is not trivial
    assert Verdict.DEFER in verdicts  # hours past 22:00 in Shanghai wait for the morning


def test_a_planned_sms_to_a_borrower_who_opted_out_is_denied_by_the_house_pack(app: App) -> None:
    people_with_histories(app, 1, seed=1)
    compliance.set_profile(
        app.uow_factory, "B0", {"opt_outs": [{"channel": "sms", "at": "2026-11-01T00:00:00Z"}]}, NOW
    )
    proposal = ContactProposal("L0", "B0", DAY, "m1.0", Channel.SMS.value, MORNING, product="x")
    with app.uow_factory() as uow:
        (decision,) = ComplianceGate.of(uow).decide([proposal])
    assert (decision.verdict, decision.rule_id, decision.permit_id) == (
        Verdict.DENY, "house.medium_optout", None,
    )  # fmt: skip


def test_a_call_planned_at_night_is_deferred_to_eight_in_the_morning(app: App) -> None:
    people_with_histories(app, 1, seed=1)
    night = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    proposal = ContactProposal("L0", "B0", DAY, "m1.0", "letter", night, product="x")
    call = ContactProposal("L0", "B0", DAY, "m1.1", "call", night, product="x")
    with app.uow_factory() as uow:
        letter_decision, call_decision = ComplianceGate.of(uow).decide([proposal, call])
    assert letter_decision.verdict is Verdict.ALLOW  # mail is not received at an hour
    assert (call_decision.verdict, call_decision.rule_id) == (Verdict.DEFER, "cn.contact_hours")
    assert call_decision.next_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def test_migrating_moves_gate_decisions_into_the_audit_chain(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    migrate(engine, "0003_cycle")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO borrower (borrower_id) VALUES ('B1')"))
        connection.execute(
            text(
                "INSERT INTO loan (loan_id, borrower_id, product, currency, principal_minor,"
                " annual_rate_ppm, term_months, start_date, repayment_method, rounding,"
                " imported_at) VALUES ('L1', 'B1', 'p', 'CNY', 1000, 0, 1, :day, 'bullet',"
                " 'half_up', :now)"
            ),
            {"day": DAY, "now": NOW},
        )
        for step, verdict in (("m1.0", "allow"), ("m1.1", "deny")):
            decision_id = connection.execute(
                text(
                    "INSERT INTO gate_decision (loan_id, as_of, step, channel, verdict, rule_id,"
                    " reason, permit_id, decided_at) VALUES ('L1', :day, :step, 'sms', :verdict,"
                    " 'none.allow_all', 'why', :permit, :now) RETURNING decision_id"
                ),
                {"day": DAY, "step": step, "verdict": verdict, "now": NOW,
                 "permit": "p" if verdict == "allow" else None},
            ).scalar_one()  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO action (as_of, loan_id, borrower_id, step, channel, strategy,"
                    " strategy_version, segment, arm, priority, overdue_minor, earliest_at,"
                    " status, decision_id, created_at) VALUES (:day, 'L1', 'B1', :step, 'sms',"
                    " 's', 1, 'g', 'champion', 1, 0, :now, 'x', :id, :now)"
                ),
                {"day": DAY, "step": step, "now": NOW, "id": decision_id},
            )
    engine.dispose()
    app = App(load_settings(fresh_database_url))
    app.init()
    with app.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.step, a.rule_id, l.kind, l.payload_json FROM action a"
                " JOIN audit_log l ON l.seq = a.decision_id ORDER BY a.step"
            )
        ).all()
    assert [(r[0], r[1], r[2], json.loads(r[3])["verdict"]) for r in rows] == [
        ("m1.0", "none.allow_all", "gate_decision", "allow"),
        ("m1.1", "none.allow_all", "gate_decision", "deny"),
    ]
    assert audit.verify(app.uow_factory).intact
    app.engine.dispose()


def test_the_batch_refuses_a_third_party_contact_it_cannot_see_the_whole_history_of(
    app: App,
) -> None:
    people_with_histories(app, 1, seed=1)
    proposal = ContactProposal(
        "L0", "B0", DAY, "m1.0", "call", MORNING, party="emergency_contact", product="x"
    )
    with app.uow_factory() as uow:
        (decision,) = ComplianceGate.of(uow).decide([proposal])
    assert (decision.verdict, decision.rule_id) == (Verdict.DENY, "gate.third_party_not_in_batch")


def test_a_sender_needs_the_permit_of_a_permitted_action_for_that_loan_and_channel(
    app: App,
) -> None:
    from arrears.domain.actions import ActionRow, PlannedAction
    from arrears.services.permits import PermitRefused, honour_permit

    people_with_histories(app, 1, seed=1)
    sms = ContactProposal("L0", "B0", DAY, "m1.0", "sms", MORNING, product="x")
    call = ContactProposal("L0", "B0", DAY, "m1.1", "call", MORNING, party="employer")
    with app.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO loan (loan_id, borrower_id, product, currency, principal_minor,"
                " annual_rate_ppm, term_months, start_date, repayment_method, rounding,"
                " imported_at) VALUES ('L0', 'B0', 'x', 'CNY', 1000, 0, 1, :day, 'bullet',"
                " 'half_up', :now)"
            ),
            {"day": DAY, "now": NOW},
        )
    with app.uow_factory() as uow:
        decisions = ComplianceGate.of(uow).decide([sms, call])
        uow.actions.store(
            [ActionRow(PlannedAction(p.as_of, p.loan_id, p.borrower_id, p.step, p.channel,
                                     "t", "s", 1, "g", "champion", 1, 0, p.earliest_at), d)
             for p, d in zip([sms, call], decisions, strict=True)],
            NOW,
        )  # fmt: skip
        uow.commit()
    allowed, denied = decisions
    assert allowed.permit_id == "20261130:L0:m1.0" and denied.permit_id is None
    with app.uow_factory() as uow:
        permit = honour_permit(uow, "20261130:L0:m1.0", "L0", "sms", MORNING)
        assert (permit.loan_id, permit.channel, permit.template) == ("L0", "sms", "t")
        for permit_id, loan, channel, at, why in (
            ("20261130:L0:m1.1", "L0", "call", MORNING, "no action holds"),
            ("20261130:L0:m1.0", "L0", "call", MORNING, "not a call about L0"),
            ("20261130:L0:m1.0", "L1", "sms", MORNING, "not a sms about L1"),
            ("20261130:L0:m1.0", "L0", "sms", MORNING - timedelta(minutes=1), "allows this from"),
        ):
            with pytest.raises(PermitRefused, match=why):
                honour_permit(uow, permit_id, loan, channel, at)
