"""A loopback SMSC for the tests and the benchmark, speaking SMPP 3.4 through smpplib's codec.

It does what the adapter needs a real SMSC to do, and keeps count: binds a transceiver
(checking system_id and password), answers each submit_sm with a fresh message id,
reassembles concatenated parts (UDH) into whole messages, de-duplicates on the
idempotency TLV (a part already taken under the same key gets its first message id back
and is not delivered again), sends delivery receipts after a short delay, answers and
sends enquire_link, and can inject a borrower's reply (a mobile-originated deliver_sm).

Faults, set on ``smsc.faults`` before or during a test: drop the connection at the N-th
submit_sm (the last few before it taken but never answered, the worst case for an
outbox); answer ESME_RTHROTTLED to every K-th submit_sm or to all of them for a period;
answer ESME_RINVDSTADR for chosen numbers. Receipts say UNDELIV or EXPIRED for chosen
numbers, DELIVRD otherwise. Receipts for a client that has gone are held for its next bind.

    with LoopbackSmsc() as smsc:
        adapter = SmppAdapter(smsc.host, smsc.port, system_id="arrears", password="secret")
        ...
        assert smsc.wait_for(lambda: len(smsc.delivered) == 10)
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smpplib import consts, exceptions, gsm, smpp

from arrears.adapters.channels.smpp_codec import (
    ESM_CLASS_DELIVERY_RECEIPT,
    ESM_CLASS_UDHI,
    Sequencer,
    concatenation,
    decode_short_message,
    parse_pdu,
    without_udh,
)


@dataclass(frozen=True, slots=True)
class DeliveredSms:
    """A whole message as a handset would show it."""

    key: str | None
    destination: str
    text: str
    message_ids: tuple[str, ...]  # one per part, in order
    data_coding: int  # 0: GSM-7, 8: UCS-2


@dataclass
class SmscFaults:
    drop_after_submits: int | None = None  # one-shot: the connection drops at this submit_sm
    taken_unanswered: int = 0  # ...and the last this-many before it were taken, never answered
    throttle_every: int | None = None  # every K-th submit_sm answered ESME_RTHROTTLED
    throttle_from_submit: int | None = None  # from this submit_sm on...
    throttle_seconds: float = 0.0  # ...every submit_sm answered ESME_RTHROTTLED this long
    invalid_numbers: set[str] = field(default_factory=set)  # ESME_RINVDSTADR
    undeliverable_numbers: set[str] = field(default_factory=set)  # receipt stat:UNDELIV
    expired_numbers: set[str] = field(default_factory=set)  # receipt stat:EXPIRED


class _Session:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.bound = False
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        # a client that went is noticed by the session's reader, which ends the session
        with self._lock, contextlib.suppress(OSError):
            self.sock.sendall(data)


class LoopbackSmsc:
    """An SMSC on 127.0.0.1, a free port; counts what it sees (read under ``lock``)."""

    def __init__(
        self,
        *,
        system_id: str = "arrears",
        password: str = "secret",
        idempotency_tlv: int = 0x1400,
        receipt_delay_seconds: float = 0.02,
        receipts: bool = True,
        receipt_tlvs: bool = True,
        faults: SmscFaults | None = None,
    ) -> None:
        self.system_id, self.password = system_id, password
        self.idempotency_tlv = idempotency_tlv
        self.receipt_delay_seconds = receipt_delay_seconds
        self.receipts, self.receipt_tlvs = receipts, receipt_tlvs
        self.faults = faults or SmscFaults()
        self.lock = threading.Condition()
        self._sequencer = Sequencer()
        self._ids = itertools.count(1)
        self._tiebreak = itertools.count()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.host, self.port = self._listener.getsockname()[:2]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sessions: list[_Session] = []
        self._current: _Session | None = None
        self._taken: dict[tuple[str, int], str] = {}  # (key, part number) → message id
        self._assembling: dict[tuple[Any, ...], dict[int, tuple[bytes, str, bool]]] = {}
        self._schedule: list[tuple[float, int, bytes]] = []  # (due, tiebreak, deliver_sm)
        self._held: list[bytes] = []  # receipts for a client that was not bound
        self._throttle_until: float | None = None
        self.delivered: list[DeliveredSms] = []
        self.counts: Counter[str] = Counter()  # submits, parts_taken, duplicates_dropped, …

    # -- life --------------------------------------------------------------------------

    def start(self) -> LoopbackSmsc:
        for target in (self._accept_loop, self._receipt_loop):
            self._spawn(target)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self.lock:
            self.lock.notify_all()
            sessions = list(self._sessions)
        for session in sessions:
            _shut(session.sock)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def __enter__(self) -> LoopbackSmsc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="loopback-smsc")
        self._threads.append(thread)
        thread.start()

    # -- what tests ask ----------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        with self.lock:
            return self.lock.wait_for(predicate, timeout)

    def delivered_per_key(self) -> Counter[str | None]:
        with self.lock:
            return Counter(sms.key for sms in self.delivered)

    def inject_reply(self, from_number: str, text: str, to: str = "arrears") -> None:
        """A borrower's reply (mobile-originated deliver_sm) to the bound client."""
        try:
            octets, coding = gsm.gsm_encode(text), consts.SMPP_ENCODING_DEFAULT
        except UnicodeError:
            octets, coding = text.encode("utf-16-be"), consts.SMPP_ENCODING_ISO10646
        mo = smpp.make_pdu(
            "deliver_sm",
            client=self._sequencer,
            source_addr_ton=consts.SMPP_TON_INTL if from_number.startswith("+") else 0,
            source_addr_npi=consts.SMPP_NPI_ISDN,
            source_addr=from_number.removeprefix("+"),
            destination_addr=to,
            data_coding=coding,
            short_message=octets,
        )
        self._bound_session().write(mo.generate())

    def send_enquire_link(self) -> None:
        link = smpp.make_pdu("enquire_link", client=self._sequencer)
        self._bound_session().write(link.generate())

    def send_raw(self, data: bytes) -> None:
        """Bytes as they are to the bound client (a PDU the codec would not make)."""
        self._bound_session().write(data)

    def _bound_session(self) -> _Session:
        with self.lock:
            if self._current is None:
                raise RuntimeError("no client is bound")
            return self._current

    # -- serving -----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = _Session(sock)
            with self.lock:
                self._sessions.append(session)
                self.counts["connections"] += 1
            self._spawn(self._serve, session)

    def _serve(self, session: _Session) -> None:
        buffer = bytearray()
        try:
            while not self._stopping.is_set():
                chunk = session.sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                answers, used, close = self._handle_all(session, buffer)
                del buffer[:used]
                if answers:
                    session.write(b"".join(answers))
                if close:
                    break
        except OSError:
            pass
        finally:
            _shut(session.sock)
            session.sock.close()
            with self.lock:
                self._sessions.remove(session)
                if self._current is session:
                    self._current = None
                self.lock.notify_all()

    def _handle_all(self, session: _Session, buffer: bytearray) -> tuple[list[bytes], int, bool]:
        answers, position = [], 0
        while len(buffer) - position >= 16:
            length = int.from_bytes(buffer[position : position + 4], "big")
            if len(buffer) - position < length:
                break
            data = bytes(buffer[position : position + length])
            position += length
            answer, close = self._handle(session, data)
            if answer:
                answers.append(answer)
            if close:
                return answers, position, True
        return answers, position, False

    def _handle(self, session: _Session, data: bytes) -> tuple[bytes | None, bool]:
        try:
            request = parse_pdu(data, self._sequencer, allow_unknown_opt_params=True)
        except exceptions.UnknownCommandError:
            nack = smpp.make_pdu("generic_nack", client=self._sequencer)
            nack.status, nack.sequence = consts.SMPP_ESME_RINVCMDID, _sequence(data)
            return nack.generate(), False
        name = request.command
        with self.lock:
            self.counts[name] += 1
            if request.status:  # e.g. "deliver_sm_resp 0x65"
                self.counts[f"{name} 0x{request.status:02X}"] += 1
            self.lock.notify_all()
        if name == "bind_transceiver":
            return self._bind(session, request), False
        if name in ("bind_transmitter", "bind_receiver"):
            return _answer(request, consts.SMPP_ESME_RBINDFAIL), False
        if name == "unbind":
            return _answer(request), True
        if name.endswith("_resp") or name == "generic_nack":
            return None, False
        if not session.bound:
            return _answer(request, consts.SMPP_ESME_RINVBNDSTS), False
        if name == "submit_sm":
            return self._submit(request)
        if name == "enquire_link":
            return _answer(request), False
        return _answer(request, consts.SMPP_ESME_RINVCMDID), False

    def _bind(self, session: _Session, request: Any) -> bytes:
        status = consts.SMPP_ESME_ROK
        if session.bound:
            status = consts.SMPP_ESME_RALYBND
        elif (request.system_id or b"").decode() != self.system_id:
            status = consts.SMPP_ESME_RINVSYSID
        elif (request.password or b"").decode() != self.password:
            status = consts.SMPP_ESME_RINVPASWD
        if status != consts.SMPP_ESME_ROK:
            return _answer(request, status)
        session.bound = True
        with self.lock:
            self._current = session
            self.counts["binds"] += 1
            held, self._held = self._held, []
        if held:
            self._schedule_receipts(held)
        return _answer(request, system_id="loopback")

    def _submit(self, request: Any) -> tuple[bytes | None, bool]:
        faults = self.faults
        with self.lock:
            self.counts["submits"] += 1
            n = self.counts["submits"]
            drop_at = faults.drop_after_submits
            silent = drop_at is not None and n > drop_at - faults.taken_unanswered
            close = drop_at is not None and n >= drop_at
            if close:
                faults.drop_after_submits = None
                self.counts["drops"] += 1
            if self._throttled(n, faults):
                self.counts["throttled"] += 1
                answer = _answer(request, consts.SMPP_ESME_RTHROTTLED)
            elif _digits(request.destination_addr) in {_digits(x) for x in faults.invalid_numbers}:
                answer = _answer(request, consts.SMPP_ESME_RINVDSTADR)
            else:
                answer = _answer(request, message_id=self._take(request))
            self.lock.notify_all()
        return (None if silent else answer), close

    def _throttled(self, n: int, faults: SmscFaults) -> bool:
        if faults.throttle_every and n % faults.throttle_every == 0:
            return True
        if faults.throttle_from_submit is not None and n >= faults.throttle_from_submit:
            if self._throttle_until is None:
                self._throttle_until = time.monotonic() + faults.throttle_seconds
            return time.monotonic() < self._throttle_until
        return False

    def _take(self, request: Any) -> str:
        """Accept one part (lock held): de-duplicate, reassemble, deliver when whole."""
        raw_key = request.vendor_tlvs.get(self.idempotency_tlv)
        key = raw_key.decode() if raw_key is not None else None
        octets = request.short_message or b""
        reference, total, number = 0, 1, 1
        if (request.esm_class or 0) & ESM_CLASS_UDHI:
            reference, total, number = concatenation(octets) or (0, 1, 1)
            octets = without_udh(octets)
        if key is not None and (key, number) in self._taken:
            self.counts["duplicates_dropped"] += 1
            return self._taken[(key, number)]
        message_id = f"{next(self._ids):010X}"
        self.counts["parts_taken"] += 1
        if key is not None:
            self._taken[(key, number)] = message_id
        destination = _digits(request.destination_addr)
        whole = (destination, key) if key is not None else (destination, reference, total)
        parts = self._assembling.setdefault(whole, {})
        parts[number] = (octets, message_id, bool((request.registered_delivery or 0) & 1))
        if len(parts) == total:
            del self._assembling[whole]
            ordered = [parts[i] for i in range(1, total + 1)]
            # each part decoded by itself, as a handset does: a character split across
            # two parts (a GSM-7 escape pair, a UTF-16 surrogate pair) shows as garbage
            coding = request.data_coding or 0
            text = "".join(decode_short_message(p[0], coding) for p in ordered)
            self.delivered.append(
                DeliveredSms(
                    key, destination, text, tuple(p[1] for p in ordered), request.data_coding or 0
                )
            )
            if self.receipts:
                source = (request.source_addr or b"").decode()
                receipts = [self._receipt(destination, source, p[1]) for p in ordered if p[2]]
                self._schedule_receipts(receipts)
        return message_id

    # -- receipts ----------------------------------------------------------------------

    def _receipt(self, destination: str, source: str, message_id: str) -> bytes:
        faults = self.faults
        stat, state = "DELIVRD", consts.SMPP_MESSAGE_STATE_DELIVERED
        if destination in {_digits(x) for x in faults.undeliverable_numbers}:
            stat, state = "UNDELIV", consts.SMPP_MESSAGE_STATE_UNDELIVERABLE
        elif destination in {_digits(x) for x in faults.expired_numbers}:
            stat, state = "EXPIRED", consts.SMPP_MESSAGE_STATE_EXPIRED
        now = datetime.now(UTC).strftime("%y%m%d%H%M")
        text = (
            f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} "
            f"submit date:{now} done date:{now} stat:{stat} "
            f"err:{'000' if stat == 'DELIVRD' else '001'} text:"
        )
        tlvs = {"receipted_message_id": message_id, "message_state": state}
        receipt = smpp.make_pdu(
            "deliver_sm",
            client=self._sequencer,
            source_addr_ton=consts.SMPP_TON_INTL,
            source_addr_npi=consts.SMPP_NPI_ISDN,
            source_addr=destination,
            destination_addr=source,
            esm_class=ESM_CLASS_DELIVERY_RECEIPT,
            short_message=text.encode("ascii"),
            **(tlvs if self.receipt_tlvs else {}),
        )
        return bytes(receipt.generate())

    def _schedule_receipts(self, receipts: list[bytes]) -> None:
        due = time.monotonic() + self.receipt_delay_seconds
        with self.lock:
            for receipt in receipts:
                heapq.heappush(self._schedule, (due, next(self._tiebreak), receipt))
            self.lock.notify_all()

    def _receipt_loop(self) -> None:
        while True:
            with self.lock:
                while not self._stopping.is_set():
                    wait = self._schedule[0][0] - time.monotonic() if self._schedule else None
                    if wait is not None and wait <= 0:
                        break
                    self.lock.wait(wait)
                if self._stopping.is_set():
                    return
                due = []
                while self._schedule and self._schedule[0][0] <= time.monotonic():
                    due.append(heapq.heappop(self._schedule)[2])
                session = self._current
                if session is None:
                    self._held.extend(due)
                    continue
                self.counts["receipts_sent"] += len(due)
            session.write(b"".join(due))


def _answer(request: Any, status: int = consts.SMPP_ESME_ROK, **fields: Any) -> bytes:
    response = smpp.make_pdu(f"{request.command}_resp", status=status, **fields)
    response.sequence = request.sequence
    return bytes(response.generate())


def _sequence(data: bytes) -> int:
    return int.from_bytes(data[12:16], "big")


def _digits(number: bytes | str | None) -> str:
    text = number.decode() if isinstance(number, bytes) else (number or "")
    return text.removeprefix("+")


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
