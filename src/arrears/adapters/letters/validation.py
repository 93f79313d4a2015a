"""The Reg F validation notice, in English and Chinese, after Model Form B-1.

Every element reference/regulation.md lists under ``us.regf.validation_content``
(12 CFR 1006.34(c), Model Form B-1) is here, each marked with ``# ref:`` where it is
said. The figures come as an ``Itemization`` that adds up (checked when it was built,
``domain.letters.itemize``) and the period's end from ``domain.letters.validation_period_end``
(``us.regf.validation_period``). The reference does not ask for Model Form B-1's optional
Spanish-language statement, so it is left out.

A Chinese notice is the complete translation followed, in the same letter, by the English
notice: Reg F lets a collector send a translated notice together with the English one
(1006.34(e); not in the reference, K), which is the conservative reading.
"""

from __future__ import annotations

from dataclasses import replace

from arrears.adapters.letters.document import (
    Amounts,
    Block,
    Checks,
    CutLine,
    Heading,
    NewPage,
    Para,
    Section,
)
from arrears.adapters.letters.formats import Formats
from arrears.domain.compliance.facts import Itemization
from arrears.domain.letters import ItemizationBasis, Letter

BASIS_EN = {
    ItemizationBasis.TRANSACTION: "the date of the transaction that gave rise to the debt"
    " (the day your loan was made)",
    ItemizationBasis.LAST_STATEMENT: "the date of your last statement (the due date of the"
    " last instalment billed to you)",
}
BASIS_ZH = {
    ItemizationBasis.TRANSACTION: "产生该债务的交易日期（即借款发放日）",
    ItemizationBasis.LAST_STATEMENT: "最近一期账单日期（即最近一期应还款日）",
}
CFPB = "www.cfpb.gov/debt-collection"


def _parts(letter: Letter) -> tuple[Itemization, str, str]:
    item = letter.itemization
    if item is None or item.itemization_date is None or letter.validation_end is None:
        raise ValueError("a validation notice needs its itemization and its period's end")
    creditor_then = letter.creditor_on_itemization_date or letter.sender.current_creditor
    return item, creditor_then, letter.sender.current_creditor


def english_notice(letter: Letter, f: Formats, *, with_parties: bool = False) -> list[Block]:
    """The notice's body in English; ``with_parties`` repeats the collector's and the
    consumer's names and addresses (when it follows a translation, not under the head)."""
    if with_parties and letter.english_sender is not None:
        letter = replace(letter, sender=letter.english_sender)
    item, creditor_then, creditor_now = _parts(letter)
    s, r = letter.sender, letter.recipient
    assert item.itemization_date is not None and letter.validation_end is not None
    on, end = f.date(item.itemization_date), f.date(letter.validation_end)
    m = letter.money
    blocks: list[Block] = []
    if with_parties:
        blocks += [
            Heading("Validation notice (English)"),
            Para("From: " + ", ".join((s.name, *s.address_lines))),  # ref: collector, address
            Para("To: " + ", ".join((r.name, *r.address_lines))),  # ref: consumer, address
            Para(f"Date: {f.date(letter.letter_date)}. Reference: {letter.loan_id}."),
        ]
    blocks += [
        # ref: debt-collector statement; current creditor
        Para(f"{s.name} is a debt collector. We are trying to collect a debt that you owe to"
             f" {creditor_now}. We will use any information you give us to help collect the"
             " debt.", strong=True),
        Heading("Our information shows:"),
        # ref: creditor on the itemization date; account number
        Para(f"You had a loan ({letter.product}) from {creditor_then} with account number"
             f" {letter.loan_id}."),
        # ref: itemization date; amount on that date; interest, fees, payments, credits
        # since; current amount (they add up: domain.letters.itemize)
        Amounts((
            (f"As of {on}, you owed:", f.money(m(item.amount_minor)), True),
            (f"Between {on} and today ({f.date(letter.letter_date)}):", "", False),
            ("You were charged this amount in interest:", "+ " + f.money(m(item.interest_minor)), False),
            ("You were charged this amount in fees:", "+ " + f.money(m(item.fees_minor)), False),
            ("You paid this amount toward the debt:", "– " + f.money(m(item.payments_minor)), False),
            ("You were credited this amount toward the debt:", "– " + f.money(m(item.credits_minor)), False),
            ("Total amount of the debt now:", f.money(m(item.current_minor)), True),
        )),
        Para(f"{on} is {BASIS_EN[letter.itemization_basis or ItemizationBasis.TRANSACTION]}.",
             small=True),
        Heading("How can you dispute the debt?"),
        # ref: end date of the validation period; how to dispute; assumed valid unless disputed
        Para(f"Call or write to us by {end}, to dispute all or part of the debt. If you do"
             " not, we will assume that our information is correct."),
        Para(f"If you write to us by {end}, we must stop collection on any amount you dispute"
             " until we send you information that shows you owe the debt. You may use the"
             " form below or write to us without the form. You may also include supporting"
             f" documents. We accept disputes electronically at {s.portal_url}."),
        Heading("What else can you do?"),
        # ref: how to ask for the original creditor
        Para("Write to ask for the name and address of the original creditor, if different"
             f" from the current creditor. If you write by {end}, we must stop collection until"
             " we send you that information. You may use the form below or write to us"
             f" without the form. We accept such requests electronically at {s.portal_url}."),
        # ref: www.cfpb.gov/debt-collection
        Para(f"Go to {CFPB} to learn more about your rights under federal law. For instance,"
             " you have the right to stop or limit how we contact you."),
        Para(f"Contact us about your payment options: call {s.phone} or visit {s.portal_url}."),
    ]  # fmt: skip
    return blocks + _response_en(letter)


def _response_en(letter: Letter) -> list[Block]:
    """ref: a consumer response section (Model Form B-1's tear-off form)."""
    s, r = letter.sender, letter.recipient
    return [
        CutLine("Tear here and mail this part back"),
        Heading("How do you want to respond?"),
        Para("Check all that apply:"),
        Para("I want to dispute the debt because I think:", strong=True),
        Checks(("This is not my debt.", "The amount is wrong.",
                "Other (please describe on reverse or attach additional information).")),
        Checks(("I want you to send me the name and address of the original creditor.",
                "I enclosed this amount: ______________")),
        Para(f"Make your check payable to {s.name}. Include the reference number"
             f" {letter.loan_id}."),
        Para("Mail this form to: " + ", ".join((s.name, *s.address_lines))),
        Para("From: " + ", ".join((r.name, *r.address_lines))),
    ]  # fmt: skip


def chinese_notice(letter: Letter, f: Formats) -> list[Block]:
    """The complete Chinese translation, then the English notice (1006.34(e))."""
    item, creditor_then, creditor_now = _parts(letter)
    s, r = letter.sender, letter.recipient
    assert item.itemization_date is not None and letter.validation_end is not None
    on, end = f.date(item.itemization_date), f.date(letter.validation_end)
    m = letter.money
    basis = BASIS_ZH[letter.itemization_basis or ItemizationBasis.TRANSACTION]
    return [
        Para("本通知为英文验证通知（Validation notice）的完整中文译本，英文通知附后。", small=True),
        Para(f"{s.name}是债务催收方（debt collector）。我们正在催收您欠{creditor_now}的一笔债务。"
             "您向我们提供的任何信息都将用于协助催收该债务。", strong=True),
        Heading("我们的记录显示："),
        Para(f"您曾向{creditor_then}借款（{letter.product}），账号为{letter.loan_id}。"),
        Amounts((
            (f"截至{on}，您的欠款为：", f.money(m(item.amount_minor)), True),
            (f"自{on}至今日（{f.date(letter.letter_date)}）：", "", False),
            ("产生的利息：", "+ " + f.money(m(item.interest_minor)), False),
            ("产生的费用：", "+ " + f.money(m(item.fees_minor)), False),
            ("您已偿还的金额：", "– " + f.money(m(item.payments_minor)), False),
            ("减免或抵扣的金额：", "– " + f.money(m(item.credits_minor)), False),
            ("目前欠款总额：", f.money(m(item.current_minor)), True),
        )),
        Para(f"{on}为{basis}。", small=True),
        Heading("如何对债务提出异议？"),
        Para(f"请在{end}之前致电或致函我们，对全部或部分债务提出异议。"
             "如您未在该日期前提出异议，我们将认定我们的信息是正确的。"),
        Para(f"如您在{end}之前致函我们，在我们向您寄送证明您欠有该债务的信息之前，"
             "我们必须停止催收您有异议的任何金额。您可以使用下方表格，也可以不使用表格直接致函我们，"
             f"并可附上证明文件。我们也接受通过{s.portal_url}在线提交异议。"),
        Heading("您还可以做什么？"),
        Para("致函要求我们提供原债权人的名称和地址（如与现债权人不同）。"
             f"如您在{end}之前致函，在我们向您寄送该信息之前，我们必须停止催收。"
             f"您可以使用下方表格，也可以直接致函我们；我们也接受通过{s.portal_url}在线提交此类请求。"),
        Para(f"访问 {CFPB} 了解您在美国联邦法律下的权利。例如，您有权停止或限制我们与您联系的方式。"),
        Para(f"就还款方式与我们联系：致电{s.phone}或访问{s.portal_url}。"),
        CutLine("请沿此线撕下并寄回以下部分"),
        Heading("您希望如何回复？"),
        Para("请勾选所有适用项："),
        Para("我希望对债务提出异议，因为我认为：", strong=True),
        Checks(("这不是我的债务。", "金额不正确。", "其他（请在背面说明或附上补充信息）。")),
        Checks(("我希望你们向我提供原债权人的名称和地址。", "我随附了以下金额：______________")),
        Para(f"支票抬头请写{s.name}，并注明参考编号{letter.loan_id}。"),
        Para("请将本表寄至：" + "，".join((s.name, *s.address_lines))),
        Para("寄件人：" + "，".join((r.name, *r.address_lines))),
        NewPage(),
        Section("en", tuple(english_notice(letter, Formats("en"), with_parties=True))),
    ]  # fmt: skip
