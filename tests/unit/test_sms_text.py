"""SMS encoding and segments: GSM-7 or UCS-2, 160/153 septets, 70/67 code units, and how the
count compares with smpplib's splitter, which the SMPP sender uses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from smpplib import consts, gsm

from arrears.domain.sms_text import (
    GSM_BASIC,
    GSM_EXTENSION,
    SmsEncoding,
    SmsShape,
    encoding_of,
    segment_count,
    sms_shape,
    split_segments,
    text_units,
)


def test_latin_text_in_the_gsm_alphabet_goes_as_gsm7_in_one_segment_up_to_160_septets() -> None:
    assert sms_shape("a" * 160) == SmsShape(SmsEncoding.GSM7, 160, 1)
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2  # 2 × 153
    assert segment_count("a" * 307) == 3


def test_extension_characters_count_two_septets() -> None:
    assert text_units("€[]{}", SmsEncoding.GSM7) == 10
    assert segment_count("€" * 80) == 1  # 160 septets
    assert segment_count("€" * 81) == 2  # 162 septets


def test_chinese_text_goes_as_ucs2_with_70_then_67_code_units_a_segment() -> None:
    assert encoding_of("您的还款今日到期") is SmsEncoding.UCS2
    assert segment_count("您" * 70) == 1
    assert segment_count("您" * 71) == 2
    assert segment_count("您" * 134) == 2
    assert segment_count("您" * 135) == 3


def test_one_character_outside_the_gsm_alphabet_makes_the_whole_text_ucs2() -> None:
    assert encoding_of("Hello Ann") is SmsEncoding.GSM7
    assert encoding_of("Hello Ann ç") is SmsEncoding.UCS2
    assert sms_shape("a" * 100 + "王").segments == 2  # 101 code units


def test_a_character_beyond_the_bmp_counts_two_code_units_and_is_never_split() -> None:
    assert text_units("😀", SmsEncoding.UCS2) == 2
    assert segment_count("😀" * 35) == 1  # 70 code units
    parts = split_segments("a" + "😀" * 40)  # 81 code units: the 34th emoji would straddle 67
    assert [text_units(p, SmsEncoding.UCS2) for p in parts] == [67, 14]


def test_an_escape_pair_is_never_cut_between_segments() -> None:
    parts = split_segments("a" * 152 + "€" + "b" * 10)
    assert parts == ("a" * 152, "€" + "b" * 10)


def test_the_tables_hold_the_gsm_0338_alphabet() -> None:
    assert len(GSM_BASIC) == 127  # 128 codes, ESC is none
    assert frozenset("\f^{}\\[~]|€") == GSM_EXTENSION
    assert {"¥", "$", "£", "@", "§"} <= GSM_BASIC
    assert "`" not in GSM_BASIC and "¢" not in GSM_BASIC


# -- agreement with smpplib.gsm.make_parts -----------------------------------------------
# smpplib's GSM table differs from GSM 03.38 in four characters: it puts "`" where "§"
# is (0x5F), so it sends "`" as "§" and "§" as UCS-2; it has no form feed (an extension
# character); and it encodes ESC itself. Texts from templates never hold them; they are
# left out of the drawn alphabet, and shown by the test below.
SMPPLIB_DIFFERS = frozenset("§`\f\x1b")
ALPHABET = sorted((GSM_BASIC | GSM_EXTENSION) - SMPPLIB_DIFFERS) + list("您的还款ç😀")


def smpplib_cuts_a_pair(text: str) -> bool:
    """Whether smpplib's fixed-size split (153 octets, 134 octets) cuts an escape pair or a
    surrogate pair: the only case where its count differs from ours."""
    parts, encoding, _ = gsm.make_parts(text)
    if len(parts) == 1:
        return False
    if encoding == consts.SMPP_ENCODING_DEFAULT:
        return any(part[-1] == 0x1B for part in parts)  # ESC ends a part: its code went on
    return any(0xD800 <= int.from_bytes(part[-2:], "big") <= 0xDBFF for part in parts)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=420))
def test_our_count_and_encoding_agree_with_smpplib_unless_it_cuts_a_pair(text: str) -> None:
    parts, encoding, _ = gsm.make_parts(text)
    expected_encoding = "gsm7" if encoding == consts.SMPP_ENCODING_DEFAULT else "ucs2"
    assert encoding_of(text) == expected_encoding
    if smpplib_cuts_a_pair(text):
        # it cut a character in two (sent garbled); keeping it whole can take one more
        assert segment_count(text) in (len(parts), len(parts) + 1)
    else:
        assert segment_count(text) == len(parts)


def test_where_smpplib_cuts_an_escape_pair_we_count_one_segment_more() -> None:
    text = "a" * 152 + "€" + "b" * 152  # 306 septets
    parts, _, _ = gsm.make_parts(text)
    assert len(parts) == 2 and parts[0][-1] == 0x1B  # the € split over two messages
    assert segment_count(text) == 3  # kept whole: 152 | € + 151 | 1


def test_smpplib_treats_four_characters_otherwise_than_gsm_0338() -> None:
    assert gsm.make_parts("§")[1] == consts.SMPP_ENCODING_ISO10646 and encoding_of("§") == "gsm7"
    assert gsm.make_parts("`")[1] == consts.SMPP_ENCODING_DEFAULT and encoding_of("`") == "ucs2"
    assert gsm.make_parts("\f")[1] == consts.SMPP_ENCODING_ISO10646 and encoding_of("\f") == "gsm7"
