"""A scenario file with problems is refused with every problem named by its path."""

from __future__ import annotations

import json

from arrears.adapters.scenario_files import parse_scenario

PROPOSAL = {"channel": "call", "at": "2025-06-02T10:00:00-07:00"}


def problems(data: object) -> list[str]:
    scenario, _, findings = parse_scenario(json.dumps(data))
    assert scenario is None
    return [str(f) for f in findings]


def test_a_time_without_its_offset_is_refused() -> None:
    found = problems({"borrower": {"id": "B1"}, "proposal": {**PROPOSAL, "at": "2025-06-02T10:00"}})
    assert found == [
        "proposal.at: a time needs its offset, such as '2025-03-09T15:00:00-05:00' or 'Z'"
        " [bad_date]"
    ]


def test_an_unknown_zone_and_a_misspelt_key_are_both_named() -> None:
    found = problems(
        {"borrower": {"id": "B1", "phones": [{"number": "+1", "zone": "Mars/Base"}]},
         "proposal": {**PROPOSAL, "chanel": "call"}}
    )  # fmt: skip
    assert found == ["proposal: unknown key 'chanel' (did you mean 'channel'?) [unknown_key]"]
    found = problems({"borrower": {"id": "B1", "phones": [{"number": "+1", "zone": "Mars/Base"}]},
                      "proposal": PROPOSAL})  # fmt: skip
    assert found == [
        "borrower.phones[0].zone: 'Mars/Base' is not a time zone (an IANA name such as"
        " 'America/Chicago') [bad_choice]"
    ]


def test_a_channel_that_does_not_exist_is_refused_with_the_choices() -> None:
    found = problems({"borrower": {"id": "B1"}, "proposal": {**PROPOSAL, "channel": "fax"}})
    assert len(found) == 1 and found[0].startswith("line") is False
    assert "'fax' is not one of call, sms, email, letter, field_visit, voicemail" in found[0]


def test_an_expectation_with_an_unknown_key_is_refused() -> None:
    found = problems({"borrower": {"id": "B1"}, "proposal": PROPOSAL, "expect": {"verdict": "x"}})
    assert found == ["expect: unknown key 'verdict' [unknown_key]"]
