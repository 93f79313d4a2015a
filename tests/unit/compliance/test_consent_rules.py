"""Consent and opt-outs: the reply parser, medium opt-outs, TCPA consent and revocation,
do-not-call numbers, preferred channels and the consent helper the time and frequency
checks share (reference: regulation.md; scenario 6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_consent import (
    OptOutScope,
    OptOutWords,
    active_consent,
    optout_words,
    refused_channels,
)
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import (
    Channel,
    Consent,
    Dialer,
    InboundMessage,
    LineType,
    OptOut,
    Person,
    Phone,
    Preferences,
    Proposal,
    Purpose,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.rules import Rule
from arrears.domain.gate import Verdict

CHICAGO = ZoneInfo("America/Chicago")
SECOND = timedelta(seconds=1)
MOBILE = Phone("+13125550100", line=LineType.MOBILE)
HOME = Phone("+13125550199", line=LineType.LANDLINE)
S, C, E, M, A = (
    OptOutScope.SMS,
    OptOutScope.CALL,
    OptOutScope.EMAIL,
    OptOutScope.MEDIUM,
    OptOutScope.ALL,
)


@cache
def pack_rule(pack: str, rule_id: str) -> Rule:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return next(rule for rule in loaded.rules if rule.id == rule_id)


def case(
    channel: Channel, at: datetime, person: Person | None = None, **fields: object
) -> Scenario:
    who = person or Person("B1", phones=(MOBILE, HOME))
    return Scenario(who, Proposal(channel, at, **fields))  # type: ignore[arg-type]


def blocked(pack: str, rule_id: str, scenario: Scenario) -> bool:
    return pack_rule(pack, rule_id).run(scenario) is not None


# -- the reply parser ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        ("STOP", {M}),
        ("Stop.", {M}),
        ("stop please", {M}),
        ("Quit", {M}),
        ("END", {M}),
        ("cancel", {M}),
        ("Unsubscribe", {M}),
        ("please unsubscribe me from these", {M}),
        ("please quit texting me", {S}),
        ("Don't ever call me again", {C}),
        ("do not email me", {E}),
        ("no more calls please", {C}),
        ("stop calling and texting me!", {C, S}),
        ("Stop contacting me", {A}),
        ("leave me alone", {A}),
        ("ＳＴＯＰ", {M}),
        ("退订", {M}),
        ("TD", {M}),
        ("td", {M}),
        ("不要再发了", {M}),
        ("不要再打给我", {C}),
        ("不要再联系我", {A}),
    ],
)
def test_replies_that_opt_out_are_recognised_with_their_scope(
    text: str, scopes: set[OptOutScope]
) -> None:
    assert optout_words(text) == frozenset(scopes)


@pytest.mark.parametrize(
    "text",
    [
        "I'll pay at the end of the month",
        "I don't have money, text me later",
        "Can I cancel my card and pay the rest?",
        "stopped by the branch today",
        "don't call me before noon",  # a designated time, recorded by a person
        "好的，我明天还款",
        "",
    ],
)
def test_replies_that_are_not_opt_outs_are_not_taken_for_one(text: str) -> None:
    assert optout_words(text) is None


def test_a_pack_may_extend_the_word_lists() -> None:
    words = OptOutWords(keywords=(*OptOutWords().keywords, "basta"))
    assert optout_words("BASTA", words) == frozenset({M})
    assert optout_words("BASTA") is None


def test_a_reply_refuses_the_medium_it_came_on_and_calls_cover_voicemail() -> None:
    assert refused_channels(frozenset({M}), Channel.EMAIL) == {Channel.EMAIL}
    assert refused_channels(frozenset({C}), Channel.SMS) == {Channel.CALL, Channel.VOICEMAIL}
    assert Channel.LETTER not in refused_channels(frozenset({A}), Channel.SMS)


# -- us.regf.medium_optout (scenario 6) ---------------------------------------------------
REPLY_AT = datetime(2025, 4, 1, 12, 0, tzinfo=CHICAGO)
QUIT = InboundMessage(Channel.SMS, REPLY_AT, "please quit texting me", address=MOBILE.number)
OPTED = Person("B1", phones=(MOBILE, HOME), inbound_messages=(QUIT,))
OPTOUT_ID = "us.regf.medium_optout"


def test_scenario_6_an_sms_after_please_quit_texting_me_is_denied() -> None:
    scenario = case(Channel.SMS, REPLY_AT + timedelta(hours=2), OPTED, to=MOBILE.number)
    decision = decide(scenario, [pack_rule("us-regf", OPTOUT_ID)])
    assert (decision.verdict, decision.rule, decision.not_before) == (Verdict.DENY, OPTOUT_ID, None)


def test_scenario_6_the_opt_out_binds_at_its_minute_and_not_the_minute_before() -> None:
    assert not blocked(
        "us-regf", OPTOUT_ID, case(Channel.SMS, REPLY_AT - timedelta(minutes=1), OPTED)
    )
    assert blocked("us-regf", OPTOUT_ID, case(Channel.SMS, REPLY_AT, OPTED))


def test_scenario_6_a_call_the_next_day_is_not_stopped_by_a_texting_opt_out() -> None:
    call = case(Channel.CALL, datetime(2025, 4, 2, 10, 0, tzinfo=CHICAGO), OPTED, to=MOBILE.number)
    assert not blocked("us-regf", OPTOUT_ID, call)


def test_a_recorded_opt_out_of_one_number_leaves_the_other_numbers() -> None:
    optout = OptOut(Channel.CALL, REPLY_AT, address="+1 (312) 555-0100")
    person = Person("B1", phones=(MOBILE, HOME), opt_outs=(optout,))
    later = REPLY_AT + timedelta(days=1)
    assert blocked("us-regf", OPTOUT_ID, case(Channel.CALL, later, person, to=MOBILE.number))
    assert blocked("us-regf", OPTOUT_ID, case(Channel.VOICEMAIL, later, person, to=MOBILE.number))
    assert not blocked("us-regf", OPTOUT_ID, case(Channel.CALL, later, person, to=HOME.number))
    assert not blocked("us-regf", OPTOUT_ID, case(Channel.SMS, later, person, to=MOBILE.number))


def test_a_contact_that_names_no_number_is_held_by_an_opt_out_of_any_number() -> None:
    optout = OptOut(Channel.CALL, REPLY_AT, address=MOBILE.number)
    person = Person("B1", phones=(MOBILE, HOME), opt_outs=(optout,))
    assert blocked("us-regf", OPTOUT_ID, case(Channel.CALL, REPLY_AT + SECOND, person))


def test_an_opt_out_of_the_borrower_does_not_bind_a_third_party_or_credit_reporting() -> None:
    later = REPLY_AT + timedelta(days=1)
    third = case(Channel.SMS, later, OPTED, party="T1", role=Role.EMERGENCY_CONTACT)
    assert not blocked("us-regf", OPTOUT_ID, third)
    report = case(Channel.LETTER, later, replace(OPTED, inbound_messages=(
        replace(QUIT, text="stop contacting me"),)), purpose=Purpose.CREDIT_REPORT)  # fmt: skip
    assert not blocked("us-regf", OPTOUT_ID, report)


def test_the_house_pack_honours_a_chinese_unsubscribe_reply() -> None:
    td = InboundMessage(Channel.SMS, REPLY_AT, "退订")
    person = Person("B1", inbound_messages=(td,))
    assert blocked("house", "house.medium_optout", case(Channel.SMS, REPLY_AT + SECOND, person))
    assert not blocked(
        "house", "house.medium_optout", case(Channel.CALL, REPLY_AT + SECOND, person)
    )


def test_a_chinese_call_refusal_sent_by_text_stops_calls() -> None:
    refusal = InboundMessage(Channel.SMS, REPLY_AT, "不要再打给我")
    person = Person("B1", inbound_messages=(refusal,))
    assert blocked("house", "house.medium_optout", case(Channel.CALL, REPLY_AT + SECOND, person))


# -- us.tcpa.revocation -------------------------------------------------------------------
REVOKE_ID = "us.tcpa.revocation"


def test_a_stop_reply_revokes_automated_calls_and_texts_but_not_a_manual_call() -> None:
    stop = InboundMessage(Channel.SMS, REPLY_AT, "Stop calling me")
    person = Person("B1", phones=(MOBILE,), inbound_messages=(stop,))
    later = REPLY_AT + SECOND
    robo = case(Channel.CALL, later, person, to=MOBILE.number, dialer=Dialer.AUTODIALER)
    assert blocked("us-regf", REVOKE_ID, robo)
    assert not blocked("us-regf", REVOKE_ID, replace(robo, proposal=replace(
        robo.proposal, dialer=Dialer.MANUAL)))  # fmt: skip
    assert not blocked("us-regf", REVOKE_ID, replace(robo, proposal=replace(
        robo.proposal, at=REPLY_AT - SECOND)))  # fmt: skip


def test_a_stop_reply_to_a_text_revokes_texts() -> None:
    person = Person("B1", phones=(MOBILE,), inbound_messages=(replace(QUIT, text="STOP"),))
    assert blocked("us-regf", REVOKE_ID, case(Channel.SMS, REPLY_AT + SECOND, person))


# -- us.tcpa.cell_consent ----------------------------------------------------------------
CELL_ID = "us.tcpa.cell_consent"
AT = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)


def robocall(person: Person, to: str = MOBILE.number, **fields: object) -> Scenario:
    fields.setdefault("dialer", Dialer.AUTODIALER)
    return case(Channel.CALL, AT, person, to=to, **fields)


def test_an_autodialled_call_to_a_mobile_without_consent_is_denied() -> None:
    assert blocked("us-regf", CELL_ID, robocall(Person("B1", phones=(MOBILE,))))


@pytest.mark.parametrize("dialer", [Dialer.PRERECORDED, Dialer.AI_VOICE])
def test_prerecorded_and_ai_voice_calls_need_consent_too(dialer: Dialer) -> None:
    assert blocked("us-regf", CELL_ID, robocall(Person("B1", phones=(MOBILE,)), dialer=dialer))


def test_a_manual_call_or_an_automated_call_to_a_landline_needs_no_consent() -> None:
    person = Person("B1", phones=(MOBILE, HOME))
    assert not blocked("us-regf", CELL_ID, robocall(person, dialer=Dialer.MANUAL))
    assert not blocked("us-regf", CELL_ID, robocall(person, to=HOME.number))


def test_a_number_of_unknown_line_type_is_treated_as_a_mobile() -> None:
    unknown = Phone("+13125550111")
    assert blocked("us-regf", CELL_ID, robocall(Person("B1", phones=(unknown,)), to=unknown.number))


def test_a_consent_lets_the_call_go_until_the_second_it_expires() -> None:
    consent = Consent("autodial", AT - timedelta(days=30), end=AT + SECOND)
    person = Person("B1", phones=(MOBILE,), consents=(consent,))
    assert not blocked("us-regf", CELL_ID, robocall(person))
    expired = Person("B1", phones=(MOBILE,), consents=(replace(consent, end=AT),))
    assert blocked("us-regf", CELL_ID, robocall(expired))


def test_a_consent_got_in_a_non_compliant_contact_does_not_count() -> None:
    tainted = Consent("autodial", AT - timedelta(days=1), in_compliant_contact=False)
    assert blocked(
        "us-regf", CELL_ID, robocall(Person("B1", phones=(MOBILE,), consents=(tainted,)))
    )


def test_a_number_given_in_the_credit_application_is_consent() -> None:
    given = replace(MOBILE, given_in_application=True)
    assert not blocked("us-regf", CELL_ID, robocall(Person("B1", phones=(given,))))


def test_a_stop_after_the_consent_revokes_it_and_a_later_consent_restores_it() -> None:
    given = replace(MOBILE, given_in_application=True)
    stop = InboundMessage(Channel.SMS, AT - timedelta(days=2), "stop calling me")
    revoked = Person("B1", phones=(given,), inbound_messages=(stop,))
    assert blocked("us-regf", CELL_ID, robocall(revoked))
    again = Consent("autodial", AT - timedelta(days=1))
    assert not blocked("us-regf", CELL_ID, robocall(replace(revoked, consents=(again,))))


def test_every_text_to_a_mobile_needs_consent() -> None:
    person = Person("B1", phones=(MOBILE,))
    assert blocked("us-regf", CELL_ID, case(Channel.SMS, AT, person, to=MOBILE.number))
    sms_only = Consent("autodial", AT - timedelta(days=1), channel=Channel.SMS)
    consented = replace(person, consents=(sms_only,))
    assert not blocked("us-regf", CELL_ID, case(Channel.SMS, AT, consented, to=MOBILE.number))
    assert blocked("us-regf", CELL_ID, robocall(consented))  # a text consent is not a call one


def test_an_automated_call_to_a_third_partys_mobile_is_denied() -> None:
    friend = ThirdParty(
        "T1", Role.EMERGENCY_CONTACT, phones=(Phone("+13125550177", LineType.MOBILE),)
    )
    person = Person("B1", phones=(replace(MOBILE, given_in_application=True),),
                    third_parties=(friend,))  # fmt: skip
    scenario = robocall(person, to="+13125550177", party="T1", role=Role.EMERGENCY_CONTACT,
                        purpose=Purpose.LOCATION)  # fmt: skip
    assert blocked("us-regf", CELL_ID, scenario)


# -- house.do_not_call --------------------------------------------------------------------
DNC_ID = "house.do_not_call"


def test_a_do_not_call_or_invalid_number_is_not_called_or_texted() -> None:
    person = Person("B1", phones=(replace(MOBILE, do_not_call=True), replace(HOME, invalid=True)))
    assert blocked("house", DNC_ID, case(Channel.CALL, AT, person, to=MOBILE.number))
    assert blocked("house", DNC_ID, case(Channel.SMS, AT, person, to=MOBILE.number))
    assert blocked("house", DNC_ID, case(Channel.CALL, AT, person, to=HOME.number))
    assert not blocked("house", DNC_ID, case(Channel.EMAIL, AT, person, to="b1@example.com"))


def test_another_number_of_the_person_may_be_called() -> None:
    person = Person("B1", phones=(replace(MOBILE, do_not_call=True), HOME))
    assert not blocked("house", DNC_ID, case(Channel.CALL, AT, person, to=HOME.number))


def test_a_call_naming_no_number_is_held_by_a_do_not_call_number_but_not_an_invalid_one() -> None:
    dnc = Person("B1", phones=(replace(MOBILE, do_not_call=True), HOME))
    assert blocked("house", DNC_ID, case(Channel.CALL, AT, dnc))
    invalid = Person("B1", phones=(replace(MOBILE, invalid=True), HOME))
    assert not blocked("house", DNC_ID, case(Channel.CALL, AT, invalid))


def test_a_third_partys_do_not_call_number_is_honoured() -> None:
    friend = ThirdParty("T1", Role.FAMILY, phones=(Phone("+13125550177", do_not_call=True),))
    person = Person("B1", third_parties=(friend,))
    call = case(Channel.CALL, AT, person, to="+13125550177", party="T1", role=Role.FAMILY)
    assert blocked("house", DNC_ID, call)


# -- house.preferred_channels -------------------------------------------------------------
def test_a_person_who_prefers_email_is_not_texted_for_collection() -> None:
    person = Person("B1", preferences=Preferences(channels=(Channel.EMAIL, Channel.CALL)))
    rule = "house.preferred_channels"
    assert blocked("house", rule, case(Channel.SMS, AT, person))
    assert not blocked("house", rule, case(Channel.EMAIL, AT, person))
    assert not blocked("house", rule, case(Channel.VOICEMAIL, AT, person))  # left on a call
    notice = case(Channel.LETTER, AT, person, purpose=Purpose.VALIDATION_NOTICE)
    assert not blocked("house", rule, notice)
    assert not blocked("house", rule, case(Channel.SMS, AT, Person("B1")))


# -- active_consent -----------------------------------------------------------------------
def test_active_consent_reads_scope_channel_and_the_exact_period() -> None:
    start, end = AT - timedelta(days=1), AT + timedelta(days=1)
    hours = Consent("hours", start, end=end, channel=Channel.CALL)
    person = Person("B1", consents=(hours,))
    assert active_consent(person, "hours", start) == hours
    assert active_consent(person, "hours", start - SECOND) is None
    assert active_consent(person, "hours", end - SECOND) == hours
    assert active_consent(person, "hours", end) is None
    assert active_consent(person, "hours", AT, Channel.VOICEMAIL) == hours
    assert active_consent(person, "hours", AT, Channel.SMS) is None
    assert active_consent(person, "frequency", AT) is None


def test_active_consent_returns_the_latest_given_and_skips_tainted_ones() -> None:
    old = Consent("hours", AT - timedelta(days=10))
    new = Consent("hours", AT - timedelta(days=1))
    tainted = Consent("hours", AT - timedelta(hours=1), in_compliant_contact=False)
    assert active_consent(Person("B1", consents=(new, old, tainted)), "hours", AT) == new
