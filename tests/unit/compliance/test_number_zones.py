"""Plain E.164 numbers are placed without phonenumbers' general parser, to the same zones."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as phone_timezones

from arrears.domain.compliance.zones import _from_e164, number_zones

CODES = ["1", "44", "86", "49", "33", "61", "39", "852", "7", "380", "971"]


@settings(max_examples=2000)
@given(st.sampled_from(CODES), st.text("0123456789", min_size=6, max_size=12))
def test_the_fast_reading_equals_the_general_parser(code: str, national: str) -> None:
    number = f"+{code}{national}"
    fast = _from_e164(number)
    try:
        general = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return
    if fast is None:  # left to the general parser (a leading zero, an odd length)
        return
    assert fast == general
    assert phone_timezones.time_zones_for_number(fast) == phone_timezones.time_zones_for_number(
        general
    )


def test_a_number_is_placed_by_its_area_code() -> None:
    assert number_zones("+13105550100") == ("America/Los_Angeles",)
    assert number_zones("+12125550100") == ("America/New_York",)
    assert number_zones("+8613812345678") == ("Asia/Shanghai",)


def test_a_number_with_a_trunk_prefix_is_read_as_the_general_parser_reads_it() -> None:
    assert _from_e164("+110000000000") is None  # NANP's national prefix 1: left to parse
