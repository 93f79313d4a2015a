"""How an SMS text travels: its encoding (GSM-7 or UCS-2) and how many segments it costs.

An SMS carries 140 octets. A text whose every character is in the GSM 03.38 default
alphabet (3GPP TS 23.038 §6.2.1: the basic table, plus the extension table whose
characters take an escape and so count two septets) goes as GSM-7: 160 septets in one
message, 153 per segment once it is split (a 6-octet concatenation header, UDH, takes
the room of 7 septets). Anything else — Chinese above all — goes as UCS-2: 70 UTF-16
code units in one message, 67 per segment; a character outside the Basic Multilingual
Plane (an emoji) is a surrogate pair and counts 2. Operators bill per segment, and a
long text arrives late or in pieces, so templates are checked against a segment limit.

A split never cuts a character: an escape pair (``€`` is ESC + 0x65) or a surrogate
pair moves whole to the next segment, as handsets need (3GPP TS 23.038 §6.1.2.1.1 for
the escape). ``smpplib.gsm.make_parts`` splits at a fixed octet count and may cut one;
tests/unit/test_sms_text.py shows where the counts differ and why.

>>> shape = sms_shape("Your payment of ¥1,234.50 is due on Mar 5, 2026.")
>>> shape.encoding, shape.units, shape.segments
(<SmsEncoding.GSM7: 'gsm7'>, 48, 1)
>>> sms_shape("您的还款今日到期，回复TD退订").encoding
<SmsEncoding.UCS2: 'ucs2'>
>>> segment_count("€" * 80)  # 160 septets: one message
1
>>> segment_count("x" * 161), segment_count("您" * 71)
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# 3GPP TS 23.038 §6.2.1, the default alphabet's basic table in code order (0x00-0x7F),
# without 0x1B (ESC, the escape to the extension table, is no character of its own).
GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# §6.2.1.1, the extension table: ESC + a code, two septets each (0x0A is a page break).
GSM_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
# The segments a template's SMS may take unless a check is told otherwise: more arrive
# late or in pieces, and each is billed.
DEFAULT_MAX_SEGMENTS = 3

_GSM_ALL: frozenset[str] = GSM_BASIC | GSM_EXTENSION

SINGLE_LIMIT = {"gsm7": 160, "ucs2": 70}  # septets / UTF-16 code units in one message
PART_LIMIT = {"gsm7": 153, "ucs2": 67}  # per segment of a concatenated message


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"  # the GSM 03.38 default alphabet, 7 bits a septet (data_coding 0)
    UCS2 = "ucs2"  # UTF-16 big-endian, 2 octets a code unit (data_coding 8)


@dataclass(frozen=True, slots=True)
class SmsShape:
    """What a text costs as an SMS: its encoding, its length in that encoding's units
    (septets or UTF-16 code units) and the number of segments it goes in."""

    encoding: SmsEncoding
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """Whether every character is in the GSM 03.38 basic or extension table.

    >>> is_gsm7("Reply STOP [€5]"), is_gsm7("Café"), is_gsm7("ça")
    (True, True, False)
    """
    return _GSM_ALL.issuperset(text)  # set operations: a dispatcher shapes every text


def encoding_of(text: str) -> SmsEncoding:
    """GSM-7 when the text allows it, else UCS-2 (one character decides for the text).

    >>> encoding_of("Hello"), encoding_of("Hello 王芳")
    (<SmsEncoding.GSM7: 'gsm7'>, <SmsEncoding.UCS2: 'ucs2'>)
    """
    return SmsEncoding.GSM7 if is_gsm7(text) else SmsEncoding.UCS2


def char_units(char: str, encoding: SmsEncoding) -> int:
    """Units one character takes: 2 septets for an extension character, 2 UTF-16 code
    units for a character beyond U+FFFF, else 1.

    >>> char_units("€", SmsEncoding.GSM7), char_units("😀", SmsEncoding.UCS2)
    (2, 2)
    """
    if encoding is SmsEncoding.GSM7:
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def text_units(text: str, encoding: SmsEncoding) -> int:
    """The text's length in septets (GSM-7) or UTF-16 code units (UCS-2).

    >>> text_units("[€5]", SmsEncoding.GSM7), text_units("您好😀", SmsEncoding.UCS2)
    (7, 4)
    """
    if encoding is SmsEncoding.GSM7:
        return len(text) + sum(text.count(char) for char in GSM_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def split_segments(text: str) -> tuple[str, ...]:
    """The text as its segments: one if it fits a single message, else parts of at most
    153 septets / 67 code units, never cutting an escape or surrogate pair. An empty
    text is one (empty) message.

    >>> [len(part) for part in split_segments("a" * 152 + "€" + "b" * 10)]
    [152, 11]
    """
    encoding = encoding_of(text)
    if text_units(text, encoding) <= SINGLE_LIMIT[encoding]:
        return (text,)
    return _split(text, encoding)


def _split(text: str, encoding: SmsEncoding) -> tuple[str, ...]:
    limit = PART_LIMIT[encoding]
    parts: list[str] = []
    start = used = 0
    for index, char in enumerate(text):
        width = char_units(char, encoding)
        if used + width > limit:  # the whole character moves on: never half a pair
            parts.append(text[start:index])
            start, used = index, 0
        used += width
    parts.append(text[start:])
    return tuple(parts)


def segment_count(text: str) -> int:
    """How many SMS the text is sent as (see ``split_segments``)."""
    return len(split_segments(text))


def sms_shape(text: str) -> SmsShape:
    """Encoding, length in units and segments of a text, for reports and checks."""
    encoding = encoding_of(text)
    units = text_units(text, encoding)
    segments = 1 if units <= SINGLE_LIMIT[encoding] else len(_split(text, encoding))
    return SmsShape(encoding, units, segments)
