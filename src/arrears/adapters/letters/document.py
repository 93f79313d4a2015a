"""A letter as a few kinds of blocks: what the wording produces and the PDF layout sets.

Keeping the words apart from the layout lets one composition give both the PDF and its
plain text (the text the compliance gate judges and the outbox keeps).

>>> doc = LetterDocument("en", "LETTER", "Reminder", ("Lender",), ("Ann Lee",), ("Mar 5, 2026",),
...                      (Para("Hello."), Amounts((("Overdue", "$10.00", True),))), "L1")
>>> print(doc.plain_text())
Lender
<BLANKLINE>
Mar 5, 2026
<BLANKLINE>
Ann Lee
<BLANKLINE>
Reminder
<BLANKLINE>
Hello.
Overdue: $10.00
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    strong: bool = False
    small: bool = False


@dataclass(frozen=True, slots=True)
class Amounts:
    """Label / amount rows, amounts aligned right; a strong row is a total."""

    rows: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True, slots=True)
class Grid:
    """A small table with a header row (a repayment plan)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Checks:
    """Boxes for the reader to tick (the consumer response section)."""

    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CutLine:
    """A dashed line: tear here, send back the part below."""

    text: str = ""


@dataclass(frozen=True, slots=True)
class NewPage:
    pass


@dataclass(frozen=True, slots=True)
class Section:
    """Blocks in another language than the letter's (the English notice after its Chinese
    translation): set in that language's fonts."""

    language: str
    blocks: tuple[Block, ...]


Block = Heading | Para | Amounts | Grid | Checks | CutLine | NewPage | Section


@dataclass(frozen=True, slots=True)
class LetterDocument:
    language: str  # zh-CN | en: the fonts
    page_size: str  # A4 | LETTER
    title: str
    sender_lines: tuple[str, ...]
    recipient_lines: tuple[str, ...]
    meta_lines: tuple[str, ...]  # the date, the account number
    blocks: tuple[Block, ...]
    footer: str  # on every page, with the page number

    def plain_text(self) -> str:
        """The letter's words in reading order, one block a line or a few."""
        parts = ["\n".join(self.sender_lines), "\n".join(self.meta_lines)]
        parts += ["\n".join(self.recipient_lines), self.title]
        lines: list[str] = []
        for block in self.blocks:
            lines += _lines(block)
        return "\n\n".join([*parts, "\n".join(lines)])


def _lines(block: Block) -> list[str]:
    if isinstance(block, Heading | Para):
        return [block.text]
    if isinstance(block, Amounts):
        return [f"{label}: {amount}" for label, amount, _ in block.rows]
    if isinstance(block, Grid):
        return [" | ".join(row) for row in (block.header, *block.rows)]
    if isinstance(block, Checks):
        return [f"[ ] {item}" for item in block.items]
    if isinstance(block, CutLine):
        return [f"- - - {block.text} - - -" if block.text else "- - - - - -"]
    if isinstance(block, Section):
        return [line for inner in block.blocks for line in _lines(inner)]
    return []
