"""Lay a letter out as a PDF with ReportLab: sender, date and account, the addressee where
a window envelope shows it, the title, the body, and a footer on every page.

Output is deterministic (ReportLab's ``invariant`` mode: no clock, no random document id):
the same letter renders to the same bytes, so a stored letter's sha256 identifies it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from arrears.adapters.letters.document import (
    Amounts,
    Block,
    Checks,
    CutLine,
    Grid,
    Heading,
    LetterDocument,
    NewPage,
    Para,
    Section,
)
from arrears.adapters.letters.fonts import faces, markup

PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 20 * mm
CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    content: bytes
    pages: int
    content_type: str = CONTENT_TYPE


class _Styles:
    """Paragraph styles for one language (Chinese wraps between any two characters)."""

    def __init__(self, language: str):
        self.language = language
        regular, bold = faces(language)
        self.regular, self.bold = regular, bold
        wrap = "CJK" if language == "zh-CN" else None
        base = {"fontName": regular, "fontSize": 10.5, "leading": 15, "wordWrap": wrap}
        self.body = ParagraphStyle("body", **base, spaceAfter=6, alignment=TA_LEFT)
        self.small = ParagraphStyle("small", **{**base, "fontSize": 8.5, "leading": 11.5})
        self.strong = ParagraphStyle("strong", **{**base, "fontName": bold}, spaceAfter=6)
        self.cell = ParagraphStyle("cell", **base)
        self.cell_right = ParagraphStyle("cell_right", **base, alignment=TA_RIGHT)
        self.cell_strong = ParagraphStyle("cell_strong", **{**base, "fontName": bold})
        self.cell_strong_right = ParagraphStyle(
            "cell_strong_right", **{**base, "fontName": bold}, alignment=TA_RIGHT
        )
        self.sender = ParagraphStyle("sender", **{**base, "fontName": bold, "fontSize": 13})
        self.title = ParagraphStyle(
            "title", **{**base, "fontName": bold, "fontSize": 14, "leading": 19},
            spaceBefore=4, spaceAfter=10,
        )  # fmt: skip
        self.heading = ParagraphStyle(
            "heading", **{**base, "fontName": bold, "fontSize": 11.5, "leading": 16},
            spaceBefore=6, spaceAfter=4,
        )  # fmt: skip

    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup(text, self.language), style or self.body)


def render_pdf(document: LetterDocument) -> RenderedPdf:
    """The letter as PDF bytes, and how many pages it has."""
    styles = _Styles(document.language)
    buffer = io.BytesIO()
    width, height = PAGE_SIZES[document.page_size]
    template = SimpleDocTemplate(
        buffer, pagesize=(width, height), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=18 * mm, bottomMargin=20 * mm, title=document.title,
        author=document.sender_lines[0] if document.sender_lines else "", invariant=True,
    )  # fmt: skip
    story = _head(document, styles) + [f for b in document.blocks for f in _flowables(b, styles)]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(styles.regular, 8)
        canvas.drawString(MARGIN, 10 * mm, document.footer)
        canvas.drawRightString(width - MARGIN, 10 * mm, _page_label(document.language, doc.page))
        canvas.restoreState()

    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return RenderedPdf(buffer.getvalue(), template.page)


def _page_label(language: str, page: int) -> str:
    return f"第 {page} 页" if language == "zh-CN" else f"Page {page}"


def _head(document: LetterDocument, styles: _Styles) -> list[Flowable]:
    """Sender, date and account, then the addressee (about 45 mm from the top edge, where
    a DL or C5 window envelope shows it), then the title."""
    sender = [styles.para(document.sender_lines[0], styles.sender)] + [
        styles.para(line, styles.small) for line in document.sender_lines[1:]
    ]
    meta = [styles.para(line, styles.cell_right) for line in document.meta_lines]
    top = Table([[sender, meta]], colWidths=["60%", "40%"])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_no_padding()]))
    recipient = [styles.para(line, styles.cell) for line in document.recipient_lines]
    return [
        top,
        Spacer(1, 8 * mm),
        KeepTogether(recipient),
        Spacer(1, 10 * mm),
        styles.para(document.title, styles.title),
    ]


def _no_padding() -> list[tuple[Any, ...]]:
    return [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
    ]


def _flowables(block: Block, styles: _Styles) -> list[Flowable]:
    if isinstance(block, Heading):
        return [styles.para(block.text, styles.heading)]
    if isinstance(block, Para):
        style = styles.strong if block.strong else styles.small if block.small else styles.body
        return [styles.para(block.text, style)]
    if isinstance(block, Amounts):
        return [_amounts(block, styles), Spacer(1, 3 * mm)]
    if isinstance(block, Grid):
        return [_grid(block, styles), Spacer(1, 3 * mm)]
    if isinstance(block, Checks):
        return [styles.para(f"[   ]  {item}") for item in block.items]
    if isinstance(block, CutLine):
        line = HRFlowable(width="100%", dash=(3, 3), color=colors.grey, spaceBefore=8)
        caption = [styles.para(block.text, styles.small)] if block.text else []
        return [line, *caption]
    if isinstance(block, NewPage):
        return [PageBreak()]
    if isinstance(block, Section):
        inner = _Styles(block.language)
        return [f for b in block.blocks for f in _flowables(b, inner)]
    raise TypeError(f"not a letter block: {block!r}")


def _amounts(block: Amounts, styles: _Styles) -> Table:
    rows = [
        [
            styles.para(label, styles.cell_strong if strong else styles.cell),
            styles.para(amount, styles.cell_strong_right if strong else styles.cell_right),
        ]
        for label, amount, strong in block.rows
    ]
    table = Table(rows, colWidths=["72%", "28%"], hAlign="LEFT")
    lines = [
        ("LINEABOVE", (0, i), (-1, i), 0.6, colors.black)
        for i, (_, _, strong) in enumerate(block.rows)
        if strong and i > 0
    ]
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *lines]))
    return table


def _grid(block: Grid, styles: _Styles) -> Table:
    header = [styles.para(text, styles.cell_strong) for text in block.header]
    body = [
        [styles.para(text, styles.cell_right if i else styles.cell) for i, text in enumerate(row)]
        for row in block.rows
    ]
    table = Table([header, *body], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
