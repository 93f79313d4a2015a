"""The MIME e-mail for one outbound message: text and HTML alternatives, UTF-8, stable Message-ID.

Kept apart from the SMTP conversation so that what a borrower receives can be built and
checked without a server. Choices, each for a reason:

* The body parts are encoded to 7 bits (base64 or quoted-printable) so any relay takes
  them, 8BITMIME or not; non-ASCII subjects and display names are RFC 2047 encoded.
* The ``Message-ID`` derives from the outbox's ``message_id`` alone, so a resend of the
  same message carries the same id: receivers may drop the copy, and a bounce names it::

      m:20260305:L000123:d0.email  →  <m.20260305.L000123.d0.email@lender.example>

* An address with non-ASCII characters needs the server's SMTPUTF8; the headers are then
  written in raw UTF-8 (RFC 6532) instead of encoded words.
* The adapter owns the identity headers; a message's own ``headers`` (List-Unsubscribe,
  List-Unsubscribe-Post, Reply-To…) may not replace them.

>>> message_id_for("m:20260305:L1:d0", "lender.example")
'<m.20260305.L1.d0@lender.example>'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import errors, policy
from email.generator import BytesGenerator
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO

from arrears.domain.messages import OutboundMessage


class _CachingHeaderRegistry(HeaderRegistry):
    """The stdlib registry makes a new class for every header it parses (a tenth of the
    time it takes to build an e-mail); the classes are stateless, so one per name does."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


_HEADERS = _CachingHeaderRegistry()
# 7-bit bodies, RFC 2047 headers, CRLF line ends (what goes on the wire)
WIRE_POLICY = policy.SMTP.clone(cte_type="7bit", header_factory=_HEADERS)
# the same, with raw UTF-8 headers for a server that offers SMTPUTF8 (RFC 6531/6532)
WIRE_POLICY_UTF8 = policy.SMTPUTF8.clone(cte_type="7bit", header_factory=_HEADERS)

# headers the adapter writes itself; a message may not set them
RESERVED_HEADERS = frozenset(
    {
        "from", "to", "cc", "bcc", "date", "message-id", "subject", "sender",
        "mime-version", "content-type", "content-transfer-encoding", "content-language",
    }
)  # fmt: skip
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 ftext: printable ASCII except ':'
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]")
_ONE_CLICK = "List-Unsubscribe=One-Click"


class EmailBuildError(ValueError):
    """The message cannot become an e-mail (its own fault: never worth a retry)."""


@dataclass(frozen=True, slots=True)
class WireEmail:
    """An e-mail ready for the SMTP envelope and DATA."""

    message_id: str  # the Message-ID header value, "<…@…>"
    mail_from: str  # envelope sender (bare address)
    rcpt_to: str  # envelope recipient (bare address)
    needs_smtputf8: bool  # an address is not ASCII
    payload: bytes  # the message, CRLF line ends, not yet dot-stuffed


def message_id_for(message_id: str, domain: str) -> str:
    """The Message-ID header value for an outbox id: deterministic and a valid dot-atom.

    ``:`` and ``.`` separate atoms; any other character outside RFC 5322 ``atext`` is
    written ``=XX`` per UTF-8 byte; an empty atom becomes ``_``.

    >>> message_id_for("m:20260305:L 1::d0", "x.example")
    '<m.20260305.L=201._.d0@x.example>'
    """
    atoms = [_atom(piece) for piece in re.split(r"[:.]", message_id)]
    return f"<{'.'.join(atoms)}@{domain}>"


def _atom(piece: str) -> str:
    if not piece:
        return "_"
    return "".join(
        char if _ATEXT.fullmatch(char) else "".join(f"={b:02X}" for b in char.encode())
        for char in piece
    )


def parse_sender(sender: str, display_name: str | None = None) -> Address:
    """The From address; ``sender`` may be ``addr`` or ``Name <addr>``.

    >>> str(parse_sender("Demo Finance <noreply@lender.example>"))
    'Demo Finance <noreply@lender.example>'
    >>> parse_sender("noreply@lender.example", "示例消费金融").display_name
    '示例消费金融'
    """
    parsed = _address(sender)
    if display_name is not None:
        return Address(display_name=display_name, addr_spec=parsed.addr_spec)
    return parsed


def _address(text: str) -> Address:
    """One mailbox, ``addr`` or ``Name <addr>``; EmailBuildError when it is not one."""
    if not text or "\r" in text or "\n" in text:
        raise EmailBuildError(f"not an e-mail address: {text!r}")
    try:
        header = _HEADERS("To", text)
        addresses = header.addresses
    except (ValueError, IndexError, TypeError) as error:
        raise EmailBuildError(f"not an e-mail address: {text!r}") from error
    # a non-ASCII local part is allowed: it goes out under SMTPUTF8 or not at all
    defects = [d for d in header.defects if not isinstance(d, errors.NonASCIILocalPartDefect)]
    if len(addresses) != 1 or defects:
        raise EmailBuildError(f"not one e-mail address: {text!r}")
    address: Address = addresses[0]
    if not address.username or not address.domain:
        raise EmailBuildError(f"not an e-mail address: {text!r}")
    return address


def build_email(message: OutboundMessage, *, sender: Address, sent_at: datetime) -> WireEmail:
    """The wire form of ``message``, from ``sender``, dated ``sent_at`` (aware).

    Raises EmailBuildError for a fault of the message itself (bad address, a header with
    a line break, an identity header in ``headers``).
    """
    recipient = _address(message.to)
    needs_utf8 = not (sender.addr_spec.isascii() and recipient.addr_spec.isascii())
    message_id = message_id_for(message.message_id, sender.domain)
    email = EmailMessage(policy=WIRE_POLICY)
    email["From"] = sender
    email["To"] = recipient
    email["Date"] = format_datetime(sent_at)
    email["Message-ID"] = message_id
    if message.subject is not None:
        email["Subject"] = _one_line(message.subject, "Subject")
    for name, value in _extra_headers(message.headers):
        email[name] = value
    email.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    email["Content-Language"] = message.language  # after the body: set_content clears Content-*
    buffer = BytesIO()
    generator_policy = WIRE_POLICY_UTF8 if needs_utf8 else WIRE_POLICY
    BytesGenerator(buffer, policy=generator_policy).flatten(email)
    return WireEmail(
        message_id=message_id,
        mail_from=sender.addr_spec,
        rcpt_to=recipient.addr_spec,
        needs_smtputf8=needs_utf8,
        payload=buffer.getvalue(),
    )


def _extra_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The message's own headers, checked; RFC 8058 one-click needs a List-Unsubscribe."""
    checked: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise EmailBuildError(f"not a header name: {name!r}")
        if name.lower() in RESERVED_HEADERS:
            raise EmailBuildError(f"header {name} is the adapter's to set")
        checked.append((name, _one_line(value, name)))
    names = {name.lower() for name, _ in checked}
    post = dict((name.lower(), value) for name, value in checked).get("list-unsubscribe-post")
    if post is not None:
        if "list-unsubscribe" not in names:
            raise EmailBuildError("List-Unsubscribe-Post without List-Unsubscribe (RFC 8058)")
        if post.strip() != _ONE_CLICK:
            raise EmailBuildError(f"List-Unsubscribe-Post must be {_ONE_CLICK!r} (RFC 8058)")
    return checked


def _one_line(value: str, name: str) -> str:
    if "\r" in value or "\n" in value:
        raise EmailBuildError(f"header {name} has a line break")
    return value
