"""A letter's facts → its document: the head every letter shares (sender, date, account,
addressee, title), the body of its kind in its language, and the footer.

US-dollar letters are set on US Letter paper, the others on A4: the paper the mail house
of each market stocks.
"""

from __future__ import annotations

from arrears.adapters.letters import validation, wording_en, wording_zh
from arrears.adapters.letters.document import Block, LetterDocument
from arrears.adapters.letters.formats import Formats
from arrears.domain.letters import Letter, LetterKind

NO_ADDRESS = {"en": "(no postal address on file)", "zh-CN": "（无通讯地址）"}


def compose(letter: Letter) -> LetterDocument:
    f = Formats(letter.language)
    zh = letter.language == "zh-CN"
    titles = wording_zh.TITLES if zh else wording_en.TITLES
    return LetterDocument(
        language=letter.language,
        page_size="LETTER" if letter.currency == "USD" else "A4",
        title=titles[letter.kind],
        sender_lines=_sender_lines(letter, zh),
        recipient_lines=(
            letter.recipient.name,
            *(letter.recipient.address_lines or (NO_ADDRESS[letter.language],)),
        ),
        meta_lines=(
            (f"日期：{f.date(letter.letter_date)}", f"借款编号：{letter.loan_id}")
            if zh
            else (f"Date: {f.date(letter.letter_date)}", f"Account number: {letter.loan_id}")
        ),
        blocks=tuple(_body(letter, f)),
        footer=(
            f"{letter.sender.name}　借款编号 {letter.loan_id}"
            if zh
            else f"{letter.sender.name} - account {letter.loan_id}"
        ),
    )


def _sender_lines(letter: Letter, zh: bool) -> tuple[str, ...]:
    s = letter.sender
    phone = f"电话：{s.phone}" if zh else f"Phone: {s.phone}"
    return (s.name, *s.address_lines, phone, s.portal_url)


def _body(letter: Letter, f: Formats) -> list[Block]:
    zh = letter.language == "zh-CN"
    if letter.kind is LetterKind.VALIDATION_NOTICE:
        if zh:
            return validation.chinese_notice(letter, f)
        return validation.english_notice(letter, f)
    bodies = wording_zh.BODIES if zh else wording_en.BODIES
    return bodies[letter.kind](letter, f)
