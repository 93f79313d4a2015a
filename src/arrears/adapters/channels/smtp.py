"""E-mail over SMTP (RFC 5321): one connection per adapter, a batch at a time, never lost in silence.

The dispatcher hands a batch; each message becomes one SMTP transaction (MAIL, RCPT, DATA)
on a connection kept open between batches. Security is ``starttls`` (RFC 3207, port 587:
the adapter refuses to go on in clear when the server does not offer it), ``ssl``
(implicit TLS, RFC 8314, port 465) or ``none`` (a relay on loopback); certificates are
verified against the system's authorities unless an ``ssl_context`` says otherwise.

Each message gets one outcome, in order:

* 250 after DATA → ``Sent(provider_id=<Message-ID>)``; bounces name that id later.
* a 4xx reply → ``Transient``; a 5xx reply to RCPT or DATA → ``Permanent`` (code and the
  server's text in the reason); the connection stays up for the next message.
* a connection that drops *before* the message's content was sent (a server that closed
  an idle connection, a 421) is opened again once and the message tried on it; a message
  already answered 250 is never sent again.
* a connection that drops *after* the content was sent → ``Transient``: the server may
  have taken it, so the outbox's retry may deliver it twice (at least once; the stable
  Message-ID lets receivers drop the copy). See docs/channels-email.md.
* the server unreachable (refused, timed out, dropping every new connection), TLS failing,
  authentication refused, or the sender address refused (5xx to MAIL) → ``Transient`` for
  that message and every later one in the batch, without trying them: these are the
  server's or the configuration's fault, and nothing may be lost while they are fixed.

The adapter never raises for a message's fault and never logs a password.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address

from arrears.adapters.channels.bounces import bounce_receipt
from arrears.adapters.channels.email_mime import (
    EmailBuildError,
    WireEmail,
    build_email,
    parse_sender,
)
from arrears.domain.messages import OutboundMessage, Outcome, Permanent, Receipt, Sent, Transient

log = logging.getLogger(__name__)

SECURITIES = ("starttls", "ssl", "none")
_SIZE_REFUSED = 552  # RFC 5321 4.5.3.1.10: too big for this server — the message's own fault
_LEADING_DOT = re.compile(rb"(?m)^\.")
_CLOSING = 421  # the server is closing the connection (RFC 5321 3.8)


class _Dropped(Exception):
    """The connection broke or desynchronised during a transaction."""

    def __init__(self, detail: str, *, content_sent: bool) -> None:
        super().__init__(detail)
        self.content_sent = content_sent


class _ServerUnavailable(Exception):
    """No message of this batch can go: the reason becomes each one's Transient."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SmtpAdapter:
    """The ``email`` channel through one SMTP server (a ChannelAdapter)."""

    channel = "email"
    honours_idempotency_key = False  # SMTP servers do not drop a resent Message-ID

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout_seconds: float = 30.0,
        data_timeout_seconds: float = 120.0,
        ssl_context: ssl.SSLContext | None = None,
        helo_name: str | None = None,
        sender_name: str | Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """``sender`` is ``addr`` or ``Name <addr>``; ``sender_name`` a display name, or one
        per language (``{"zh-CN": "示例消费金融", "en": "Demo Finance"}``, falling back to
        ``en``). ``timeout_seconds`` bounds each network wait but the answer to the
        message's content, which waits ``data_timeout_seconds`` (servers scan mail before
        they answer; giving up early risks a double). Raises ValueError for a
        configuration that cannot work or would leak."""
        if security not in SECURITIES:
            raise ValueError(f"security must be one of {', '.join(SECURITIES)}, not {security!r}")
        if username is not None and security == "none":
            raise ValueError("SMTP AUTH without TLS would send the password in clear")
        self.provider = f"smtp:{host}:{port}"
        self._host = host
        self._port = port
        self._security = security
        self._username = username
        self._password = password
        self._timeout_seconds = timeout_seconds
        self._data_timeout_seconds = data_timeout_seconds
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._helo_name = helo_name
        self._sender_address = parse_sender(sender)  # ValueError now, not per message
        self._sender_name = sender_name
        self._clock = clock
        self._connection: smtplib.SMTP | None = None
        self._receipts: deque[Receipt] = deque()

    def __repr__(self) -> str:
        return f"SmtpAdapter({self.provider}, security={self._security}, user={self._username})"

    # -- the ChannelAdapter contract -------------------------------------------------------

    def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        """One outcome per message, in order; see the module docstring for which."""
        outcomes: list[Outcome] = []
        down_reason: str | None = None
        for message in messages:
            if down_reason is not None:
                outcomes.append(Transient(down_reason))
                continue
            try:
                outcomes.append(self._send_one(message))
            except _ServerUnavailable as down:
                log.warning("%s: %s; %d message(s) left for later", self.provider,
                            down.reason, len(messages) - len(outcomes))  # fmt: skip
                down_reason = down.reason
                outcomes.append(Transient(down_reason))
            except Exception as error:  # a bug here must not hide what was already sent
                log.exception("%s: unexpected error sending %s", self.provider, message.message_id)
                self._discard()
                outcomes.append(Transient(f"smtp adapter error: {error!r}"))
        return outcomes

    def receipts(self) -> list[Receipt]:
        """Bounce receipts fed since the last call (drained)."""
        drained: list[Receipt] = []
        while self._receipts:
            drained.append(self._receipts.popleft())
        return drained

    def feed_bounce(self, raw: bytes | str, *, received_at: datetime) -> Receipt | None:
        """Hand the adapter a bounce read from the return-path mailbox.

        A hard bounce becomes a ``BOUNCED`` receipt (returned, and queued for
        ``receipts()``); a delay warning or an unrelated e-mail gives None.
        """
        receipt = bounce_receipt(raw, received_at=received_at)
        if receipt is not None:
            self._receipts.append(receipt)
        return receipt

    def close(self) -> None:
        """QUIT politely; a dead connection is just dropped."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def __enter__(self) -> SmtpAdapter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- one message ---------------------------------------------------------------------

    def _send_one(self, message: OutboundMessage) -> Outcome:
        try:
            wire = build_email(message, sender=self._from(message.language), sent_at=self._clock())
        except EmailBuildError as error:
            return Permanent(f"could not build the e-mail: {error}")
        while True:
            fresh = self._connection is None
            connection = self._connection or self._connect()
            try:
                return self._transaction(connection, wire)
            except _Dropped as drop:
                self._discard()
                if drop.content_sent:
                    log.warning("%s: connection lost after sending %s", self.provider,
                                message.message_id)  # fmt: skip
                    return Transient(
                        f"smtp connection lost after the message was sent "
                        f"(the server may have taken it): {drop}"
                    )
                if fresh:  # a new connection failed too: the server is not taking mail
                    raise _ServerUnavailable(f"smtp server unreachable: {drop}") from None
                log.info("%s: connection lost (%s); reconnecting once", self.provider, drop)

    def _from(self, language: str) -> Address:
        name = self._sender_name
        if isinstance(name, Mapping):
            name = name.get(language, name.get("en"))
        if name is None:
            return self._sender_address
        return parse_sender(self._sender_address.addr_spec, name)

    def _transaction(self, connection: smtplib.SMTP, wire: WireEmail) -> Outcome:
        """MAIL, RCPT, DATA for one e-mail; raises _Dropped when the connection breaks."""
        if wire.needs_smtputf8 and not connection.has_extn("smtputf8"):
            return Permanent("the address is not ASCII and the server does not offer SMTPUTF8")
        data = _dot_stuffed(wire.payload)
        try:
            code, reply = connection.mail(wire.mail_from, _mail_options(connection, wire, data))
            if code != 250:
                return self._refused(connection, "sender", code, reply)
            code, reply = connection.rcpt(wire.rcpt_to)
            if code not in (250, 251):
                return self._refused(connection, "recipient", code, reply)
            connection.putcmd("data")
            code, reply = connection.getreply()
            if code != 354:
                return self._refused(connection, "data", code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _Dropped(_describe(error), content_sent=False) from error
        try:
            connection.send(data)
            if connection.sock is not None:  # RFC 5321 4.5.3.2.6: the server may be slow here
                connection.sock.settimeout(max(self._timeout_seconds, self._data_timeout_seconds))
            code, reply = connection.getreply()
            if connection.sock is not None:
                connection.sock.settimeout(self._timeout_seconds)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _Dropped(_describe(error), content_sent=True) from error
        return self._answer_to_content(code, reply, wire)

    def _answer_to_content(self, code: int, reply: bytes, wire: WireEmail) -> Outcome:
        """Only a 250 means taken; a 421 means not taken, and the connection is closing."""
        if code == 250:
            return Sent(provider_id=wire.message_id)
        if not 400 <= code < 600:  # not an SMTP reply: we cannot tell what happened
            raise _Dropped(_reply_text(code, reply), content_sent=True)
        if code == _CLOSING:
            self._discard()
        if code < 500:
            return Transient(f"smtp message deferred: {_reply_text(code, reply)}")
        return Permanent(f"smtp message refused: {_reply_text(code, reply)}")

    def _refused(self, connection: smtplib.SMTP, stage: str, code: int, reply: bytes) -> Outcome:
        """A refusal before the content: the outcome, or the batch stops (sender refused)."""
        text = _reply_text(code, reply)
        if code == _CLOSING or not 400 <= code < 600:
            raise _Dropped(text, content_sent=False)
        self._reset(connection)
        if code < 500:
            return Transient(f"smtp {stage} deferred: {text}")
        if stage == "sender" and code != _SIZE_REFUSED:
            raise _ServerUnavailable(f"smtp sender refused: {text}")
        return Permanent(f"smtp {stage} refused: {text}")

    def _reset(self, connection: smtplib.SMTP) -> None:
        """RSET after a refusal; a connection that fails it is dropped (the outcome stands)."""
        try:
            code, _ = connection.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self._discard()

    # -- the connection ------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        """A greeted, secured, authenticated connection, or _ServerUnavailable."""
        connection: smtplib.SMTP | None = None
        try:
            if self._security == "ssl":
                connection = smtplib.SMTP_SSL(
                    self._host, self._port, local_hostname=self._helo_name,
                    timeout=self._timeout_seconds, context=self._ssl_context,
                )  # fmt: skip
            else:
                connection = smtplib.SMTP(
                    self._host, self._port, local_hostname=self._helo_name,
                    timeout=self._timeout_seconds,
                )  # fmt: skip
            self._secure_and_log_in(connection)
        except (smtplib.SMTPException, OSError, _ServerUnavailable) as error:
            if connection is not None:
                connection.close()
            raise _unavailable(error) from None
        log.info("%s: connected (%s%s)", self.provider, self._security,
                 f", user {self._username}" if self._username else "")  # fmt: skip
        self._connection = connection
        return connection

    def _secure_and_log_in(self, connection: smtplib.SMTP) -> None:
        connection.ehlo_or_helo_if_needed()
        if self._security == "starttls":
            if not connection.has_extn("starttls"):
                raise _ServerUnavailable(
                    "smtp server does not offer STARTTLS (not sending in clear)"
                )
            connection.starttls(context=self._ssl_context)
            connection.ehlo()
        if self._username is not None:
            connection.login(self._username, self._password or "")

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _unavailable(error: BaseException) -> _ServerUnavailable:
    """What stops the batch, said so an operator knows where to look."""
    if isinstance(error, _ServerUnavailable):
        return error
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _ServerUnavailable(
            f"smtp authentication failed: {_reply_text(error.smtp_code, error.smtp_error)}"
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _ServerUnavailable(f"smtp server lacks a needed extension: {error}")
    if isinstance(error, ssl.SSLError):
        return _ServerUnavailable(f"smtp tls failed: {error}")
    return _ServerUnavailable(f"smtp server unreachable: {_describe(error)}")


def _mail_options(connection: smtplib.SMTP, wire: WireEmail, data: bytes) -> list[str]:
    options: list[str] = []
    if connection.has_extn("size"):
        options.append(f"SIZE={len(data)}")
    if wire.needs_smtputf8:
        options.append("SMTPUTF8")
    if connection.has_extn("dsn"):  # RFC 3461: a bounce then names our Message-ID itself
        options += [f"ENVID={xtext(wire.message_id)}", "RET=HDRS"]
    return options


def xtext(value: str) -> str:
    """RFC 3461 xtext: printable ASCII but ``+`` and ``=``; the rest ``+XX``.

    >>> xtext("<m.1=2@x>")
    '<m.1+3D2@x>'
    """
    return "".join(
        char if "!" <= char <= "~" and char not in "+=" else f"+{ord(char):02X}" for char in value
    )


def _dot_stuffed(payload: bytes) -> bytes:
    """RFC 5321 4.5.2: a line starting with '.' gets another; CRLF.CRLF ends the data."""
    stuffed = _LEADING_DOT.sub(b"..", payload)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
