"""Arrangement policy files: every problem named with its line and path; percents exact;
the shipped policies are sound."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from importlib.resources import files

import pytest
import yaml

from arrears.adapters.arrangement_policy_files import (
    KindModel,
    KindsModel,
    parse_arrangement_policy,
    policy_as_data,
)
from arrears.domain.arrangement_policy import ArrangementKind, KindLimits, Role
from arrears.domain.findings import Finding, FindingCode

VALID = """\
name: tiny
description: one of most
per_year: 2
per_year_approver: compliance
kinds:
  promise: {max_days: 7}
  extension: {max_days: 10, max_fee_waiver: false, approver: agent}
  plan:
    max_instalments: 6
    max_days: 180
    min_down_payment_percent: "10"
    max_penalty_waiver_percent: 50
    approver: manager
  settlement:
    max_discount_percent_by_bucket: {M2: "12.5", M3: "20"}
    approver: admin
  reage: {max_term_months: 36, min_annual_rate_percent: "120", always_needs_approval: true}
  pause: {allowed: false}
"""


def problems(text: str) -> list[Finding]:
    policy, findings = parse_arrangement_policy(text)
    assert policy is None, "expected the text to be refused"
    return findings


def only(text: str) -> Finding:
    findings = problems(text)
    assert len(findings) == 1, [str(f) for f in findings]
    return findings[0]


def test_a_valid_file_becomes_the_policy_it_describes():
    policy, findings = parse_arrangement_policy(VALID)

    assert findings == []
    assert policy is not None
    assert (policy.name, policy.description, policy.per_year) == ("tiny", "one of most", 2)
    assert policy.per_year_approver is Role.COMPLIANCE
    assert list(policy.kinds) == ["promise", "extension", "plan", "reage", "settlement", "pause"]
    assert policy.kinds["promise"] == KindLimits(max_days=7)
    assert policy.kinds["extension"] == KindLimits(
        approver=Role.AGENT, max_days=10, max_fee_waiver=False
    )
    assert policy.kinds["plan"] == KindLimits(
        max_instalments=6,
        max_days=180,
        min_down_payment_percent=Decimal("10"),
        max_penalty_waiver_percent=Decimal("50"),
    )
    assert policy.kinds["settlement"] == KindLimits(
        approver=Role.ADMIN,
        max_discount_percent_by_bucket={"M2": Decimal("12.5"), "M3": Decimal("20")},
    )
    assert policy.kinds["reage"] == KindLimits(
        always_needs_approval=True, max_term_months=36, min_annual_rate_percent=Decimal("120")
    )
    assert policy.kinds["pause"] == KindLimits(allowed=False)


def test_a_kind_left_out_is_not_in_the_policy_and_an_empty_one_has_no_limits():
    policy, findings = parse_arrangement_policy("name: few\nkinds:\n  plan: {}\n")
    assert findings == []
    assert policy is not None
    assert dict(policy.kinds) == {"plan": KindLimits()}
    assert policy.per_year is None and policy.per_year_approver is Role.MANAGER


def test_the_format_has_exactly_one_key_a_kind_and_one_key_a_limit():
    assert set(KindsModel.model_fields) == {kind.value for kind in ArrangementKind}
    assert set(KindModel.model_fields) == {item.name for item in fields(KindLimits)}


@pytest.mark.parametrize("file_name", ["cn-standard.yaml", "us-standard.yaml"])
def test_the_shipped_policies_parse_clean_and_offer_every_kind(file_name: str):
    text = files("arrears").joinpath("arrangements", file_name).read_text(encoding="utf-8")
    policy, findings = parse_arrangement_policy(text)
    assert findings == []
    assert policy is not None
    assert policy.name == file_name.removesuffix(".yaml")
    assert [kind for kind, limits in policy.kinds.items() if limits.allowed] == [
        kind.value for kind in ArrangementKind
    ]
    assert policy.kinds["reage"].always_needs_approval
    assert policy.kinds["pause"].always_needs_approval
    assert set(policy.kinds["settlement"].max_discount_percent_by_bucket) == {
        f"M{n}" for n in range(1, 8)
    }


@pytest.mark.parametrize("file_name", ["cn-standard.yaml", "us-standard.yaml"])
def test_a_policy_written_out_as_data_reads_back_as_the_same_policy(file_name: str):
    text = files("arrears").joinpath("arrangements", file_name).read_text(encoding="utf-8")
    policy, _ = parse_arrangement_policy(text)
    assert policy is not None

    again, findings = parse_arrangement_policy(yaml.safe_dump(policy_as_data(policy)))

    assert findings == []
    assert again == policy


def test_an_unquoted_decimal_percent_is_read_exactly():
    policy, findings = parse_arrangement_policy(
        VALID.replace('min_down_payment_percent: "10"', "min_down_payment_percent: 10.5")
    )
    assert findings == []
    assert policy is not None
    assert policy.kinds["plan"].min_down_payment_percent == Decimal("10.5")


def test_an_unquoted_percent_with_three_decimals_names_the_bucket_and_its_line():
    finding = only(VALID.replace('M2: "12.5"', "M2: 12.125"))
    assert (finding.code, finding.line) == (FindingCode.BAD_NUMBER, 15)
    assert finding.subject == "kinds.settlement.max_discount_percent_by_bucket.M2"


@pytest.mark.parametrize(
    ("written", "code", "message"),
    [
        ('"ten"', FindingCode.BAD_NUMBER, "'ten' is not a decimal"),
        ('"-5"', FindingCode.BAD_NUMBER, "'-5' is not a decimal of 0 or more"),
        ('"10.125"', FindingCode.BAD_NUMBER, "'10.125' has more than 2 decimals"),
        ('"100.01"', FindingCode.OUT_OF_RANGE, "100.01 is more than 100 percent"),
        (".inf", FindingCode.BAD_NUMBER, 'expected a percent such as "12.5", got inf'),
        ("true", FindingCode.BAD_NUMBER, 'expected a percent such as "12.5", got True'),
    ],
)
def test_a_percent_that_is_not_one_names_its_line_and_why(
    written: str, code: FindingCode, message: str
):
    finding = only(
        VALID.replace("max_penalty_waiver_percent: 50", f"max_penalty_waiver_percent: {written}")
    )
    assert (finding.code, finding.line, finding.subject, finding.message) == (
        code,
        12,
        "kinds.plan.max_penalty_waiver_percent",
        message,
    )


def test_a_rate_may_be_above_100_percent_but_a_share_may_not():
    policy, findings = parse_arrangement_policy(VALID.replace('"120"', '"400"'))
    assert findings == [] and policy is not None
    assert policy.kinds["reage"].min_annual_rate_percent == Decimal("400")


def test_a_count_below_its_least_names_the_line_and_the_least():
    finding = only(VALID.replace("max_instalments: 6", "max_instalments: 0"))
    assert (
        str(finding)
        == "line 9, kinds.plan.max_instalments: must be 1 or more, got 0 [out_of_range]"
    )


def test_a_negative_yearly_limit_is_out_of_range_but_zero_is_allowed():
    finding = only(VALID.replace("per_year: 2", "per_year: -1"))
    assert str(finding) == "line 3, per_year: must be 0 or more, got -1 [out_of_range]"
    policy, findings = parse_arrangement_policy(VALID.replace("per_year: 2", "per_year: 0"))
    assert findings == [] and policy is not None and policy.per_year == 0


def test_a_count_written_as_text_or_a_decimal_is_not_a_whole_number():
    finding = only(VALID.replace("max_days: 180", 'max_days: "180"'))
    assert (finding.code, finding.line, finding.message) == (
        FindingCode.BAD_NUMBER,
        10,
        "expected a whole number, got '180'",
    )
    finding = only(VALID.replace("max_days: 180", "max_days: 180.5"))
    assert (finding.code, finding.line) == (FindingCode.BAD_NUMBER, 10)


def test_an_unknown_approver_lists_the_roles():
    finding = only(VALID.replace("approver: agent", "approver: boss"))
    assert (finding.code, finding.line, finding.subject) == (
        FindingCode.BAD_CHOICE,
        7,
        "kinds.extension.approver",
    )
    assert finding.message == "'boss' is not one of agent, manager, compliance, admin"


def test_a_flag_must_be_true_or_false():
    finding = only(VALID.replace("allowed: false", "allowed: maybe"))
    assert (finding.code, finding.line, finding.subject) == (
        FindingCode.BAD_CHOICE,
        18,
        "kinds.pause.allowed",
    )
    assert finding.message == "expected true or false, got 'maybe'"


def test_an_unknown_limit_names_its_line_and_the_key_it_probably_meant():
    finding = only(VALID.replace("max_instalments: 6", "max_instalment: 6"))
    assert (finding.code, finding.line, finding.subject) == (
        FindingCode.UNKNOWN_KEY,
        9,
        "kinds.plan",
    )
    assert finding.message == "unknown key 'max_instalment' (did you mean 'max_instalments'?)"


def test_an_unknown_kind_names_its_line_and_lists_the_kinds():
    finding = only(VALID.replace("  plan:\n", "  plna:\n"))
    assert (finding.code, finding.line, finding.subject) == (FindingCode.UNKNOWN_KEY, 8, "kinds")
    assert finding.message == (
        "unknown kind 'plna' (did you mean 'plan'?);"
        " the kinds are promise, extension, plan, reage, settlement, pause"
    )


def test_an_unknown_top_level_key_is_named_at_its_line():
    finding = only(VALID.replace("per_year: 2", "per_yaer: 2"))
    assert str(finding) == "line 3: unknown key 'per_yaer' (did you mean 'per_year'?) [unknown_key]"


def test_a_missing_name_and_missing_kinds_are_both_reported():
    findings = problems("description: nothing else\n")
    assert [(f.code, f.message) for f in findings] == [
        (FindingCode.REQUIRED, "missing key 'name'"),
        (FindingCode.REQUIRED, "missing key 'kinds'"),
    ]


def test_a_name_with_spaces_or_capitals_is_refused():
    finding = only(VALID.replace("name: tiny", "name: Tiny Policy"))
    assert (finding.code, finding.line, finding.subject) == (FindingCode.BAD_CHOICE, 1, "name")


def test_a_key_given_twice_is_refused_at_its_second_line():
    finding = only(
        VALID.replace("  promise: {max_days: 7}\n", "  promise: {max_days: 7, max_days: 8}\n")
    )
    assert (finding.code, finding.line, finding.message) == (
        FindingCode.DUPLICATE_ID,
        6,
        "key 'max_days' is given twice",
    )


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", FindingCode.REQUIRED, 1),
        ("name: x\nkinds: [plan\n", FindingCode.BAD_ROW, 3),
        ("- name: x\n", FindingCode.BAD_ROW, 1),
        ("name: x\nkinds:\n  plan: 6\n", FindingCode.BAD_ROW, 3),
    ],
)
def test_a_file_that_is_not_a_policy_at_all_says_why(text: str, code: FindingCode, line: int):
    finding = only(text)
    assert (finding.code, finding.line) == (code, line)


def test_every_problem_of_a_file_is_reported_at_once_in_line_order():
    bad = (
        VALID.replace("per_year: 2", "per_year: -1")
        .replace("max_instalments: 6", "max_instalments: 0")
        .replace('min_down_payment_percent: "10"', "min_down_payment_percent: 10.125")
        .replace("approver: admin", "approver: boss")
        .replace("  pause:", "  pasue:")
    )
    findings = problems(bad)
    assert [(f.line, f.code) for f in findings] == [
        (3, FindingCode.OUT_OF_RANGE),
        (9, FindingCode.OUT_OF_RANGE),
        (11, FindingCode.BAD_NUMBER),
        (16, FindingCode.BAD_CHOICE),
        (18, FindingCode.UNKNOWN_KEY),
    ]
