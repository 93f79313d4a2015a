"""Frequency: Reg F's 7-in-7 and post-conversation quiet period, the TCPA landline cap,
China's daily caps, the house's channel caps and the uncertain collection interval,
judged with the shipped packs' parameters (reference: regulation.md; scenarios 1, 2).

A property test drives a dialer through the gate at random and checks that the calls it
was allowed to place never break the rules the gate enforces."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_caps import IntervalParams, collection_interval
from arrears.domain.compliance.checks_frequency import CallFrequencyParams, call_frequency
from arrears.domain.compliance.evaluate import Decision, decide, in_order
from arrears.domain.compliance.facts import (
    Channel,
    Consent,
    Contact,
    Debt,
    Dialer,
    Direction,
    LineType,
    Outcome,
    Person,
    Phone,
    Proposal,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.rules import Rule

CHI, NY, SH = ZoneInfo("America/Chicago"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Shanghai")
HOME, CELL, LAWYER = "+13125550100", "+13125550111", "+13125550999"
ATTORNEY = ThirdParty("A1", Role.ATTORNEY, phones=(Phone(LAWYER),))
CONSUMER = Person(
    "B1",
    zones=("America/Chicago",),
    phones=(Phone(HOME, line=LineType.LANDLINE), Phone(CELL, line=LineType.MOBILE)),
    third_parties=(ATTORNEY,),
)
DEBTS = (Debt("D1"), Debt("D2"), Debt("D3"))
SEVEN_IN_SEVEN = "us.regf.call_frequency_7in7"
QUIET = "us.regf.post_conversation_7day"


@cache
def pack_rules(pack: str) -> dict[str, Rule]:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return {rule.id: rule for rule in loaded.rules}


def rules(pack: str, *ids: str) -> list[Rule]:
    return in_order([pack_rules(pack)[rule_id] for rule_id in ids])


def at(zone: ZoneInfo, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def call(when: datetime, outcome: Outcome = Outcome.NO_ANSWER, **fields: object) -> Contact:
    return Contact(Channel.CALL, when, outcome, to=fields.pop("to", HOME), **fields)  # type: ignore[arg-type]


def daily_calls(first: str, days: int, **fields: object) -> tuple[Contact, ...]:
    start = at(CHI, first)
    return tuple(call(start + timedelta(days=d), **fields) for d in range(days))


def us(
    when: datetime, history: tuple[Contact, ...], *, person: Person = CONSUMER, **proposal: object
) -> Decision:
    fields = {"to": HOME, "debts": ("D1",), **proposal}
    scenario = Scenario(person, Proposal(Channel.CALL, when, **fields), DEBTS, history)  # type: ignore[arg-type]
    return decide(scenario, rules("us-regf", SEVEN_IN_SEVEN, QUIET))


def shown(decision: Decision) -> tuple[str, str]:
    return decision.verdict.value, decision.rule


ALLOWED = ("allow", "all_rules_pass")


# -- us.regf.call_frequency_7in7: scenario 1 ---------------------------------------------
SCENARIO_1 = daily_calls("2025-03-03T10:00", 7)  # 03-03 … 03-09, none answered


def test_scenario_1_the_8th_call_in_7_days_is_denied() -> None:
    decision = us(at(CHI, "2025-03-09T15:00"), SCENARIO_1)
    assert shown(decision) == ("deny", SEVEN_IN_SEVEN)
    assert decision.not_before == at(CHI, "2025-03-10T00:00")
    assert "7 calls already placed about debt D1 in the 7 days 2025-03-03–2025-03-09" in (
        decision.reason
    )


def test_scenario_1_the_next_day_the_window_holds_6_and_the_call_is_allowed() -> None:
    assert shown(us(at(CHI, "2025-03-10T10:00"), SCENARIO_1)) == ALLOWED


def test_the_7th_call_is_allowed_and_the_8th_is_not() -> None:
    six = SCENARIO_1[:6]
    assert shown(us(at(CHI, "2025-03-08T15:00"), six)) == ALLOWED
    assert shown(us(at(CHI, "2025-03-08T15:00"), SCENARIO_1[:7])) == ("deny", SEVEN_IN_SEVEN)


def test_calls_to_all_the_consumers_numbers_count_together() -> None:
    history = tuple(replace(c, to=CELL if i % 2 else HOME) for i, c in enumerate(SCENARIO_1))
    assert shown(us(at(CHI, "2025-03-09T15:00"), history, to=CELL)) == ("deny", SEVEN_IN_SEVEN)


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.REFUSED])
def test_unanswered_and_voicemail_calls_count_as_placed(outcome: Outcome) -> None:
    history = (*SCENARIO_1[:6], call(at(CHI, "2025-03-09T09:00"), outcome))
    assert us(at(CHI, "2025-03-09T15:00"), history).verdict.value == "deny"


@pytest.mark.parametrize(
    "excluded",
    [
        call(at(CHI, "2025-03-09T09:00"), Outcome.NOT_CONNECTED),
        call(at(CHI, "2025-03-09T09:00"), with_consent=True),
        call(at(CHI, "2025-03-09T09:00"), party="A1", to=LAWYER),
        call(at(CHI, "2025-03-09T09:00"), to=LAWYER),
        call(at(CHI, "2025-03-09T09:00"), debts=("D2",)),
        Contact(Channel.SMS, at(CHI, "2025-03-09T09:00"), Outcome.DELIVERED, to=CELL),
        call(at(CHI, "2025-03-09T09:00"), Outcome.CONVERSATION, direction=Direction.INBOUND),
    ],
    ids=[
        "not_connected",
        "with_consent",
        "attorney",
        "attorney_number",
        "other_debt",
        "sms",
        "inbound",
    ],
)
def test_calls_that_do_not_count_leave_the_7th_call_allowed(excluded: Contact) -> None:
    history = (*SCENARIO_1[:6], excluded)
    proposal = Proposal(Channel.CALL, at(CHI, "2025-03-09T15:00"), to=HOME, debts=("D1",))
    scenario = Scenario(CONSUMER, proposal, DEBTS, history)
    assert pack_rules("us-regf")[SEVEN_IN_SEVEN].run(scenario) is None
    assert pack_rules("us-regf")[SEVEN_IN_SEVEN].run(
        replace(scenario, history=(*history, SCENARIO_1[6]))
    )


def test_a_call_about_several_debts_or_none_named_counts_toward_each() -> None:
    about_both = tuple(replace(c, debts=("D1", "D2")) for c in SCENARIO_1)
    assert us(at(CHI, "2025-03-09T15:00"), about_both, debts=("D2",)).verdict.value == "deny"
    unnamed = tuple(replace(c, debts=()) for c in SCENARIO_1)
    assert us(at(CHI, "2025-03-09T15:00"), unnamed, debts=("D3",)).verdict.value == "deny"
    about_d2 = tuple(replace(c, debts=("D2",)) for c in SCENARIO_1)
    assert shown(us(at(CHI, "2025-03-09T15:00"), about_d2, debts=("D1",))) == ALLOWED


def test_a_proposal_about_several_debts_is_denied_when_one_of_them_is_full() -> None:
    about_d2 = tuple(replace(c, debts=("D2",)) for c in SCENARIO_1)
    decision = us(at(CHI, "2025-03-09T15:00"), about_d2, debts=("D1", "D2"))
    assert shown(decision) == ("deny", SEVEN_IN_SEVEN) and "debt D2" in decision.reason


def test_a_call_to_the_attorney_is_not_limited() -> None:
    decision = us(
        at(CHI, "2025-03-09T15:00"), SCENARIO_1, party="A1", role=Role.ATTORNEY, to=LAWYER
    )
    assert shown(decision) == ALLOWED


def test_consent_given_within_7_days_lifts_the_limit_and_older_consent_does_not() -> None:
    fresh = replace(CONSUMER, consents=(Consent("frequency", at(CHI, "2025-03-03T09:00")),))
    assert shown(us(at(CHI, "2025-03-09T15:00"), SCENARIO_1, person=fresh)) == ALLOWED
    stale = replace(CONSUMER, consents=(Consent("frequency", at(CHI, "2025-03-01T09:00")),))
    assert us(at(CHI, "2025-03-09T15:00"), SCENARIO_1, person=stale).verdict.value == "deny"


def test_the_window_counts_local_days_across_the_spring_forward_night() -> None:
    # 7 calls at 23:30 local from 03-03 to 03-09 (DST began 03-09); the 03-10 window from
    # 03-04 holds 6, though 03-09 23:30 CDT is 04:30 UTC on 03-10.
    history = daily_calls("2025-03-03T23:30", 7)
    assert us(at(CHI, "2025-03-10T08:00"), history).verdict.value == "allow"
    assert us(at(CHI, "2025-03-09T23:45"), history).verdict.value == "deny"


def test_calls_after_the_proposed_time_count_for_the_windows_they_share() -> None:
    later = daily_calls("2025-03-05T10:00", 7)  # 03-05 … 03-11
    assert (
        us(at(CHI, "2025-03-04T10:00"), later).verdict.value == "allow"
    )  # window 03-04…03-10 holds 6
    assert us(at(CHI, "2025-03-05T09:00"), later).verdict.value == "deny"


def test_a_text_proposal_is_not_limited_by_the_call_count() -> None:
    scenario = Scenario(
        CONSUMER, Proposal(Channel.SMS, at(CHI, "2025-03-09T15:00")), DEBTS, SCENARIO_1
    )
    assert call_frequency(scenario, CallFrequencyParams()) is None


# -- us.regf.post_conversation_7day: scenario 2 ------------------------------------------
NEW_YORKER = replace(CONSUMER, zones=("America/New_York",))
SPOKE = (call(at(NY, "2025-03-04T14:00"), Outcome.CONVERSATION),)  # Tuesday: day 1


def test_scenario_2_a_call_on_day_7_after_a_conversation_is_denied() -> None:
    decision = us(at(NY, "2025-03-10T09:30"), SPOKE, person=NEW_YORKER)
    assert shown(decision) == ("deny", QUIET)
    assert decision.not_before == at(NY, "2025-03-11T00:00")


def test_scenario_2_a_call_on_day_8_is_allowed() -> None:
    assert shown(us(at(NY, "2025-03-11T09:30"), SPOKE, person=NEW_YORKER)) == ALLOWED


def test_a_call_later_on_the_conversation_day_is_denied() -> None:
    assert us(at(NY, "2025-03-04T16:00"), SPOKE, person=NEW_YORKER).verdict.value == "deny"


def test_an_inbound_conversation_starts_the_quiet_period_too() -> None:
    inbound = (replace(SPOKE[0], direction=Direction.INBOUND),)
    assert shown(us(at(NY, "2025-03-10T09:30"), inbound, person=NEW_YORKER)) == ("deny", QUIET)


def test_a_voicemail_is_not_a_conversation() -> None:
    voicemail = (replace(SPOKE[0], outcome=Outcome.VOICEMAIL),)
    assert shown(us(at(NY, "2025-03-05T09:30"), voicemail, person=NEW_YORKER)) == ALLOWED


def test_the_quiet_period_is_per_debt_and_a_conversation_about_several_starts_it_for_each() -> None:
    about_d2 = (replace(SPOKE[0], debts=("D2",)),)
    assert shown(us(at(NY, "2025-03-06T09:30"), about_d2, person=NEW_YORKER)) == ALLOWED
    both = (replace(SPOKE[0], debts=("D1", "D2")),)
    for debt in ("D1", "D2"):
        assert (
            us(at(NY, "2025-03-06T09:30"), both, person=NEW_YORKER, debts=(debt,)).verdict.value
            == "deny"
        )


def test_a_conversation_with_the_attorney_starts_no_quiet_period() -> None:
    lawyer = (replace(SPOKE[0], party="A1", to=LAWYER),)
    assert shown(us(at(NY, "2025-03-06T09:30"), lawyer, person=NEW_YORKER)) == ALLOWED


def test_the_quiet_period_spans_the_spring_forward_day_in_local_days() -> None:
    spoke = (call(at(NY, "2025-03-08T23:30"), Outcome.CONVERSATION),)  # Saturday, EST
    assert us(at(NY, "2025-03-14T23:59"), spoke, person=NEW_YORKER).verdict.value == "deny"
    assert us(at(NY, "2025-03-15T00:00"), spoke, person=NEW_YORKER).verdict.value == "allow"


# -- us.tcpa.residential_prerecorded -----------------------------------------------------
def robocalls(n: int, to: str = HOME) -> tuple[Contact, ...]:
    start = at(CHI, "2025-05-01T11:00")
    return tuple(
        call(start + timedelta(days=3 * i), to=to, dialer=Dialer.PRERECORDED) for i in range(n)
    )


def tcpa(
    when: datetime, history: tuple[Contact, ...], person: Person = CONSUMER, **fields: object
) -> Decision:
    fields = {"to": HOME, "dialer": Dialer.PRERECORDED, **fields}
    scenario = Scenario(person, Proposal(Channel.CALL, when, **fields), DEBTS, history)  # type: ignore[arg-type]
    return decide(scenario, rules("us-regf", "us.tcpa.residential_prerecorded"))


def test_the_4th_prerecorded_call_to_a_landline_in_30_days_is_denied() -> None:
    when = at(CHI, "2025-05-20T11:00")
    assert tcpa(when, robocalls(2)).verdict.value == "allow"
    decision = tcpa(when, robocalls(3))
    assert shown(decision) == ("deny", "us.tcpa.residential_prerecorded")
    assert decision.not_before == at(CHI, "2025-05-31T00:00")  # 05-01 leaves the 30 days


@pytest.mark.parametrize(
    ("fields", "person"),
    [
        ({"dialer": Dialer.MANUAL}, CONSUMER),
        ({"to": CELL}, CONSUMER),
        ({}, replace(CONSUMER, consents=(Consent("prerecorded", at(CHI, "2025-01-01T00:00")),))),
    ],
    ids=["manual", "mobile", "consent"],
)
def test_manual_calls_mobiles_and_consented_lines_are_not_under_the_landline_cap(
    fields: dict[str, object], person: Person
) -> None:
    assert (
        tcpa(at(CHI, "2025-05-20T11:00"), robocalls(3), person, **fields).verdict.value == "allow"
    )


def test_an_ai_voice_counts_as_artificial_and_a_number_of_unknown_line_as_residential() -> None:
    unknown = "+13125550222"
    history = tuple(replace(c, dialer=Dialer.AI_VOICE, to=unknown) for c in robocalls(3))
    decision = tcpa(at(CHI, "2025-05-20T11:00"), history, dialer=Dialer.AI_VOICE, to=unknown)
    assert decision.verdict.value == "deny"


# -- cn.voice_connected_cap and cn.unanswered_attempt_cap --------------------------------
DEBTOR_CN = Person(
    "C1", zones=("Asia/Shanghai",), phones=(Phone("+8613800138000"), Phone("+8613900139000"))
)
MOBILE_1, MOBILE_2 = "+8613800138000", "+8613900139000"


def cn(when: datetime, history: tuple[Contact, ...], rule_id: str, **fields: object) -> Decision:
    fields = {"to": MOBILE_1, **fields}
    scenario = Scenario(
        DEBTOR_CN, Proposal(Channel.CALL, when, **fields), (Debt("D1"),), history, "招商银行"
    )  # type: ignore[arg-type]
    return decide(scenario, rules("cn", rule_id))


def connected(hours: list[str], by: list[str]) -> tuple[Contact, ...]:
    return tuple(
        call(at(SH, f"2025-08-01T{h}"), Outcome.CONVERSATION, to=MOBILE_1, by=who)
        for h, who in zip(hours, by, strict=True)
    )


def test_a_4th_connected_call_in_a_day_across_the_lender_and_its_agencies_is_deferred_to_tomorrow() -> (
    None
):
    history = connected(["09:00", "11:00", "14:00"], ["招商银行", "agency-a", "agency-b"])
    decision = cn(
        at(SH, "2025-08-01T16:00"), history, "cn.voice_connected_cap", by="agency-a", flexible=True
    )
    assert (decision.verdict.value, decision.rule) == ("defer", "cn.voice_connected_cap")
    assert decision.not_before == at(SH, "2025-08-02T00:00")
    assert "agency-a, agency-b, 招商银行" in decision.reason


def test_three_connected_calls_on_another_local_day_or_unanswered_ones_leave_room() -> None:
    rule = "cn.voice_connected_cap"
    history = connected(["09:00", "11:00"], ["招商银行", "agency-a"])
    assert cn(at(SH, "2025-08-01T16:00"), history, rule).verdict.value == "allow"
    unanswered = (*history, call(at(SH, "2025-08-01T12:00"), Outcome.NO_ANSWER, to=MOBILE_1))
    assert cn(at(SH, "2025-08-01T16:00"), unanswered, rule).verdict.value == "allow"
    # 23:30 on 07-31 in Shanghai is 15:30 UTC on 07-31: a different local day.
    yesterday = (*history, call(at(SH, "2025-07-31T23:30"), Outcome.CONVERSATION, to=MOBILE_2))
    assert cn(at(SH, "2025-08-01T16:00"), yesterday, rule).verdict.value == "allow"


def test_the_7th_unanswered_attempt_to_one_number_in_a_day_is_denied() -> None:
    rule = "cn.unanswered_attempt_cap"
    outcomes = [Outcome.NO_ANSWER, Outcome.NOT_CONNECTED, Outcome.VOICEMAIL] * 2
    six = tuple(
        call(at(SH, f"2025-08-01T{9 + i:02d}:00"), outcome, to=MOBILE_1)
        for i, outcome in enumerate(outcomes)
    )
    assert cn(at(SH, "2025-08-01T16:00"), six[:5], rule).verdict.value == "allow"
    decision = cn(at(SH, "2025-08-01T16:00"), six, rule)
    assert shown(decision) == ("deny", rule) and decision.not_before == at(SH, "2025-08-02T00:00")
    assert cn(at(SH, "2025-08-01T16:00"), six, rule, to=MOBILE_2).verdict.value == "allow"
    assert cn(at(SH, "2025-08-02T09:00"), six, rule).verdict.value == "allow"


# -- house.sms_cap -----------------------------------------------------------------------
def sms(when: datetime, outcome: Outcome = Outcome.DELIVERED) -> Contact:
    return Contact(Channel.SMS, when, outcome, to=MOBILE_1)


def house_sms(when: datetime, history: tuple[Contact, ...]) -> Decision:
    proposal = Proposal(Channel.SMS, when, to=MOBILE_1, flexible=True)
    return decide(
        Scenario(DEBTOR_CN, proposal, (Debt("D1"),), history), rules("house", "house.sms_cap")
    )


def test_a_third_sms_in_a_local_day_waits_for_the_next_day() -> None:
    two = (sms(at(SH, "2025-08-01T09:00")), sms(at(SH, "2025-08-01T12:00")))
    assert house_sms(at(SH, "2025-08-01T15:00"), two[:1]).verdict.value == "allow"
    decision = house_sms(at(SH, "2025-08-01T15:00"), two)
    assert (decision.verdict.value, decision.not_before) == ("defer", at(SH, "2025-08-02T00:00"))


def test_a_sixth_sms_in_7_local_days_waits_until_the_first_leaves_the_week() -> None:
    five = tuple(sms(at(SH, f"2025-08-0{d}T10:00")) for d in range(1, 6))
    decision = house_sms(at(SH, "2025-08-06T10:00"), five)
    assert (decision.verdict.value, decision.not_before) == ("defer", at(SH, "2025-08-08T00:00"))
    assert house_sms(at(SH, "2025-08-08T10:00"), five).verdict.value == "allow"


def test_undelivered_sms_do_not_count_and_calls_are_not_texts() -> None:
    failed = (
        sms(at(SH, "2025-08-01T09:00"), Outcome.UNDELIVERABLE),
        sms(at(SH, "2025-08-01T10:00")),
    )
    assert house_sms(at(SH, "2025-08-01T15:00"), failed).verdict.value == "allow"
    calls = (
        call(at(SH, "2025-08-01T09:00"), to=MOBILE_1),
        call(at(SH, "2025-08-01T10:00"), to=MOBILE_1),
    )
    assert house_sms(at(SH, "2025-08-01T15:00"), calls).verdict.value == "allow"


# -- cn.collection_interval (uncertain: flagged, not enforced) ---------------------------
def test_the_collection_interval_is_only_a_note_in_the_cn_pack() -> None:
    history = (call(at(SH, "2025-08-01T10:00"), Outcome.CONVERSATION, to=MOBILE_1),)
    decision = cn(at(SH, "2025-08-03T10:00"), history, "cn.collection_interval")
    assert decision.verdict.value == "allow"
    assert [note.rule for note in decision.notes] == ["cn.collection_interval"]


def test_the_collection_interval_when_enforced_blocks_until_the_7th_natural_day() -> None:
    history = (call(at(SH, "2025-08-01T10:00"), Outcome.CONVERSATION, to=MOBILE_1, debts=("D1",)),)
    params = IntervalParams(default_zone="Asia/Shanghai")

    def scenario(when: str, debt: str = "D1") -> Scenario:
        proposal = Proposal(Channel.SMS, at(SH, when), debts=(debt,))
        return Scenario(DEBTOR_CN, proposal, (Debt("D1"), Debt("D2")), history)

    block = collection_interval(scenario("2025-08-07T23:59"), params)
    assert block is not None and block.until == at(SH, "2025-08-08T00:00")
    assert collection_interval(scenario("2025-08-08T00:00"), params) is None
    assert collection_interval(scenario("2025-08-03T10:00", "D2"), params) is None


# -- the property: a dialer driven through the gate never breaks the frequency rules ----
START = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)  # spans the spring-forward day, 03-09
DEBT_IDS = ("D1", "D2", "D3")
proposals = st.lists(
    st.tuples(
        st.integers(0, 28 * 24 * 60),  # minutes after START
        st.sampled_from((HOME, CELL)),
        st.sets(st.sampled_from(DEBT_IDS), max_size=2),
        st.sampled_from(
            (
                Outcome.NO_ANSWER,
                Outcome.VOICEMAIL,
                Outcome.CONVERSATION,
                Outcome.NOT_CONNECTED,
                Outcome.REFUSED,
            )
        ),
    ),
    max_size=60,
)
noise = st.lists(  # contacts that happened anyway: the consumer's calls, uncounted calls
    st.tuples(
        st.integers(0, 28 * 24 * 60),
        st.sampled_from(
            ("inbound_conversation", "not_connected", "with_consent", "attorney", "sms")
        ),
        st.sets(st.sampled_from(DEBT_IDS), max_size=2),
    ),
    max_size=15,
)


def noise_contact(minute: int, kind: str, debts: set[str]) -> Contact:
    when = START + timedelta(minutes=minute)
    named = tuple(sorted(debts))
    return {
        "inbound_conversation": call(
            when, Outcome.CONVERSATION, direction=Direction.INBOUND, debts=named
        ),
        "not_connected": call(when, Outcome.NOT_CONNECTED, debts=named),
        "with_consent": call(when, Outcome.CONVERSATION, with_consent=True, debts=named),
        "attorney": call(when, Outcome.CONVERSATION, party="A1", to=LAWYER, debts=named),
        "sms": Contact(Channel.SMS, when, Outcome.DELIVERED, to=CELL, debts=named),
    }[kind]


def concerns(contact: Contact, debt: str) -> bool:
    return not contact.debts or debt in contact.debts


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHI).date()


@settings(max_examples=150, deadline=None)
@given(noise, proposals)
def test_no_sequence_of_allowed_calls_breaks_7_in_7_or_the_quiet_period(
    background: list[tuple[int, str, set[str]]],
    attempts: list[tuple[int, str, set[str], Outcome]],
) -> None:
    gate = rules("us-regf", SEVEN_IN_SEVEN, QUIET)
    history = [noise_contact(*item) for item in background]
    placed: list[Contact] = []
    for minute, number, debts, outcome in sorted(
        attempts, key=lambda a: a[0]
    ):  # a dialer moves forward
        when = START + timedelta(minutes=minute)
        proposal = Proposal(Channel.CALL, when, to=number, debts=tuple(sorted(debts)))
        decision = decide(Scenario(CONSUMER, proposal, DEBTS, tuple(history)), gate)
        if decision.verdict.value == "allow":
            contact = call(when, outcome, to=number, debts=proposal.debts)
            history.append(contact)
            placed.append(contact)

    counted = [c for c in placed if c.outcome is not Outcome.NOT_CONNECTED]
    conversations = [
        c
        for c in history
        if c.outcome is Outcome.CONVERSATION and c.party is None and not c.with_consent
    ]
    for debt in DEBT_IDS:
        per_day = Counter(local_day(c.at) for c in counted if concerns(c, debt))
        for first in (local_day(START) + timedelta(days=d) for d in range(-7, 30)):
            week = sum(per_day[first + timedelta(days=i)] for i in range(7))
            assert week <= 7, (debt, first, week)
        for talk in (c for c in conversations if concerns(c, debt)):
            for later in (c for c in placed if concerns(c, debt) and c.at > talk.at):
                assert (local_day(later.at) - local_day(talk.at)).days >= 7, (debt, talk, later)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12 * 24 * 60),
            st.sampled_from((HOME, CELL)),
            st.sets(st.sampled_from(DEBT_IDS), max_size=2),
            st.sampled_from((Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED)),
        ),
        min_size=20,
        max_size=80,
    )
)
def test_calls_allowed_in_any_order_of_time_never_put_8_in_7_days(
    attempts: list[tuple[int, str, set[str], Outcome]],
) -> None:
    # Proposals arrive out of time order (a what-if, a back-dated import): the windows
    # after the proposed day must hold too, so every window is checked, not only the last.
    gate = rules("us-regf", SEVEN_IN_SEVEN)
    history: list[Contact] = []
    for minute, number, debts, outcome in attempts:
        when = START + timedelta(minutes=minute)
        proposal = Proposal(Channel.CALL, when, to=number, debts=tuple(sorted(debts)))
        if (
            decide(Scenario(CONSUMER, proposal, DEBTS, tuple(history)), gate).verdict.value
            == "allow"
        ):
            history.append(call(when, outcome, to=number, debts=proposal.debts))
    counted = [c for c in history if c.outcome is not Outcome.NOT_CONNECTED]
    for debt in DEBT_IDS:
        per_day = Counter(local_day(c.at) for c in counted if concerns(c, debt))
        for first in (local_day(START) + timedelta(days=d) for d in range(-7, 14)):
            assert sum(per_day[first + timedelta(days=i)] for i in range(7)) <= 7, (debt, first)
    assert len(counted) >= min(7, len([a for a in attempts if a[3] is not Outcome.NOT_CONNECTED]))
