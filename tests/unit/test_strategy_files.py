"""Strategy files: every problem named with its line and path; the shipped defaults are sound."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from importlib.resources import files
from textwrap import dedent

import pytest

from arrears.adapters.strategy_files import parse_strategy
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.strategy import (
    AccountFacts,
    ActionKind,
    AmountRange,
    Challenger,
    DayRange,
    OffsetDays,
    PromiseState,
    Step,
    Strategy,
    plan,
)

VALID = """\
name: tiny
description: one of each
challenger: {strategy: other, share_percent: "12.5"}
promise_reminder: {action: sms, template: ptp_reminder, priority: 40}
segments:
  - name: big
    when:
      bucket: [M1, M2]
      overdue: {min: 500.10}
      outstanding_principal: {max: "20000"}
      flags_none: [dispute]
      promise: broken
    steps:
      - {day: 1, action: call, priority: 60}
      - {days: {from: 2, to: 30, every: 2}, action: sms, template: overdue_reminder}
  - name: rest
    steps:
      - {days: {from: 1}, action: none}
"""


def problems(text: str) -> list[Finding]:
    strategy, findings = parse_strategy(dedent(text))
    assert strategy is None, "expected the text to be refused"
    return findings


def only(text: str) -> Finding:
    findings = problems(text)
    assert len(findings) == 1, [str(f) for f in findings]
    return findings[0]


def test_a_valid_file_becomes_the_strategy_it_describes():
    strategy, findings = parse_strategy(VALID)

    assert findings == []
    assert strategy is not None
    assert (strategy.name, strategy.description) == ("tiny", "one of each")
    assert strategy.challenger == Challenger("other", Decimal("12.5"))
    assert strategy.promise_reminder == Step(ActionKind.SMS, "ptp_reminder", 40)
    big, rest = strategy.segments
    assert big.conditions.bucket == ("M1", "M2")
    assert big.conditions.overdue == AmountRange(Decimal("500.10"), None)
    assert big.conditions.outstanding_principal == AmountRange(None, Decimal("20000"))
    assert big.conditions.flags_none == ("dispute",)
    assert big.conditions.promise is PromiseState.BROKEN
    assert big.conditions.dpd is None and big.conditions.lost_contact is None
    assert big.steps == (
        Step(ActionKind.CALL, None, 60, OffsetDays(1, 1)),
        Step(ActionKind.SMS, "overdue_reminder", 0, OffsetDays(2, 30, 2)),
    )
    assert rest.steps == (Step(ActionKind.NONE, None, 0, OffsetDays(1, None, 1)),)


def test_an_unquoted_decimal_amount_is_read_exactly_not_as_a_float():
    strategy, _ = parse_strategy(VALID.replace("500.10", "0.30"))
    assert strategy is not None
    overdue = strategy.segments[0].conditions.overdue
    assert overdue is not None and overdue.min_major == Decimal("0.30")
    assert str(overdue.min_major) == "0.30"


def test_an_unknown_action_names_its_line_path_and_the_choices():
    finding = only(VALID.replace("action: call", "action: smss"))
    assert finding.code is FindingCode.BAD_CHOICE
    assert finding.line == 14
    assert str(finding).startswith(
        "line 14, segments[0].steps[0].action: 'smss' is not one of sms, email, call, field_visit,"
    )


def test_an_unknown_key_names_its_line_and_the_key_it_probably_meant():
    finding = only(VALID.replace("flags_none: [dispute]", "flags_nnoe: [dispute]"))
    assert finding.code is FindingCode.UNKNOWN_KEY
    assert (finding.line, finding.subject) == (11, "segments[0].when")
    assert finding.message == "unknown key 'flags_nnoe' (did you mean 'flags_none'?)"


def test_a_missing_key_names_the_line_of_the_mapping_it_is_missing_from():
    finding = only(VALID.replace("  - name: rest\n", "  - description: no name\n"))
    assert finding.code is FindingCode.REQUIRED
    assert (finding.line, finding.subject, finding.message) == (
        16,
        "segments[1]",
        "missing key 'name'",
    )


def test_a_repeated_segment_name_names_the_second_and_where_the_first_is():
    finding = only(VALID.replace("name: rest", "name: big"))
    assert finding.code is FindingCode.DUPLICATE_ID
    assert finding.line == 16
    assert finding.message == "segment name 'big' is already used by segments[0], line 6"


def test_a_strategy_naming_itself_as_its_challenger_is_refused_at_that_line():
    finding = only(VALID.replace("strategy: other", "strategy: tiny"))
    assert (finding.code, finding.line, finding.subject) == (
        FindingCode.BAD_CHOICE,
        3,
        "challenger.strategy",
    )
    assert "cannot be its own challenger" in finding.message


@pytest.mark.parametrize(
    ("days", "subject", "message"),
    [
        ("{from: 30, to: 2, every: 2}", "days.to", "to 2 is before from 30"),
        ("{from: 2, to: 30, every: 0}", "days.every", "must be 1 or more, got 0"),
        ("{to: 30}", "days", "missing key 'from'"),
    ],
)
def test_a_days_range_that_cannot_fire_is_refused_at_its_line(days, subject, message):
    finding = only(VALID.replace("{from: 2, to: 30, every: 2}", days))
    assert finding.line == 15
    assert finding.subject == f"segments[0].steps[1].{subject}"
    assert finding.message == message


def test_a_yaml_syntax_error_names_its_line():
    finding = only("name: tiny\nsegments:\n  - name: a\n    steps: [\n  - name: b\n")
    assert finding.code is FindingCode.BAD_ROW
    assert finding.line == 5
    assert finding.message.startswith("not valid YAML:")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "expected keys and values, got ['a', 'b']"),
        ("name: a\n---\nname: b\n", "expected a single document"),
        ("a: &x [*x]\n", "aliases repeat too much or refer to themselves"),
        ("name: a\x07\n", "not valid YAML"),
        ("name: a\n? [x]\n: 1\n", "a key must be text"),
    ],
)
def test_a_file_that_is_not_one_strategy_is_refused(text, problem):
    assert any(problem in f.message for f in problems(text))


def test_every_problem_is_reported_in_line_order_not_only_the_first():
    text = """\
    name: Tiny Name
    segments:
      - name: a
        when:
          dpd: {min: 30, max: 1}
          lost_contact: maybe
        steps:
          - {day: 1, action: sms}
          - {day: 2, action: call, priority: high}
      - name: a
        steps: []
    """
    found = [(f.line, f.code) for f in problems(text)]
    assert found == [
        (1, FindingCode.BAD_CHOICE),  # the name has a space and capitals
        (5, FindingCode.OUT_OF_RANGE),  # min above max
        (6, FindingCode.BAD_CHOICE),  # not true or false
        (8, FindingCode.REQUIRED),  # an SMS needs a template
        (9, FindingCode.BAD_NUMBER),  # priority is a whole number
        (10, FindingCode.DUPLICATE_ID),  # segment a again
    ]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{day: 1, action: letter}", "action letter needs a template"),
        ("{day: 1, action: email}", "action email needs a template"),
        ("{action: call}", "missing key 'day' or 'days': when the step fires"),
        ("{day: 1, days: {from: 1}, action: call}", "give either day (one offset) or days"),
    ],
)
def test_a_step_needs_a_template_to_send_and_exactly_one_of_day_or_days(step, message):
    finding = only(VALID.replace("{day: 1, action: call, priority: 60}", step))
    assert (finding.line, finding.subject) == (14, "segments[0].steps[0]")
    assert finding.message.startswith(message)


@pytest.mark.parametrize(
    ("replacement", "line", "message"),
    [
        ("overdue: {min: 600, max: 500.10}", 9, "min 600 is greater than max 500.10"),
        ("overdue: {min: abc}", 9, "'abc' is not a decimal"),
        ("overdue: {min: .inf}", 9, "expected a decimal such as '500.00', got inf"),
        ("overdue: {min: -1}", 9, "-1 is not a decimal of 0 or more"),
        ("overdue: {}", 9, "give min, max or both"),
        ("promise: open", 12, "open never matches"),
    ],
)
def test_conditions_that_cannot_be_met_are_refused_at_their_line(replacement, line, message):
    key = replacement.split(":")[0]
    original = next(row.strip() for row in VALID.splitlines() if row.strip().startswith(f"{key}:"))
    finding = only(VALID.replace(original, replacement))
    assert finding.line == line
    assert finding.message.startswith(message)


@pytest.mark.parametrize(
    ("share", "message"),
    [("0", "0 is not above 0"), ("100", "100 is not above 0"), ("12.345", "more than 2 decimals")],
)
def test_the_challenger_share_is_a_percent_above_0_below_100_in_hundredths(share, message):
    finding = only(VALID.replace('"12.5"', f'"{share}"'))
    assert (finding.line, finding.subject) == (3, "challenger.share_percent")
    assert message in finding.message


def test_a_key_given_twice_in_one_mapping_is_reported():
    finding = only(VALID.replace("description: one of each\n", "description: a\ndescription: b\n"))
    assert (finding.code, finding.line) == (FindingCode.DUPLICATE_ID, 3)
    assert finding.message == "key 'description' is given twice"


# -- the shipped strategies -------------------------------------------------------------
def shipped(name: str) -> Strategy:
    strategy, findings = parse_strategy(
        files("arrears").joinpath("strategies", f"{name}.yaml").read_text(encoding="utf-8")
    )
    assert findings == []
    assert strategy is not None and strategy.name == name
    return strategy


@pytest.mark.parametrize("name", ["cn-consumer", "us-consumer"])
def test_the_shipped_strategies_parse_with_no_findings(name):
    assert shipped(name).segments


def day(offset: int, grace: int = 0, **changes: object) -> AccountFacts:
    """A loan ``offset`` days after its oldest unpaid due date, with ``grace`` grace days."""
    dpd = max(0, offset - grace)
    base = AccountFacts(
        loan_id="L1",
        product="consumer",
        currency="CNY",
        bucket=DEFAULT_BUCKETS.label_for(dpd),
        dpd=dpd,
        offset_days=offset,
        days_to_next_due=None,
        overdue_minor=106_619 if dpd else 0,
        outstanding_principal_minor=1_105_381,
        flags=frozenset(),
        days_since_reached=None,
        unreached_attempts=0,
        lost_contact=False,
        refused_to_pay=False,
        promise=PromiseState.NONE,
        promise_due_in_days=None,
    )
    return replace(base, **changes)


def actions(strategy: Strategy, facts: AccountFacts) -> list[tuple[str, str | None]]:
    return [(p.action.value, p.template) for p in plan(strategy, facts)]


def days_with(strategy: Strategy, action: ActionKind, offsets: range, grace: int = 0, **changes):
    return [
        offset
        for offset in offsets
        if any(p.action is action for p in plan(strategy, day(offset, grace, **changes)))
    ]


def test_cn_consumer_reminds_by_sms_three_days_before_and_on_the_due_date():
    cn = shipped("cn-consumer")
    assert actions(cn, day(-3)) == [("sms", "due_reminder")]
    assert actions(cn, day(0)) == [("sms", "due_today")]
    assert [d for d in range(-10, 0) if plan(cn, day(d))] == [-3]


@pytest.mark.parametrize("grace", [0, 3])
def test_cn_consumer_sends_the_first_overdue_sms_on_day_1_with_or_without_grace(grace):
    cn = shipped("cn-consumer")
    assert ("sms", "overdue_notice") in actions(cn, day(1, grace))
    assert days_with(cn, ActionKind.CALL, range(1, 4), grace) == ([2] if grace == 0 else [])


@pytest.mark.parametrize("grace", [0, 4])
def test_cn_consumer_places_with_an_agency_in_m3_and_reviews_legal_and_write_off(grace):
    cn = shipped("cn-consumer")
    assert days_with(cn, ActionKind.AGENCY_PLACEMENT, range(1, 200), grace) == [65]
    assert days_with(cn, ActionKind.LEGAL_REVIEW, range(1, 200), grace) == [95, 125, 155]
    first_review = days_with(cn, ActionKind.WRITE_OFF_REVIEW, range(1, 400), grace)[0]
    assert first_review == 185 and day(first_review, grace).dpd > 180


@pytest.mark.parametrize(
    ("fact", "visits"),
    [("lost_contact", [1, 15, 29, 43, 57, 71, 85]), ("refused_to_pay", [7, 21, 35, 49, 63, 77])],
)
def test_cn_consumer_sends_field_visits_only_when_contact_is_lost_or_payment_refused(fact, visits):
    cn = shipped("cn-consumer")
    assert days_with(cn, ActionKind.FIELD_VISIT, range(-5, 200)) == []
    assert days_with(cn, ActionKind.FIELD_VISIT, range(-5, 200), **{fact: True}) == visits


def test_cn_consumer_holds_disputed_and_deceased_accounts():
    cn = shipped("cn-consumer")
    for flag in ("dispute", "deceased"):
        assert [d for d in range(-5, 200) if plan(cn, day(d, flags=frozenset({flag})))] == []


@pytest.mark.parametrize("name", ["cn-consumer", "us-consumer"])
def test_the_shipped_strategies_pause_for_an_open_promise_and_remind_the_day_before(name):
    strategy = shipped(name)
    waiting = day(12, promise=PromiseState.OPEN, promise_due_in_days=3)
    tomorrow = day(12, promise=PromiseState.OPEN, promise_due_in_days=1)
    assert plan(strategy, waiting) == []
    assert [(p.step_id, p.template) for p in plan(strategy, tomorrow)] == [
        ("promise_reminder", "ptp_reminder")
    ]


@pytest.mark.parametrize("grace", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("fact", [None, "lost_contact", "refused_to_pay"])
def test_us_consumer_mails_the_validation_notice_before_any_collection_call(grace, fact):
    us = shipped("us-consumer")
    changes = {fact: True} if fact else {}
    planned = [(d, a) for d in range(1, 91) for a in actions(us, day(d, grace, **changes))]
    notices = [d for d, a in planned if a == ("letter", "validation_notice")]
    calls = [d for d, a in planned if a[0] == "call"]
    assert planned[0] == (1, ("letter", "validation_notice"))  # the first collection contact
    assert notices == [1]
    assert all(d >= 8 for d in calls)  # calls wait a week for the letter to arrive
    assert calls or fact == "lost_contact"  # no one to call: letters and e-mail instead


def test_us_consumer_never_plans_a_field_visit():
    us = shipped("us-consumer")
    for changes in ({}, {"lost_contact": True}, {"refused_to_pay": True}):
        assert days_with(us, ActionKind.FIELD_VISIT, range(-5, 400), **changes) == []


def test_the_shipped_strategies_keep_step_ids_within_the_action_key_column():
    for name in ("cn-consumer", "us-consumer"):
        for segment in shipped(name).segments:
            assert all(len(f"{segment.name}.{i}") <= 64 for i in range(len(segment.steps)))


def test_day_ranges_of_the_shipped_strategies_cover_every_dpd_once():
    for name in ("cn-consumer", "us-consumer"):
        ranges = [
            s.conditions.dpd
            for s in shipped(name).segments
            if s.conditions.dpd is not None
            and s.conditions.lost_contact is None
            and s.conditions.refused_to_pay is None
            and s.conditions.arrangement is None
        ]
        for dpd in range(0, 400):
            assert sum(isinstance(r, DayRange) and r.holds(dpd) for r in ranges) == 1, (name, dpd)
