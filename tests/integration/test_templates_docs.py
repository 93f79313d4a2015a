"""The worked examples of docs/templates.md are what the CLI prints."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.e2e.test_cli import run
from tests.e2e.test_templates_cli import SHIPPED, example_portfolio

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "templates.md").read_text("utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in templates.md"
    return match.group(1)


def test_the_worked_examples_are_what_render_prints(database_url: str) -> None:
    example_portfolio(database_url)
    sms = run("templates", "render", "due_reminder", "--loan", "L1001", db=database_url)
    assert sms.returncode == 0, sms.stderr
    assert sms.stdout == block("render due_reminder L1001")
    email = run("templates", "render", "due_today", "--loan", "L2001", "--channel", "email",
                db=database_url)  # fmt: skip
    assert email.returncode == 0, email.stderr
    assert email.stdout == block("render due_today L2001 email")


def test_the_load_check_example_is_what_check_prints(database_url: str, tmp_path: Path) -> None:
    shown = re.search(r"\$ arrears templates check --dir my-templates\n(.*?)```", PAGE, re.S)
    assert shown
    root = tmp_path / "my-templates"
    shutil.copytree(SHIPPED, root)
    path = root / "sms" / "due_today.en.txt"
    lines = path.read_text("utf-8").splitlines()
    lines.insert(2, "Amount: {{ amount_due|money }}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (root / "email" / "ptp_reminder.en.html").unlink()
    result = run("templates", "check", "--dir", "my-templates", db=database_url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == shown.group(1)


def test_the_page_lists_every_template_variable() -> None:
    from arrears.domain.message_text import TEMPLATE_VARIABLES

    table = PAGE.split("## Variables")[1].split("## Money and dates")[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M)) == TEMPLATE_VARIABLES
