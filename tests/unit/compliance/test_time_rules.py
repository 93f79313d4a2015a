"""Time and place: contact hours in every candidate zone (DST days included), the
consumer's own inconvenient times and places, the workplace, and the house blackouts,
judged with the shipped packs' parameters (reference: regulation.md; scenarios 3, 4, 10
and the time part of 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_blackout import (
    HolidayParams,
    Weekday,
    WeekdayParams,
    holiday_blackout,
    weekday_blackout,
)
from arrears.domain.compliance.checks_time import ContactHoursParams, contact_hours
from arrears.domain.compliance.evaluate import Decision, decide, in_order
from arrears.domain.compliance.facts import (
    Address,
    BlockedWindow,
    Channel,
    Consent,
    Contact,
    Direction,
    Email,
    Outcome,
    Person,
    Phone,
    Preferences,
    Proposal,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.rules import Rule
from arrears.domain.compliance.zones import at_local, candidate_zones, number_zones, zone_info

LA, NY, CHI, SH = "America/Los_Angeles", "America/New_York", "America/Chicago", "Asia/Shanghai"
LA_PHONE, NY_PHONE = "+13105550100", "+12125550100"
US_TIME = (
    "us.regf.inconvenient_time",
    "us.regf.ambiguous_location",
    "us.regf.designated_inconvenient",
    "us.regf.place_of_employment",
)


@cache
def pack_rules(pack: str) -> dict[str, Rule]:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return {rule.id: rule for rule in loaded.rules}


def rules(pack: str, *ids: str) -> list[Rule]:
    return in_order([pack_rules(pack)[rule_id] for rule_id in ids])


def local(zone: str, text: str) -> datetime:
    """A wall time in ``zone`` (DST resolved by zoneinfo, first of two on fall-back)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def case(
    at: datetime, channel: Channel = Channel.CALL, person: Person | None = None, **proposal: object
) -> Scenario:
    who = person or Person("B1", zones=(LA,))
    return Scenario(who, Proposal(channel, at, **proposal))  # type: ignore[arg-type]


def us(scenario: Scenario) -> Decision:
    return decide(scenario, rules("us-regf", *US_TIME))


def verdict(decision: Decision) -> tuple[str, str]:
    return decision.verdict.value, decision.rule


ALLOWED = ("allow", "all_rules_pass")


# -- us.regf.inconvenient_time: scenario 3 (Los Angeles only, 2025-06-02) ----------------
@pytest.mark.parametrize(
    ("wall", "channel", "expected"),
    [
        ("07:59", Channel.CALL, "deny"),
        ("08:00", Channel.CALL, "allow"),
        ("08:01", Channel.CALL, "allow"),
        ("20:59", Channel.CALL, "allow"),
        ("21:00", Channel.CALL, "deny"),
        ("21:30", Channel.SMS, "deny"),
        ("21:30", Channel.EMAIL, "deny"),
        ("06:00", Channel.FIELD_VISIT, "deny"),
    ],
)
def test_scenario_3_contact_hours_in_los_angeles(
    wall: str, channel: Channel, expected: str
) -> None:
    decision = us(case(local(LA, f"2025-06-02T{wall}"), channel))
    assert decision.verdict.value == expected
    if expected == "deny":
        assert decision.rule == "us.regf.inconvenient_time"


def test_a_call_at_21_00_may_be_made_at_08_00_the_next_morning_local() -> None:
    decision = us(case(local(LA, "2025-06-02T21:00")))
    assert decision.not_before == local(LA, "2025-06-03T08:00")
    assert "21:00 on Mon 2025-06-02 in America/Los_Angeles" in decision.reason


def test_a_flexible_proposal_at_night_is_deferred_to_the_morning() -> None:
    decision = us(case(local(LA, "2025-06-02T23:15"), flexible=True))
    assert (decision.verdict.value, decision.not_before) == ("defer", local(LA, "2025-06-03T08:00"))


def test_a_letter_is_not_judged_by_the_hour() -> None:
    assert verdict(us(case(local(LA, "2025-06-02T23:30"), Channel.LETTER))) == ALLOWED


def test_the_end_boundary_may_be_made_inclusive_by_a_parameter() -> None:
    params = ContactHoursParams(end_inclusive=True, default_zone=LA)
    assert contact_hours(case(local(LA, "2025-06-02T21:00")), params) is None
    assert contact_hours(case(local(LA, "2025-06-02T21:00:01")), params) is not None


def test_an_exclusive_start_opens_a_minute_after_it() -> None:
    params = ContactHoursParams(start_inclusive=False, default_zone=LA)
    block = contact_hours(case(local(LA, "2025-06-02T08:00")), params)
    assert block is not None and block.until == local(LA, "2025-06-02T08:01")


# -- daylight saving days in US zones ----------------------------------------------------
@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        ("2025-03-09T11:59:00", "deny"),  # 07:59 EDT: clocks sprang forward at 02:00
        ("2025-03-09T12:00:00", "allow"),  # 08:00 EDT (08:00 EST would be 13:00 UTC)
        ("2025-03-10T00:59:00", "allow"),  # 20:59 EDT
        ("2025-03-10T01:00:00", "deny"),  # 21:00 EDT
        ("2025-11-02T12:59:00", "deny"),  # 07:59 EST: clocks fell back at 02:00
        ("2025-11-02T13:00:00", "allow"),  # 08:00 EST (08:00 EDT would be 12:00 UTC)
        ("2025-11-03T01:59:00", "allow"),  # 20:59 EST
        ("2025-11-03T02:00:00", "deny"),  # 21:00 EST
    ],
)
def test_contact_hours_on_the_us_daylight_saving_days(utc: str, expected: str) -> None:
    at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    person = Person("B1", zones=(NY,))
    assert us(case(at, person=person)).verdict.value == expected


def test_a_night_call_before_spring_forward_waits_until_08_00_daylight_time() -> None:
    at = datetime(2025, 3, 9, 6, 30, tzinfo=UTC)  # 01:30 EST, half an hour before the jump
    decision = us(case(at, person=Person("B1", zones=(NY,))))
    assert decision.not_before == datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_a_night_call_in_the_repeated_hour_of_fall_back_waits_until_08_00_standard_time() -> None:
    first_0130 = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second_0130 = datetime(2025, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST
    for at in (first_0130, second_0130):
        decision = us(case(at, person=Person("B1", zones=(NY,))))
        assert decision.not_before == datetime(2025, 11, 2, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_a_wall_time_the_clocks_skip_maps_to_the_moment_they_jump() -> None:
    new_york = zone_info(NY)
    assert at_local(datetime(2025, 3, 9).date(), time(2, 30), new_york) == datetime(
        2025, 3, 9, 7, 0, tzinfo=UTC
    )
    assert at_local(datetime(2025, 11, 2).date(), time(1, 30), new_york) == datetime(
        2025, 11, 2, 5, 30, tzinfo=UTC
    )


def test_agreed_hours_opening_in_the_skipped_hour_open_when_the_clocks_jump() -> None:
    window = Consent("hours", datetime(2025, 1, 1, tzinfo=UTC), window=(time(2, 30), time(23)))
    person = Person("B1", zones=(NY,), consents=(window,))
    block = contact_hours(case(local(NY, "2025-03-09T01:00"), person=person), ContactHoursParams())
    assert block is not None and block.until == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)


# -- us.regf.ambiguous_location: a phone in Pacific, an address in Eastern ---------------
PACIFIC_AND_EASTERN = Person("B1", address=Address(zone=NY), phones=(Phone(LA_PHONE),))


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        ("10:59", ("deny", "us.regf.ambiguous_location")),
        ("11:00", ALLOWED),
        ("20:59", ALLOWED),
        ("21:00", ("deny", "us.regf.inconvenient_time")),
        ("07:30", ("deny", "us.regf.inconvenient_time")),
    ],
)
def test_with_a_pacific_phone_and_an_eastern_address_only_11_to_21_eastern_is_allowed(
    wall: str, expected: tuple[str, str]
) -> None:
    at = local(NY, f"2025-06-02T{wall}")
    assert verdict(us(case(at, person=PACIFIC_AND_EASTERN, to=LA_PHONE))) == expected


def test_an_early_eastern_call_is_moved_past_both_zones_to_11_00_eastern() -> None:
    decision = us(case(local(NY, "2025-06-02T07:30"), person=PACIFIC_AND_EASTERN, flexible=True))
    assert (decision.verdict.value, decision.not_before) == ("defer", local(NY, "2025-06-02T11:00"))


def test_the_ambiguous_location_block_names_the_other_zone_and_its_local_time() -> None:
    decision = us(case(local(NY, "2025-06-02T10:00"), person=PACIFIC_AND_EASTERN))
    assert "07:00 on Mon 2025-06-02 in America/Los_Angeles (phone +13105550100)" in decision.reason
    assert decision.not_before == local(NY, "2025-06-02T11:00")


def test_the_candidate_zones_are_stored_zones_the_address_and_every_phone() -> None:
    person = Person(
        "B1",
        zones=(CHI,),
        address=Address(zone=NY),
        phones=(Phone(LA_PHONE), Phone("+15205550100", zone="America/Denver")),
    )
    zones = [
        c.zone for c in candidate_zones(case(local(NY, "2025-06-02T12:00"), person=person), SH)
    ]
    assert zones == [CHI, NY, LA, "America/Denver"]


def test_the_number_dialled_comes_before_the_other_phones() -> None:
    person = Person("B1", phones=(Phone(LA_PHONE), Phone(NY_PHONE)))
    scenario = case(local(NY, "2025-06-02T12:00"), person=person, to=NY_PHONE)
    assert [c.zone for c in candidate_zones(scenario, SH)] == [NY, LA]


def test_a_toll_free_number_a_dead_number_and_an_unplaceable_one_give_no_zone() -> None:
    assert number_zones("+18005550100") == ()  # 42 zones say nothing of where one is
    assert number_zones("+447700900123") == ()  # Etc/Unknown
    person = Person("B1", phones=(Phone(LA_PHONE, invalid=True), Phone("+18005550100")))
    zones = candidate_zones(case(local(NY, "2025-06-02T12:00"), person=person), CHI)
    assert [(c.zone, c.source) for c in zones] == [(CHI, "the pack's zone")]


def test_zones_twelve_hours_apart_share_one_hour() -> None:
    person = Person("B1", zones=(NY, SH))  # summer: 20:00–21:00 ET is 08:00–09:00 there
    block = contact_hours(case(local(NY, "2025-06-02T12:00"), person=person), ContactHoursParams())
    assert block is not None and block.until == local(NY, "2025-06-02T20:00")


def test_windows_that_never_overlap_leave_no_lawful_time_and_the_block_lasts() -> None:
    agreed = Consent("hours", local(NY, "2025-01-01T12:00"), window=(time(9), time(12)))
    person = Person("B1", zones=(NY, LA), consents=(agreed,))  # 09–12 ET is 06–09 PT
    block = contact_hours(case(local(NY, "2025-06-02T10:00"), person=person), ContactHoursParams())
    assert block is not None and block.until is None
    assert "no time suits every candidate zone" in block.reason


def test_a_third_party_is_judged_in_the_zones_of_their_own_phones() -> None:
    contact = ThirdParty("E1", Role.EMERGENCY_CONTACT, phones=(Phone(LA_PHONE),))
    person = Person("B1", zones=(NY,), third_parties=(contact,))
    at = local(NY, "2025-06-02T10:00")  # 07:00 in Los Angeles
    scenario = case(at, person=person, party="E1", role=Role.EMERGENCY_CONTACT, to=LA_PHONE)
    assert verdict(us(scenario)) == ("deny", "us.regf.inconvenient_time")


# -- consent and agreed hours (us.regf.consent; cn "unless the debtor agreed") -----------
AGREED = Consent("hours", local(LA, "2025-05-01T12:00"), window=(time(7), time(22)))


@pytest.mark.parametrize(
    ("consent", "wall", "expected"),
    [
        (AGREED, "21:30", "allow"),
        (AGREED, "07:00", "allow"),
        (AGREED, "22:00", "deny"),
        (replace(AGREED, window=None), "23:30", "allow"),
        (replace(AGREED, in_compliant_contact=False), "21:30", "deny"),
        (replace(AGREED, end=local(LA, "2025-06-01T00:00")), "21:30", "deny"),
        (replace(AGREED, start=local(LA, "2025-06-03T00:00")), "21:30", "deny"),
        (replace(AGREED, channel=Channel.SMS), "21:30", "deny"),
        (replace(AGREED, scope="workplace"), "21:30", "deny"),
    ],
)
def test_agreed_hours_replace_the_limit_only_while_in_force(
    consent: Consent, wall: str, expected: str
) -> None:
    person = Person("B1", zones=(LA,), consents=(consent,))
    assert us(case(local(LA, f"2025-06-02T{wall}"), person=person)).verdict.value == expected


# -- cn.contact_hours: scenario 10 and the time part of 13 (Asia/Shanghai) ---------------
@pytest.mark.parametrize(
    ("wall", "channel", "expected"),
    [
        ("2025-08-01T21:59", Channel.CALL, "allow"),
        ("2025-08-01T22:00", Channel.CALL, "deny"),
        ("2025-08-01T07:59", Channel.CALL, "deny"),
        ("2025-08-01T08:00", Channel.CALL, "allow"),
        ("2025-08-01T23:00", Channel.SMS, "deny"),
        ("2025-08-01T07:30", Channel.FIELD_VISIT, "deny"),
        ("2025-08-01T10:00", Channel.FIELD_VISIT, "allow"),
    ],
)
def test_scenario_10_contact_hours_in_shanghai(wall: str, channel: Channel, expected: str) -> None:
    decision = decide(case(local(SH, wall), channel, Person("B1")), rules("cn", "cn.contact_hours"))
    assert decision.verdict.value == expected
    if expected == "deny":
        assert decision.rule == "cn.contact_hours"


def test_a_chinese_debtor_abroad_is_judged_in_their_own_zone() -> None:
    person = Person("B1", zones=("Europe/London",))
    at = local("Europe/London", "2025-08-01T21:30")  # 04:30 next day in Shanghai
    assert decide(case(at, person=person), rules("cn", "cn.contact_hours")).verdict.value == "allow"


def test_a_cn_call_at_22_00_is_deferred_to_08_00_shanghai() -> None:
    decision = decide(
        case(local(SH, "2025-08-01T22:00"), person=Person("B1"), flexible=True),
        rules("cn", "cn.contact_hours"),
    )
    assert decision.not_before == local(SH, "2025-08-02T08:00")


# -- uk.conc.contact_times: house default hours plus the customer's requests -------------
def test_uk_contact_times_honour_the_customers_inconvenient_hours() -> None:
    evenings = BlockedWindow(time(18), time(21))
    person = Person("B1", zones=("Europe/London",), preferences=Preferences(blocked=(evenings,)))
    uk = rules("uk-conc", "uk.conc.contact_times")
    at = local("Europe/London", "2025-06-02T19:00")
    decision = decide(case(at, person=person), uk)
    assert verdict(decision) == ("deny", "uk.conc.contact_times")
    # 21:00, where the window ends, is outside the house hours: the next lawful is 08:00.
    assert decision.not_before == local("Europe/London", "2025-06-03T08:00")
    assert decide(case(at, person=Person("B1", zones=("Europe/London",))), uk).verdict.value == (
        "allow"
    )


def test_uk_contact_at_21_00_is_outside_the_house_default() -> None:
    at = local("Europe/London", "2025-06-02T21:00")
    person = Person("B1", zones=("Europe/London",))
    assert verdict(decide(case(at, person=person), rules("uk-conc", "uk.conc.contact_times"))) == (
        "deny",
        "uk.conc.contact_times",
    )


# -- us.regf.designated_inconvenient: scenario 4 and the reply exception -----------------
NOT_BEFORE_NOON = BlockedWindow(time(0), time(12), since=local(CHI, "2025-04-01T12:00"))
CHICAGOAN = Person(
    "B1",
    zones=(CHI,),
    phones=(Phone("+13125550100"), Phone("+13125550199", work=True)),
    preferences=Preferences(blocked=(NOT_BEFORE_NOON,)),
)


def test_scenario_4_a_call_at_10_after_not_before_noon_is_denied_until_noon() -> None:
    decision = us(case(local(CHI, "2025-04-03T10:00"), person=CHICAGOAN))
    assert verdict(decision) == ("deny", "us.regf.designated_inconvenient")
    assert decision.not_before == local(CHI, "2025-04-03T12:00")
    assert "named 00:00–12:00 as inconvenient on 2025-04-01" in decision.reason


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2025-04-03T11:59", "deny"),
        ("2025-04-03T12:00", "allow"),
        ("2025-04-01T10:00", "allow"),  # before the consumer said it
    ],
)
def test_not_before_noon_binds_from_when_it_was_said_until_noon(at: str, expected: str) -> None:
    assert us(case(local(CHI, at), person=CHICAGOAN)).verdict.value == expected


def test_a_window_for_some_weekdays_binds_only_on_those_days() -> None:
    saturday_mornings = BlockedWindow(time(8), time(13), weekdays=(5,))
    person = Person("B1", zones=(CHI,), preferences=Preferences(blocked=(saturday_mornings,)))
    assert us(case(local(CHI, "2025-06-07T09:00"), person=person)).verdict.value == "deny"
    assert us(case(local(CHI, "2025-06-06T09:00"), person=person)).verdict.value == "allow"


def test_a_window_for_texts_does_not_bind_calls() -> None:
    window = BlockedWindow(time(8), time(13), channel=Channel.SMS)
    person = Person("B1", zones=(CHI,), preferences=Preferences(blocked=(window,)))
    assert us(case(local(CHI, "2025-06-02T09:00"), person=person)).verdict.value == "allow"
    sms = case(local(CHI, "2025-06-02T09:00"), Channel.SMS, person=person)
    assert us(sms).verdict.value == "deny"


def test_a_window_past_midnight_binds_until_its_end_the_next_morning() -> None:
    nights = BlockedWindow(time(20), time(10))
    person = Person("B1", zones=(CHI,), preferences=Preferences(blocked=(nights,)))
    decision = us(case(local(CHI, "2025-06-02T20:30"), person=person, flexible=True))
    assert decision.not_before == local(CHI, "2025-06-03T10:00")


INBOUND_AT_9 = Contact(
    Channel.CALL, local(CHI, "2025-04-03T09:00"), Outcome.CONVERSATION, Direction.INBOUND
)


def test_one_reply_in_the_same_medium_to_a_call_the_consumer_made_in_the_window_is_allowed() -> (
    None
):
    reply = replace(case(local(CHI, "2025-04-03T09:10"), person=CHICAGOAN), history=(INBOUND_AT_9,))
    assert verdict(us(reply)) == ALLOWED


def test_a_second_reply_or_a_reply_in_another_medium_is_denied() -> None:
    replied = Contact(Channel.CALL, local(CHI, "2025-04-03T09:10"), Outcome.NO_ANSWER)
    second = case(local(CHI, "2025-04-03T09:30"), person=CHICAGOAN)
    assert us(replace(second, history=(INBOUND_AT_9, replied))).verdict.value == "deny"
    by_text = case(local(CHI, "2025-04-03T09:10"), Channel.SMS, person=CHICAGOAN)
    assert us(replace(by_text, history=(INBOUND_AT_9,))).verdict.value == "deny"


def test_a_consumer_call_outside_the_window_opens_no_exception() -> None:
    afternoon = replace(INBOUND_AT_9, at=local(CHI, "2025-04-02T15:00"))
    proposal = case(local(CHI, "2025-04-03T09:10"), person=CHICAGOAN)
    assert us(replace(proposal, history=(afternoon,))).verdict.value == "deny"


def test_a_later_direct_consent_lifts_a_designated_window() -> None:
    consent = Consent("hours", local(CHI, "2025-04-02T15:00"), window=(time(9), time(12)))
    person = replace(CHICAGOAN, consents=(consent,))
    assert us(case(local(CHI, "2025-04-03T10:00"), person=person)).verdict.value == "allow"
    assert us(case(local(CHI, "2025-04-03T08:30"), person=person)).verdict.value == "deny"
    earlier = replace(consent, start=local(CHI, "2025-03-15T12:00"))
    person = replace(CHICAGOAN, consents=(earlier,))
    assert us(case(local(CHI, "2025-04-03T10:00"), person=person)).verdict.value == "deny"


def test_not_at_work_blocks_the_work_phone_and_not_the_home_phone() -> None:
    person = replace(CHICAGOAN, preferences=Preferences(places_blocked=("work",)))
    at = local(CHI, "2025-06-02T14:00")
    work = us(case(at, person=person, to="+13125550199"))
    assert verdict(work) == ("deny", "us.regf.designated_inconvenient")
    assert work.not_before is None  # waiting does not help: use another number
    assert verdict(us(case(at, person=person, to="+13125550100"))) == ALLOWED


def test_not_at_home_blocks_a_visit_to_the_home_address() -> None:
    home = Preferences(places_blocked=("home",))
    person = Person("B1", zones=(CHI,), address=Address("1 Main St"), preferences=home)
    visit = case(local(CHI, "2025-06-02T14:00"), Channel.FIELD_VISIT, person=person)
    assert verdict(us(visit)) == ("deny", "us.regf.designated_inconvenient")


# -- us.regf.place_of_employment ---------------------------------------------------------
def worker(*, prohibits: bool = True, **person: object) -> Person:
    return Person(
        "B1",
        zones=(CHI,),
        phones=(Phone("+13125550199", work=True, employer_prohibits=prohibits),),
        emails=(Email("jo@employer.example", employer_provided=True),),
        **person,  # type: ignore[arg-type]
    )


AT_WORK_HOURS = local(CHI, "2025-06-02T14:00")


def test_a_call_or_text_to_a_work_phone_whose_employer_prohibits_it_is_denied_for_good() -> None:
    for channel in (Channel.CALL, Channel.SMS):
        decision = us(case(AT_WORK_HOURS, channel, person=worker(), to="+13125550199"))
        assert verdict(decision) == ("deny", "us.regf.place_of_employment")
        assert decision.not_before is None


def test_a_work_phone_without_a_prohibition_may_be_called() -> None:
    scenario = case(AT_WORK_HOURS, person=worker(prohibits=False), to="+13125550199")
    assert verdict(us(scenario)) == ALLOWED


def test_an_employer_email_is_denied_unless_the_consumer_used_it_or_consented() -> None:
    rule = ("deny", "us.regf.place_of_employment")
    email = case(AT_WORK_HOURS, Channel.EMAIL, person=worker(), to="jo@employer.example")
    assert verdict(us(email)) == rule
    written_from = Email("jo@employer.example", employer_provided=True, used_by_consumer=True)
    used = replace(worker(), emails=(written_from,))
    assert verdict(us(replace(email, person=used))) == ALLOWED
    consented = replace(worker(), consents=(Consent("workplace", local(CHI, "2025-05-01T12:00")),))
    assert verdict(us(replace(email, person=consented))) == ALLOWED


def test_a_visit_to_a_workplace_whose_employer_prohibits_visits_is_denied() -> None:
    office = Address("200 Wacker Dr", zone=CHI, work=True, employer_prohibits=True)
    visit = case(AT_WORK_HOURS, Channel.FIELD_VISIT, person=Person("B1", address=office))
    assert verdict(us(visit)) == ("deny", "us.regf.place_of_employment")
    allowed = replace(office, employer_prohibits=False)
    assert verdict(us(replace(visit, person=Person("B1", address=allowed)))) == ALLOWED


# -- house blackouts ---------------------------------------------------------------------
def test_house_no_calls_on_sunday_in_local_time_until_monday() -> None:
    house = rules("house", "house.no_sunday_calls")
    person = Person("B1", zones=(CHI,))
    sunday = decide(case(local(CHI, "2025-06-01T14:00"), person=person, flexible=True), house)
    assert (sunday.verdict.value, sunday.rule) == ("defer", "house.no_sunday_calls")
    assert sunday.not_before == local(CHI, "2025-06-02T00:00")
    monday = case(local(CHI, "2025-06-02T00:00"), person=person)
    assert decide(monday, house).verdict.value == "allow"
    sms = case(local(CHI, "2025-06-01T14:00"), Channel.SMS, person=person)
    assert decide(sms, house).verdict.value == "allow"


def test_a_weekday_blackout_counts_the_local_date_in_every_candidate_zone() -> None:
    # Monday 01:00 in New York is still Sunday 22:00 in Los Angeles.
    person = Person("B1", zones=(NY, LA))
    block = weekday_blackout(
        case(local(NY, "2025-06-02T01:00"), person=person), WeekdayParams((Weekday.SUNDAY,))
    )
    assert block is not None and block.until == local(LA, "2025-06-02T00:00")


def test_the_holiday_blackout_is_only_flagged_in_the_shipped_house_pack() -> None:
    person = Person("B1", address=Address(country="CN", zone=SH))
    decision = decide(
        case(local(SH, "2025-10-01T10:00"), person=person), rules("house", "house.holiday_blackout")
    )
    assert decision.verdict.value == "allow"
    assert [note.rule for note in decision.notes] == ["house.holiday_blackout"]


def test_the_holiday_blackout_uses_the_country_and_its_subdivisions() -> None:
    boston = Person("B1", address=Address(country="US", zone=NY))
    patriots_day = case(local(NY, "2025-04-21T10:00"), person=boston)
    assert holiday_blackout(patriots_day, HolidayParams()) is None
    block = holiday_blackout(patriots_day, HolidayParams(subdivisions=("MA",)))
    assert block is not None and "Patriots' Day" in block.reason
    christmas = case(local(NY, "2025-12-25T10:00"), person=boston)
    block = holiday_blackout(christmas, HolidayParams())
    assert block is not None and block.until == local(NY, "2025-12-26T00:00")


def test_no_country_or_an_unknown_one_means_no_holidays() -> None:
    at = local(SH, "2025-10-01T10:00")
    assert holiday_blackout(case(at, person=Person("B1")), HolidayParams()) is None
    assert holiday_blackout(case(at, person=Person("B1")), HolidayParams(country="ZZ")) is None


def test_every_check_of_the_time_phase_returns_at_once_for_a_letter() -> None:
    at = local(CHI, "2025-06-01T23:00")  # Sunday night
    person = replace(CHICAGOAN, preferences=Preferences(blocked=(BlockedWindow(time(0), time(0)),)))
    letter = case(at, Channel.LETTER, person=person)
    assert verdict(us(letter)) == ALLOWED
    assert weekday_blackout(letter, WeekdayParams()) is None
