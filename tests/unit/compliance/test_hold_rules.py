"""Holds: cease, attorney, dispute, bankruptcy, deceased, hardship, breathing space and the
statute of limitations, judged with the shipped packs' parameters (reference:
regulation.md; scenarios 7 and 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_holds import AttorneyParams
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import (
    Channel,
    Consent,
    Contact,
    Debt,
    Direction,
    Hold,
    HoldKind,
    Outcome,
    Person,
    Proposal,
    Purpose,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.rules import Rule
from arrears.domain.gate import Verdict

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
SECOND = timedelta(seconds=1)


@cache
def pack_rule(pack: str, rule_id: str) -> Rule:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return next(rule for rule in loaded.rules if rule.id == rule_id)


def case(
    at: datetime,
    *holds: Hold,
    channel: Channel = Channel.CALL,
    owed: tuple[Debt, ...] = (Debt("D1"), Debt("D2")),
    history: tuple[Contact, ...] = (),
    consents: tuple[Consent, ...] = (),
    third_parties: tuple[ThirdParty, ...] = (),
    **proposal: object,
) -> Scenario:
    person = Person("B1", holds=holds, consents=consents, third_parties=third_parties)
    offer = Proposal(channel, at, **proposal)  # type: ignore[arg-type]
    return Scenario(person, offer, debts=owed, history=history)


def blocked(pack: str, rule_id: str, scenario: Scenario) -> bool:
    return pack_rule(pack, rule_id).run(scenario) is not None


# -- us.regf.cease_communication (scenario 7) --------------------------------------------
CEASE = Hold(HoldKind.CEASE, datetime(2025, 5, 5, 9, 0, tzinfo=CHICAGO))
CEASE_ID = "us.regf.cease_communication"


def test_scenario_7_a_collection_call_the_day_after_a_cease_letter_is_denied() -> None:
    call = case(datetime(2025, 5, 6, 10, 0, tzinfo=CHICAGO), CEASE, flexible=True)
    decision = decide(call, [pack_rule("us-regf", CEASE_ID)])
    assert (decision.verdict, decision.rule, decision.not_before) == (Verdict.DENY, CEASE_ID, None)


@pytest.mark.parametrize(
    "purpose", [Purpose.COLLECTION_ENDING, Purpose.REMEDY_MAY, Purpose.REMEDY_WILL]
)
def test_scenario_7_the_three_notices_of_1006_6_c_still_go(purpose: Purpose) -> None:
    letter = case(datetime(2025, 5, 6, 10, 0, tzinfo=CHICAGO), CEASE, channel=Channel.LETTER,
                  purpose=purpose)  # fmt: skip
    assert not blocked("us-regf", CEASE_ID, letter)


def test_a_cease_binds_from_the_moment_it_was_received_and_not_a_second_before() -> None:
    assert blocked("us-regf", CEASE_ID, case(CEASE.start, CEASE))
    assert not blocked("us-regf", CEASE_ID, case(CEASE.start - SECOND, CEASE))


def test_a_cease_on_one_debt_leaves_a_contact_about_another_debt_alone() -> None:
    on_d1 = replace(CEASE, debt="D1")
    at = CEASE.start + timedelta(days=1)
    assert not blocked("us-regf", CEASE_ID, case(at, on_d1, debts=("D2",)))


def test_a_contact_about_all_debts_is_held_by_a_cease_on_any_one_of_them() -> None:
    on_d1 = replace(CEASE, debt="D1")
    assert blocked("us-regf", CEASE_ID, case(CEASE.start + timedelta(days=1), on_d1))


def test_a_cease_does_not_stop_credit_reporting_or_a_location_call_to_a_third_party() -> None:
    at = CEASE.start + timedelta(days=1)
    assert not blocked("us-regf", CEASE_ID, case(at, CEASE, purpose=Purpose.CREDIT_REPORT))
    location = case(at, CEASE, party="T1", role=Role.EMERGENCY_CONTACT, purpose=Purpose.LOCATION)
    assert not blocked("us-regf", CEASE_ID, location)


def test_a_cease_binds_a_spouse_who_is_a_consumer_too() -> None:
    at = CEASE.start + timedelta(days=1)
    assert blocked("us-regf", CEASE_ID, case(at, CEASE, party="S1", role=Role.SPOUSE))


# -- us.regf.attorney_represented --------------------------------------------------------
REPRESENTED = Hold(HoldKind.ATTORNEY, datetime(2025, 3, 1, tzinfo=UTC), debt="D1")
LAWYER = ThirdParty("A1", Role.ATTORNEY, name="J. Counsel")
ATTORNEY_ID = "us.regf.attorney_represented"
ASKED = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # the collector wrote to the attorney


def attorney_case(at: datetime, **fields: object) -> Scenario:
    fields.setdefault("third_parties", (LAWYER,))
    return case(at, REPRESENTED, **fields)  # type: ignore[arg-type]


def test_a_represented_consumer_is_not_called_about_that_debt() -> None:
    assert blocked("us-regf", ATTORNEY_ID, attorney_case(ASKED))


def test_the_attorney_may_be_called_and_another_debt_may_be_discussed_with_the_consumer() -> None:
    assert not blocked("us-regf", ATTORNEY_ID, attorney_case(ASKED, party="A1"))
    assert not blocked("us-regf", ATTORNEY_ID, attorney_case(ASKED, debts=("D2",)))


def test_a_known_attorney_on_the_debt_holds_contact_without_a_hold() -> None:
    scenario = case(ASKED, owed=(Debt("D1", attorney="A1"),), third_parties=(LAWYER,))
    assert blocked("us-regf", ATTORNEY_ID, scenario)


def test_the_consumers_direct_consent_lifts_the_attorney_limit_until_it_expires() -> None:
    consent = Consent("attorney", ASKED - timedelta(days=1), end=ASKED + timedelta(days=1))
    assert not blocked("us-regf", ATTORNEY_ID, attorney_case(ASKED, consents=(consent,)))
    expired = attorney_case(consent.end, consents=(consent,))  # type: ignore[arg-type]
    assert blocked("us-regf", ATTORNEY_ID, expired)


def test_after_thirty_days_of_attorney_silence_only_a_reviewed_contact_may_go() -> None:
    letter = Contact(Channel.LETTER, ASKED, Outcome.SENT, party="A1")
    fallback = ASKED + timedelta(days=30)
    reviewed = attorney_case(fallback, history=(letter,), reviewed=True)
    assert not blocked("us-regf", ATTORNEY_ID, reviewed)
    assert blocked("us-regf", ATTORNEY_ID, replace(reviewed, proposal=replace(
        reviewed.proposal, reviewed=False)))  # fmt: skip
    early = pack_rule("us-regf", ATTORNEY_ID).run(
        attorney_case(fallback - SECOND, history=(letter,), reviewed=True)
    )
    assert early is not None and early.until == fallback


def test_an_attorney_who_answered_keeps_the_consumer_out_of_reach() -> None:
    letter = Contact(Channel.LETTER, ASKED, Outcome.SENT, party="A1")
    answer = Contact(Channel.CALL, ASKED + timedelta(days=5), Outcome.CONVERSATION,
                     direction=Direction.INBOUND, party="A1")  # fmt: skip
    late = attorney_case(ASKED + timedelta(days=60), history=(letter, answer), reviewed=True)
    assert blocked("us-regf", ATTORNEY_ID, late)


def test_an_attorney_fallback_shorter_than_thirty_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 30"):
        AttorneyParams(fallback_days=29)
    text = read_pack_text("us-regf").replace("fallback_days: 30", "fallback_days: 29")
    pack, findings = parse_pack(text)
    assert pack is None and any("at least 30" in str(f) for f in findings)


# -- us.regf.dispute_hold ----------------------------------------------------------------
DISPUTED = Hold(HoldKind.DISPUTE, datetime(2025, 4, 1, tzinfo=UTC),
                end=datetime(2025, 4, 20, 14, 0, tzinfo=UTC), debt="D1")  # fmt: skip
DISPUTE_ID = "us.regf.dispute_hold"


def test_a_disputed_debt_is_not_collected_until_the_verification_is_sent() -> None:
    assert blocked("us-regf", DISPUTE_ID, case(DISPUTED.end - SECOND, DISPUTED))  # type: ignore[operator]
    assert not blocked("us-regf", DISPUTE_ID, case(DISPUTED.end, DISPUTED))  # type: ignore[arg-type]


def test_a_flexible_contact_during_a_dispute_is_deferred_to_the_verification() -> None:
    scenario = case(datetime(2025, 4, 10, 15, 0, tzinfo=UTC), DISPUTED, flexible=True)
    decision = decide(scenario, [pack_rule("us-regf", DISPUTE_ID)])
    assert (decision.verdict, decision.not_before) == (Verdict.DEFER, DISPUTED.end)


def test_the_verification_itself_and_other_debts_go_during_a_dispute() -> None:
    at = datetime(2025, 4, 10, 15, 0, tzinfo=UTC)
    verification = case(at, DISPUTED, channel=Channel.LETTER, purpose=Purpose.VALIDATION_NOTICE)
    assert not blocked("us-regf", DISPUTE_ID, verification)
    assert not blocked("us-regf", DISPUTE_ID, case(at, DISPUTED, debts=("D2",)))


# -- house.bankruptcy, house.deceased, house.hardship_hold -------------------------------
AT = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)


def test_bankruptcy_stays_collection_but_not_a_call_to_the_consumers_attorney() -> None:
    filed = Hold(HoldKind.BANKRUPTCY, AT - timedelta(days=3))
    assert blocked("house", "house.bankruptcy", case(AT, filed))
    lawyer = case(AT, filed, third_parties=(LAWYER,), party="A1", role=Role.ATTORNEY)
    assert not blocked("house", "house.bankruptcy", lawyer)


def test_a_bankruptcy_that_ended_by_dismissal_no_longer_holds() -> None:
    dismissed = Hold(HoldKind.BANKRUPTCY, AT - timedelta(days=90), end=AT)
    assert not blocked("house", "house.bankruptcy", case(AT, dismissed))
    assert blocked("house", "house.bankruptcy", case(AT - SECOND, dismissed))


def test_a_deceased_consumers_debt_is_taken_up_only_with_the_executor() -> None:
    died = Hold(HoldKind.DECEASED, AT - timedelta(days=10))
    executor = ThirdParty("E1", Role.EXECUTOR)
    assert blocked("house", "house.deceased", case(AT, died))
    assert not blocked("house", "house.deceased", case(AT, died, third_parties=(executor,),
                                                          party="E1"))  # fmt: skip
    widow = case(AT, died, party="S1", role=Role.SPOUSE)
    assert blocked("house", "house.deceased", widow)


def test_a_hardship_pause_holds_contact_until_its_end_but_lets_a_statement_go() -> None:
    pause = Hold(HoldKind.HARDSHIP, AT - timedelta(days=10), end=AT + timedelta(days=20))
    assert blocked("house", "house.hardship_hold", case(AT, pause))
    assert not blocked("house", "house.hardship_hold", case(pause.end, pause))  # type: ignore[arg-type]
    statement = case(AT, pause, channel=Channel.LETTER, purpose=Purpose.INFORMATION)
    assert not blocked("house", "house.hardship_hold", statement)


# -- uk.bs.standard, uk.bs.mental_health (scenario 14) -----------------------------------
NOTIFIED = datetime(2025, 9, 1, 11, 0, tzinfo=LONDON)
SPACE = Hold(HoldKind.BREATHING_SPACE, NOTIFIED)
BS_ID = "uk.bs.standard"


def sms(at: datetime, *holds: Hold, **fields: object) -> Scenario:
    return case(at, *holds, channel=Channel.SMS, **fields)  # type: ignore[arg-type]


def test_scenario_14_a_payment_demand_sms_during_breathing_space_is_denied() -> None:
    decision = decide(sms(datetime(2025, 9, 15, 10, 0, tzinfo=LONDON), SPACE),
                      [pack_rule("uk-conc", BS_ID)])  # fmt: skip
    assert (decision.verdict, decision.rule) == (Verdict.DENY, BS_ID)
    assert decision.not_before == datetime(2025, 11, 1, 0, 0, tzinfo=LONDON)


def test_scenario_14_an_interest_posting_during_breathing_space_is_denied() -> None:
    posting = case(datetime(2025, 9, 30, tzinfo=LONDON), SPACE, channel=Channel.LETTER,
                   purpose=Purpose.INTEREST_POSTING)  # fmt: skip
    assert blocked("uk-conc", BS_ID, posting)


def test_scenario_14_the_sms_after_the_sixty_days_is_allowed() -> None:
    assert not blocked("uk-conc", BS_ID, sms(datetime(2025, 11, 1, 10, 0, tzinfo=LONDON), SPACE))


def test_breathing_space_holds_through_day_60_after_notification_and_lifts_on_day_61() -> None:
    day_60_last_second = datetime(2025, 10, 31, 23, 59, 59, tzinfo=LONDON)
    assert blocked("uk-conc", BS_ID, sms(day_60_last_second, SPACE))
    assert not blocked("uk-conc", BS_ID, sms(day_60_last_second + SECOND, SPACE))


def test_breathing_space_does_not_start_before_the_notification() -> None:
    assert not blocked("uk-conc", BS_ID, sms(NOTIFIED - SECOND, SPACE))
    assert blocked("uk-conc", BS_ID, sms(NOTIFIED, SPACE))


def test_a_flexible_demand_in_breathing_space_is_deferred_to_the_first_day_after_it() -> None:
    decision = decide(sms(datetime(2025, 9, 15, 10, 0, tzinfo=LONDON), SPACE, flexible=True),
                      [pack_rule("uk-conc", BS_ID)])  # fmt: skip
    assert decision.verdict is Verdict.DEFER
    assert decision.not_before == datetime(2025, 11, 1, 0, 0, tzinfo=LONDON)


def test_contact_that_demands_nothing_goes_during_breathing_space() -> None:
    statement = sms(datetime(2025, 9, 15, 10, 0, tzinfo=LONDON), SPACE, purpose=Purpose.INFORMATION)
    assert not blocked("uk-conc", BS_ID, statement)


def test_a_breathing_space_ended_early_lifts_at_its_recorded_end() -> None:
    cancelled = replace(SPACE, end=datetime(2025, 9, 20, 12, 0, tzinfo=LONDON))
    assert not blocked(
        "uk-conc", BS_ID, sms(datetime(2025, 9, 20, 12, 0, tzinfo=LONDON), cancelled)
    )
    assert blocked("uk-conc", BS_ID, sms(datetime(2025, 9, 20, 11, 59, tzinfo=LONDON), cancelled))


def test_a_breathing_space_on_one_debt_leaves_demands_about_another_alone() -> None:
    on_d1 = replace(SPACE, debt="D1")
    at = datetime(2025, 9, 15, 10, 0, tzinfo=LONDON)
    assert not blocked("uk-conc", BS_ID, sms(at, on_d1, debts=("D2",)))
    assert blocked("uk-conc", BS_ID, sms(at, on_d1, debts=("D1",)))


def test_a_mental_health_crisis_breathing_space_lasts_until_its_end_is_notified() -> None:
    crisis = Hold(HoldKind.MENTAL_HEALTH_CRISIS, NOTIFIED)
    years_later = datetime(2027, 9, 1, 10, 0, tzinfo=LONDON)
    decision = decide(sms(years_later, crisis, flexible=True),
                      [pack_rule("uk-conc", "uk.bs.mental_health")])  # fmt: skip
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "uk.bs.mental_health")
    ended = replace(crisis, end=datetime(2025, 12, 1, tzinfo=LONDON))
    assert not blocked("uk-conc", "uk.bs.mental_health", sms(ended.end, ended))  # type: ignore[arg-type]
    assert not blocked("uk-conc", BS_ID, sms(years_later, crisis))  # not a standard one


# -- us.regf.time_barred -----------------------------------------------------------------
BARRED_ON = date(2025, 7, 1)
# The date begins first at UTC+14: 2025-06-30 10:00 UTC.
FIRST_MOMENT = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)


def suit(at: datetime, **fields: object) -> Scenario:
    owed = (Debt("D1", time_barred_on=BARRED_ON), Debt("D2"))
    return case(at, owed=owed, channel=Channel.LETTER, purpose=Purpose.LEGAL_ACTION, **fields)  # type: ignore[arg-type]


def test_no_suit_on_a_debt_from_the_first_moment_its_time_barred_date_begins() -> None:
    assert blocked("us-regf", "us.regf.time_barred", suit(FIRST_MOMENT))
    assert not blocked("us-regf", "us.regf.time_barred", suit(FIRST_MOMENT - SECOND))


def test_a_time_barred_debt_may_still_be_asked_for_and_another_debt_sued_on() -> None:
    later = datetime(2025, 8, 1, tzinfo=UTC)
    asking = replace(
        suit(later), proposal=replace(suit(later).proposal, purpose=Purpose.COLLECTION)
    )
    assert not blocked("us-regf", "us.regf.time_barred", asking)
    assert not blocked("us-regf", "us.regf.time_barred", suit(later, debts=("D2",)))
