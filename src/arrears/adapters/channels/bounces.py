"""Bounces: a delivery status notification read back into a receipt for the message it names.

An e-mail the SMTP server took can still fail later, at the receiving end; the news comes
back as an e-mail to the sender's return path. This module reads one such e-mail:

* RFC 3464 ``multipart/report; report-type=delivery-status`` (Postfix, Exim, Sendmail,
  Gmail, Exchange): the per-recipient ``Action`` and ``Status`` say what happened, and the
  original message is named by ``Original-Envelope-Id`` (the adapter sets it to the
  Message-ID when the server offers DSN) or by the ``Message-ID`` of the returned
  message or headers;
* a plain-text bounce (qmail, older relays): a mail-daemon notice with an
  ``X-Failed-Recipients`` header or a failure subject, quoting the original headers.

What each becomes — the decision for soft bounces:

* ``Action: failed`` (any status; 5.x.x, or 4.4.7 "gave up retrying") → ``HARD``: the
  message is final, a ``Receipt(status=BOUNCED)``.
* ``Action: delayed`` (a 4.x.x "still trying" warning) → ``DELAYED``: *no* receipt. The
  relay keeps trying and sends a ``failed`` notice if it gives up, so the message stays
  ``sent``; ``read_bounce`` still reports it for whoever wants to count warnings.
* ``Action: delivered`` (asked for with NOTIFY=SUCCESS) → ``DELIVERED``: a receipt.
* ``relayed``/``expanded``, or an e-mail that names no message of ours → nothing.

>>> read_bounce(b"Subject: hello\\r\\n\\r\\nnot a bounce\\r\\n") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parsedate_to_datetime
from enum import StrEnum

from arrears.domain.messages import MessageStatus, Receipt

_ENHANCED_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b[45]\d\d\b")
_MESSAGE_ID_LINE = re.compile(r"(?im)^message-id:[ \t]*(<[^>\s]+>|\S+@\S+)")
_FAILURE_SUBJECT = re.compile(
    r"undeliver|delivery (status notification|failure|has failed)|failure notice|"
    r"returned mail|mail delivery failed|delivery failure|退信|无法投递|投递失败",
    re.I,
)
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (subsystem|system)", re.I)
_DETAIL_LENGTH = 500  # enough for the server's sentence; the outbox column is not a log


class BounceKind(StrEnum):
    HARD = "hard"  # the message will not arrive: final
    DELAYED = "delayed"  # a warning while the relay still tries: not final
    DELIVERED = "delivered"  # a positive notice (NOTIFY=SUCCESS): final


_RECEIPT_STATUS = {
    BounceKind.HARD: MessageStatus.BOUNCED,
    BounceKind.DELIVERED: MessageStatus.DELIVERED,
}
_ACTIONS = {
    "failed": BounceKind.HARD,
    "delayed": BounceKind.DELAYED,
    "delivered": BounceKind.DELIVERED,
}
_PREFERENCE = (BounceKind.HARD, BounceKind.DELIVERED, BounceKind.DELAYED)


@dataclass(frozen=True, slots=True)
class BounceReport:
    """What a notice says about one message we sent."""

    provider_id: str  # the original Message-ID, "<…>", as Sent(provider_id=…) gave it
    kind: BounceKind
    recipient: str | None
    status_code: str  # RFC 3463 enhanced code, e.g. "5.1.1"; "" when the notice gives none
    detail: str
    reported_at: datetime | None  # the notice's Date, when it has a usable one

    def receipt(self, *, received_at: datetime) -> Receipt | None:
        """A receipt for the outbox when the notice is final, else None."""
        status = _RECEIPT_STATUS.get(self.kind)
        if status is None:
            return None
        return Receipt(self.provider_id, status, self.reported_at or received_at, self.detail)


def bounce_receipt(raw: bytes | str, *, received_at: datetime) -> Receipt | None:
    """The receipt a notice makes (see the module docstring), or None."""
    report = read_bounce(raw)
    return None if report is None else report.receipt(received_at=received_at)


def read_bounce(raw: bytes | str) -> BounceReport | None:
    """Read a delivery status notification; None when it is none or names no message."""
    notice = _parse(raw)
    if notice.get_content_type() == "multipart/report":
        return _read_dsn(notice)
    return _read_plain(notice)


def _parse(raw: bytes | str) -> Message:
    if isinstance(raw, str):
        return message_from_string(raw, policy=policy.compat32)
    return message_from_bytes(raw, policy=policy.compat32)


# -- RFC 3464 ---------------------------------------------------------------------------


def _read_dsn(notice: Message) -> BounceReport | None:
    status_part = _first_part(notice, "message/delivery-status")
    if status_part is None:
        return None
    blocks = _status_blocks(status_part)
    if not blocks:
        return None
    per_message, recipients = blocks[0], blocks[1:]
    chosen = _chosen_recipient(recipients)
    if chosen is None:
        return None
    kind, fields = chosen
    provider_id = _envelope_id(per_message) or _returned_message_id(notice)
    if provider_id is None:
        return None
    status = fields.get("status", "")
    diagnostic = fields.get("diagnostic-code", "").partition(";")[2].strip() or fields.get(
        "diagnostic-code", ""
    )
    return BounceReport(
        provider_id=provider_id,
        kind=kind,
        recipient=_address_field(fields.get("final-recipient") or fields.get("original-recipient")),
        status_code=_enhanced(status) or _enhanced(diagnostic),
        detail=_clip(f"{status} {diagnostic}" if status else diagnostic or kind.value),
        reported_at=_date(notice),
    )


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message block, then one per recipient, as lower-cased field → value."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser split the blocks into header sets
        return [_fields(block) for block in payload]
    text = part.get_payload(decode=True) or b""  # a parser that left it as text
    chunks = re.split(r"\r?\n\s*\r?\n", text.decode("utf-8", "replace").strip())
    return [_fields(message_from_string(chunk + "\n\n")) for chunk in chunks if chunk.strip()]


def _fields(block: Message) -> dict[str, str]:
    return {name.lower(): " ".join(str(value).split()) for name, value in block.items()}


def _chosen_recipient(
    recipients: list[dict[str, str]],
) -> tuple[BounceKind, dict[str, str]] | None:
    """We send one recipient per message; should a notice list several, failure wins."""
    by_kind: dict[BounceKind, dict[str, str]] = {}
    for fields in recipients:
        kind = _ACTIONS.get(fields.get("action", "").strip().lower())
        if kind is not None:
            by_kind.setdefault(kind, fields)
    for kind in _PREFERENCE:
        if kind in by_kind:
            return kind, by_kind[kind]
    return None


def _envelope_id(per_message: dict[str, str]) -> str | None:
    value = per_message.get("original-envelope-id") or per_message.get("original-message-id")
    if not value:
        return None
    decoded = re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value.strip())
    return _normalised_id(decoded)


def _returned_message_id(notice: Message) -> str | None:
    for part in notice.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and inner[0].get("Message-ID"):
                return _normalised_id(str(inner[0]["Message-ID"]))
        elif content_type == "text/rfc822-headers":
            headers = message_from_string(_text(part) + "\n\n")
            if headers.get("Message-ID"):
                return _normalised_id(str(headers["Message-ID"]))
    return None


# -- plain-text bounces -----------------------------------------------------------------


def _read_plain(notice: Message) -> BounceReport | None:
    """A mail-daemon notice without a report part: X-Failed-Recipients or its subject tell."""
    failed_recipient = notice.get("X-Failed-Recipients")
    subject = _decoded(notice.get("Subject"))
    from_daemon = bool(_DAEMON.search(_decoded(notice.get("From"))))
    if not (failed_recipient or (from_daemon and _FAILURE_SUBJECT.search(subject))):
        return None
    body = "\n".join(_text(part) for part in notice.walk() if part.get_content_maintype() == "text")
    provider_id = _returned_message_id(notice)  # an attached original, else one quoted in text
    if provider_id is None and (quoted := _MESSAGE_ID_LINE.search(body)) is not None:
        provider_id = _normalised_id(quoted.group(1))
    if provider_id is None:
        return None
    status_code = _enhanced(body)
    delayed = status_code.startswith("4") and "delay" in subject.lower()
    return BounceReport(
        provider_id=provider_id,
        kind=BounceKind.DELAYED if delayed else BounceKind.HARD,
        recipient=str(failed_recipient).strip() if failed_recipient else None,
        status_code=status_code,
        detail=_clip(_plain_detail(body, status_code) or subject),
        reported_at=_date(notice),
    )


def _plain_detail(body: str, status_code: str) -> str:
    """The line with the status code, else one with an SMTP reply code, else ""."""
    lines = [" ".join(line.split()) for line in body.splitlines() if line.strip()]
    if status_code:
        for line in lines:
            if status_code in line:
                return line if line.startswith(status_code) else f"{status_code} {line}"
    return next((line for line in lines if _SMTP_CODE.search(line)), "")


# -- small readers ----------------------------------------------------------------------


def _first_part(notice: Message, content_type: str) -> Message | None:
    return next((p for p in notice.walk() if p.get_content_type() == content_type), None)


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _decoded(value: object) -> str:
    """A header as text, RFC 2047 encoded words decoded (a Chinese subject, a daemon's name)."""
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        return str(value)


def _normalised_id(value: str) -> str:
    """``<id@host>`` whatever the notice's spelling.

    >>> _normalised_id(" m.1@x.example ")
    '<m.1@x.example>'
    """
    bare = value.strip().strip("<>").strip()
    return f"<{bare}>"


def _address_field(value: str | None) -> str | None:
    """``rfc822; bob@example.com`` → ``bob@example.com``."""
    if not value:
        return None
    return value.partition(";")[2].strip() or value.strip()


def _enhanced(text: str) -> str:
    match = _ENHANCED_STATUS.search(text)
    return match.group(0) if match else ""


def _date(notice: Message) -> datetime | None:
    value = notice.get("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    # naive means "-0000": the time is UTC, the sender's own zone unknown (RFC 5322 3.3)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_LENGTH else text[: _DETAIL_LENGTH - 1] + "…"
