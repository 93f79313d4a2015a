"""Compliance-gate benchmark: the cycle's batch path and one evaluator decision.

    python benchmarks/gate.py --proposals 100000          # target: ≥ 50,000 decisions/s
    python benchmarks/gate.py --proposals 2000            # small, as CI runs it

Builds N borrowers (Chinese mobile numbers, some with a contact history of calls and
texts over the last days, some with a compliance profile holding an opt-out or a hold),
activates the `cn` and `house` packs, and times `ComplianceGate.decide` on one day's
proposals (SMS, calls, letters) — reading the people and their history from the store
included, with the cyclic collector paused as `arrears cycle` runs — then one what-if decision (`domain.compliance.evaluate.decide`). Prints
decisions/s, the split between reading and deciding, the verdicts, and the ms of one
decision. Not a timed test: it reports.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from arrears.adapters.store.bulk import insert_rows
from arrears.domain.compliance import zones
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import loan_file_person
from arrears.domain.gate import ContactProposal
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.services import compliance
from arrears.services.compliance_gate import LOOKBACK, ComplianceGate
from arrears.settings import load_settings

DAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 29, 16, tzinfo=UTC)
CHANNELS = ("sms", "call", "call", "letter", "email")
OUTCOMES = ("no_answer", "reached", "busy", "voicemail", "delivered")


def build(app: App, count: int, seed: int) -> None:
    rng = random.Random(seed)
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    borrowers = [(f"B{i}", f"Borrower {i}", f"+86138{i:08d}", f"b{i}@example.cn", "Asia/Shanghai", "zh-CN")
                 for i in range(count)]  # fmt: skip
    attempts = []
    for i in range(0, count, 3):  # a third have recent contacts
        for _ in range(rng.randint(1, 6)):
            at = NOW - timedelta(hours=rng.randint(1, 24 * 20))
            channel = rng.choice(("call", "sms"))
            outcome = rng.choice(OUTCOMES) if channel == "call" else "delivered"
            attempts.append((f"B{i}", channel, "outbound", "borrower", outcome, at, NOW, "lender"))
    profiles = [
        (f"B{i}", json.dumps({"opt_outs": [{"channel": "sms", "at": "2026-11-01T00:00:00Z"}]}), NOW)
        for i in range(0, count, 50)
    ]
    with app.engine.begin() as connection:
        insert_rows(
            connection,
            "borrower",
            ("borrower_id", "name", "phone", "email", "timezone", "language"),
            borrowers,
        )
        insert_rows(
            connection,
            "contact_attempt",
            (
                "borrower_id",
                "channel",
                "direction",
                "party",
                "outcome",
                "attempted_at",
                "recorded_at",
                "made_by",
            ),
            attempts,
        )
        insert_rows(connection, "compliance_profile",
                    ("borrower_id", "profile_json", "updated_at"), profiles)  # fmt: skip


def proposals(count: int) -> list[ContactProposal]:
    """One proposal per borrower; like the cycle's, it carries the borrower as the loan
    file has them unless they hold a compliance profile (every 50th)."""
    start = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    return [
        ContactProposal(
            f"L{i}", f"B{i}", DAY, "m1.0", CHANNELS[i % len(CHANNELS)], start, product="cash_loan",
            recipient=None if i % 50 == 0 else loan_file_person(
                f"B{i}", f"Borrower {i}", f"+86138{i:08d}", f"b{i}@example.cn", "Asia/Shanghai",
                "zh-CN"),
        )
        for i in range(count)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--db", help="SQLite database URL (default: a new file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'gate.db'}"
        app = App(load_settings(url))
        app.init()
        build(app, args.proposals, args.seed)
        batch = proposals(args.proposals)
        for label in ("first day (numbers placed)", "next day (a new process)"):
            zones.forget_number_zones()  # a new process: what was placed is read back
            with collector_paused():  # as `arrears cycle` runs a day
                gate = time_day(app, batch, label)
        rules = gate.rules["*"]
        with app.uow_factory() as uow:
            people = uow.compliance.people([batch[1].borrower_id])
            history = uow.compliance.history([batch[1].borrower_id], NOW - timedelta(days=31))
        scenario = gate_scenario(gate, batch[1], people, history)
        runs = 2000
        started = time.perf_counter()
        for _ in range(runs):
            decide(scenario, rules)
        one = (time.perf_counter() - started) / runs * 1000
        print(f"one evaluator decision: {one:.3f} ms ({len(rules)} rules)")
        app.engine.dispose()


def time_day(app: App, batch: list[ContactProposal], label: str) -> ComplianceGate:
    """One day's batch as the cycle runs it (``ComplianceGate.decide``: read the profiles
    and the history, place new numbers, decide), then deciding alone on the same facts."""
    with app.uow_factory() as uow:
        started = time.perf_counter()
        gate = ComplianceGate.of(uow)
        decisions = gate.decide(batch)
        whole = time.perf_counter() - started
        uow.commit()
    with app.uow_factory() as uow:
        fresh = ComplianceGate.of(uow)
        borrowers = sorted({p.borrower_id for p in batch})
        people = uow.compliance.people([p.borrower_id for p in batch if p.recipient is None])
        history = uow.compliance.history(borrowers, min(p.earliest_at for p in batch) - LOOKBACK)
        started = time.perf_counter()
        for p in batch:
            fresh._decide(
                p, p.recipient or people.get(p.borrower_id), history.get(p.borrower_id, [])
            )
        deciding = time.perf_counter() - started
    count = len(batch)
    with_history = sum(1 for b in {p.borrower_id for p in batch} if b in history)
    print(
        f"{label}: {count:,} proposals ({with_history:,} borrowers with recent contacts):"
        f" batch path {whole:.2f} s = {count / whole:,.0f} decisions/s"
        f" (deciding alone {deciding:.2f} s = {count / deciding:,.0f}/s)"
    )
    for (verdict, rule), n in Counter(
        (d.verdict.value, d.rule_id) for d in decisions
    ).most_common():
        print(f"  {verdict:6} {rule:40} {n:>9,}")
    return gate


def gate_scenario(gate, proposal, people, history):  # type: ignore[no-untyped-def]
    from arrears.domain.compliance.facts import Channel, Debt, Proposal, Purpose, Scenario

    person = people[proposal.borrower_id]
    return Scenario(
        person,
        Proposal(Channel.CALL, proposal.earliest_at, to=person.phones[0].number,
                 debts=(proposal.loan_id,), purpose=Purpose.COLLECTION),
        debts=(Debt(proposal.loan_id),),
        history=tuple(history.get(proposal.borrower_id, [])),
    )  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
