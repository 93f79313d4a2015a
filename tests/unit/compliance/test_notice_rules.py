"""Notices, visits and records: the validation notice's timing, period and arithmetic,
credit reporting after contact, field visits, call recording, agencies, and the rules
that are listed but never block (reference: regulation.md; scenarios 8, 9, 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_notices import (
    AgencyWhitelistParams,
    agency_whitelist,
    assumed_receipt,
)
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Debt,
    Itemization,
    Outcome,
    Person,
    Proposal,
    Purpose,
    Scenario,
    Visit,
)
from arrears.domain.compliance.rules import Rule


@cache
def pack_rule(pack: str, rule_id: str) -> Rule:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return next(rule for rule in loaded.rules if rule.id == rule_id)


def chicago(text: str) -> datetime:
    """A Chicago wall time in winter (UTC−6)."""
    return datetime.fromisoformat(text + "-06:00")


def case(proposal: Proposal, *debts: Debt, history: tuple[Contact, ...] = ()) -> Scenario:
    return Scenario(Person("B1"), proposal, debts=debts or (Debt("D1"),), history=history)


def blocked(pack: str, rule_id: str, scenario: Scenario) -> bool:
    return pack_rule(pack, rule_id).run(scenario) is not None


# -- us.regf.validation_timing -----------------------------------------------------------
FIRST = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
PENDING = Debt("D1", first_communication_at=FIRST)


def test_collection_goes_on_until_five_days_after_the_first_communication() -> None:
    at_deadline = Proposal(Channel.CALL, FIRST + timedelta(days=5))
    assert not blocked("us-regf", "us.regf.validation_timing", case(at_deadline, PENDING))


def test_collection_is_denied_once_the_notice_is_overdue_until_it_is_sent() -> None:
    late = Proposal(Channel.CALL, FIRST + timedelta(days=5, minutes=1))
    decision = decide(case(late, PENDING), [pack_rule("us-regf", "us.regf.validation_timing")])
    assert (decision.verdict.value, decision.rule, decision.not_before) == (
        "deny",
        "us.regf.validation_timing",
        None,
    )
    sent = replace(PENDING, validation_notice_sent_at=FIRST + timedelta(days=9))
    assert not blocked("us-regf", "us.regf.validation_timing", case(late, sent))


def test_the_overdue_notice_itself_and_location_contacts_may_still_go_out() -> None:
    later = FIRST + timedelta(days=9)
    for purpose in (Purpose.VALIDATION_NOTICE, Purpose.LOCATION):
        proposal = Proposal(Channel.LETTER, later, purpose=purpose)
        assert not blocked("us-regf", "us.regf.validation_timing", case(proposal, PENDING))


def test_a_debt_never_communicated_about_or_outside_the_proposal_is_not_held() -> None:
    later = FIRST + timedelta(days=9)
    assert not blocked("us-regf", "us.regf.validation_timing", case(Proposal(Channel.CALL, later)))
    other = Proposal(Channel.CALL, later, debts=("D2",))
    assert not blocked("us-regf", "us.regf.validation_timing", case(other, PENDING, Debt("D2")))


# -- us.regf.validation_period -----------------------------------------------------------
def notice(end: date | None, at: datetime = chicago("2025-11-25T10:00")) -> Scenario:
    proposal = Proposal(Channel.LETTER, at, purpose=Purpose.VALIDATION_NOTICE, validation_end=end)
    return case(proposal)


@pytest.mark.parametrize(
    ("end", "verdict"),
    [(date(2025, 12, 31), "deny"), (date(2026, 1, 1), "deny"), (date(2026, 1, 2), "allow")],
)
def test_scenario_8_the_period_ends_30_days_after_receipt_on_2025_12_03(
    end: date, verdict: str
) -> None:
    decision = decide(notice(end), [pack_rule("us-regf", "us.regf.validation_period")])
    assert decision.verdict.value == verdict
    if verdict == "deny":
        assert decision.rule == "us.regf.validation_period" and "2026-01-02" in decision.reason


@pytest.mark.parametrize(
    ("sent", "receipt"),
    [
        (date(2025, 11, 25), date(2025, 12, 3)),  # Thanksgiving and a weekend skipped
        (date(2025, 6, 6), date(2025, 6, 13)),  # a Friday: the weekend skipped
        (date(2025, 6, 16), date(2025, 6, 24)),  # Juneteenth and a weekend skipped
        (date(2025, 6, 2), date(2025, 6, 9)),  # a plain Monday
    ],
)
def test_receipt_is_assumed_five_days_later_skipping_weekends_and_federal_holidays(
    sent: date, receipt: date
) -> None:
    assert assumed_receipt(sent, 5, "US") == receipt


def test_a_notice_mailed_in_the_evening_counts_from_its_utc_date() -> None:
    # 20:00 in Chicago on 11-25 is 02:00 UTC on 11-26: receipt 12-04, end ≥ 2026-01-03.
    evening = chicago("2025-11-25T20:00")
    assert blocked("us-regf", "us.regf.validation_period", notice(date(2026, 1, 2), evening))
    assert not blocked("us-regf", "us.regf.validation_period", notice(date(2026, 1, 3), evening))


def test_a_notice_without_a_printed_end_or_another_letter_is_not_judged() -> None:
    assert not blocked("us-regf", "us.regf.validation_period", notice(None))
    letter = Proposal(Channel.LETTER, chicago("2025-11-25T10:00"), validation_end=date(2025, 12, 1))
    assert not blocked("us-regf", "us.regf.validation_period", case(letter))


def test_a_pack_naming_an_unknown_holiday_calendar_is_refused() -> None:
    text = read_pack_text("us-regf").replace("holidays_country: US", "holidays_country: XX")
    pack, findings = parse_pack(text)
    assert pack is None and any("unknown holiday calendar 'XX'" in str(f) for f in findings)


def test_a_pack_with_a_broken_regular_expression_is_refused() -> None:
    text = read_pack_text("us-regf").replace(
        "      roles: [borrower, guarantor, spouse]\n",
        "      roles: [borrower, guarantor, spouse]\n      subsequent: ['(debt']\n",
    )
    pack, findings = parse_pack(text)
    assert pack is None and any("not a regular expression" in str(f) for f in findings)


# -- us.regf.validation_content ----------------------------------------------------------
ITEMS = Itemization(
    amount_minor=100_000,
    interest_minor=2_550,
    fees_minor=1_500,
    payments_minor=20_000,
    credits_minor=1_050,
    current_minor=83_000,
)
TEXT = "Call or write to dispute. Learn more at www.cfpb.gov/debt-collection."


def content(items: Itemization | None, text: str | None) -> Scenario:
    proposal = Proposal(
        Channel.LETTER, FIRST, purpose=Purpose.VALIDATION_NOTICE, itemization=items, text=text
    )
    return case(proposal)


def test_an_itemization_that_adds_up_with_the_cfpb_reference_is_allowed() -> None:
    assert not blocked("us-regf", "us.regf.validation_content", content(ITEMS, TEXT))


def test_an_itemization_one_cent_off_is_denied() -> None:
    off = replace(ITEMS, current_minor=83_001)
    assert blocked("us-regf", "us.regf.validation_content", content(off, TEXT))


def test_a_notice_text_without_the_cfpb_reference_is_denied() -> None:
    assert blocked("us-regf", "us.regf.validation_content", content(ITEMS, "Call us."))
    assert not blocked("us-regf", "us.regf.validation_content", content(None, None))


# -- us.regf.passive_collection ----------------------------------------------------------
LETTER = Contact(Channel.LETTER, chicago("2025-02-03T10:00"), Outcome.SENT)


def report(
    at: datetime, *history: Contact, flexible: bool = False, debts: tuple[str, ...] = ()
) -> Scenario:
    proposal = Proposal(
        Channel.LETTER, at, purpose=Purpose.CREDIT_REPORT, flexible=flexible, debts=debts
    )
    return case(proposal, Debt("D1"), Debt("D2"), history=history)


def passive(scenario: Scenario) -> tuple[str, str, datetime | None]:
    decision = decide(scenario, [pack_rule("us-regf", "us.regf.passive_collection")])
    return decision.verdict.value, decision.rule, decision.not_before


def test_scenario_9_reporting_a_week_after_the_letter_is_denied_until_day_14() -> None:
    verdict, rule, not_before = passive(report(chicago("2025-02-10T10:00"), LETTER))
    assert (verdict, rule) == ("deny", "us.regf.passive_collection")
    assert not_before == datetime(2025, 2, 17, 16, 0, tzinfo=UTC)


def test_scenario_9_reporting_14_days_after_the_letter_is_allowed() -> None:
    assert passive(report(chicago("2025-02-17T10:00"), LETTER))[0] == "allow"
    assert passive(report(chicago("2025-02-17T09:59"), LETTER))[0] == "deny"


def test_a_flexible_report_is_deferred_to_the_end_of_the_wait() -> None:
    verdict, _, not_before = passive(report(chicago("2025-02-10T10:00"), LETTER, flexible=True))
    assert (verdict, not_before) == ("defer", datetime(2025, 2, 17, 16, 0, tzinfo=UTC))


def test_an_undeliverable_letter_does_not_open_reporting() -> None:
    at = chicago("2025-03-01T10:00")
    bounced = replace(LETTER, outcome=Outcome.UNDELIVERABLE)
    notice = Contact(Channel.LETTER, chicago("2025-02-08T10:00"), Outcome.UNDELIVERABLE)
    assert passive(report(at, bounced)) == ("deny", "us.regf.passive_collection", None)
    assert passive(report(at, LETTER, notice))[0] == "deny"


def test_a_conversation_with_the_consumer_opens_reporting_at_once() -> None:
    talk = Contact(Channel.CALL, chicago("2025-02-05T11:00"), Outcome.CONVERSATION)
    assert passive(report(chicago("2025-02-05T12:00"), talk))[0] == "allow"
    with_a_friend = replace(talk, party="C1")
    assert passive(report(chicago("2025-02-05T12:00"), with_a_friend))[0] == "deny"


def test_each_debt_reported_needs_its_own_contact() -> None:
    about_d1 = replace(LETTER, debts=("D1",))
    at = chicago("2025-03-01T10:00")
    assert passive(report(at, about_d1, debts=("D1",)))[0] == "allow"
    assert passive(report(at, about_d1, debts=("D2",)))[0] == "deny"
    assert passive(report(at, about_d1))[0] == "deny"  # all the person's debts


def test_a_contact_that_is_not_a_credit_report_is_not_judged() -> None:
    call = Proposal(Channel.CALL, chicago("2025-02-04T10:00"))
    assert not blocked("us-regf", "us.regf.passive_collection", case(call))


# -- cn.field_visit, cn.recording ---------------------------------------------------------
VISIT_AT = datetime.fromisoformat("2025-08-01T10:00+08:00")


def visit(plan: Visit | None) -> Scenario:
    return case(Proposal(Channel.FIELD_VISIT, VISIT_AT, visit=plan))


def test_scenario_13_a_visit_with_one_collector_is_denied() -> None:
    decision = decide(visit(Visit(staff=1, recording=True)), [pack_rule("cn", "cn.field_visit")])
    assert (decision.verdict.value, decision.rule) == ("deny", "cn.field_visit")


def test_scenario_13_two_collectors_with_ids_and_recording_are_allowed() -> None:
    assert not blocked("cn", "cn.field_visit", visit(Visit(staff=2, recording=True)))


@pytest.mark.parametrize(
    "plan",
    [None, Visit(staff=2, ids_shown=False, recording=True), Visit(staff=3, recording=False)],
)
def test_a_visit_without_a_plan_ids_or_recording_is_denied(plan: Visit | None) -> None:
    assert blocked("cn", "cn.field_visit", visit(plan))


def test_a_call_without_recording_is_denied_and_one_with_it_allowed() -> None:
    assert blocked("cn", "cn.recording", case(Proposal(Channel.CALL, VISIT_AT, recording=False)))
    assert not blocked("cn", "cn.recording", case(Proposal(Channel.CALL, VISIT_AT)))
    assert not blocked("cn", "cn.recording", case(Proposal(Channel.SMS, VISIT_AT, recording=False)))


# -- cn.outsourcing and the rules that never block ---------------------------------------
def test_an_agency_off_the_whitelist_is_denied_once_a_whitelist_is_set() -> None:
    params = AgencyWhitelistParams(agencies=("华信催收",))

    def by(name: str) -> Scenario:
        return case(Proposal(Channel.CALL, VISIT_AT, by=name))

    assert agency_whitelist(by("华信催收"), params) is None
    assert agency_whitelist(by("lender"), params) is None
    assert agency_whitelist(by("野鸡催收"), params) is not None
    assert agency_whitelist(by("野鸡催收"), AgencyWhitelistParams()) is None


@pytest.mark.parametrize(
    ("pack", "rule_id"),
    [
        ("us-regf", "us.regf.record_retention"),
        ("cn", "cn.record_retention"),
        ("cn", "cn.hardship_installment"),
        ("cn", "cn.pipl.minimisation"),
        ("uk-conc", "uk.conc.forbearance"),
    ],
)
def test_rules_that_are_not_contact_decisions_never_block_and_say_so(
    pack: str, rule_id: str
) -> None:
    rule = pack_rule(pack, rule_id)
    anything = case(Proposal(Channel.CALL, VISIT_AT, recording=False, purpose=Purpose.LEGAL_ACTION))
    assert rule.run(anything) is None
    assert rule.check.name == "recorded_only" and rule.says.startswith("Not a contact decision")
