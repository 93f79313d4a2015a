"""Content checks: what a contact's text must say and must not say, judged with the
shipped packs' parameters (reference: regulation.md; scenario 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.domain.compliance.checks_content import (
    ForbiddenWordingParams,
    IdentifyInstitutionParams,
    OptOutTextParams,
    forbidden_wording,
    identify_institution,
    optout_text,
)
from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import Channel, Debt, Person, Proposal, Purpose, Role, Scenario
from arrears.domain.compliance.rules import Rule

AT = datetime(2025, 6, 2, 20, 0, tzinfo=UTC)  # 15:00 in Chicago
US_SMS = "This is a communication from a debt collector. Your payment is due."


@cache
def pack_rule(pack: str, rule_id: str) -> Rule:
    loaded, findings = parse_pack(read_pack_text(pack))
    assert loaded is not None, findings
    return next(rule for rule in loaded.rules if rule.id == rule_id)


def scenario(channel: Channel, text: str | None, **fields: object) -> Scenario:
    proposal = Proposal(channel, AT, text=text, **fields)  # type: ignore[arg-type]
    return Scenario(Person("B1"), proposal, debts=(Debt("D1"),), lender="招商银行")


def blocked(pack: str, rule_id: str, case: Scenario) -> bool:
    return pack_rule(pack, rule_id).run(case) is not None


# -- us.regf.electronic_optout_notice ----------------------------------------------------
def test_scenario_5_an_sms_without_opt_out_text_is_denied_under_that_rule() -> None:
    decision = decide(
        scenario(Channel.SMS, US_SMS), [pack_rule("us-regf", "us.regf.electronic_optout_notice")]
    )
    assert (decision.verdict.value, decision.rule) == ("deny", "us.regf.electronic_optout_notice")
    assert decision.not_before is None


@pytest.mark.parametrize(
    "text",
    [US_SMS + " Reply STOP to opt out.", US_SMS + " reply stop", US_SMS + " Reply ＳＴＯＰ to end"],
)
def test_an_sms_with_the_opt_out_phrase_in_any_case_or_width_is_allowed(text: str) -> None:
    assert not blocked("us-regf", "us.regf.electronic_optout_notice", scenario(Channel.SMS, text))


def test_an_email_needs_an_unsubscribe_element_too() -> None:
    rule_id = "us.regf.electronic_optout_notice"
    assert blocked("us-regf", rule_id, scenario(Channel.EMAIL, "Dear customer, pay today."))
    assert not blocked("us-regf", rule_id, scenario(Channel.EMAIL, "Pay today. Unsubscribe: link"))


def test_a_word_that_only_begins_with_the_phrase_is_not_an_opt_out() -> None:
    text = US_SMS + " Reply stopped working? Call us."
    assert blocked("us-regf", "us.regf.electronic_optout_notice", scenario(Channel.SMS, text))


def test_a_call_or_an_unrendered_sms_is_not_judged_for_opt_out_text() -> None:
    params = OptOutTextParams()
    assert optout_text(scenario(Channel.CALL, "no opt-out here"), params) is None
    assert optout_text(scenario(Channel.SMS, None), params) is None


def test_the_house_pack_accepts_the_chinese_unsubscribe_instruction() -> None:
    assert not blocked(
        "house", "house.optout_text", scenario(Channel.SMS, "【招商银行】请按时还款，回复TD退订")
    )
    assert blocked("house", "house.optout_text", scenario(Channel.SMS, "【招商银行】请按时还款"))


# -- us.regf.mini_miranda ----------------------------------------------------------------
CLASSIC = "We are attempting to collect a debt and any information obtained will be used for that purpose."
MODEL_FORM = (
    "Mega Collectors is a debt collector. We are trying to collect a debt that you owe to "
    "Bank of Rockville. We will use any information you give us to help collect the debt."
)


@pytest.mark.parametrize("text", [CLASSIC, MODEL_FORM])
def test_an_initial_letter_with_the_full_disclosure_is_allowed(text: str) -> None:
    case = scenario(Channel.LETTER, text, initial=True)
    assert not blocked("us-regf", "us.regf.mini_miranda", case)


def test_an_initial_letter_missing_the_use_of_information_is_denied() -> None:
    case = scenario(
        Channel.LETTER, "This is from a debt collector attempting to collect a debt.", initial=True
    )
    assert blocked("us-regf", "us.regf.mini_miranda", case)


def test_a_later_sms_needs_only_to_say_it_is_from_a_debt_collector() -> None:
    assert not blocked("us-regf", "us.regf.mini_miranda", scenario(Channel.SMS, US_SMS))
    assert blocked("us-regf", "us.regf.mini_miranda", scenario(Channel.SMS, "Your payment is due."))


def test_a_voicemail_and_a_location_contact_are_not_judged_for_the_mini_miranda() -> None:
    rule_id = "us.regf.mini_miranda"
    assert not blocked("us-regf", rule_id, scenario(Channel.VOICEMAIL, "Please call Jane back."))
    location = scenario(
        Channel.CALL, "Where can I reach John?", role=Role.FAMILY, purpose=Purpose.LOCATION
    )
    assert not blocked("us-regf", rule_id, location)


# -- us.regf.limited_content_message -----------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Hi, this is Jane from ABC Services, please call us back at 800-555-0100.",
        "Hello John, this message relates to an account; call Jane at 800-555-0100 after 9.",
    ],
)
def test_a_voicemail_with_only_the_limited_content_is_allowed(text: str) -> None:
    assert not blocked(
        "us-regf", "us.regf.limited_content_message", scenario(Channel.VOICEMAIL, text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "This is Jane about your overdue payment, call 800-555-0100.",
        "This is Jane from ABC Collections, call 800-555-0100.",
        "Please call Jane at 800-555-0100 about the $120.",
    ],
)
def test_a_voicemail_naming_a_debt_or_an_amount_is_denied(text: str) -> None:
    assert blocked("us-regf", "us.regf.limited_content_message", scenario(Channel.VOICEMAIL, text))


def test_a_call_script_is_not_held_to_the_limited_content() -> None:
    assert not blocked(
        "us-regf", "us.regf.limited_content_message", scenario(Channel.CALL, "your debt of $120")
    )


# -- cn.prohibited_conduct, us.fdcpa.abusive_wording --------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "【招商银行】再不还款就让你坐牢",
        "我们会通知你全家",
        "请转账到我的支付宝",
        "可以先去借网贷还上",
        "本通知为法院传票",
        "You will be ARRESTED tomorrow",
    ],
)
def test_threats_impersonation_borrowing_and_personal_accounts_are_denied_in_cn(text: str) -> None:
    assert blocked("cn", "cn.prohibited_conduct", scenario(Channel.SMS, text))


def test_a_polite_reminder_passes_the_forbidden_wording_check() -> None:
    text = "【招商银行】您的本期账单已到期，请通过招商银行App还款。"
    assert not blocked("cn", "cn.prohibited_conduct", scenario(Channel.SMS, text))


def test_an_english_word_inside_a_longer_word_is_not_forbidden() -> None:
    params = ForbiddenWordingParams(words=("liar",))
    assert forbidden_wording(scenario(Channel.SMS, "a familiar name"), params) is None
    assert forbidden_wording(scenario(Channel.SMS, "you liar"), params) is not None


def test_the_us_pack_forbids_threats_of_arrest() -> None:
    assert blocked(
        "us-regf", "us.fdcpa.abusive_wording", scenario(Channel.CALL, "You could be arrested.")
    )
    assert not blocked("us-regf", "us.fdcpa.abusive_wording", scenario(Channel.CALL, US_SMS))


# -- third-party scripts -----------------------------------------------------------------
def third(
    text: str, role: Role = Role.EMERGENCY_CONTACT, channel: Channel = Channel.CALL
) -> Scenario:
    return scenario(channel, text, role=role, party="C1", purpose=Purpose.LOCATION)


@pytest.mark.parametrize(
    "text",
    [
        "张三欠我们的钱，请转告他",
        "他已逾期30天",
        "请转告他准备好¥1,234.50",
        "请转告他准备 1234元",
        "He is 30 days late",
    ],
)
def test_a_script_to_a_contact_naming_the_debt_an_amount_or_days_overdue_is_denied(
    text: str,
) -> None:
    assert blocked("cn", "cn.contact_script_limits", third(text))


def test_a_script_to_a_contact_asking_only_to_pass_on_a_message_is_allowed() -> None:
    assert not blocked("cn", "cn.contact_script_limits", third("您好，请转告张三尽快回电 95555"))


def test_the_borrower_may_be_told_of_the_debt() -> None:
    assert not blocked("cn", "cn.contact_script_limits", third("您已逾期30天", role=Role.BORROWER))


def test_a_location_call_in_the_us_never_mentions_a_debt() -> None:
    rule_id = "us.regf.location_info.wording"
    assert not blocked(
        "us-regf", rule_id, third("I'm Jane; how can I reach John Smith?", Role.FAMILY)
    )
    assert blocked("us-regf", rule_id, third("It is about John's past due account.", Role.FAMILY))


def test_a_spouse_may_hear_of_the_debt_in_the_us_but_not_in_the_uk() -> None:
    text = "John's payment of £40 is late."
    assert not blocked("us-regf", "us.regf.location_info.wording", third(text, Role.SPOUSE))
    assert blocked("uk-conc", "uk.conc.third_party_privacy", third(text, Role.SPOUSE))


def test_a_uk_voicemail_to_the_borrower_must_not_name_the_debt() -> None:
    rule = pack_rule("uk-conc", "uk.conc.third_party_privacy")
    voicemail = scenario(Channel.VOICEMAIL, "About your arrears of £40, call us.")
    block = rule.run(voicemail)
    assert block is not None and "voicemail others may hear" in block.reason
    assert rule.run(scenario(Channel.VOICEMAIL, "Please call Jane on 0800 000 000.")) is None


# -- cn.identify_institution -------------------------------------------------------------
def test_a_text_naming_the_lender_is_allowed_and_one_without_it_is_denied() -> None:
    assert not blocked(
        "cn", "cn.identify_institution", scenario(Channel.SMS, "【招商银行】请按时还款")
    )
    assert blocked("cn", "cn.identify_institution", scenario(Channel.SMS, "请按时还款"))


def test_an_agency_names_itself_and_the_entrusting_lender() -> None:
    by = "华信催收"
    both = scenario(Channel.CALL, "我是华信催收，受招商银行委托", by=by)
    only_lender = scenario(Channel.CALL, "我是招商银行委托的工作人员", by=by)
    assert not blocked("cn", "cn.identify_institution", both)
    assert blocked("cn", "cn.identify_institution", only_lender)


def test_the_lender_names_in_the_params_replace_the_scenario_lender() -> None:
    params = IdentifyInstitutionParams(names=("CMB", "China Merchants Bank"))
    assert identify_institution(scenario(Channel.SMS, "CMB: please pay"), params) is None
    assert identify_institution(scenario(Channel.SMS, "招商银行: please pay"), params) is not None


def test_with_initial_only_a_later_text_is_not_judged() -> None:
    params = IdentifyInstitutionParams(initial_only=True)
    assert identify_institution(scenario(Channel.SMS, "请按时还款"), params) is None
    assert (
        identify_institution(scenario(Channel.SMS, "请按时还款", initial=True), params) is not None
    )


# -- us.regf.time_barred (wording) -------------------------------------------------------
def barred_case(at: datetime, text: str, debts: tuple[str, ...] = ()) -> Scenario:
    case = scenario(Channel.LETTER, text, debts=debts)
    expired = (Debt("D1", time_barred_on=date(2025, 6, 1)), Debt("D2"))
    return replace(case, proposal=replace(case.proposal, at=at), debts=expired)


def test_threatening_suit_on_a_time_barred_debt_is_denied() -> None:
    case = barred_case(datetime(2025, 6, 2, 15, tzinfo=UTC), "We may sue you.")
    assert blocked("us-regf", "us.regf.time_barred.wording", case)


def test_the_debt_counts_as_time_barred_once_its_date_has_begun_anywhere() -> None:
    # 09:59 UTC on 05-31 is 23:59 on 05-31 at UTC+14; 10:00 UTC is 06-01 there.
    rule_id = "us.regf.time_barred.wording"
    assert not blocked(
        "us-regf", rule_id, barred_case(datetime(2025, 5, 31, 9, 59, tzinfo=UTC), "a lawsuit")
    )
    assert blocked(
        "us-regf", rule_id, barred_case(datetime(2025, 5, 31, 10, 0, tzinfo=UTC), "a lawsuit")
    )


def test_no_threat_wording_or_a_debt_not_barred_is_allowed() -> None:
    at = datetime(2025, 6, 2, 15, tzinfo=UTC)
    rule_id = "us.regf.time_barred.wording"
    assert not blocked("us-regf", rule_id, barred_case(at, "A tissue issue: please call us."))
    assert not blocked("us-regf", rule_id, barred_case(at, "We may sue you.", debts=("D2",)))
