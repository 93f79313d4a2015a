"""Third parties: who may hear about the debt, location contacts once, China's contacts only
when the debtor is unreachable and never after a refusal (reference: regulation.md;
scenarios 11 and 12)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Direction,
    InboundMessage,
    Outcome,
    Person,
    Phone,
    Proposal,
    Purpose,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.rules import Rule
from arrears.domain.gate import Verdict

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHICAGO = ZoneInfo("America/Chicago")
SECOND = timedelta(seconds=1)
FRIEND = ThirdParty(
    "T1", Role.EMERGENCY_CONTACT, phones=(Phone("+8613900139000"),), registered=True
)
DEBTOR_PHONE = Phone("+8613800138000")


@cache
def pack_rule(pack: str, rule_id: str) -> Rule:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return next(rule for rule in loaded.rules if rule.id == rule_id)


def blocked(pack: str, rule_id: str, scenario: Scenario) -> bool:
    return pack_rule(pack, rule_id).run(scenario) is not None


def to_party(
    at: datetime,
    party: ThirdParty | None = FRIEND,
    *,
    history: tuple[Contact, ...] = (),
    messages: tuple[InboundMessage, ...] = (),
    phones: tuple[Phone, ...] = (DEBTOR_PHONE,),
    **fields: object,
) -> Scenario:
    parties = (party,) if party is not None else ()
    person = Person("B1", phones=phones, third_parties=parties, inbound_messages=messages)
    fields.setdefault("party", party.id if party else "X9")
    fields.setdefault("role", party.role if party else Role.EMERGENCY_CONTACT)
    fields.setdefault("purpose", Purpose.LOCATION)
    proposal = Proposal(Channel.CALL, at, **fields)  # type: ignore[arg-type]
    return Scenario(person, proposal, history=history)


# -- us.regf.third_party, cn.debtor_only, uk.conc.third_party_privacy.role ----------------
AT = datetime(2025, 6, 2, 10, 0, tzinfo=CHICAGO)


@pytest.mark.parametrize("role", [Role.EMERGENCY_CONTACT, Role.EMPLOYER, Role.FAMILY, Role.OTHER])
def test_a_third_party_is_not_contacted_for_collection_in_the_us(role: Role) -> None:
    party = ThirdParty("T1", role)
    assert blocked(
        "us-regf", "us.regf.third_party", to_party(AT, party, purpose=Purpose.COLLECTION)
    )
    assert not blocked("us-regf", "us.regf.third_party", to_party(AT, party))


@pytest.mark.parametrize(
    "role",
    [Role.SPOUSE, Role.PARENT, Role.GUARDIAN, Role.EXECUTOR, Role.ATTORNEY, Role.GUARANTOR],
)
def test_the_consumers_circle_and_attorney_may_discuss_the_debt_in_the_us(role: Role) -> None:
    scenario = to_party(AT, ThirdParty("T1", role), purpose=Purpose.COLLECTION)
    assert not blocked("us-regf", "us.regf.third_party", scenario)


def test_in_china_only_the_debtor_and_guarantor_are_asked_to_pay() -> None:
    spouse = to_party(AT, ThirdParty("T1", Role.SPOUSE), purpose=Purpose.COLLECTION)
    assert blocked("cn", "cn.debtor_only", spouse)
    guarantor = to_party(AT, ThirdParty("G1", Role.GUARANTOR), purpose=Purpose.COLLECTION)
    assert not blocked("cn", "cn.debtor_only", guarantor)


def test_in_the_uk_a_spouse_does_not_hear_of_the_debt() -> None:
    spouse = to_party(AT, ThirdParty("T1", Role.SPOUSE), purpose=Purpose.COLLECTION)
    assert blocked("uk-conc", "uk.conc.third_party_privacy.role", spouse)


def test_the_recorded_role_of_a_third_party_beats_the_proposals_label() -> None:
    labelled = to_party(AT, ThirdParty("T1", Role.FAMILY), role=Role.BORROWER,
                        purpose=Purpose.COLLECTION)  # fmt: skip
    assert blocked("us-regf", "us.regf.third_party", labelled)


# -- us.regf.location_info ----------------------------------------------------------------
LOCATION_ID = "us.regf.location_info"
FIRST = datetime(2025, 6, 1, 11, 0, tzinfo=CHICAGO)


def asked(outcome: Outcome = Outcome.CONVERSATION, **fields: object) -> Contact:
    return Contact(Channel.CALL, FIRST, outcome, party="T1", **fields)  # type: ignore[arg-type]


def test_a_third_party_is_asked_for_location_once() -> None:
    assert not blocked("us-regf", LOCATION_ID, to_party(AT))
    assert blocked("us-regf", LOCATION_ID, to_party(AT, history=(asked(),)))


def test_a_call_that_did_not_reach_the_third_party_does_not_use_up_the_one_contact() -> None:
    missed = (asked(Outcome.NO_ANSWER), asked(Outcome.NOT_CONNECTED))
    assert not blocked("us-regf", LOCATION_ID, to_party(AT, history=missed))


def test_a_third_party_who_got_in_touch_since_may_be_asked_again() -> None:
    called_back = Contact(Channel.CALL, FIRST + timedelta(hours=3), Outcome.CONVERSATION,
                          direction=Direction.INBOUND, party="T1")  # fmt: skip
    assert not blocked("us-regf", LOCATION_ID, to_party(AT, history=(asked(), called_back)))
    refused = replace(called_back, outcome=Outcome.REFUSED)
    assert blocked("us-regf", LOCATION_ID, to_party(AT, history=(asked(), refused)))


def test_a_wrong_first_answer_recorded_by_a_person_allows_another_location_contact() -> None:
    wrong = replace(FRIEND, may_recontact=True)
    assert not blocked("us-regf", LOCATION_ID, to_party(AT, wrong, history=(asked(),)))


def test_another_third_party_is_asked_on_its_own_count() -> None:
    other = ThirdParty("T2", Role.FAMILY)
    assert not blocked("us-regf", LOCATION_ID, to_party(AT, other, history=(asked(),)))


# -- cn.contact_when_unreachable (scenario 11) --------------------------------------------
UNREACH_ID = "cn.contact_when_unreachable"
AUG_2 = datetime(2025, 8, 2, 10, 0, tzinfo=SHANGHAI)


def debtor_call(at: datetime, outcome: Outcome) -> Contact:
    return Contact(Channel.CALL, at, outcome, to=DEBTOR_PHONE.number)


def failed_calls(*moments: datetime, outcome: Outcome = Outcome.NO_ANSWER) -> tuple[Contact, ...]:
    return tuple(debtor_call(moment, outcome) for moment in moments)


def test_scenario_11_an_emergency_contact_is_not_called_the_day_after_the_debtor_answered() -> None:
    answered = debtor_call(datetime(2025, 8, 1, 15, 0, tzinfo=SHANGHAI), Outcome.CONVERSATION)
    decision = decide(to_party(AUG_2, history=(answered,), flexible=True),
                      [pack_rule("cn", UNREACH_ID)])  # fmt: skip
    assert (decision.verdict, decision.rule, decision.not_before) == (
        Verdict.DENY,
        UNREACH_ID,
        None,
    )


def test_three_failed_calls_in_a_row_make_the_debtor_unreachable_and_two_do_not() -> None:
    morning = datetime(2025, 8, 1, 9, 0, tzinfo=SHANGHAI)
    three = failed_calls(*(morning + timedelta(hours=h) for h in (0, 2, 4)))
    assert not blocked("cn", UNREACH_ID, to_party(AUG_2, history=three))
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, history=three[:2]))


@pytest.mark.parametrize("outcome", [Outcome.NOT_CONNECTED, Outcome.WRONG_NUMBER])
def test_not_connected_and_wrong_number_calls_count_as_failed(outcome: Outcome) -> None:
    morning = datetime(2025, 8, 1, 9, 0, tzinfo=SHANGHAI)
    three = failed_calls(*(morning + timedelta(hours=h) for h in (0, 2, 4)), outcome=outcome)
    assert not blocked("cn", UNREACH_ID, to_party(AUG_2, history=three))


def test_a_conversation_or_a_reply_from_the_debtor_resets_the_failed_calls() -> None:
    morning = datetime(2025, 8, 1, 9, 0, tzinfo=SHANGHAI)
    three = failed_calls(*(morning + timedelta(hours=h) for h in (0, 2, 4)))
    answered = debtor_call(morning + timedelta(hours=5), Outcome.CONVERSATION)
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, history=(*three, answered)))
    reply = InboundMessage(Channel.SMS, morning + timedelta(hours=5), "明天还")
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, history=three, messages=(reply,)))


def test_a_voicemail_between_failed_calls_breaks_the_run() -> None:
    morning = datetime(2025, 8, 1, 9, 0, tzinfo=SHANGHAI)
    calls = (*failed_calls(morning, morning + timedelta(hours=1)),
             debtor_call(morning + timedelta(hours=2), Outcome.VOICEMAIL),
             *failed_calls(morning + timedelta(hours=3)))  # fmt: skip
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, history=calls))


def test_failed_calls_on_three_consecutive_days_make_the_debtor_unreachable() -> None:
    rule = pack_rule("cn", UNREACH_ID)
    days_only = replace(rule, params=replace(rule.params, failed_calls=0))
    day = datetime(2025, 7, 30, 21, 0, tzinfo=SHANGHAI)
    three_days = failed_calls(day, day + timedelta(days=1), day + timedelta(days=2))
    assert days_only.run(to_party(AUG_2, history=three_days)) is None
    gap = failed_calls(day, day + timedelta(days=1), day + timedelta(days=3))
    assert days_only.run(to_party(AUG_2 + timedelta(days=1), history=gap)) is not None


def test_a_debtor_whose_every_number_is_invalid_is_unreachable() -> None:
    dead = (replace(DEBTOR_PHONE, invalid=True),)
    assert not blocked("cn", UNREACH_ID, to_party(AUG_2, phones=dead))
    one_alive = (*dead, Phone("+8613700137000"))
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, phones=one_alive))


def test_only_registered_contacts_are_contacted_even_when_the_debtor_is_unreachable() -> None:
    dead = (replace(DEBTOR_PHONE, invalid=True),)
    scraped = replace(FRIEND, registered=False)
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, scraped, phones=dead))
    assert blocked("cn", UNREACH_ID, to_party(AUG_2, None, phones=dead))


def test_the_debtor_and_guarantor_are_not_held_by_the_unreachable_rule() -> None:
    scenario = to_party(AUG_2, purpose=Purpose.COLLECTION)
    debtor = replace(scenario, proposal=replace(scenario.proposal, party=None, role=Role.BORROWER))
    assert not blocked("cn", UNREACH_ID, debtor)
    guarantor = to_party(AUG_2, ThirdParty("G1", Role.GUARANTOR), purpose=Purpose.COLLECTION)
    assert not blocked("cn", UNREACH_ID, guarantor)


# -- cn.contact_refusal (scenario 12) -----------------------------------------------------
REFUSAL_ID = "cn.contact_refusal"
REFUSED_AT = datetime(2025, 8, 4, 14, 0, tzinfo=SHANGHAI)
AUG_20 = datetime(2025, 8, 20, 10, 0, tzinfo=SHANGHAI)


def test_scenario_12_a_contact_who_texted_bu_yao_zai_da_gei_wo_is_never_contacted_again() -> None:
    said = InboundMessage(Channel.SMS, REFUSED_AT, "不要再打给我", party="T1")
    scenario = to_party(AUG_20, messages=(said,))
    decision = decide(scenario, [pack_rule("cn", REFUSAL_ID)])
    assert (decision.verdict, decision.rule) == (Verdict.DENY, REFUSAL_ID)
    sms = replace(scenario, proposal=replace(scenario.proposal, channel=Channel.SMS))
    assert blocked("cn", REFUSAL_ID, sms)  # not only calls: any contact


def test_a_refusal_said_on_a_call_or_recorded_binds_from_that_moment() -> None:
    on_call = Contact(Channel.CALL, REFUSED_AT, Outcome.REFUSED, party="T1")
    assert blocked("cn", REFUSAL_ID, to_party(REFUSED_AT, history=(on_call,)))
    assert not blocked("cn", REFUSAL_ID, to_party(REFUSED_AT - SECOND, history=(on_call,)))
    recorded = replace(FRIEND, refused_at=REFUSED_AT)
    assert blocked("cn", REFUSAL_ID, to_party(AUG_20, recorded))


def test_the_debtors_own_stop_reply_is_no_refusal_by_a_contact() -> None:
    debtor_said = InboundMessage(Channel.SMS, REFUSED_AT, "不要再打给我")
    assert not blocked("cn", REFUSAL_ID, to_party(AUG_20, messages=(debtor_said,)))


def test_one_contacts_refusal_does_not_bind_another_contact() -> None:
    said = InboundMessage(Channel.SMS, REFUSED_AT, "不要再打给我", party="T2")
    assert not blocked("cn", REFUSAL_ID, to_party(AUG_20, messages=(said,)))
