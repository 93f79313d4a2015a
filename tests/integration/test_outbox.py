"""The outbox: permitted actions become messages in the transaction that permits them; the
dispatcher composes, has the gate judge, sends, retries and records each exactly once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from arrears.adapters.channels.dry_run import DryRunAdapter
from arrears.domain.messages import (
    MessageStatus,
    OutboundMessage,
    Outcome,
    Permanent,
    Receipt,
    Sent,
    Transient,
)
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import build_dispatcher
from arrears.services import compliance, importing, strategies
from tests.integration.test_cycle_actions import cycle_through, loan
from tests.integration.test_cycle_differential import rows

NOW = datetime(2026, 2, 1, tzinfo=UTC)
REMINDER_DAY = date(2026, 2, 7)  # three days before the first due date, 2026-02-10
TEN_AM = datetime(2026, 2, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
STRATEGY = """
name: outbox-test
description: a reminder by text and e-mail before the due date; calls and a letter after it
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1, every: 1}, action: call, priority: 50}
      - {day: 5, action: letter, template: demand_letter, priority: 30}
  - name: current
    when: {bucket: [M0]}
    steps:
      - {day: -3, action: sms, template: due_reminder, priority: 10}
      - {day: -3, action: email, template: due_reminder, priority: 10}
"""


@dataclass
class Scripted:
    """An adapter whose answers a test chooses, recording what it was handed."""

    answers: list[Callable[[OutboundMessage], Outcome]]
    channel: str = "sms"
    provider: str = "scripted"
    honours_idempotency_key: bool = True
    handed: list[str] = field(default_factory=list)

    def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        self.handed.extend(m.message_id for m in messages)
        return [answer(m) for m in messages]

    def receipts(self) -> list[Receipt]:
        return []

    def close(self) -> None:
        pass


@pytest.fixture
def reminded(app: App) -> App:
    """One loan, its borrower with a number and an e-mail, the cn and house packs, and
    the cycle run through the reminder day."""
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    strategies.load_strategy(app.uow_factory, STRATEGY, "tester", NOW, activate=True)
    record = loan("L1")
    record = type(record)(**{**_fields(record), "phone": "+8613800138000",
                             "email": "wang@example.cn", "borrower_name": "王芳",
                             "language": "zh-CN"})  # fmt: skip
    assert importing.import_loans(app.uow_factory, rows([record]), NOW).clean
    cycle_through(app, REMINDER_DAY)
    return app


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def messages(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT message_id, channel, status, attempts, recipient, body, provider_id,"
                " rule_id, last_error, next_attempt_at, decision_id FROM message"
                " ORDER BY message_id"
            )
        )
        return [dict(row._mapping) for row in found]


def dispatcher(app: App, clock: Callable[[], datetime], **adapters: Any) -> Any:
    chosen = adapters or {"sms": DryRunAdapter("sms", clock=clock),
                          "email": DryRunAdapter("email", clock=clock)}  # fmt: skip
    return build_dispatcher(app, adapters=chosen, clock=clock, seed=7)


def test_permitted_reminders_wait_in_the_outbox_keyed_by_day_loan_and_step(
    reminded: App,
) -> None:
    found = messages(reminded)
    assert [(m["message_id"], m["channel"], m["status"]) for m in found] == [
        ("m:20260207:L1:current.0", "sms", "queued"),
        ("m:20260207:L1:current.1", "email", "queued"),
    ]
    assert all(m["body"] is None and m["attempts"] == 0 for m in found)


def test_dispatch_sends_each_message_once_in_the_borrowers_language_and_records_it(
    reminded: App,
) -> None:
    report = dispatcher(reminded, lambda: TEN_AM).run_once()
    assert report.sent == {"sms": 1, "email": 1} and report.receipts == 2
    found = {m["channel"]: m for m in messages(reminded)}
    assert found["sms"]["status"] == "delivered"
    assert found["sms"]["recipient"] == "+8613800138000"
    assert "示例消费金融" in found["sms"]["body"] and "回复TD退订" in found["sms"]["body"]
    assert "¥" in found["sms"]["body"]
    assert found["email"]["recipient"] == "wang@example.cn"
    assert found["sms"]["attempts"] == 1 and found["sms"]["rule_id"] == "all_rules_pass"
    with reminded.engine.connect() as connection:
        attempts = connection.execute(
            text("SELECT channel, outcome FROM contact_attempt ORDER BY channel")
        ).all()
    assert [tuple(a) for a in attempts] == [("email", "delivered"), ("sms", "delivered")]
    # Then a second run finds nothing due and sends nothing
    again = dispatcher(reminded, lambda: TEN_AM + timedelta(minutes=5)).run_once()
    assert again.sent == {} and len(messages(reminded)) == 2


def test_a_text_to_a_borrower_who_opted_out_after_the_cycle_is_blocked_at_sending(
    reminded: App,
) -> None:
    compliance.set_profile(
        reminded.uow_factory, "BL1",
        {"opt_outs": [{"channel": "sms", "at": "2026-02-06T12:00:00Z"}]}, NOW,
    )  # fmt: skip
    report = dispatcher(reminded, lambda: TEN_AM).run_once()
    assert report.blocked == {"sms": 1} and report.sent == {"email": 1}
    sms = next(m for m in messages(reminded) if m["channel"] == "sms")
    assert (sms["status"], sms["rule_id"]) == ("blocked", "house.medium_optout")
    assert sms["decision_id"] is not None  # the gate's decision is on the audit record


def test_a_message_due_at_night_waits_for_the_lawful_morning(reminded: App) -> None:
    night = datetime(2026, 2, 7, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    report = dispatcher(reminded, lambda: night).run_once()
    assert report.deferred == {"sms": 1, "email": 1} and report.sent == {}
    waiting = messages(reminded)
    assert {m["status"] for m in waiting} == {"queued"}
    morning = {_utc(m["next_attempt_at"]) for m in waiting}
    assert all(night < t <= night + timedelta(hours=12) for t in morning)


def test_transient_errors_are_retried_with_growing_delays_then_given_up(
    reminded: App,
) -> None:
    clock = [TEN_AM]
    down = Scripted([lambda m: Transient("smsc unreachable")])
    run = dispatcher(reminded, lambda: clock[0], sms=down)
    delays = []
    for _ in range(6):
        run.run_once()
        sms = next(m for m in messages(reminded) if m["channel"] == "sms")
        if sms["status"] != "queued":
            break
        delays.append((_utc(sms["next_attempt_at"]) - clock[0]).total_seconds())
        clock[0] = _utc(sms["next_attempt_at"])
    assert delays == sorted(delays) and delays[0] >= 15 and delays[-1] > 2 * delays[0]
    assert sms["status"] == "failed" and sms["last_error"].startswith("gave up after 6 attempts")
    assert down.handed == ["m:20260207:L1:current.0"] * 6  # always the same key


def test_a_permanent_error_fails_the_message_at_once_with_the_reason(reminded: App) -> None:
    rejected = Scripted([lambda m: Permanent("ESME_RINVDSTADR: invalid destination")])
    dispatcher(reminded, lambda: TEN_AM, sms=rejected).run_once()
    sms = next(m for m in messages(reminded) if m["channel"] == "sms")
    assert (sms["status"], sms["attempts"]) == ("failed", 1)
    assert "invalid destination" in sms["last_error"]


def test_a_message_whose_dispatcher_died_after_sending_is_sent_again_under_its_key(
    reminded: App,
) -> None:
    # Given a dispatcher that claimed the text and died before recording the outcome
    with reminded.uow_factory() as uow:
        lease = TEN_AM + timedelta(seconds=300)
        assert [r["message_id"] for r in uow.outbox.claim("sms", TEN_AM, 10, lease)]
        uow.commit()
    provider = Scripted([lambda m: Sent(f"id-{m.message_id}")])
    # When another runs before the lease ran out, it leaves the message alone
    dispatcher(reminded, lambda: TEN_AM + timedelta(seconds=60), sms=provider).run_once()
    assert provider.handed == []
    # Then after the lease it sends it again, with the same id
    dispatcher(reminded, lambda: TEN_AM + timedelta(seconds=301), sms=provider).run_once()
    assert provider.handed == ["m:20260207:L1:current.0"]
    sms = next(m for m in messages(reminded) if m["channel"] == "sms")
    assert (sms["status"], sms["provider_id"]) == ("sent", "id-m:20260207:L1:current.0")


def test_messages_not_sent_within_their_day_expire_unsent(reminded: App) -> None:
    two_days_later = TEN_AM + timedelta(days=2)
    report = dispatcher(reminded, lambda: two_days_later).run_once()
    assert report.expired == 2 and report.sent == {}
    assert {m["status"] for m in messages(reminded)} == {str(MessageStatus.EXPIRED)}


def test_calls_go_to_the_agent_queue_not_the_outbox(reminded: App) -> None:
    cycle_through(reminded, date(2026, 2, 11))  # the first late day
    with reminded.engine.connect() as connection:
        queued = connection.execute(
            text("SELECT queue, loan_id, channel, status FROM work_item ORDER BY as_of")
        ).all()
        outbox = connection.execute(
            text("SELECT COUNT(*) FROM message WHERE channel = 'call'")
        ).scalar()
    assert [tuple(q) for q in queued] == [("agent", "L1", "call", "open")]
    assert outbox == 0


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_channels_rate_limit_paces_the_sending(reminded: App) -> None:
    run = dispatcher(reminded, lambda: TEN_AM)
    run.options = replace(run.options, rate_per_second={"email": 0.5, "dry-run:sms": 0.25})
    slept: list[float] = []
    run.sleep = slept.append
    run.run_once()
    # one e-mail and one text: each bucket holds one token, so neither waits the first time
    assert slept == []
    # the channel's cap and the provider's own each keep a bucket; a second text at once
    # would wait four seconds for the provider's token (0.25 a second)
    assert set(run._buckets) == {"email", "dry-run:sms"}
    sms = run._buckets["dry-run:sms"]
    assert sms.wait_for(1, now=sms.now) == 4.0
