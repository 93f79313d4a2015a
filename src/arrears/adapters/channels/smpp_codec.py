"""What smpplib's PDU codec lacks, added around it rather than beside it.

smpplib (2.2) encodes and decodes every standard SMPP 3.4 PDU, but it knows only the
optional parameters listed in ``smpplib.consts.OPTIONAL_PARAMS``: it can neither write a
vendor-specific TLV (tags 0x1400–0x3FFF, SMPP 3.4 §5.3.2) nor read one (it raises, or
skips it with a warning). We carry each message's idempotency key in such a TLV, so
``KeyedSubmitSM`` subclasses smpplib's ``SubmitSM``: its body is smpplib's own, followed
by the vendor TLVs; when parsing, the vendor TLVs are taken out of the optional part and
the rest goes back to smpplib. Registering a name in smpplib's global ``OPTIONAL_PARAMS``
would also work, but it changes the library for every user in the process and the tag is
configurable, so we keep the extension local to one class.

Also here, shared by the adapter and the loopback SMSC in tests:

- ``split_text``: smpplib's ``gsm.make_parts`` (GSM-7 or UCS-2, UDH concatenation) with a
  concatenation reference derived from the message's key, so a resend of the same
  message reassembles with the parts an SMSC may already hold, and without splitting a
  GSM-7 escape pair or a UTF-16 surrogate pair across two parts;
- ``decode_short_message`` (smpplib encodes GSM-7 but does not decode it);
- ``parse_receipt_text`` for the de-facto standard receipt text (SMPP 3.4 Appendix B);
- ``status_name``: ``0x0B`` → ``"ESME_RINVDSTADR"``;
- ``receipt_from`` and ``reply_from``: what a deliver_sm says, as our values.

>>> p = KeyedSubmitSM(client=Sequencer(), destination_addr="8613800138000",
...                   short_message=b"hi", vendor_tlvs={0x1400: b"m:1"})
>>> parsed = parse_pdu(p.generate(), Sequencer(), allow_unknown_opt_params=True)
>>> parsed.vendor_tlvs, parsed.destination_addr, parsed.short_message
({5120: b'm:1'}, b'8613800138000', b'hi')
>>> [len(part) for part in split_text("a" * 200, "m:1").parts]
[159, 53]
>>> status_name(0x58)
'ESME_RTHROTTLED'
"""

from __future__ import annotations

import logging
import re
import struct
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smpplib import command, consts, gsm, pdu, smpp

from arrears.domain.messages import MessageStatus, Receipt

log = logging.getLogger(__name__)

VENDOR_TLV_FIRST = 0x1400
VENDOR_TLV_LAST = 0x3FFF

ESM_CLASS_TYPE_MASK = 0x3C  # bits 5..2: message type (SMPP 3.4 §5.2.12)
ESM_CLASS_DELIVERY_RECEIPT = 0x04  # "SMSC Delivery Receipt"; smpplib's consts lack it
ESM_CLASS_UDHI = consts.SMPP_GSMFEAT_UDHI  # 0x40: short_message starts with a UDH

_ESCAPE = 0x1B  # GSM-7 escape to the extension table


class Sequencer:
    """A thread-safe sequence_number source, in the shape smpplib's PDUs ask their client for.

    smpplib's ``SimpleSequenceGenerator`` is not safe when two threads make request PDUs
    (the sender's ``submit_sm``, the reader's ``enquire_link``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = 0

    @property
    def sequence(self) -> int:
        return self._sequence

    def next_sequence(self) -> int:
        with self._lock:
            self._sequence = self._sequence % 0x7FFFFFFF + 1
            return self._sequence


class KeyedSubmitSM(command.SubmitSM):  # type: ignore[misc]
    """smpplib's submit_sm plus vendor-specific TLVs (``vendor_tlvs``: tag → raw value)."""

    def __init__(
        self,
        command_name: str = "submit_sm",
        *,
        vendor_tlvs: dict[int, bytes] | None = None,
        **kwargs: Any,
    ) -> None:
        self.vendor_tlvs = dict(vendor_tlvs or {})
        for tag in self.vendor_tlvs:
            if not VENDOR_TLV_FIRST <= tag <= VENDOR_TLV_LAST:
                raise ValueError(f"TLV 0x{tag:04X} is outside the vendor range 0x1400–0x3FFF")
        super().__init__(command_name, **kwargs)

    def generate_params(self) -> bytes:
        body: bytes = super().generate_params()
        tlvs = b"".join(
            struct.pack(">HH", tag, len(value)) + value for tag, value in self.vendor_tlvs.items()
        )
        return body + tlvs

    def parse_optional_params(self, data: bytes) -> None:
        standard = bytearray()
        position = 0
        while position + 4 <= len(data):
            tag, length = struct.unpack_from(">HH", data, position)
            end = position + 4 + length
            if VENDOR_TLV_FIRST <= tag <= VENDOR_TLV_LAST:
                self.vendor_tlvs[tag] = bytes(data[position + 4 : end])
            else:
                standard += data[position:end]
            position = end
        super().parse_optional_params(bytes(standard))


def parse_pdu(data: bytes, client: Sequencer, *, allow_unknown_opt_params: bool) -> Any:
    """smpplib's ``smpp.parse_pdu``, except that a submit_sm keeps its vendor TLVs."""
    if pdu.extract_command(data) == "submit_sm":
        parsed = KeyedSubmitSM(client=client, allow_unknown_opt_params=allow_unknown_opt_params)
        parsed.parse(data)
        return parsed
    return smpp.parse_pdu(data, client=client, allow_unknown_opt_params=allow_unknown_opt_params)


def status_name(status: int) -> str:
    """The SMPP name of a command_status, e.g. ``ESME_RINVDSTADR``."""
    return _STATUS_NAMES.get(status, f"0x{status:08X}")


def describe_status(status: int) -> str:
    """``ESME_RINVDSTADR (0x0000000B): Invalid Destination Address``"""
    description = consts.DESCRIPTIONS.get(status, "unknown status")
    return f"{status_name(status)} (0x{status:08X}): {description}"


_STATUS_NAMES = {
    value: name.removeprefix("SMPP_")
    for name, value in vars(consts).items()
    if name.startswith("SMPP_ESME_") and isinstance(value, int)
}


@dataclass(frozen=True, slots=True)
class SmsParts:
    """One text as the short_message octets of its submit_sm PDUs."""

    parts: list[bytes]
    data_coding: int  # 0: GSM-7 (one septet per octet, as SMPP carries it); 8: UCS-2
    esm_class: int  # 0x40 (UDHI) when the parts carry a concatenation header


def split_text(text: str, key: str) -> SmsParts:
    """Encode and split a text with smpplib (GSM-7 if it can, else UCS-2; UDH if long).

    The 8-bit concatenation reference comes from the key (CRC-32, low byte): a resend of
    the same message uses the same reference, where smpplib picks a random one.

    >>> s = split_text("您好" * 40, "m:1")
    >>> len(s.parts), s.data_coding, hex(s.esm_class), [p[4:6] for p in s.parts]
    (2, 8, '0x40', [b'\\x02\\x01', b'\\x02\\x02'])
    >>> s.parts[0][3] == s.parts[1][3] == split_text("x" * 200, "m:1").parts[0][3]
    True
    """
    parts, data_coding, esm_class = gsm.make_parts(text)
    if len(parts) == 1:
        return SmsParts(list(parts), data_coding, esm_class)
    reference = zlib.crc32(key.encode()) & 0xFF
    payload = b"".join(part[6:] for part in parts)
    if any(_breaks_a_character(part[6:], data_coding) for part in parts[:-1]):
        chunks = _chunks(payload, len(parts[0]) - 6, data_coding)
    else:
        chunks = [part[6:] for part in parts]
    header = bytes((0x05, 0x00, 0x03, reference, len(chunks)))
    return SmsParts(
        [header + bytes((i,)) + chunk for i, chunk in enumerate(chunks, start=1)],
        data_coding,
        esm_class,
    )


def _breaks_a_character(chunk: bytes, data_coding: int) -> bool:
    if data_coding == consts.SMPP_ENCODING_ISO10646:
        return len(chunk) >= 2 and 0xD8 <= chunk[-2] <= 0xDB  # ends on a high surrogate
    return chunk.endswith(bytes((_ESCAPE,)))  # the escape's partner went to the next part


def _chunks(payload: bytes, size: int, data_coding: int) -> list[bytes]:
    chunks = []
    while payload:
        cut = size
        while cut < len(payload) and _breaks_a_character(payload[:cut], data_coding):
            cut -= 1 if data_coding != consts.SMPP_ENCODING_ISO10646 else 2
        chunks.append(payload[:cut])
        payload = payload[cut:]
    return chunks


def concatenation(short_message: bytes) -> tuple[int, int, int] | None:
    """(reference, total, number) from a UDH's concatenation element (8- or 16-bit ref)."""
    header_length = short_message[0]
    position = 1
    while position < header_length + 1:
        element, length = short_message[position], short_message[position + 1]
        value = short_message[position + 2 : position + 2 + length]
        if element == consts.SMPP_UDHIEIE_CONCATENATED and length == 3:
            return value[0], value[1], value[2]
        if element == consts.SMPP_UDHIEIE_CONCATENATED16 and length == 4:
            return (value[0] << 8) | value[1], value[2], value[3]
        position += 2 + length
    return None


def without_udh(short_message: bytes) -> bytes:
    return short_message[short_message[0] + 1 :]


def decode_short_message(octets: bytes, data_coding: int) -> str:
    """Text of user data (no UDH): UCS-2, Latin-1, or GSM-7 one septet per octet.

    >>> decode_short_message(gsm.gsm_encode("Pay €5 {now}"), 0)
    'Pay €5 {now}'
    """
    if data_coding == consts.SMPP_ENCODING_ISO10646:
        return octets.decode("utf-16-be", errors="replace")
    if data_coding == consts.SMPP_ENCODING_ISO88591:
        return octets.decode("latin-1")
    if data_coding not in (consts.SMPP_ENCODING_DEFAULT, consts.SMPP_ENCODING_IA5):
        return octets.decode("utf-8", errors="replace")
    table = gsm.GSM_CHARACTER_TABLE
    characters = []
    escaped = False
    for octet in octets:
        if escaped:
            characters.append(table[0x80 + octet] if octet < 0x80 else "?")
            escaped = False
        elif octet == _ESCAPE:
            escaped = True
        else:
            characters.append(table[octet] if octet < 0x80 else "?")
    return "".join(characters)


_RECEIPT_FIELD = re.compile(
    r"(?P<key>id|sub|dlvrd|submit date|done date|stat|err):(?P<value>\S*)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ReceiptText:
    message_id: str | None
    stat: str | None  # DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD
    err: str | None
    done_at: datetime | None


def parse_receipt_text(text: str) -> ReceiptText:
    """The receipt text of SMPP 3.4 Appendix B; done date read as UTC (yyMMddhhmm[ss]).

    >>> parse_receipt_text("id:0A1B sub:001 dlvrd:001 submit date:2603050930 "
    ...                    "done date:2603050931 stat:DELIVRD err:000 text:Hello")
    ReceiptText(message_id='0A1B', stat='DELIVRD', err='000', done_at=datetime.datetime(2026, 3, 5, 9, 31, tzinfo=datetime.timezone.utc))
    """
    fields = {m["key"].lower(): m["value"] for m in _RECEIPT_FIELD.finditer(text)}
    return ReceiptText(
        fields.get("id"),
        (fields.get("stat") or "").upper() or None,
        fields.get("err"),
        _receipt_time(fields.get("done date", "")),
    )


def _receipt_time(value: str) -> datetime | None:
    if len(value) not in (10, 12) or not value.isdigit():
        return None
    pattern = "%y%m%d%H%M%S" if len(value) == 12 else "%y%m%d%H%M"
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None


# receipt "stat:" words and message_state values (SMPP 3.4 §5.2.28, Appendix B); the
# intermediate ones (ENROUTE, ACCEPTD, UNKNOWN) are not final and are skipped
RECEIPT_STATS = {
    "DELIVRD": MessageStatus.DELIVERED,
    "UNDELIV": MessageStatus.UNDELIVERABLE,
    "REJECTD": MessageStatus.UNDELIVERABLE,
    "DELETED": MessageStatus.UNDELIVERABLE,
    "EXPIRED": MessageStatus.EXPIRED,
}
MESSAGE_STATES = {
    consts.SMPP_MESSAGE_STATE_DELIVERED: MessageStatus.DELIVERED,
    consts.SMPP_MESSAGE_STATE_EXPIRED: MessageStatus.EXPIRED,
    consts.SMPP_MESSAGE_STATE_DELETED: MessageStatus.UNDELIVERABLE,
    consts.SMPP_MESSAGE_STATE_UNDELIVERABLE: MessageStatus.UNDELIVERABLE,
    consts.SMPP_MESSAGE_STATE_REJECTED: MessageStatus.UNDELIVERABLE,
}


def address(number: str) -> tuple[int, int, str] | None:
    """(TON, NPI, digits) of a phone number: E.164 '+86…' is international, ISDN plan."""
    digits = number.strip().removeprefix("+")
    if not digits.isdigit() or len(digits) > 20:
        return None
    ton = consts.SMPP_TON_INTL if number.strip().startswith("+") else consts.SMPP_TON_UNK
    return ton, consts.SMPP_NPI_ISDN, digits


def receipt_from(pdu: Any) -> Receipt | None:
    """A Receipt from a receipt deliver_sm: TLVs first (receipted_message_id, message_state),
    the Appendix B text otherwise. None for intermediate states or no id."""
    octets = pdu.short_message or pdu.message_payload or b""
    text = decode_short_message(octets, pdu.data_coding or 0)
    parsed = parse_receipt_text(text)
    tlv_id = (pdu.receipted_message_id or b"").decode("ascii", "replace")
    provider_id = tlv_id or parsed.message_id
    status = MESSAGE_STATES.get(pdu.message_state) or RECEIPT_STATS.get(parsed.stat or "")
    if provider_id is None or status is None:
        log.info("receipt skipped (no id or not final): %r", text)
        return None
    detail = " ".join(f"{k}:{v}" for k, v in (("stat", parsed.stat), ("err", parsed.err)) if v)
    return Receipt(provider_id, status, parsed.done_at or datetime.now(UTC), detail)


def reply_from(pdu: Any) -> tuple[str, str]:
    """(from number, text) of a mobile-originated deliver_sm; '+' added for TON international."""
    octets = pdu.short_message or b""
    if (pdu.esm_class or 0) & ESM_CLASS_UDHI and octets:
        octets = without_udh(octets)
    text = decode_short_message(octets or pdu.message_payload or b"", pdu.data_coding or 0)
    sender = (pdu.source_addr or b"").decode("ascii", "replace")
    if pdu.source_addr_ton == consts.SMPP_TON_INTL and not sender.startswith("+"):
        sender = "+" + sender
    return sender, text
