"""The message templates: checked at load (every problem, with file and line), rendered with
money and dates by locale, SMS encoding and segments, the packs' opt-out sentence."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import arrears
from arrears.adapters.policy_files import parse_pack, shipped_text
from arrears.adapters.strategy_files import parse_strategy
from arrears.adapters.templates import TemplateBook
from arrears.adapters.templates.checks import SAMPLE_SENDER
from arrears.adapters.templates.formats import format_day, format_money
from arrears.domain.compliance.facts import Channel, Person, Proposal, Scenario
from arrears.domain.compliance.rules import Phase
from arrears.domain.findings import FindingCode
from arrears.domain.message_text import MessageContext, sample_contexts
from arrears.domain.money import Money
from arrears.domain.sms_text import SmsEncoding
from arrears.services import strategies
from arrears.services.message_texts import (
    InvalidTemplates,
    RenderFailed,
    UnknownTemplate,
    optout_sentence,
    templates_of,
)

SHIPPED = Path(arrears.__file__).parent / "templates"
BOOK = TemplateBook.load()
ZH_OPTOUT, EN_OPTOUT = "回复TD退订", "Reply STOP to opt out."


def context(language: str = "zh-CN", currency: str = "CNY", **changes: object) -> MessageContext:
    base = sample_contexts(SAMPLE_SENDER, language, currency)[0]
    plain = dataclasses.replace(
        base, borrower_name="王芳" if language == "zh-CN" else "Ann Lee", loan_id="L1001",
        loan_ref="1001", overdue=Money(123450, currency), outstanding=Money(2800000, currency),
        next_due_amount=Money(251496, currency), next_due_date=date(2026, 3, 5),
        days_past_due=12, bucket="M1", debt_collector=False,
    )  # fmt: skip
    return dataclasses.replace(plain, **changes)


def copy_of_shipped(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(SHIPPED, root)
    return root


def findings_of(root: Path, **options: object) -> list:
    with pytest.raises(InvalidTemplates) as raised:
        TemplateBook.load(root, **options)  # type: ignore[arg-type]
    return raised.value.findings


# -- formats --------------------------------------------------------------------------------
def test_money_is_formatted_by_locale_exactly() -> None:
    assert format_money(Money(123450, "CNY"), "zh-CN") == "¥1,234.50"
    assert format_money(Money(123450, "USD"), "en") == "$1,234.50"
    assert format_money(Money(5, "USD"), "en") == "$0.05"
    # beyond a float's 15-16 digits: exact, as Decimal carries it
    assert format_money(Money(123456789012345678, "USD"), "en") == "$1,234,567,890,123,456.78"


def test_dates_are_formatted_by_locale() -> None:
    assert format_day(date(2026, 3, 5), "zh-CN") == "2026年3月5日"
    assert format_day(date(2026, 3, 5), "en") == "Mar 5, 2026"


def test_the_money_filter_refuses_what_is_not_money() -> None:
    with pytest.raises(TypeError):
        format_money(1234.5, "en")  # type: ignore[arg-type]


# -- the shipped templates ----------------------------------------------------------------
def test_every_template_the_shipped_strategies_send_exists_in_both_languages() -> None:
    named = set()
    for text in strategies.default_strategy_texts().values():
        strategy, _ = parse_strategy(text)
        assert strategy is not None
        named |= templates_of(strategy)
    assert ("sms", "due_reminder") in named and ("email", "ptp_reminder") in named
    for channel, name in named:
        assert BOOK.languages(channel, name) >= {"zh-CN", "en"}, (channel, name)


def test_a_chinese_sms_goes_as_ucs2_and_reports_its_segments() -> None:
    rendered = BOOK.render("sms", "due_reminder", "zh-CN", context(), ZH_OPTOUT)
    assert rendered.text == (
        "【示例消费金融】王芳您好，您尾号1001的借款将于2026年3月5日到期，本期应还¥2,514.96，"
        "请提前安排还款。还款或查询：https://portal.example-lender.com 客服400-800-0000。"
        "如已还款请忽略。回复TD退订"
    )
    assert (rendered.encoding, rendered.segments) == (SmsEncoding.UCS2, 2)
    assert (rendered.subject, rendered.html, rendered.language) == (None, None, "zh-CN")


def test_an_english_sms_goes_as_gsm7_with_dollars_and_the_english_date() -> None:
    rendered = BOOK.render("sms", "due_today", "en", context("en", "USD"), EN_OPTOUT)
    assert "your payment of $2,514.96 on your loan ending 1001 is due today, Dec 25, 2026." in (
        rendered.text
    )
    assert rendered.text.endswith("If you have paid, please ignore this. Reply STOP to opt out.")
    assert (rendered.encoding, rendered.segments) == (SmsEncoding.GSM7, 2)


def test_an_english_sms_to_a_chinese_name_goes_as_ucs2() -> None:
    rendered = BOOK.render("sms", "contact_request", "en", context("en", borrower_name="王芳"))
    assert rendered.encoding is SmsEncoding.UCS2


def test_an_email_has_subject_text_and_html_each_with_the_optout() -> None:
    rendered = BOOK.render("email", "overdue_notice", "en", context("en", "USD"), EN_OPTOUT)
    assert rendered.subject == "We have not received your payment: loan ending 1001"
    assert "The amount now overdue is $1,234.50." in rendered.text
    assert rendered.text.endswith("\n\nReply STOP to opt out.")
    assert rendered.html is not None
    assert '<p class="optout">Reply STOP to opt out.</p></body>' in rendered.html
    assert (rendered.encoding, rendered.segments) == (None, None)


def test_html_is_autoescaped_and_the_text_is_not() -> None:
    name = "<b>Ann</b> & Co"
    rendered = BOOK.render("email", "due_reminder", "en", context("en", borrower_name=name))
    assert "Dear &lt;b&gt;Ann&lt;/b&gt; &amp; Co," in (rendered.html or "")
    assert "Dear <b>Ann</b> & Co," in rendered.text


def test_without_a_name_the_greeting_is_neutral() -> None:
    assert (
        "尊敬的客户您好" in BOOK.render("sms", "due_today", "zh-CN", context(borrower_name="")).text
    )


def test_the_optout_is_not_appended_twice() -> None:
    once = BOOK.render("sms", "due_today", "zh-CN", context(), ZH_OPTOUT).text
    again = BOOK.render("sms", "due_today", "zh-CN", context(), once[-6:]).text
    assert once == again and once.count(ZH_OPTOUT) == 1


@pytest.mark.parametrize(
    ("asked", "made_for", "used"),
    [
        (None, "en", "en"),
        ("fr", "zh-CN", "zh-CN"),
        ("zh_CN", "en", "zh-CN"),
        ("en-US", "zh-CN", "en"),
    ],
)
def test_the_language_falls_back_to_the_contexts(
    asked: str | None, made_for: str, used: str
) -> None:
    rendered = BOOK.render("sms", "due_today", asked, context(made_for))
    assert rendered.language == used


def test_an_unknown_template_is_a_clear_not_found() -> None:
    with pytest.raises(UnknownTemplate, match="no sms template 'demand_letter'"):
        BOOK.render("sms", "demand_letter", "en", context("en"))


# -- the load check ------------------------------------------------------------------------
def test_a_template_with_an_unknown_variable_fails_at_load_naming_file_and_line(
    tmp_path: Path,
) -> None:
    root = copy_of_shipped(tmp_path)
    path = root / "sms" / "due_today.en.txt"
    lines = path.read_text("utf-8").splitlines()
    lines.insert(2, "Amount: {{ amount_due|money }}")  # becomes line 3
    path.write_text("\n".join(lines) + "\n", "utf-8")
    [finding] = findings_of(root)
    assert finding.code is FindingCode.UNKNOWN_VARIABLE
    assert (finding.subject, finding.line) == ("sms/due_today.en.txt", 3)
    assert "'amount_due' is not a template variable" in finding.message
    assert str(finding).startswith("line 3, sms/due_today.en.txt: ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "due_today.en.txt").write_text("Hi {{ borower_name }}\n", "utf-8")
    (root / "email" / "due_today.zh-CN.txt").write_text("\n\n{% if overdue %}\n", "utf-8")
    (root / "email" / "ptp_reminder.en.html").unlink()
    (root / "sms" / "due reminder.txt").write_text("x", "utf-8")
    found = {(f.code, f.subject, f.line) for f in findings_of(root)}
    assert found == {
        (FindingCode.UNKNOWN_VARIABLE, "sms/due_today.en.txt", 1),
        (FindingCode.TEMPLATE_SYNTAX, "email/due_today.zh-CN.txt", 3),  # where it ends unclosed
        (FindingCode.MISSING_TEMPLATE, "email/ptp_reminder", None),
        (FindingCode.TEMPLATE_SYNTAX, "sms/due reminder.txt", None),
    }


def test_a_suggestion_names_the_nearest_variable(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "due_today.en.txt").write_text("Hi {{ borower_name }}\n", "utf-8")
    [finding] = findings_of(root)
    assert "did you mean 'borrower_name'?" in finding.message


def test_a_template_in_one_language_only_is_refused(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "welcome.en.txt").write_text("Welcome to {{ lender_name }}.\n", "utf-8")
    [finding] = findings_of(root)
    assert finding.code is FindingCode.MISSING_TEMPLATE
    assert finding.message == "the zh-CN version lacks sms/welcome.zh-CN.txt"


def test_an_optional_value_used_unguarded_fails_at_load(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "due_today.en.txt").write_text(
        "{{ lender_name }}: promised {{ promise_amount|money }}\n", "utf-8"
    )
    [finding] = findings_of(root)
    assert finding.code is FindingCode.TEMPLATE_RENDER
    assert (finding.subject, finding.line) == ("sms/due_today.en.txt", 1)


def test_an_sms_over_the_segment_limit_fails_at_load(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "due_today.zh-CN.txt").write_text(
        "【{{ lender_name }}】" + "请按时还款。" * 40 + "\n", "utf-8"
    )
    [finding] = findings_of(root)
    assert finding.code is FindingCode.SMS_TOO_LONG
    assert finding.subject == "sms/due_today.zh-CN.txt"
    assert "takes 5 SMS segments (ucs2" in finding.message and "at most 3" in finding.message


def test_the_segment_limit_is_configurable() -> None:
    findings = findings_of(SHIPPED, max_segments=1)
    assert {f.code for f in findings} == {FindingCode.SMS_TOO_LONG}
    assert len(findings) == 16  # every SMS (8), both languages, with a long name and amounts


def test_a_template_that_renders_fails_with_file_and_line_at_send_time(tmp_path: Path) -> None:
    root = copy_of_shipped(tmp_path)
    (root / "sms" / "due_today.en.txt").write_text("Hi\n{{ no_such_thing }}\n", "utf-8")
    book = TemplateBook.open(root)  # unchecked
    with pytest.raises(RenderFailed) as raised:
        book.render("sms", "due_today", "en", context("en"))
    assert (raised.value.path, raised.value.line) == ("sms/due_today.en.txt", 2)


# -- the opt-out sentence from the packs ----------------------------------------------------
def pack_rules(*names: str) -> list:
    rules = []
    for name in names:
        pack, findings = parse_pack(shipped_text(name))
        assert pack is not None, findings
        rules.extend(pack.rules)
    return rules


def test_each_packs_sentence_holds_one_of_its_own_phrases() -> None:
    for rule in pack_rules("house", "us-regf"):
        if rule.check.name == "optout_text":
            for sentence in (rule.params.sentence_en, rule.params.sentence_zh):
                assert sentence
                assert optout_sentence([rule], "sms", "en") is not None
                assert rule.run(optout_scenario(Channel.SMS, f"Please pay. {sentence}")) is None


def test_a_pack_whose_sentence_lacks_its_phrases_does_not_load() -> None:
    text = shipped_text("house").replace("sentence_en: Reply STOP to opt out.", "sentence_en: Bye.")
    pack, findings = parse_pack(text)
    assert pack is None
    assert "sentence_en 'Bye.' holds none of the opt-out phrases" in str(findings[0])


def test_the_sentence_follows_the_active_packs_channel_and_language() -> None:
    assert optout_sentence(pack_rules("cn", "house"), "sms", "zh-CN") == "回复TD退订"
    assert optout_sentence(pack_rules("cn", "house"), "email", "en") == "Reply STOP to opt out."
    assert optout_sentence(pack_rules("cn"), "sms", "zh-CN") is None  # no pack requires one
    assert optout_sentence(pack_rules("cn", "house"), "letter", "zh-CN") is None
    # with both, one sentence satisfies both packs' phrases
    both = optout_sentence(pack_rules("house", "us-regf"), "sms", "zh-CN")
    assert both == "回复STOP退订（Reply STOP to opt out）"


# -- what the gate's content checks make of the rendered texts ----------------------------
AT = datetime(2026, 3, 5, 2, tzinfo=UTC)


def optout_scenario(channel: Channel, text: str, lender: str = "lender") -> Scenario:
    return Scenario(Person("B1"), Proposal(channel, AT, text=text, initial=True), lender=lender)


def content_blocks(rules: list, channel: Channel, text: str, lender: str) -> list[str]:
    scenario = optout_scenario(channel, text, lender)
    return [
        f"{rule.id}: {block.reason}"
        for rule in rules
        if rule.check.phase is Phase.CONTENT and (block := rule.run(scenario)) is not None
    ]


REGIMES = {
    # packs, currency, the disclosure, the (channel, language) pairs the regime sends
    "cn": (("cn", "house"), "CNY", False, {("sms", "zh-CN"), ("sms", "en"), ("email", "zh-CN"), ("email", "en")}),
    # Chinese SMS under Reg F would need the English disclosure: more than 3 UCS-2
    # segments, so the zh-CN SMS templates do not carry it (docs/templates.md)
    "us": (("us-regf", "house"), "USD", True, {("sms", "en"), ("email", "zh-CN"), ("email", "en")}),
}  # fmt: skip


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_every_rendered_text_passes_the_gates_content_checks(regime: str) -> None:
    packs, currency, disclosed, sends = REGIMES[regime]
    rules = pack_rules(*packs)
    problems = []
    for channel, name in sorted(BOOK.names()):
        for language in ("zh-CN", "en"):
            if (channel, language) not in sends:
                continue
            optout = optout_sentence(rules, channel, language)
            for sample in sample_contexts(SAMPLE_SENDER, language, currency):
                sample = dataclasses.replace(sample, debt_collector=disclosed)
                rendered = BOOK.render(channel, name, language, sample, optout)
                kind = Channel.SMS if channel == "sms" else Channel.EMAIL
                for block in content_blocks(rules, kind, rendered.text, sample.lender_name):
                    problems.append(f"{channel}/{name}.{language}: {block}")
    assert problems == []


def test_the_content_checks_would_catch_a_text_without_the_optout() -> None:
    rules = pack_rules("us-regf", "house")
    sample = dataclasses.replace(context("en", "USD"), debt_collector=True)
    rendered = BOOK.render("email", "due_today", "en", sample, optout=None)
    blocks = content_blocks(rules, Channel.EMAIL, rendered.text, sample.lender_name)
    assert [b.split(":")[0] for b in blocks] == [
        "us.regf.electronic_optout_notice",
        "house.optout_text",
    ]
