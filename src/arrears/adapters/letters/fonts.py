"""The fonts letters are set in, chosen so that every character prints and extracts.

English text is set in Helvetica, Chinese in ReportLab's built-in CID font STSong-Light
(Adobe-GB1: simplified Chinese with its own Latin letters and digits). Text extracted
from the PDF (a mail house's check, a test, a screen reader) comes back exactly: tested
with pypdf for both languages, amounts included.

Neither font is embedded: Helvetica is one of the 14 standard PDF fonts, and a CID font
names an Adobe character collection every PDF reader and print RIP provides (Adobe's
Asian font pack, or a substitute). A mail house that insists on embedded fonts needs a
TrueType CJK font registered here instead (docs/letters.md, "Fonts").

An English letter may still carry Chinese (a borrower's name, a Chinese address): any
run of characters Helvetica cannot encode (outside Windows-1252) is set in the CJK font.
In a Chinese letter, runs of Latin letters, digits and signs (amounts, dates' digits,
web addresses) are set in Helvetica, whose Latin reads better than the CID font's.

>>> markup("Dear 王芳 & co", "en")
'Dear <font name="STSong-Light">王芳</font> &amp; co'
>>> markup("还款¥1,074.18。", "zh-CN")
'还款<font name="Helvetica">¥1,074.18</font>。'
"""

from __future__ import annotations

import re
from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK = "STSong-Light"  # no bold face: Chinese headings stand out by size


# What Helvetica (WinAnsiEncoding, i.e. Windows-1252) cannot set: beyond Latin-1, all but
# the few letters and signs Windows-1252 adds.
_CP1252_EXTRAS = "ŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™"
_FOREIGN_RUN = re.compile(f"[^\\x00-\\xff{_CP1252_EXTRAS}]+")
# Latin runs inside Chinese text: printable ASCII and the currency signs, spaces inside.
_LATIN_RUN = re.compile(r"[!-~¥£€–](?:[ -~¥£€–]*[!-~¥£€–])?")


@cache
def register() -> None:
    """Make the CJK font known to ReportLab (once per process)."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def faces(language: str) -> tuple[str, str]:
    """(regular, bold) font names for a letter's language."""
    register()
    return (CJK, CJK) if language == "zh-CN" else (LATIN, LATIN_BOLD)


def markup(text: str, language: str) -> str:
    """Text as ReportLab paragraph markup, escaped: in an English letter every run of
    characters Helvetica lacks set in the CJK font, in a Chinese one every Latin run set
    in Helvetica."""
    if language == "zh-CN":
        return _LATIN_RUN.sub(lambda m: f'<font name="{LATIN}">{escape(m.group(0))}</font>', text)
    escaped = escape(text)
    return _FOREIGN_RUN.sub(lambda m: f'<font name="{CJK}">{m.group(0)}</font>', escaped)
