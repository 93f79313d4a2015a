"""The Chinese letters (all kinds but the validation notice, which is ``validation``).

Plain, respectful words: what is owed and since when, how to pay through the lender's
official channels, that help exists for a borrower who cannot pay, and, in the later
letters, what the lender may do next under the law. The letter names the institution
(cn.identify_institution); it never threatens, insults, impersonates a court or the
police, looks like a court document, adds fees or asks for payment to anyone's own
account (cn.prohibited_conduct: none of the pack's forbidden words appear).
"""

from __future__ import annotations

from collections.abc import Callable

from arrears.adapters.letters.document import Amounts, Block, Grid, Para
from arrears.adapters.letters.formats import Formats
from arrears.adapters.letters.wording_en import DEBT_COLLECTOR as DEBT_COLLECTOR_EN
from arrears.domain.letters import Letter, LetterKind

TITLES = {
    LetterKind.OVERDUE_LETTER: "逾期还款提醒函",
    LetterKind.DEMAND_LETTER: "催款函",
    LetterKind.FINAL_DEMAND_LETTER: "最后还款通知函",
    LetterKind.LEGAL_DEMAND_LETTER: "还款催告函",
    LetterKind.VALIDATION_NOTICE: "债务验证通知",
    LetterKind.PLAN_CONFIRMATION: "还款计划确认函",
    LetterKind.CONTACT_REQUEST: "联系请求函",
}

# The Reg F disclosure (1006.18(e)) in Chinese, followed by the English words the gate's
# mini-Miranda check reads.
DEBT_COLLECTOR = (
    "本函来自债务催收方。我们正在催收一笔债务，您提供的任何信息都将用于协助催收该债务。"
)


def overdue_table(letter: Letter, f: Formats) -> Amounts:
    a = letter.arrears
    rows = [("逾期本金", f.money(a.overdue_principal), False)]
    rows.append(("逾期利息", f.money(a.overdue_interest), False))
    if a.penalty:
        rows.append(("罚息", f.money(a.penalty), False))
    if a.fees:
        rows.append(("滞纳金", f.money(a.fees), False))
    rows.append(("逾期总额", f.money(a.total_overdue), True))
    return Amounts(tuple(rows))


def _greeting(letter: Letter) -> Para:
    return Para(f"尊敬的{letter.recipient.name}：")


def _since(letter: Letter, f: Formats) -> str:
    a = letter.arrears
    if a.oldest_due_date is None:
        return f"截至{f.date(letter.letter_date)}，您的账户有逾期款项。"
    return (
        f"您于{f.date(a.oldest_due_date)}到期的应还款项尚未足额偿还，"
        f"截至{f.date(letter.letter_date)}已逾期{a.dpd}天。"
    )


def _balance(letter: Letter, f: Formats) -> Para:
    return Para(f"您的借款剩余未还余额（含尚未到期部分）为{f.money(letter.arrears.balance)}。")


def _how_to_pay(letter: Letter) -> Para:
    s = letter.sender
    return Para(
        f"您可以访问{s.portal_url}在线还款，或致电{s.phone}咨询还款方式。"
        "请仅通过本函所列的官方渠道还款。"
    )


def _help() -> Para:
    return Para(
        "如您遇到还款困难，请告诉我们。我们愿意倾听，并可与您商量分期还款等适合您情况的方案。"
    )


def _already_paid(letter: Letter, f: Formats) -> Para:
    return Para(f"如您在{f.date(letter.letter_date)}之后已经还款，感谢您的配合，请忽略本函。")


def closing(letter: Letter) -> list[Block]:
    blocks: list[Block] = [Para("此致"), Para("敬礼！"), Para(letter.sender.name)]
    if letter.debt_collector_disclosure:
        blocks += [Para(DEBT_COLLECTOR, small=True), Para(DEBT_COLLECTOR_EN, small=True)]
    return blocks


def _respond_by(letter: Letter, f: Formats) -> str:
    assert letter.respond_by is not None
    return f.date(letter.respond_by)


def _account(letter: Letter) -> str:
    return f"您的借款（借款编号：{letter.loan_id}）"


def overdue_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"我们就{_account(letter)}致函给您。{_since(letter, f)}逾期款项明细如下："),
        overdue_table(letter, f),
        Para(f"请于{_respond_by(letter, f)}前还款{total}；如无法按时还款，请在此之前与我们联系。"),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"尽管我们此前已多次提醒，{_account(letter)}仍处于逾期状态。{_since(letter, f)}"
             "逾期款项明细如下："),
        overdue_table(letter, f),
        _balance(letter, f),
        Para(f"请您于{_respond_by(letter, f)}前偿还逾期金额{total}。如无法一次性还清，"
             "请在该日期前与我们联系，商定还款计划。"),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def final_demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    return [
        _greeting(letter),
        Para(f"我们此前曾就{_account(letter)}致函并尝试与您联系，仍希望与您共同解决此事。"
             f"{_since(letter, f)}逾期款项明细如下："),
        overdue_table(letter, f),
        _balance(letter, f),
        Para(f"请于{_respond_by(letter, f)}前偿还{total}，或与我们联系商定还款计划。"
             "如届时仍未收到您的回复，我们可能对您的账户进行审查，并依法采取进一步措施，"
             "包括通过法律途径主张债权。目前尚未作出任何此类决定，我们更希望与您协商解决。"),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def legal_demand_letter(letter: Letter, f: Formats) -> list[Block]:
    total = f.money(letter.arrears.total_overdue)
    # 《民法典》第五百零九条: parties perform their obligations in full as agreed; 第六百七十六条:
    # a borrower who does not repay on time pays overdue interest as agreed. A creditor's
    # demand for performance also interrupts the limitation period (第一百九十五条).
    return [
        _greeting(letter),
        Para(f"根据您于{f.date(letter.start_date)}签订的借款合同（借款编号：{letter.loan_id}），"
             f"您应按约分期偿还借款本金{f.money(letter.principal)}及利息。{_since(letter, f)}"
             "逾期款项明细如下："),
        overdue_table(letter, f),
        _balance(letter, f),
        Para("依据借款合同及《中华人民共和国民法典》第五百零九条、第六百七十六条的规定，"
             f"现正式催告您于{_respond_by(letter, f)}前偿还上述逾期款项{total}。"
             "如届时仍未还款，亦未与我们达成还款安排，我们可能依法通过诉讼等法律途径主张债权。"
             "任何此类措施均将严格依照法律规定进行。"),
        _how_to_pay(letter), _help(), _already_paid(letter, f), *closing(letter),
    ]  # fmt: skip


def plan_confirmation(letter: Letter, f: Formats) -> list[Block]:
    rows = tuple(
        (str(n), f.date(p.due_date), f.money(p.amount)) for n, p in enumerate(letter.plan, 1)
    )
    a = letter.arrears
    return [
        _greeting(letter),
        Para(f"感谢您就{_account(letter)}与我们商定还款安排。现确认您同意按以下计划还款："),
        Grid(("期数", "还款日期", "还款金额"), (*rows, ("合计", "", f.money(letter.plan_total)))),
        Para(f"截至{f.date(letter.letter_date)}，您的逾期金额为{f.money(a.total_overdue)}，"
             f"借款剩余未还余额为{f.money(a.balance)}。"),
        Para("请于每期还款日前按时还款。如某期无法按时还款，请在到期日前与我们联系，"
             "我们将与您共同寻找解决办法。"),
        _how_to_pay(letter), *closing(letter),
    ]  # fmt: skip


def contact_request(letter: Letter, f: Formats) -> list[Block]:
    s = letter.sender
    return [
        _greeting(letter),
        Para(f"我们一直在尝试就您在{s.current_creditor}的借款（借款编号：{letter.loan_id}）"
             f"与您联系，但未能联系上您。请您于{_respond_by(letter, f)}前或尽快致电{s.phone}"
             f"或访问{s.portal_url}与我们联系。"),
        Para("如您的电话号码、电子邮箱或通讯地址已变更，请告知我们，以便我们及时与您沟通。"),
        _help(), *closing(letter),
    ]  # fmt: skip


BODIES: dict[LetterKind, Callable[[Letter, Formats], list[Block]]] = {
    LetterKind.OVERDUE_LETTER: overdue_letter,
    LetterKind.DEMAND_LETTER: demand_letter,
    LetterKind.FINAL_DEMAND_LETTER: final_demand_letter,
    LetterKind.LEGAL_DEMAND_LETTER: legal_demand_letter,
    LetterKind.PLAN_CONFIRMATION: plan_confirmation,
    LetterKind.CONTACT_REQUEST: contact_request,
}
