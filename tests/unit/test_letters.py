"""Letters as PDF: each kind in both languages prints its fields and exact amounts, and
pypdf reads them back; the validation notice holds every element the reference lists."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from arrears.adapters.letters import render_letter
from arrears.adapters.letters.formats import Formats
from arrears.domain.compliance import wording
from arrears.domain.compliance.checks_notices import (
    ValidationContentParams,
    ValidationPeriodParams,
    validation_content,
    validation_period,
)
from arrears.domain.compliance.facts import Channel, Person, Proposal, Purpose, Scenario
from arrears.domain.letters import (
    Arrears,
    ItemizationBasis,
    ItemizationError,
    Letter,
    Letterhead,
    LetterKind,
    Recipient,
    itemize,
    plan_of,
    validation_period_end,
)
from arrears.domain.money import Money

LETTER_DATE = date(2026, 3, 5)
NAMES = {"en": ("Arrears Demo Finance", "Ann Lee"), "zh-CN": ("示例消费金融", "王芳")}
ADDRESSES = {
    "en": ("250 Broadway, Apt 4B", "New York, NY 10007"),
    "zh-CN": ("上海市浦东新区世纪大道100号", "1201室"),
}
SENDER_ADDRESS = ("1 Demo Plaza, Suite 300", "Springfield, IL 62701")


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text: str, language: str) -> str:
    """Line breaks fall anywhere in a wrapped paragraph: compare without them (Chinese
    wraps between characters, English between words)."""
    if language == "zh-CN":
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


def assert_prints(content: bytes, language: str, *expected: str) -> None:
    text = squeezed(pdf_text(content), language)
    missing = [e for e in expected if squeezed(e, language) not in text]
    assert missing == [], f"not in the PDF: {missing}"


def make_letter(kind: LetterKind, language: str, **changes: object) -> Letter:
    sender_name, borrower_name = NAMES[language]
    values: dict[str, object] = dict(
        kind=kind,
        language=language,
        letter_date=LETTER_DATE,
        loan_id="L000123",
        product="consumer",
        start_date=date(2025, 12, 15),
        principal=usd(1_000_000),
        sender=Letterhead(sender_name, SENDER_ADDRESS, "400-800-0000", "https://pay.example/p"),
        recipient=Recipient("B1", borrower_name, ADDRESSES[language]),
        arrears=Arrears(
            dpd=34,
            oldest_due_date=date(2026, 1, 30),
            overdue_principal=usd(95_565),
            overdue_interest=usd(11_054),
            penalty=usd(1_234),
            fees=usd(2_500),
            balance=usd(1_005_381),
        ),
        respond_by=date(2026, 3, 19),
    )
    values.update(changes)
    return Letter(**values)  # type: ignore[arg-type]


# -- money, dates, periods -------------------------------------------------------------------
def test_money_and_dates_are_formatted_by_locale_from_exact_minor_units() -> None:
    zh, en = Formats("zh-CN"), Formats("en")
    assert zh.money(Money(123450, "CNY")) == "¥1,234.50"
    assert en.money(Money(123450, "USD")) == "$1,234.50"
    assert en.money(Money(100_000_000_000_001, "USD")) == "$1,000,000,000,000.01"
    assert zh.date(date(2026, 3, 5)) == "2026年3月5日"
    assert en.date(date(2026, 3, 5)) == "Mar 5, 2026"


def test_the_validation_period_of_the_reference_example_ends_on_january_2() -> None:
    # reference us.regf.validation_period: sent Tue 2025-11-25 → receipt 12-03 → end ≥ 01-02
    assert validation_period_end(date(2025, 11, 25), mailing_days=0) == date(2026, 1, 2)


def test_the_printed_period_leaves_the_mail_house_five_days_to_mail_the_notice() -> None:
    end = validation_period_end(LETTER_DATE)
    for mailed in (date(2026, 3, 5), date(2026, 3, 10)):
        notice = Proposal(Channel.LETTER, datetime(mailed.year, mailed.month, mailed.day, 15,
                          tzinfo=UTC), purpose=Purpose.VALIDATION_NOTICE, validation_end=end)  # fmt: skip
        assert validation_period(Scenario(Person("B1"), notice), ValidationPeriodParams()) is None
    late = Proposal(Channel.LETTER, datetime(2026, 3, 12, 15, tzinfo=UTC),
                    purpose=Purpose.VALIDATION_NOTICE, validation_end=end)  # fmt: skip
    assert validation_period(Scenario(Person("B1"), late), ValidationPeriodParams()) is not None


def test_an_itemization_that_does_not_add_up_is_refused() -> None:
    with pytest.raises(ItemizationError):
        itemize(date(2026, 1, 1), 100_000, 100_001, interest_minor=2, payments_minor=2)
    item = itemize(date(2026, 1, 1), 100_000, 100_001, interest_minor=3, payments_minor=2)
    assert (item.amount_minor, item.current_minor) == (100_000, 100_001)


def test_a_plan_is_sorted_by_date_and_refuses_mixed_currencies_and_empty_instalments() -> None:
    plan = plan_of([(date(2026, 5, 1), usd(2)), (date(2026, 4, 1), usd(1))])
    assert [p.amount.minor for p in plan] == [1, 2]
    with pytest.raises(ValueError, match="one currency"):
        plan_of([(date(2026, 5, 1), usd(2)), (date(2026, 4, 1), Money(1, "CNY"))])
    with pytest.raises(ValueError, match="positive"):
        plan_of([(date(2026, 5, 1), usd(0))])


# -- the collection letters --------------------------------------------------------------------
COLLECTION_KINDS = [
    LetterKind.OVERDUE_LETTER,
    LetterKind.DEMAND_LETTER,
    LetterKind.FINAL_DEMAND_LETTER,
    LetterKind.LEGAL_DEMAND_LETTER,
]
EN_AMOUNTS = ("$955.65", "$110.54", "$12.34", "$25.00", "$1,103.53")
ZH_AMOUNTS = ("US$955.65", "US$110.54", "US$12.34", "US$25.00", "US$1,103.53")


@pytest.mark.parametrize("kind", COLLECTION_KINDS)
def test_an_english_collection_letter_prints_the_parties_the_loan_and_exact_amounts(
    kind: LetterKind,
) -> None:
    rendered = render_letter(make_letter(kind, "en"))
    assert_prints(
        rendered.content, "en",
        "Arrears Demo Finance", *SENDER_ADDRESS, "400-800-0000", "https://pay.example/p",
        "Ann Lee", *ADDRESSES["en"], "Dear Ann Lee,", "L000123", "Mar 5, 2026",
        "Jan 30, 2026", "34 days past due", "Mar 19, 2026", *EN_AMOUNTS,
        "Overdue principal", "Overdue interest", "Default interest", "Late fees",
        "Total overdue", "difficulty paying",
    )  # fmt: skip
    if kind is not LetterKind.OVERDUE_LETTER:
        assert_prints(rendered.content, "en", "$10,053.81")  # the balance of the loan
    assert rendered.pages == 1


@pytest.mark.parametrize("kind", COLLECTION_KINDS)
def test_a_chinese_collection_letter_prints_the_parties_the_loan_and_exact_amounts(
    kind: LetterKind,
) -> None:
    rendered = render_letter(make_letter(kind, "zh-CN"))
    assert_prints(
        rendered.content, "zh-CN",
        "示例消费金融", *SENDER_ADDRESS, "400-800-0000", "https://pay.example/p",
        "王芳", *ADDRESSES["zh-CN"], "尊敬的王芳：", "借款编号：L000123", "2026年3月5日",
        "2026年1月30日", "已逾期34天", "2026年3月19日", *ZH_AMOUNTS,
        "逾期本金", "逾期利息", "罚息", "滞纳金", "逾期总额", "还款困难",
    )  # fmt: skip
    if kind is not LetterKind.OVERDUE_LETTER:
        assert_prints(rendered.content, "zh-CN", "US$10,053.81")


def test_a_renminbi_letter_in_chinese_shows_yuan_and_in_english_shows_cn_yuan() -> None:
    cny = Arrears(5, date(2026, 2, 28), Money(123450, "CNY"), Money(0, "CNY"), Money(0, "CNY"),
                  Money(0, "CNY"), Money(900000, "CNY"))  # fmt: skip
    zh = render_letter(make_letter(LetterKind.OVERDUE_LETTER, "zh-CN", arrears=cny))
    en = render_letter(make_letter(LetterKind.OVERDUE_LETTER, "en", arrears=cny))
    assert_prints(zh.content, "zh-CN", "¥1,234.50")
    assert_prints(en.content, "en", "CN¥1,234.50")


def test_charges_the_loan_does_not_have_are_not_listed() -> None:
    nothing = Arrears(3, date(2026, 3, 2), usd(100), usd(0), usd(0), usd(0), usd(100))
    text = pdf_text(
        render_letter(make_letter(LetterKind.OVERDUE_LETTER, "en", arrears=nothing)).content
    )
    assert "Default interest" not in text and "Late fees" not in text
    assert "Overdue interest" in text  # always shown, even when nothing


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", list(LetterKind))
def test_no_letter_says_a_word_the_packs_forbid(kind: LetterKind, language: str) -> None:
    letter = make_letter(kind, language, **_extras(kind), debt_collector_disclosure=True)
    text = render_letter(letter).text
    assert wording.first_match(text, wording.FORBIDDEN_WORDS) is None


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", list(LetterKind))
def test_under_reg_f_every_letter_says_it_is_from_a_debt_collector(
    kind: LetterKind, language: str
) -> None:
    letter = make_letter(kind, language, **_extras(kind), debt_collector_disclosure=True)
    rendered = render_letter(letter)
    assert wording.missing(rendered.text, wording.MINI_MIRANDA_INITIAL) is None
    assert wording.missing(squeezed(pdf_text(rendered.content), "en"),
                           wording.MINI_MIRANDA_SUBSEQUENT) is None  # fmt: skip


def test_without_reg_f_a_letter_does_not_call_the_lender_a_debt_collector() -> None:
    text = render_letter(make_letter(LetterKind.DEMAND_LETTER, "en")).text
    assert "debt collector" not in text


def test_an_english_letter_to_a_chinese_name_prints_the_name() -> None:
    letter = make_letter(LetterKind.DEMAND_LETTER, "en",
                         recipient=Recipient("B1", "王芳", ADDRESSES["zh-CN"]))  # fmt: skip
    assert_prints(render_letter(letter).content, "zh-CN", "Dear王芳,", *ADDRESSES["zh-CN"])


def test_the_same_letter_renders_to_the_same_bytes() -> None:
    letter = make_letter(LetterKind.DEMAND_LETTER, "zh-CN")
    assert render_letter(letter).content == render_letter(letter).content


# -- the plan confirmation and the contact request ------------------------------------------
PLAN = plan_of([(date(2026, 3, 20), usd(50_000)), (date(2026, 4, 20), usd(60_050))])


def test_a_plan_confirmation_lists_each_instalment_with_its_date_and_amount() -> None:
    en = render_letter(make_letter(LetterKind.PLAN_CONFIRMATION, "en", plan=PLAN))
    assert_prints(en.content, "en", "Confirmation of your repayment plan", "Mar 20, 2026",
                  "$500.00", "Apr 20, 2026", "$600.50", "Total", "$1,100.50", "L000123")  # fmt: skip
    zh = render_letter(make_letter(LetterKind.PLAN_CONFIRMATION, "zh-CN", plan=PLAN))
    assert_prints(zh.content, "zh-CN", "还款计划确认函", "2026年3月20日", "US$500.00",
                  "2026年4月20日", "US$600.50", "合计", "US$1,100.50")  # fmt: skip


def test_a_contact_request_asks_for_contact_without_quoting_amounts() -> None:
    for language in ("en", "zh-CN"):
        rendered = render_letter(make_letter(LetterKind.CONTACT_REQUEST, language))
        assert_prints(rendered.content, language, "L000123", "400-800-0000",
                      "https://pay.example/p", NAMES[language][1])  # fmt: skip
        assert "1,103.53" not in pdf_text(rendered.content)


# -- the validation notice: every element of reference us.regf.validation_content ------------
ITEM = itemize(date(2025, 12, 15), 1_000_000, 1_005_381, interest_minor=30_000,
               fees_minor=2_500, payments_minor=27_000, credits_minor=119)  # fmt: skip
END = validation_period_end(LETTER_DATE)  # 2026-04-16


def _extras(kind: LetterKind) -> dict[str, object]:
    if kind is LetterKind.VALIDATION_NOTICE:
        return {
            "itemization": ITEM, "itemization_basis": ItemizationBasis.TRANSACTION,
            "validation_end": END, "creditor_on_itemization_date": "First Lending Bank",
        }  # fmt: skip
    if kind is LetterKind.PLAN_CONFIRMATION:
        return {"plan": PLAN}
    return {}


def _notice(language: str) -> Letter:
    sender = Letterhead("Arrears Demo Finance", SENDER_ADDRESS, "400-800-0000",
                        "https://pay.example/p", creditor="Current Creditor LLC")  # fmt: skip
    english = sender if language == "en" else None
    if language == "zh-CN":
        english = sender
        sender = Letterhead("示例消费金融", ("伊利诺伊州斯普林菲尔德",), "400-800-0000",
                            "https://pay.example/p", creditor="现债权人公司")  # fmt: skip
    return make_letter(LetterKind.VALIDATION_NOTICE, language, sender=sender,
                       english_sender=english if language != "en" else None,
                       respond_by=None, **_extras(LetterKind.VALIDATION_NOTICE))  # fmt: skip


EN_ELEMENTS = (
    # debt-collector statement, collector name and mailing address
    "Arrears Demo Finance is a debt collector.",
    *SENDER_ADDRESS,
    "We will use any information you give us to help collect the debt.",
    # consumer name and address
    "Ann Lee",
    *ADDRESSES["en"],
    # creditor on the itemization date; account number; current creditor
    "from First Lending Bank with account number L000123",
    "a debt that you owe to Current Creditor LLC",
    # itemization date and the amount on it
    "As of Dec 15, 2025, you owed:",
    "$10,000.00",
    # interest, fees, payments, credits since
    "Between Dec 15, 2025 and today (Mar 5, 2026):",
    "You were charged this amount in interest:",
    "+ $300.00",
    "You were charged this amount in fees:",
    "+ $25.00",
    "You paid this amount toward the debt:",
    "– $270.00",
    "You were credited this amount toward the debt:",
    "– $1.19",
    # current amount
    "Total amount of the debt now:",
    "$10,053.81",
    # end of the validation period; how to dispute; assumed valid unless disputed
    "Call or write to us by Apr 16, 2026, to dispute all or part of the debt.",
    "If you do not, we will assume that our information is correct.",
    "If you write to us by Apr 16, 2026, we must stop collection on any amount you dispute",
    # how to ask for the original creditor
    "Write to ask for the name and address of the original creditor",
    # the CFPB's page
    "www.cfpb.gov/debt-collection",
    # a consumer response section
    "How do you want to respond?",
    "I want to dispute the debt because I think:",
    "This is not my debt.",
    "The amount is wrong.",
    "I want you to send me the name and address of the original creditor.",
    "I enclosed this amount:",
    "Mail this form to: Arrears Demo Finance, 1 Demo Plaza",
)

ZH_ELEMENTS = (
    "示例消费金融是债务催收方",
    "伊利诺伊州斯普林菲尔德",
    "王芳",
    *ADDRESSES["zh-CN"],
    "您曾向First Lending Bank借款",
    "账号为L000123",
    "我们正在催收您欠现债权人公司的一笔债务",
    "截至2025年12月15日，您的欠款为：",
    "US$10,000.00",
    "自2025年12月15日至今日（2026年3月5日）",
    "产生的利息：",
    "+US$300.00",
    "产生的费用：",
    "+US$25.00",
    "您已偿还的金额：",
    "–US$270.00",
    "减免或抵扣的金额：",
    "–US$1.19",
    "目前欠款总额：",
    "US$10,053.81",
    "请在2026年4月16日之前致电或致函我们，对全部或部分债务提出异议",
    "我们将认定我们的信息是正确的",
    "原债权人的名称和地址",
    "www.cfpb.gov/debt-collection",
    "您希望如何回复？",
    "这不是我的债务。",
    "金额不正确。",
)


def test_the_english_validation_notice_holds_every_element_of_the_reference() -> None:
    rendered = render_letter(_notice("en"))
    assert_prints(rendered.content, "en", *EN_ELEMENTS)
    assert "First Lending Bank" in rendered.text  # the creditor on the itemization date


def test_the_chinese_validation_notice_is_a_full_translation_followed_by_the_english_one() -> None:
    rendered = render_letter(_notice("zh-CN"))
    assert_prints(rendered.content, "zh-CN", *ZH_ELEMENTS)
    consumer = ("Ann Lee", *ADDRESSES["en"])  # here the consumer is 王芳, in Shanghai
    english = [e for e in EN_ELEMENTS if e not in consumer]
    assert_prints(rendered.content, "en", *english, "Validation notice (English)",
                  "From: 王芳, " + ", ".join(ADDRESSES["zh-CN"]))  # fmt: skip
    assert rendered.pages >= 3


def test_the_notice_passes_the_gates_content_and_period_checks() -> None:
    rendered = render_letter(_notice("en"))
    proposal = Proposal(Channel.LETTER, datetime(2026, 3, 5, 15, tzinfo=UTC),
                        purpose=Purpose.VALIDATION_NOTICE, text=rendered.text,
                        validation_end=END, itemization=ITEM)  # fmt: skip
    scenario = Scenario(Person("B1"), proposal)
    assert validation_content(scenario, ValidationContentParams()) is None
    assert validation_period(scenario, ValidationPeriodParams()) is None
