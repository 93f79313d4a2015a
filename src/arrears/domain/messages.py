"""Outbound messages: what the outbox holds, and the contract every channel adapter keeps.

A permitted ``sms``, ``email`` or ``letter`` action becomes one message, keyed by a stable
``message_id`` (``m:<permit id>``) that every adapter hands its provider as the
idempotency key (SMPP: a TLV the SMSC may deduplicate on; SMTP: the ``Message-ID``; the
dry-run and letter adapters: the database row itself). The dispatcher
(``services.dispatch``) claims due messages, renders them, has the gate judge the text at
the moment of sending, hands a batch to the channel's adapter, and records each outcome.

Adapters answer a batch with one outcome per message, in order: ``Sent`` (the provider
took it; its id, if any, lets receipts find the message), ``Transient`` (try again later:
connection down, throttled), or ``Permanent`` (never retried: bad address, rejected).
Delivery receipts arrive later through ``receipts()``.

>>> m = OutboundMessage("m:20260305:L1:d0", "sms", "L1", "B1", "+8613800138000", "zh-CN",
...                     None, "您的还款今日到期。回复TD退订")
>>> m.idempotency_key
'm:20260305:L1:d0'
>>> Transient("throttled", retry_after_seconds=1.0).retry_after_seconds
1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for its moment or its next attempt
    SENDING = "sending"  # claimed by a dispatcher (leased), outcome not yet recorded
    SENT = "sent"  # the provider took it
    DELIVERED = "delivered"  # a receipt says it arrived
    UNDELIVERABLE = "undeliverable"  # a receipt says it never will
    EXPIRED = "expired"  # the provider gave up on delivering it, or its day passed unsent
    FAILED = "failed"  # a permanent error, or out of attempts: the reason says which
    BLOCKED = "blocked"  # the gate refused it at the moment of sending
    BOUNCED = "bounced"  # an e-mail came back after it was taken


# statuses a message never leaves
FINAL_STATUSES = frozenset(
    {
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERABLE,
        MessageStatus.EXPIRED,
        MessageStatus.FAILED,
        MessageStatus.BLOCKED,
        MessageStatus.BOUNCED,
    }
)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message, ready for its adapter."""

    message_id: str
    channel: str  # sms | email | letter
    loan_id: str
    borrower_id: str
    to: str  # E.164 number, e-mail address, or the postal address (lines joined by \n)
    language: str  # zh-CN | en
    subject: str | None
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. List-Unsubscribe

    @property
    def idempotency_key(self) -> str:
        return self.message_id


@dataclass(frozen=True, slots=True)
class Sent:
    provider_id: str | None = None  # the provider's id (SMPP message_id, SMTP queue id)


@dataclass(frozen=True, slots=True)
class Transient:
    reason: str
    retry_after_seconds: float | None = None  # the provider's own hint, when it gave one


@dataclass(frozen=True, slots=True)
class Permanent:
    reason: str


Outcome = Sent | Transient | Permanent


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a provider later says about a message it took."""

    provider_id: str
    status: MessageStatus  # DELIVERED, UNDELIVERABLE, EXPIRED or BOUNCED
    at: datetime
    detail: str = ""


class ChannelAdapter(Protocol):
    """A way out for one channel through one provider."""

    channel: str  # sms | email | letter
    provider: str  # e.g. "smpp:127.0.0.1:2775", "smtp:mail.example:587", "dry-run"
    honours_idempotency_key: bool  # whether a resend with the same key is dropped upstream

    def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        """One outcome per message, in order. Never raises for a message's own fault."""
        ...

    def receipts(self) -> list[Receipt]:
        """Receipts that arrived since the last call (drained)."""
        ...

    def close(self) -> None: ...
