"""A real SMTP server on loopback (aiosmtpd) that tests and the benchmark can steer.

It listens on 127.0.0.1 on a port the system chooses, records every message it takes,
and can be told to misbehave the ways real servers do:

* STARTTLS (``tls="starttls"``) or implicit TLS (``tls="ssl"``) with a self-signed
  certificate made at test time by the ``openssl`` tool; ``client_ssl_context()`` trusts it;
* AUTH PLAIN/LOGIN for one fixed user, required for MAIL when ``require_auth``;
* ``refuse(address, 550)`` / ``refuse(address, 451)`` answers RCPT for that address;
* ``drop_connection_after(n)`` closes the connection right after the n-th next 250;
* ``go_down_after(n)`` also stops listening then (a crash mid-batch);
* ``answer_data_with("554 …")`` answers the next messages' content without taking them,
  ``refuse_mail("553 …")`` answers every MAIL FROM;
* ``vanish_after(n)`` takes the n-th next message but cuts the line before its 250;
* ``stop()`` and ``start()`` again on the same port (down, then up).

``measure_email_rate`` times the SMTP adapter through it, for the benchmark.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from arrears.adapters.channels.smtp import SmtpAdapter
from arrears.domain.messages import OutboundMessage, Sent

LOOPBACK = "127.0.0.1"
USERNAME = "arrears"
PASSWORD = "loopback-secret-7"  # a test password: the tests check it is never logged


@dataclass(frozen=True)
class ReceivedEmail:
    """One message as the server took it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    mail_options: tuple[str, ...]
    raw: bytes
    peer: tuple[str, int]  # the client's address: one per TCP connection
    tls: bool  # whether the connection was encrypted
    authenticated_as: str | None

    @property
    def message(self) -> EmailMessage:
        if self.raw.isascii():
            parsed = message_from_bytes(self.raw, policy=policy.default)
        else:  # RFC 6532 headers: UTF-8 as is (the byte parser would mangle them)
            parsed = message_from_string(self.raw.decode("utf-8"), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


@cache
def self_signed_certificate() -> Certificate:
    """A certificate for 127.0.0.1 and localhost, made once per process by ``openssl``."""
    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover - the test image has it
        raise RuntimeError("the openssl command is needed to make a test certificate")
    folder = Path(tempfile.mkdtemp(prefix="arrears-smtp-tls-"))
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return Certificate(cert, key)


def client_ssl_context() -> ssl.SSLContext:
    """A client context that verifies the loopback server against the test certificate."""
    return ssl.create_default_context(cafile=str(self_signed_certificate().cert_file))


def _server_ssl_context() -> ssl.SSLContext:
    certificate = self_signed_certificate()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    return context


@dataclass
class _Steering:
    """What the server is told to do; read and changed under the server's lock."""

    refusals: dict[str, str] = field(default_factory=dict)
    drop_countdown: int | None = None
    down_countdown: int | None = None
    vanish_countdown: int | None = None
    data_replies: list[str] = field(default_factory=list)  # answers for the next DATAs
    mail_reply: str | None = None  # the answer to every MAIL, instead of 250


class _Handler:
    """aiosmtpd hooks: MAIL checks AUTH, RCPT applies refusals, DATA records and misbehaves."""

    def __init__(self, owner: LoopbackSmtpServer) -> None:
        self._owner = owner

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self._owner.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if (refusal := self._owner._mail_refusal()) is not None:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._owner._refusal(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if (answer := self._owner._data_answer()) is not None:
            if answer.startswith("421") and server.transport is not None:
                asyncio.get_running_loop().call_soon(server.transport.close)
            return answer  # not taken
        content = envelope.original_content or b""
        transport = server.transport
        number, drop, down, vanish = self._owner._record(
            ReceivedEmail(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                mail_options=tuple(envelope.mail_options),
                raw=content if isinstance(content, bytes) else content.encode(),
                peer=tuple(session.peer) if session.peer else ("", 0),
                tls=transport is not None and transport.get_extra_info("ssl_object") is not None,
                authenticated_as=_login_of(session),
            )
        )
        if down:
            self._owner._stop_listening()
        if vanish and transport is not None:
            transport.abort()  # taken, but the client never hears the 250
        elif (drop or down) and transport is not None:
            asyncio.get_running_loop().call_soon(transport.close)  # after the 250 is written
        return f"250 2.0.0 Ok: queued as Q{number}"


def _login_of(session: Session) -> str | None:
    data = session.auth_data
    if isinstance(data, LoginPassword):
        return data.login.decode()
    return None


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(), PASSWORD.encode(),
    )  # fmt: skip
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class _Controller(Controller):
    """A Controller that may listen on port 0 and knows every connection it served."""

    def __init__(self, owner: LoopbackSmtpServer, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._owner = owner
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        smtp = super().factory()
        self.sessions.append(smtp)
        self._owner._count_connection()
        return smtp

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]  # the port the system chose
        super()._trigger_server()


class LoopbackSmtpServer:
    """See the module docstring. Use as a context manager, or start() and stop()."""

    def __init__(
        self, *, tls: Literal["none", "starttls", "ssl"] = "none", require_auth: bool = False
    ) -> None:
        self.tls = tls
        self.require_auth = require_auth
        self.host = LOOPBACK
        self.port = 0  # chosen by the system at the first start, kept for restarts
        self.connections = 0  # TCP connections served (the controller's own probe included)
        self._lock = threading.Lock()
        self._received: list[ReceivedEmail] = []
        self._steering = _Steering()
        self._controller: _Controller | None = None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> LoopbackSmtpServer:
        assert self._controller is None, "already running"
        context = _server_ssl_context() if self.tls != "none" else None
        controller = _Controller(
            self, _Handler(self), hostname=LOOPBACK, port=self.port,
            server_hostname="mail.loopback.test", ready_timeout=10.0,
            ssl_context=context if self.tls == "ssl" else None,
            tls_context=context if self.tls == "starttls" else None,
            require_starttls=self.tls == "starttls",
            authenticator=_authenticate,
            auth_require_tls=self.tls != "ssl",  # implicit TLS is TLS too
        )  # fmt: skip
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection (the server is down)."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        future = asyncio.run_coroutine_threadsafe(_abort_all(controller), controller.loop)
        future.result(timeout=10)
        controller.stop()

    def __enter__(self) -> LoopbackSmtpServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- steering --------------------------------------------------------------------------

    def refuse(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Answer RCPT TO this address with ``code`` (550 unknown user, 451 try later)."""
        default = "5.1.1 User unknown" if code >= 500 else "4.3.0 Try again later"
        with self._lock:
            self._steering.refusals[address.lower()] = f"{code} {text or default}"

    def drop_connection_after(self, accepted: int) -> None:
        """Close the connection right after the ``accepted``-th next message is taken."""
        with self._lock:
            self._steering.drop_countdown = accepted

    def go_down_after(self, accepted: int) -> None:
        """After the ``accepted``-th next message: stop listening and close the connection."""
        with self._lock:
            self._steering.down_countdown = accepted

    def vanish_after(self, accepted: int) -> None:
        """Take the ``accepted``-th next message but cut the connection before its 250."""
        with self._lock:
            self._steering.vanish_countdown = accepted

    def answer_data_with(self, *replies: str) -> None:
        """Answer the next messages' content with these replies (not taking them)."""
        with self._lock:
            self._steering.data_replies.extend(replies)

    def refuse_mail(self, reply: str | None) -> None:
        """Answer every MAIL FROM with ``reply`` (None: take it again)."""
        with self._lock:
            self._steering.mail_reply = reply

    # -- what it took ----------------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._received)

    def received_ids(self) -> list[str]:
        return [email.message_id for email in self.received]

    def wait_for(self, count: int, timeout_seconds: float = 10.0) -> list[ReceivedEmail]:
        """The e-mails taken, once there are ``count``; more than that fails (a duplicate)."""
        deadline = time.monotonic() + timeout_seconds
        while len(received := self.received) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        if len(received) != count:
            raise AssertionError(f"expected {count} e-mails, got {len(received)}")
        return received

    # -- called by the handler, in the server's thread -------------------------------------

    def _refusal(self, address: str) -> str | None:
        with self._lock:
            return self._steering.refusals.get(address.lower())

    def _mail_refusal(self) -> str | None:
        with self._lock:
            return self._steering.mail_reply

    def _data_answer(self) -> str | None:
        with self._lock:
            replies = self._steering.data_replies
            return replies.pop(0) if replies else None

    def _record(self, email: ReceivedEmail) -> tuple[int, bool, bool, bool]:
        with self._lock:
            self._received.append(email)
            steering = self._steering
            drop = _count_down(steering, "drop_countdown")
            down = _count_down(steering, "down_countdown")
            vanish = _count_down(steering, "vanish_countdown")
            return len(self._received), drop, down, vanish

    def _count_connection(self) -> None:
        with self._lock:
            self.connections += 1

    def _stop_listening(self) -> None:
        controller = self._controller
        if controller is not None and controller.server is not None:
            controller.server.close()  # new connections are refused; the current one closes after its 250


def _count_down(steering: _Steering, name: str) -> bool:
    left = getattr(steering, name)
    if left is None:
        return False
    left -= 1
    setattr(steering, name, None if left <= 0 else left)
    return left <= 0


async def _abort_all(controller: _Controller) -> None:
    if controller.server is not None:
        controller.server.close()
    for smtp in controller.sessions:
        if smtp.transport is not None:
            smtp.transport.abort()
    await asyncio.sleep(0)


@contextmanager
def running_smtp_server(**options: Any) -> Iterator[LoopbackSmtpServer]:
    server = LoopbackSmtpServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def measure_email_rate(count: int) -> float:
    """E-mails per second through the loopback server with the SMTP adapter.

    One adapter, one connection, batches of 100, plain SMTP on 127.0.0.1 (the TLS cost of
    a real relay is per connection, not per message). Counted until the server has
    recorded the last one.
    """
    messages = [_benchmark_message(n) for n in range(count)]
    with running_smtp_server() as server:
        adapter = SmtpAdapter(server.host, server.port, sender="noreply@lender.example",
                              security="none", helo_name="bench.loopback.test")  # fmt: skip
        started = time.perf_counter()
        try:
            for first in range(0, count, 100):
                outcomes = adapter.send(messages[first : first + 100])
                if not all(isinstance(outcome, Sent) for outcome in outcomes):
                    raise RuntimeError(f"the loopback server refused some: {outcomes[:3]}")
            server.wait_for(count, timeout_seconds=max(10.0, count / 50))
            elapsed = time.perf_counter() - started
        finally:
            adapter.close()
    return count / elapsed


def _benchmark_message(n: int) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"m:20260305:L{n:06d}:d0.email",
        channel="email",
        loan_id=f"L{n:06d}",
        borrower_id=f"B{n:06d}",
        to=f"borrower{n}@example.com",
        language="zh-CN" if n % 2 else "en",
        subject="还款提醒 / Payment reminder",
        text=f"您的还款 ¥1,234.50 今日到期。#{n}",
        html=f"<p>您的还款 <b>¥1,234.50</b> 今日到期。#{n}</p>",
    )
