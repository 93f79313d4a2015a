"""Letters as PDF: compose a letter's facts into words (``compose``, the ``wording_*``
modules and ``validation``), lay them out (``pdf``) in fonts that print and extract
(``fonts``), with money and dates by locale (``formats``)."""

from __future__ import annotations

from arrears.adapters.letters.compose import compose
from arrears.adapters.letters.pdf import render_pdf
from arrears.domain.letters import Letter, RenderedLetter


def render_letter(letter: Letter) -> RenderedLetter:
    """The letter as a PDF with its page count and plain text."""
    document = compose(letter)
    pdf = render_pdf(document)
    return RenderedLetter(pdf.content, pdf.pages, document.plain_text(), pdf.content_type)


def render_letter_text(letter: Letter) -> RenderedLetter:
    """The letter's words without the PDF layout, for dry runs that print thousands
    (the simulator): composed exactly as ``render_letter`` would, kept as plain text."""
    text = compose(letter).plain_text()
    return RenderedLetter(text.encode("utf-8"), 1, text, "text/plain; charset=utf-8")


__all__ = ["render_letter", "render_letter_text"]
