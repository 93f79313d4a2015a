"""SMS over SMPP 3.4: a ChannelAdapter that binds as a transceiver and pipelines submit_sm.

A batch is split into parts (smpplib's ``gsm.make_parts``: GSM-7 when every character has
one, else UCS-2; UDH concatenation beyond 160/70 characters), and up to ``window``
submit_sm are kept in flight, each submit_sm_resp matched to its part by sequence number.
Waiting for each answer before the next submit would cap a 1 ms round trip at 1,000 parts/s
and a 20 ms one at 50; the window is what makes hundreds of SMS/s possible.

Every part carries the message's key (``message_id``) in a vendor TLV (``idempotency_tlv``,
default 0x1400), so an SMSC that de-duplicates on it drops a resend; say so with
``deduplicates=True`` and ``honours_idempotency_key`` becomes true. The last part asks for
a delivery receipt and its SMSC message id is the message's ``provider_id``.

Outcomes: all parts taken → ``Sent``; ESME_RTHROTTLED or ESME_RMSGQFUL → the adapter halves
its window and pauses (doubling the pause while the SMSC keeps refusing), and the message
is ``Transient`` with that pause as ``retry_after_seconds``; once the pause grows past
``max_pause_in_send_seconds`` the batch stops there and its unsent messages are
``Transient`` with the rest of the pause as their hint; ESME_RSYSERR, ESME_RX_T_APPN
and ESME_RINVBNDSTS are ``Transient`` too; any other error is ``Permanent`` naming the
status (``ESME_RINVDSTADR (0x0000000B): Invalid Destination Address``). If the connection
drops, every message not fully answered is ``Transient``; the next ``send`` reconnects,
waiting 0.5 s, 1 s, 2 s … (at most ``reconnect_max_seconds``) after failed attempts.

Receipts (deliver_sm with the receipt bit) become ``Receipt``s for ``receipts()``; any
other deliver_sm is a borrower's reply, kept for ``inbound()``.

Threads: ``send`` and ``close`` may be called from any thread, one at a time (they take a
lock, so a second caller waits). ``receipts`` and ``inbound`` may be called from any
thread at any time. The link's reader thread delivers answers into the adapter; ``close``
stops and joins it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smpplib import consts
from smpplib.exceptions import MessageTooLong

from arrears.adapters.channels.smpp_codec import (
    ESM_CLASS_DELIVERY_RECEIPT,
    ESM_CLASS_TYPE_MASK,
    KeyedSubmitSM,
    SmsParts,
    address,
    describe_status,
    receipt_from,
    reply_from,
    split_text,
)
from arrears.adapters.channels.smpp_flow import FlowControl
from arrears.adapters.channels.smpp_link import LinkDown, SmppLink
from arrears.domain.messages import (
    OutboundMessage,
    Outcome,
    Permanent,
    Receipt,
    Sent,
    Transient,
)

log = logging.getLogger(__name__)

SLOW_DOWN = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL})
# worth another try later: the SMSC's trouble, not the message's
TRANSIENT = SLOW_DOWN | {
    consts.SMPP_ESME_RSYSERR,
    consts.SMPP_ESME_RX_T_APPN,
    consts.SMPP_ESME_RINVBNDSTS,
}


@dataclass
class _Batch:
    """Per message of one send: parts not yet answered, the first error, the receipt id."""

    count: int
    unanswered: list[int] = field(init=False)
    errors: list[int | None] = field(init=False)
    provider_ids: list[str | None] = field(init=False)
    refused: dict[int, Permanent] = field(default_factory=dict)
    retry_after: dict[int, float] = field(default_factory=dict)  # the pause when throttled
    held_back: Transient | None = None  # why the parts not sent were kept back

    def __post_init__(self) -> None:
        self.unanswered = [0] * self.count
        self.errors = [None] * self.count
        self.provider_ids = [None] * self.count


class SmppAdapter:
    """SMS through one SMSC account. See the module docstring for outcomes and threads."""

    channel = "sms"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        system_id: str,
        password: str,
        system_type: str = "",
        source_addr: str = "arrears",
        window: int = 64,
        enquire_link_seconds: float = 30.0,
        timeout_seconds: float = 10.0,
        idempotency_tlv: int | None = 0x1400,
        deduplicates: bool = False,
        rate_per_second: float | None = None,
        throttle_pause_seconds: float = 0.25,
        max_pause_in_send_seconds: float = 2.0,
        reconnect_max_seconds: float = 30.0,
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.provider = f"smpp:{host}:{port}"
        self.honours_idempotency_key = deduplicates and idempotency_tlv is not None
        self._host, self._port = host, port
        self._credentials = {
            "system_id": system_id,
            "password": password,
            "system_type": system_type,
        }
        self._source = address(source_addr) or (5, 0, source_addr)  # TON 5: alphanumeric
        self._enquire_link_seconds = enquire_link_seconds
        self._timeout_seconds = timeout_seconds
        self._tlv = idempotency_tlv
        self._reconnect_max_seconds = reconnect_max_seconds
        self._max_pause_in_send_seconds = max_pause_in_send_seconds
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._flow = FlowControl(window, throttle_pause_seconds, rate_per_second)
        self._in_flight: dict[int, tuple[_Batch, int, bool, float]] = {}
        self._progress_at = 0.0
        self._receipts: deque[Receipt] = deque()
        self._inbound: deque[tuple[str, str, datetime]] = deque()
        self._link: SmppLink | None = None
        self._failed_connects = 0
        self._reconnect_at = 0.0
        self._closed = False
        self.connects = 0  # binds made, for tests and stats

    # -- the ChannelAdapter contract ---------------------------------------------------

    def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        """One outcome per message, in order; never raises for a message's own fault."""
        if not messages:
            return []
        batch = _Batch(len(messages))
        plans = [self._plan(i, message, batch) for i, message in enumerate(messages)]
        with self._send_lock:
            link = self._link_up()
            if isinstance(link, Transient):
                return [batch.refused.get(i, link) for i in range(len(messages))]
            try:
                self._pipeline(link, messages, plans, batch)
            finally:
                with self._cond:
                    self._in_flight.clear()  # late answers belong to no one now
            return [self._outcome(batch, i, link) for i in range(len(messages))]

    def receipts(self) -> list[Receipt]:
        """Receipts that arrived since the last call (drained), on any link so far."""
        with self._cond:
            drained = list(self._receipts)
            self._receipts.clear()
        return drained

    def inbound(self) -> list[tuple[str, str, datetime]]:
        """Borrowers' replies since the last call (drained): (from number, text, at UTC)."""
        with self._cond:
            drained = list(self._inbound)
            self._inbound.clear()
        return drained

    def close(self) -> None:
        with self._send_lock:
            self._closed = True
            if self._link is not None:
                self._link.close(unbind=True)
                self._link = None

    def __enter__(self) -> SmppAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connecting --------------------------------------------------------------------

    def _link_up(self) -> SmppLink | Transient:
        if self._closed:
            return Transient("the SMPP adapter is closed")
        if self._link is not None and not self._link.is_down:
            return self._link
        if self._link is not None:
            self._link.close(unbind=False)
            self._link = None
        now = time.monotonic()
        if now < self._reconnect_at:
            wait = self._reconnect_at - now
            return Transient(f"{self.provider} unreachable; next bind in {wait:.1f} s", wait)
        link = SmppLink(
            self._host,
            self._port,
            credentials=self._credentials,
            timeout_seconds=self._timeout_seconds,
            enquire_link_seconds=self._enquire_link_seconds,
            on_submit_resp=self._on_submit_resp,
            on_deliver=self._on_deliver,
            on_down=self._wake,
        )
        try:
            link.open()
        except LinkDown as error:
            self._failed_connects += 1
            delay = min(self._reconnect_max_seconds, 0.5 * 2 ** (self._failed_connects - 1))
            self._reconnect_at = now + delay
            return Transient(f"{self.provider}: {error}", retry_after_seconds=delay)
        self._failed_connects = 0
        self.connects += 1
        self._link = link
        return link

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # -- sending -----------------------------------------------------------------------

    def _plan(self, index: int, message: OutboundMessage, batch: _Batch) -> SmsParts | None:
        """The message's parts, or None with the reason it can never go recorded."""
        reason = None
        if address(message.to) is None:
            reason = f"not a phone number for SMS: {message.to!r}"
        elif not message.text:
            reason = "empty text"
        else:
            try:
                sms = split_text(message.text, message.message_id)
            except MessageTooLong:
                reason = "text longer than 255 parts"
            except UnicodeError as error:  # e.g. a lone surrogate: no encoding takes it
                reason = f"text cannot be encoded for SMS: {error}"
            else:
                batch.unanswered[index] = len(sms.parts)
                return sms
        batch.refused[index] = Permanent(reason)
        return None

    def _pipeline(
        self,
        link: SmppLink,
        messages: Sequence[OutboundMessage],
        plans: list[SmsParts | None],
        batch: _Batch,
    ) -> None:
        parts = [
            (index, message, sms, octets, number == len(sms.parts))
            for index, (message, sms) in enumerate(zip(messages, plans, strict=True))
            if sms is not None
            for number, octets in enumerate(sms.parts, start=1)
        ]
        self._progress_at = time.monotonic()
        done = 0
        while done < len(parts):
            room = self._await_room(link, len(parts) - done, batch)
            if not room:
                break
            burst = parts[done : done + room]
            done += room
            pdus = [
                self._submit_sm(link, m, sms, octets, last) for _, m, sms, octets, last in burst
            ]
            with self._cond:
                now = time.monotonic()
                for pdu, (index, *_, last) in zip(pdus, burst, strict=True):
                    self._in_flight[pdu.sequence] = (batch, index, last, now)
                    self._flow.sent(now)
            try:
                link.write(*pdus)
            except LinkDown:
                return
        if not link.is_down:
            self._await_answers(link)

    def _submit_sm(
        self, link: SmppLink, message: OutboundMessage, sms: SmsParts, octets: bytes, last: bool
    ) -> Any:
        destination = address(message.to)
        assert destination is not None  # _plan refused the others
        tlvs = {self._tlv: message.message_id.encode()} if self._tlv is not None else {}
        return KeyedSubmitSM(
            client=link.sequencer,
            source_addr_ton=self._source[0],
            source_addr_npi=self._source[1],
            source_addr=self._source[2],
            dest_addr_ton=destination[0],
            dest_addr_npi=destination[1],
            destination_addr=destination[2],
            esm_class=sms.esm_class,
            data_coding=sms.data_coding,
            registered_delivery=consts.SMPP_SMSC_DELIVERY_RECEIPT_BOTH if last else 0,
            short_message=octets,
            vendor_tlvs=tlvs,
        )

    def _await_room(self, link: SmppLink, remaining: int, batch: _Batch) -> int:
        """Block until the pause, the pace and the window let parts go, and say how many;
        0 if the link is down or the SMSC wants a pause too long to hold the batch for."""
        with self._cond:
            while not link.is_down:
                now = time.monotonic()
                pause = self._flow.wait_seconds(now)
                if pause > self._max_pause_in_send_seconds:
                    reason = f"the SMSC is throttling {self.provider}; paused for {pause:.1f} s"
                    batch.held_back = Transient(reason, retry_after_seconds=pause)
                    return 0
                if pause > 0:
                    self._cond.wait(pause)
                    self._progress_at = max(self._progress_at, time.monotonic())  # by choice
                    continue
                room = self._flow.room(len(self._in_flight), remaining)
                if room:
                    return room
                # the window is full: wait for answers, but not forever
                wait = self._progress_at + self._timeout_seconds - now
                if wait <= 0:
                    link.fail(f"no submit_sm_resp within {self._timeout_seconds:g} s")
                    break
                self._cond.wait(wait)
            return 0

    def _await_answers(self, link: SmppLink) -> None:
        with self._cond:
            while self._in_flight and not link.is_down:
                wait = self._progress_at + self._timeout_seconds - time.monotonic()
                if wait <= 0:
                    link.fail(f"no submit_sm_resp within {self._timeout_seconds:g} s")
                    break
                self._cond.wait(wait)

    def _outcome(self, batch: _Batch, index: int, link: SmppLink) -> Outcome:
        if index in batch.refused:
            return batch.refused[index]
        status = batch.errors[index]
        if status is not None and status not in TRANSIENT:
            return Permanent(describe_status(status))
        if batch.unanswered[index]:
            if not link.is_down and batch.held_back is not None:
                return batch.held_back
            return Transient(f"{self.provider}: {link.down_reason or 'no answer'}")
        if status is not None:
            return Transient(describe_status(status), batch.retry_after.get(index))
        return Sent(batch.provider_ids[index])

    # -- the reader thread's callbacks -----------------------------------------------

    def _on_submit_resp(self, sequence: int, status: int, message_id: str) -> None:
        with self._cond:
            entry = self._in_flight.pop(sequence, None)
            if entry is None:
                return
            batch, index, last, sent_at = entry
            now = time.monotonic()
            self._progress_at = now
            batch.unanswered[index] -= 1
            if status == consts.SMPP_ESME_ROK:
                if last:
                    batch.provider_ids[index] = message_id
                self._flow.taken(sent_at)
            else:
                if batch.errors[index] is None or status not in TRANSIENT:
                    batch.errors[index] = status
                if status in SLOW_DOWN:
                    self._flow.refused(sent_at, now)
                    batch.retry_after[index] = max(self._flow.pause, self._flow.base_pause)
            self._cond.notify_all()

    def _on_deliver(self, pdu: Any) -> None:
        esm_class = pdu.esm_class or 0
        kind = esm_class & ESM_CLASS_TYPE_MASK
        if kind == ESM_CLASS_DELIVERY_RECEIPT:
            receipt = receipt_from(pdu)
            if receipt is not None:
                with self._cond:
                    self._receipts.append(receipt)
            return
        if kind != 0:  # SME acknowledgements, intermediate notifications: nothing to keep
            log.info("deliver_sm with esm_class 0x%02X skipped", esm_class)
            return
        sender, text = reply_from(pdu)
        with self._cond:
            self._inbound.append((sender, text, datetime.now(UTC)))
