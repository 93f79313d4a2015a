"""The embedded default way out: nothing leaves the machine.

A dry-run adapter takes every message (the rendered words are already in the outbox's
row, where `arrears messages` shows them) and, by default, reports each delivered at
once, so the statistics, the contact history and the demo look as they would with a
real provider. Its provider id is the message id, so a resend is recognisably the
same message: it honours the idempotency key by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from arrears.domain.messages import MessageStatus, OutboundMessage, Outcome, Receipt, Sent


class DryRunAdapter:
    honours_idempotency_key = True

    def __init__(
        self,
        channel: str,
        *,
        deliver: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.channel = channel
        self.provider = f"dry-run:{channel}"
        self.deliver = deliver
        self.clock = clock
        self._receipts: list[Receipt] = []

    def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for message in messages:
            outcomes.append(Sent(provider_id=message.message_id))
            if self.deliver:
                self._receipts.append(
                    Receipt(message.message_id, MessageStatus.DELIVERED, self.clock(), "dry run")
                )
        return outcomes

    def receipts(self) -> list[Receipt]:
        drained, self._receipts = self._receipts, []
        return drained

    def close(self) -> None:
        self._receipts.clear()
