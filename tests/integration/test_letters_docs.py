"""The worked example of docs/letters.md is what the code does: its commands are run and
the lines it quotes are read back from the PDFs they write."""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.test_cli import ARREARS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "letters.md"


def _block(marker: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", text, re.S)
    assert match, f"no example {marker!r} in {PAGE.name}"
    return match.group(1)


def _found(line: str, text: str) -> bool:
    """Whether a quoted line is in the text, wherever its wrapped lines break (Chinese
    wraps between characters: compared without white space; English on single spaces)."""
    chinese = re.search(r"[\u4e00-\u9fff]", line) is not None
    squeeze = (lambda s: re.sub(r"\s+", "", s)) if chinese else (lambda s: re.sub(r"\s+", " ", s))
    return squeeze(line).strip() in squeeze(text)


@pytest.fixture
def example_letters(database_url: str, tmp_path: Path) -> Path:
    env = {**os.environ, "ARREARS_DATABASE_URL": database_url, "ARREARS_TIMEZONE": "Asia/Shanghai"}
    for line in _block("letters setup").splitlines():
        words = shlex.split(line.removeprefix("$ "))
        assert words[0] == "arrears", line
        words = [str(ROOT / w) if w.startswith("docs/") else w for w in words[1:]]
        result = subprocess.run(
            [ARREARS, *words], capture_output=True, text=True, env=env, cwd=tmp_path,
            check=False, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, f"{line}: {result.stderr}"
    return tmp_path


def test_the_letters_of_the_worked_example_say_what_the_page_quotes(
    example_letters: Path,
) -> None:
    # both letters of one setup (the setup runs the page's commands: the slow part)
    for name, page_count in (("demand.pdf", 1), ("notice.pdf", 2)):
        pages = PdfReader(io.BytesIO((example_letters / name).read_bytes())).pages
        text = "\n".join(page.extract_text() for page in pages)
        missing = [line for line in _block(name).splitlines() if not _found(line, text)]
        assert missing == [], name
        assert len(pages) == page_count, name
