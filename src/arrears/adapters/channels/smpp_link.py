"""One bound SMPP transceiver connection, and the thread that reads it.

smpplib's ``Client`` connects and binds, and its codec encodes and parses every PDU; its
own ``listen()`` loop reads and writes on one thread, one PDU at a time, which cannot keep
64 submit_sm in flight while it also answers the SMSC. So a link runs a reader thread of
its own (reading whole buffers, parsing each PDU with ``smpp.parse_pdu``, answering all
the PDUs of one read in one write): it hands each submit_sm_resp to the adapter,
answers every deliver_sm and enquire_link, sends an enquire_link when the line has been
quiet for ``enquire_link_seconds`` (and gives the link up when none is answered within
``timeout_seconds``). Writers (the sender's submit_sm, the reader's answers) share one
lock, so PDUs never interleave on the socket.

A link does not reconnect: once down (peer closed, read error, unbind, stall) it stays
down, and the adapter opens a new one on its next send. ``close()`` unbinds when it can,
stops the reader and joins it: no thread outlives the link.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from smpplib import client, consts, smpp
from smpplib import exceptions as smpp_errors

from arrears.adapters.channels.smpp_codec import Sequencer

log = logging.getLogger(__name__)

DELIVER_SM = 0x00000005


class LinkDown(Exception):
    """The connection to the SMSC is gone (or could not be made); the text says why."""


class _Client(client.Client):  # type: ignore[misc]
    """smpplib's client with Nagle off: pipelined small PDUs must not wait for ACKs."""

    def _create_socket(self) -> socket.socket:
        raw: socket.socket = super()._create_socket()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return raw

    @property
    def socket(self) -> socket.socket | None:
        return self._socket  # type: ignore[no-any-return]


class SmppLink:
    """A transceiver bind; ``open()`` it, ``write()`` PDUs, ``close()`` it once.

    ``on_submit_resp(sequence, status, message_id)`` and ``on_deliver(pdu)`` run on the
    reader thread; ``on_down()`` runs on whichever thread noticed the link went down.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        credentials: dict[str, str],
        timeout_seconds: float,
        enquire_link_seconds: float,
        on_submit_resp: Callable[[int, int, str], None],
        on_deliver: Callable[[Any], None],
        on_down: Callable[[], None],
    ) -> None:
        self.sequencer = Sequencer()
        self._client = _Client(
            host,
            port,
            timeout=timeout_seconds,
            sequence_generator=self.sequencer,
            logger_name="arrears.smpp.client",
            allow_unknown_opt_params=True,  # SMSCs add TLVs of their own to receipts
        )
        self._credentials = credentials
        self._timeout_seconds = timeout_seconds
        self._enquire_link_seconds = enquire_link_seconds
        self._on_submit_resp = on_submit_resp
        self._on_deliver = on_deliver
        self._on_down = on_down
        self._write_lock = threading.Lock()
        self._down = threading.Event()
        self._unbound = threading.Event()
        self._reader: threading.Thread | None = None
        self._last_received = time.monotonic()
        self._enquire_sent_at: float | None = None
        self.down_reason = ""
        self.enquire_links_sent = 0

    @property
    def is_down(self) -> bool:
        return self._down.is_set()

    def open(self) -> None:
        """Connect and bind as a transceiver, then start reading. Raises LinkDown."""
        try:
            self._client.connect()
            self._client.bind_transceiver(**self._credentials)
        except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError) as error:
            self._disconnect()
            self._down.set()
            self.down_reason = f"bind failed: {_why(error)}"
            raise LinkDown(self.down_reason) from error
        self._last_received = time.monotonic()
        self._reader = threading.Thread(
            target=self._read_loop, name=f"smpp-reader-{self._client.port}", daemon=True
        )
        self._reader.start()

    def write(self, *pdus: Any) -> None:
        """Send PDUs in one write (any thread). Raises LinkDown if the link is or goes down.

        One ``sendall`` for many PDUs rather than smpplib's ``send_pdu`` for each: every
        system call gives up the GIL, and taking it back behind busy threads costs more
        than encoding the PDU did."""
        data = b"".join(pdu.generate() for pdu in pdus)
        with self._write_lock:
            sock = self._client.socket
            if self._down.is_set() or sock is None:
                raise LinkDown(self.down_reason)
            try:
                sock.sendall(data)
            except OSError as error:
                self.fail(f"connection lost (writing): {_why(error)}")
                raise LinkDown(self.down_reason) from error

    def fail(self, reason: str) -> None:
        """Give the link up (any thread): the reader stops, writers get LinkDown."""
        if self._down.is_set():
            return
        self.down_reason = reason
        self._down.set()
        sock = self._client.socket
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        log.info("SMPP link to %s:%s down: %s", self._client.host, self._client.port, reason)
        self._on_down()

    def close(self, *, unbind: bool = True) -> None:
        """Unbind (waiting up to the timeout for unbind_resp), stop the reader, disconnect."""
        if unbind and not self._down.is_set():
            with contextlib.suppress(LinkDown):
                self.write(smpp.make_pdu("unbind", client=self.sequencer))
                self._unbound.wait(self._timeout_seconds)
        self.fail("closed")
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(self._timeout_seconds)
        self._disconnect()

    def _disconnect(self) -> None:
        self._client.state = consts.SMPP_CLIENT_STATE_OPEN  # no "disconnecting while bound" noise
        self._client.disconnect()

    # -- the reader thread ------------------------------------------------------------

    def _read_loop(self) -> None:
        poll_seconds = max(0.01, min(0.5, self._enquire_link_seconds / 4))
        buffer = bytearray()
        try:
            while not self._down.is_set():
                sock = self._client.socket
                if sock is None:
                    break
                readable, _, _ = select.select([sock], [], [], poll_seconds)
                if not readable:
                    self._keep_alive()
                    continue
                chunk = sock.recv(65536)
                if not chunk:
                    raise LinkDown("closed by the SMSC")
                self._last_received = time.monotonic()
                buffer += chunk
                del buffer[: self._read_pdus(buffer)]
        except (LinkDown, OSError, ValueError) as error:
            self.fail(f"connection lost: {_why(error)}")
        except Exception as error:  # a PDU smpplib cannot parse: the stream is unusable
            log.exception("SMPP reader stopped")
            self.fail(f"unreadable PDU: {error!r}")

    def _read_pdus(self, buffer: bytearray) -> int:
        """Parse and act on the whole PDUs in the buffer, answer them in one write; returns
        the bytes used. (smpplib's ``read_pdu`` makes two reads per PDU; its codec is used.)"""
        answers, position, unbound = [], 0, False
        while len(buffer) - position >= 16:
            length = int.from_bytes(buffer[position : position + 4], "big")
            if length < 16:
                raise LinkDown(f"broken PDU (command_length {length})")
            if len(buffer) - position < length:
                break
            data = bytes(buffer[position : position + length])
            position += length
            try:
                pdu = smpp.parse_pdu(data, client=self.sequencer, allow_unknown_opt_params=True)
            except Exception as error:  # one bad PDU is refused; the stream goes on
                log.warning("SMPP PDU not parsed (%r): %s", error, data.hex())
                answers.extend(_refusal(data, error))
                continue
            answer = self._dispatch(pdu)
            if answer is not None:
                answers.append(answer)
            unbound = unbound or pdu.command == "unbind"
        if answers:
            self.write(*answers)
        if unbound:
            self.fail("the SMSC unbound")
        return position

    def _keep_alive(self) -> None:
        now = time.monotonic()
        if self._enquire_sent_at is not None:
            if now - self._enquire_sent_at > self._timeout_seconds:
                self.fail(f"no enquire_link_resp within {self._timeout_seconds:g} s")
            return
        if now - self._last_received >= self._enquire_link_seconds:
            self._enquire_sent_at = now
            self.enquire_links_sent += 1
            self.write(smpp.make_pdu("enquire_link", client=self.sequencer))

    def _dispatch(self, pdu: Any) -> Any:
        """Act on one PDU from the SMSC; returns the answer it needs, if any."""
        name = pdu.command
        if name in ("submit_sm_resp", "generic_nack"):
            message_id = getattr(pdu, "message_id", None) or b""
            self._on_submit_resp(pdu.sequence, pdu.status, message_id.decode("ascii", "replace"))
        elif name == "deliver_sm":
            try:
                self._on_deliver(pdu)
            except Exception:  # a receipt we cannot read is logged; the SMSC still gets its resp
                log.exception("deliver_sm not understood")
            return _answer("deliver_sm_resp", pdu)
        elif name == "enquire_link":
            return _answer("enquire_link_resp", pdu)
        elif name == "enquire_link_resp":
            self._enquire_sent_at = None
        elif name == "unbind":
            return _answer("unbind_resp", pdu)
        elif name == "unbind_resp":
            self._unbound.set()
        else:
            log.warning("SMPP %s ignored", name)
        return None


def _answer(response: str, request: Any) -> Any:
    answer = smpp.make_pdu(response)
    answer.sequence = request.sequence
    return answer


def _refusal(data: bytes, error: Exception) -> list[Any]:
    """The answer to a PDU smpplib cannot parse: a deliver_sm is refused for good
    (ESME_RX_P_APPN, so the SMSC does not redeliver it forever), another request gets a
    generic_nack; a response gets nothing (its batch times out)."""
    command_id, sequence = struct.unpack(">L4xL", data[4:16])
    if command_id & 0x80000000:
        return []
    if command_id == DELIVER_SM:
        answer, answer.status = smpp.make_pdu("deliver_sm_resp"), consts.SMPP_ESME_RX_P_APPN
    else:
        unknown = isinstance(error, smpp_errors.UnknownCommandError)
        answer = smpp.make_pdu("generic_nack")
        answer.status = consts.SMPP_ESME_RINVCMDID if unknown else consts.SMPP_ESME_RSYSERR
    answer.sequence = sequence
    return [answer]


def _why(error: BaseException) -> str:
    """smpplib's errors carry (text, status) as args; show the text."""
    return str(error.args[0]) if error.args else type(error).__name__
