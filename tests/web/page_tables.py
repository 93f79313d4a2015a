"""Reading a page's tables in tests: the cells of a ``data-testid`` table as text."""

from __future__ import annotations

import html
import re


def table_rows(page: str, testid: str) -> list[list[str]]:
    """The body rows of the table ``data-testid=testid``, each a list of cell texts."""
    found = re.search(rf'<table data-testid="{re.escape(testid)}">(.*?)</table>', page, re.S)
    assert found, f"the page has no table {testid}"
    body = found.group(1).split("<tbody>", 1)[1]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _text(cell: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
