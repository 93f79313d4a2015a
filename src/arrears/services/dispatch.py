"""The dispatcher: sends the outbox's due messages through the channels' adapters.

One batch of one channel goes through three steps:

1. **claim, compose, judge** (one transaction): due messages are leased; those not yet
   composed are rendered in the borrower's language and their words stored, so that a
   retry sends exactly the same text; the gate judges each at the moment of sending,
   with its text (contact hours now, opt-outs that arrived since the cycle, caps counted
   with what was sent today, the content rules) and its decision is written to the audit
   log. Allowed messages carry that decision's permit; denied ones end ``blocked``;
   deferred ones wait for the next lawful moment.
2. **send** (no transaction held): the permitted messages go to the adapter, paced by the
   channel's and the provider's rate limits.
3. **record** (one transaction): each outcome — sent (with the provider's id, and a
   contact attempt in the history), a transient error (retried later with exponential
   backoff and jitter, up to ``max_attempts``), a permanent one (``failed`` with the
   reason). Delivery receipts are applied as they arrive.

A crash between 2 and 3 leaves the messages ``sending`` under a lease; when the lease
runs out they are claimed and sent again under the same message id, which the provider
uses to drop the repeat where it honours it (docs/channels.md states it per channel).
Letters are printed (a PDF stored on the account, listed for mailing) inside step 3's
transaction, so a letter is printed exactly once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from arrears.domain.audit import AuditRecord
from arrears.domain.gate import ContactProposal, Gate, GateDecision, Verdict, gate_payload
from arrears.domain.messages import (
    ChannelAdapter,
    MessageStatus,
    OutboundMessage,
    Permanent,
    Sent,
    Transient,
)
from arrears.domain.sending import TokenBucket, retry_delay
from arrears.services.errors import ArrearsError
from arrears.services.ports import UnitOfWork
from arrears.services.replies import record_replies


@dataclass(frozen=True, slots=True)
class Composed:
    """A message's words and where they go."""

    language: str
    recipient: str
    subject: str | None
    body: str
    html: str | None = None
    encoding: str | None = None
    segments: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class Composer(Protocol):
    """Renders claimed messages (services.composing): message id → its words, or the
    reason it cannot be composed (no number on file, an unknown template)."""

    def compose(
        self, uow: UnitOfWork, claimed: Sequence[dict[str, Any]], people: Mapping[str, Any]
    ) -> dict[str, Composed | str]: ...


class LetterPrinter(Protocol):
    """Prints a letter message to a stored PDF; returns the document id."""

    def __call__(self, uow: UnitOfWork, claimed: dict[str, Any], now: datetime) -> int: ...


@dataclass(frozen=True)
class DispatchOptions:
    batch_size: int = 200
    lease_seconds: float = 300.0  # a claimed message not recorded by then is claimed again
    max_attempts: int = 6
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    valid_hours: float = 30.0  # a message not sent this long after its moment expires: a
    # day and the next morning, so that one deferred past the evening still goes
    rate_per_second: Mapping[str, float] = field(default_factory=dict)  # channel or provider
    max_batches: int | None = None  # per channel and run (None: until nothing is due)


@dataclass
class DispatchReport:
    sent: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)
    deferred: dict[str, int] = field(default_factory=dict)
    receipts: int = 0
    expired: int = 0
    replies: int = 0  # borrowers' replies recorded (opt-outs among them)

    def add(self, kind: str, channel: str, count: int = 1) -> None:
        counts: dict[str, int] = getattr(self, kind)
        counts[channel] = counts.get(channel, 0) + count


@dataclass
class Dispatcher:
    uow_factory: Callable[[], UnitOfWork]
    adapters: Mapping[str, ChannelAdapter]
    composer: Composer
    gate_of: Callable[[UnitOfWork], Gate]
    letters: LetterPrinter | None = None
    options: DispatchOptions = field(default_factory=DispatchOptions)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    _buckets: dict[str, TokenBucket] = field(default_factory=dict, init=False)

    @property
    def channels(self) -> list[str]:
        return sorted({*self.adapters, *(["letter"] if self.letters else [])})

    def run_once(self) -> DispatchReport:
        """Send everything due now, channel by channel; apply receipts; expire stale ones."""
        report = DispatchReport()
        self._expire(report)
        for channel in self.channels:
            batches = 0
            while self.options.max_batches is None or batches < self.options.max_batches:
                batches += 1
                if not self._batch(channel, report):
                    break
        self.collect_receipts(report)
        return report

    def collect_receipts(self, report: DispatchReport) -> None:
        """Apply the receipts the adapters hold, and record the replies that came in."""
        for adapter in self.adapters.values():
            inbound = getattr(adapter, "inbound", None)
            if inbound is not None:
                recorded, _ = record_replies(self.uow_factory, inbound(), self.clock())
                report.replies += recorded
            receipts = adapter.receipts()
            if not receipts:
                continue
            now = self.clock()
            with self.uow_factory() as uow:
                changed = uow.outbox.apply_receipts(adapter.provider, receipts)
                uow.outbox.record_receipts(changed, now)
                uow.commit()
            report.receipts += len(changed)

    def _expire(self, report: DispatchReport) -> None:
        now = self.clock()
        with self.uow_factory() as uow:
            report.expired += uow.outbox.expire(
                now - timedelta(hours=self.options.valid_hours), now
            )
            uow.commit()

    # -- one batch ------------------------------------------------------------------------
    def _batch(self, channel: str, report: DispatchReport) -> bool:
        """One batch of ``channel``; False when nothing was due."""
        now = self.clock()
        lease = now + timedelta(seconds=self.options.lease_seconds)
        with self.uow_factory() as uow:
            claimed = uow.outbox.claim(channel, now, self.options.batch_size, lease)
            if not claimed:
                return False
            permitted = self._judge(uow, claimed, now, report)
            uow.commit()
        if channel == "letter":
            self._print(permitted, report)
        else:
            self._send(channel, permitted, report)
        return True

    def _judge(
        self,
        uow: UnitOfWork,
        claimed: list[dict[str, Any]],
        now: datetime,
        report: DispatchReport,
    ) -> list[tuple[dict[str, Any], OutboundMessage]]:
        """Compose what is not yet composed, then have the gate judge every message."""
        people = uow.outbox.people([row["message_id"] for row in claimed])
        fresh = [row for row in claimed if row["body"] is None]
        composed = self.composer.compose(uow, fresh, people) if fresh else {}
        changes: list[dict[str, Any]] = []
        ready: list[tuple[dict[str, Any], OutboundMessage]] = []
        rendered: list[dict[str, Any]] = []
        for row in claimed:
            words = composed.get(row["message_id"])
            if isinstance(words, str):
                changes.append(_final(row, MessageStatus.FAILED, now, f"not composed: {words}"))
                report.add("failed", row["channel"])
                continue
            if isinstance(words, Composed):
                rendered.append(_rendered(row["message_id"], words))
                row.update(rendered[-1])
            ready.append((row, _outbound(row, words)))
        uow.outbox.save_rendered(rendered)
        decisions = self._decide(uow, ready, people, now)
        permitted = []
        for (row, message), decision in zip(ready, decisions, strict=True):
            if decision.verdict is Verdict.ALLOW:
                row["decision"] = decision
                permitted.append((row, message))
            elif decision.verdict is Verdict.DENY:
                changes.append(_final(row, MessageStatus.BLOCKED, now, decision.reason, decision))
                report.add("blocked", row["channel"])
            else:
                changes.append(_deferred(row, decision, now))
                report.add("deferred", row["channel"])
        uow.outbox.update(changes)
        return permitted

    def _decide(
        self,
        uow: UnitOfWork,
        ready: list[tuple[dict[str, Any], OutboundMessage]],
        people: Mapping[str, Any],
        now: datetime,
    ) -> list[GateDecision]:
        """The gate's decisions at ``now``, each written to the audit log; an allowed
        message's permit is recorded with it."""
        proposals = [_proposal(row, message, people.get(row["message_id"]), now)
                     for row, message in ready]  # fmt: skip
        decisions = self.gate_of(uow).decide(proposals) if proposals else []
        records = [
            AuditRecord("gate_decision", p.loan_id, gate_payload(
                p.as_of, p.loan_id, p.step, p.channel, str(d.verdict), d.rule_id, d.reason,
                d.next_at, d.permit_id), now)
            for p, d in zip(proposals, decisions, strict=True)
        ]  # fmt: skip
        seqs = uow.audit.append(records)
        for (row, _), seq in zip(ready, seqs, strict=True):
            row["decision_id"] = seq
        return decisions

    def _send(
        self, channel: str, permitted: list[tuple[dict[str, Any], OutboundMessage]],
        report: DispatchReport,
    ) -> None:  # fmt: skip
        if not permitted:
            return
        adapter = self.adapters[channel]
        self._pace(channel, adapter.provider, len(permitted))
        outcomes = adapter.send([message for _, message in permitted])
        now = self.clock()
        changes, sent = [], []
        for (row, _), outcome in zip(permitted, outcomes, strict=True):
            base = _judged(row)
            if isinstance(outcome, Sent):
                changes.append({**base, "status": "sent", "provider": adapter.provider,
                                "provider_id": outcome.provider_id, "sent_at": now})  # fmt: skip
                sent.append(row["message_id"])
                report.add("sent", channel)
            elif isinstance(outcome, Permanent):
                final = _final(row, MessageStatus.FAILED, now, outcome.reason)
                changes.append({**base, **final, "provider": adapter.provider})
                report.add("failed", channel)
            else:
                retry = self._retry(row, outcome, now)
                changes.append({**base, **retry, "provider": adapter.provider})
                report.add("retried" if changes[-1]["status"] == "queued" else "failed", channel)
        with self.uow_factory() as uow:
            uow.outbox.update(changes)
            uow.outbox.record_sent(sent, now)
            uow.commit()

    def _print(
        self, permitted: list[tuple[dict[str, Any], OutboundMessage]], report: DispatchReport
    ) -> None:
        """Print each permitted letter to a stored PDF, in the transaction that records it:
        a letter is printed exactly once. One that cannot be printed (no postal address)
        fails with the reason."""
        if not permitted or self.letters is None:
            return
        now = self.clock()
        with self.uow_factory() as uow:
            changes, printed = [], []
            for row, _ in permitted:
                try:
                    document_id = self.letters(uow, row, now)
                except ArrearsError as error:
                    final = _final(row, MessageStatus.FAILED, now, str(error))
                    changes.append({**_judged(row), **final, "provider": "print"})
                    report.add("failed", "letter")
                    continue
                changes.append({**_judged(row), "status": "sent", "provider": "print",
                                "provider_id": f"document:{document_id}", "sent_at": now})  # fmt: skip
                printed.append(row["message_id"])
            uow.outbox.update(changes)
            uow.outbox.record_sent(printed, now)
            uow.commit()
        report.add("sent", "letter", len(printed))

    def _retry(self, row: dict[str, Any], outcome: Transient, now: datetime) -> dict[str, Any]:
        attempts = int(row["attempts"]) + 1  # this one
        if attempts >= self.options.max_attempts:
            reason = f"gave up after {attempts} attempts: {outcome.reason}"
            return _final(row, MessageStatus.FAILED, now, reason)
        delay = retry_delay(
            attempts,
            base_seconds=self.options.backoff_base_seconds,
            cap_seconds=self.options.backoff_cap_seconds,
            draw=self.rng.random(),
            hint_seconds=outcome.retry_after_seconds,
        )
        delay = max(delay, 1.0)  # a retry is never due within the batch that failed
        return {
            "message_id": row["message_id"], "status": "queued", "last_error": outcome.reason,
            "next_attempt_at": now + timedelta(seconds=delay), "final_at": None, "attempted": 1,
        }  # fmt: skip

    def _pace(self, channel: str, provider: str, count: int) -> None:
        """Wait as the channel's and the provider's rate limits ask."""
        waits = []
        for key in (channel, provider):
            rate = self.options.rate_per_second.get(key)
            if not rate:
                continue
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate, max(rate, 1.0), time.monotonic())
            waits.append(bucket.wait_for(count, time.monotonic()))
        if waits and max(waits) > 0:
            self.sleep(max(waits))


# -- rows and changes -----------------------------------------------------------------------
def _rendered(message_id: str, words: Composed) -> dict[str, Any]:
    return {
        "message_id": message_id, "language": words.language, "recipient": words.recipient,
        "subject": words.subject, "body": words.body, "html": words.html,
        "encoding": words.encoding, "segments": words.segments, "headers": dict(words.headers),
    }  # fmt: skip


def _outbound(row: dict[str, Any], words: Composed | None) -> OutboundMessage:
    headers = dict(words.headers) if words is not None else dict(row.get("headers") or {})
    return OutboundMessage(
        row["message_id"], row["channel"], row["loan_id"], row["borrower_id"],
        row["recipient"] or "", row["language"] or "", row["subject"], row["body"] or "",
        row["html"], headers,
    )  # fmt: skip


def _proposal(
    row: dict[str, Any], message: OutboundMessage, person: Any, now: datetime
) -> ContactProposal:
    facts = person or {}
    return ContactProposal(
        row["loan_id"], row["borrower_id"], row["as_of"], row["step"], row["channel"], now,
        product=facts.get("product", ""), purpose=facts.get("purpose", "collection"),
        recipient=facts.get("person"), flags=facts.get("flags", ()),
        text=message.text if row["channel"] != "letter" else None,
    )  # fmt: skip


def _judged(row: dict[str, Any]) -> dict[str, Any]:
    decision: GateDecision = row["decision"]
    return {"message_id": row["message_id"], "decision_id": row["decision_id"],
            "rule_id": decision.rule_id, "last_error": None, "final_at": None,
            "attempted": 1}  # fmt: skip


def _final(
    row: dict[str, Any],
    status: MessageStatus,
    now: datetime,
    reason: str,
    decision: GateDecision | None = None,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "message_id": row["message_id"], "status": str(status), "last_error": reason,
        "final_at": now,
    }  # fmt: skip
    if decision is not None:
        change.update(decision_id=row.get("decision_id"), rule_id=decision.rule_id)
    return change


def _deferred(row: dict[str, Any], decision: GateDecision, now: datetime) -> dict[str, Any]:
    # at least a minute on: a batch never claims again what it has just deferred
    later = max(decision.next_at or now + timedelta(hours=1), now + timedelta(minutes=1))
    return {
        "message_id": row["message_id"], "status": "queued", "decision_id": row.get("decision_id"),
        "rule_id": decision.rule_id, "last_error": f"deferred: {decision.reason}",
        "next_attempt_at": later, "final_at": None,
    }  # fmt: skip
