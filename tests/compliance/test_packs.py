"""The shipped packs load, and a broken pack is refused with every problem at its line."""

from __future__ import annotations

import pytest

from arrears.adapters.policy_files import SHIPPED, parse_pack, read_pack_text

BROKEN = """\
pack: tiny
version: 1
title: Tiny
zone: Mars/Olympus
rules:
  - id: tiny.hours
    check: no_such_check
    says: x
    source: y
    confidence: P
  - id: tiny.hours
    check: no_such_check
    says: x
    source: y
    confidence: Q
"""


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_pack_loads_with_rules_that_cite_their_source(name: str) -> None:
    pack, findings = parse_pack(read_pack_text(name))
    assert findings == []
    assert pack is not None and pack.name == name
    assert all(rule.source and rule.says for rule in pack.rules)


def test_a_broken_pack_is_refused_naming_each_problem_and_its_line() -> None:
    pack, findings = parse_pack(BROKEN)
    assert pack is None
    shown = [str(f) for f in findings]
    assert any(s.startswith("line 15, rules[1].confidence:") for s in shown), shown
    assert any(s.startswith("line 4, zone: 'Mars/Olympus' is not a time zone") for s in shown)
    assert any(
        s.startswith("line 7, rules[0].check: 'no_such_check' is not a check") for s in shown
    )
    assert any(
        s.startswith("line 11, rules[1].id: rule id 'tiny.hours' is already used") for s in shown
    )


def test_a_pack_rule_naming_an_unknown_parameter_is_refused_at_its_line() -> None:
    text = read_pack_text("us-regf")
    pack, _ = parse_pack(text)
    assert pack is not None and pack.rules, "us-regf has rules"
    check = pack.rules[0].check.name
    lines = text.count("\n")
    broken = text + (
        f"  - {{id: us.extra, check: {check}, says: x, source: y, confidence: U,\n"
        "     params: {no_such_param: 1}}\n"
    )
    pack, findings = parse_pack(broken)
    assert pack is None
    assert [str(f).split(":")[0] for f in findings] == [
        f"line {lines + 2}, rules[{len(text.split('- id:')) - 1}].params.no_such_param"
    ]
