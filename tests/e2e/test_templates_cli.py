"""`arrears templates` end to end: a real process on a real database, exit codes and output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import arrears
from tests.e2e.test_cli import run
from tests.support.databases import module_database

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SHIPPED = Path(arrears.__file__).parent / "templates"
CYCLE_DAY = "2026-03-02"


def example_portfolio(database_url: str) -> str:
    """The docs' example loans after `arrears init` and one cycle day (2026-03-02)."""
    for args in (
        ("init",),
        ("products", "load", str(EXAMPLES / "products.toml")),
        ("import", "loans", str(EXAMPLES / "loans.csv")),
        ("import", "payments", str(EXAMPLES / "payments.csv")),
        ("cycle", "--as-of", CYCLE_DAY),
    ):
        result = run(*args, db=database_url)
        assert result.returncode == 0, (args, result.stderr)
    return database_url


@pytest.fixture(scope="module")
def portfolio(
    _template: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """Built once: the tests given it only read it (building it is the slow part)."""
    with module_database("templates_cli", _template, tmp_path_factory, pytestconfig) as url:
        yield example_portfolio(url)


@pytest.fixture
def own_portfolio(database_url: str) -> str:
    """The example portfolio for a test that changes it."""
    return example_portfolio(database_url)


def test_check_passes_on_the_shipped_templates_and_strategies(portfolio: str) -> None:
    result = run("templates", "check", db=portfolio)
    assert result.returncode == 0, result.stderr
    assert "8 SMS and 8 e-mail templates in zh-CN and en, all valid" in result.stdout
    assert "every one the stored strategies send exists; the active packs give their" in (
        result.stdout
    )


def test_check_without_a_database_checks_the_shipped_strategies(tmp_path: Path) -> None:
    result = run("templates", "check", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 0, result.stderr
    assert "(no database)" in result.stdout
    assert not (tmp_path / "none.db").exists()  # not created just to look


def test_check_lists_every_problem_with_file_and_line_and_exits_2(
    portfolio: str, tmp_path: Path
) -> None:
    root = tmp_path / "templates"
    shutil.copytree(SHIPPED, root)
    (root / "sms" / "due_today.en.txt").write_text("Hi {{ nme }}\n{% if %}\n", "utf-8")
    (root / "email" / "due_today.zh-CN.txt").write_text("{{ amount_due }}\n", "utf-8")
    (root / "sms" / "overdue_notice.zh-CN.txt").unlink()
    result = run("templates", "check", "--dir", str(root), db=portfolio)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    # a file that does not parse has no variables checked: 3, not 4
    assert lines[-1] == "3 problem(s) in the message templates"
    assert f"{root}: line 1, email/due_today.zh-CN.txt: 'amount_due' is not a template" in lines[0]
    assert f"{root}: line 2, sms/due_today.en.txt:" in lines[1] and "[template_syntax]" in lines[1]
    assert "the zh-CN version lacks sms/overdue_notice.zh-CN.txt" in lines[2]
    # the stored strategy cn-consumer sends overdue_notice by SMS: still there in en
    assert "Traceback" not in result.stderr


def test_check_names_a_template_a_stored_strategy_sends_that_does_not_exist(
    own_portfolio: str, tmp_path: Path
) -> None:
    strategy = tmp_path / "welcome.yaml"
    strategy.write_text(
        "name: welcome\ndescription: greets new borrowers\nsegments:\n"
        "  - name: new\n    when: {dpd: {max: 0}}\n    steps:\n"
        "      - {day: -20, action: sms, template: welcome, priority: 1}\n",
        "utf-8",
    )
    assert run("strategy", "load", str(strategy), db=own_portfolio).returncode == 0
    result = run("templates", "check", db=own_portfolio)
    assert result.returncode == 2
    assert "strategy welcome sends sms template 'welcome', which does not exist" in result.stderr


def test_render_prints_the_borrowers_sms_with_its_encoding_and_segments(portfolio: str) -> None:
    result = run("templates", "render", "due_reminder", "--loan", "L1001", db=portfolio)
    assert result.returncode == 0, result.stderr
    text, shape = result.stdout.strip().split("\n\n")
    assert text.startswith("【示例消费金融】王芳您好，您尾号1001的借款将于2026年3月5日到期")
    assert text.endswith("回复TD退订")
    assert shape == "ucs2, 2 segment(s), 123 UTF-16 units"
    assert "sms due_reminder · zh-CN · loan L1001 · 2026-03-02" in result.stderr


def test_render_in_english_as_json(portfolio: str) -> None:
    result = run("templates", "render", "due_reminder", "--loan", "L1001", "--lang", "en",
                 "--format", "json", db=portfolio)  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    # English, but the name is in Chinese characters: the whole text goes as UCS-2
    assert (shown["language"], shown["encoding"], shown["segments"]) == ("en", "ucs2", 4)
    assert shown["text"].startswith("Arrears Demo Finance: Hi 王芳, a friendly reminder")
    assert "CN¥2,514.96 on your loan ending 1001 is due on Mar 5, 2026." in shown["text"]
    assert (shown["as_of"], shown["status_as_of"], shown["optout"]) == (
        CYCLE_DAY, CYCLE_DAY, "Reply STOP to opt out.",
    )  # fmt: skip


def test_render_an_email_with_its_subject_or_its_html(portfolio: str) -> None:
    text = run("templates", "render", "due_today", "--loan", "L2001", "--channel", "email",
               db=portfolio)  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Subject: Your payment is due today: loan ending 2001\n\n")
    assert "Your payment of $233.79 on your loan ending 2001 is due today, Mar 2, 2026." in (
        text.stdout
    )
    html = run("templates", "render", "due_today", "--loan", "L2001", "--channel", "email",
               "--html", db=portfolio)  # fmt: skip
    assert '<p class="optout">Reply STOP to opt out.</p></body>' in html.stdout


def test_render_on_another_day_says_whose_amounts_it_shows(portfolio: str) -> None:
    result = run("templates", "render", "overdue_reminder", "--loan", "L1005", "--as-of",
                 "2026-03-03", db=portfolio)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "已逾期2天，目前应还¥2,000.09" in result.stdout
    assert "amounts as of the last cycle day, 2026-03-02" in result.stderr


RENDER_ERRORS = [
    (("due_reminder", "--loan", "L9999"), 3, "no loan 'L9999'"),
    (("welcome", "--loan", "L1001"), 3, "no template 'welcome'"),
    (("due_reminder", "--loan", "L1001", "--channel", "email", "--lang", "fr"), 2, "--lang"),
    (("due_reminder", "--loan", "L1001", "--as-of", "2026-02-30"), 2, "not a date"),
]


def test_render_errors_are_messages_with_exit_codes(portfolio: str) -> None:
    # every case on one portfolio (building it is the slow part)
    for args, code, says in RENDER_ERRORS:
        result = run("templates", "render", *args, db=portfolio)
        assert result.returncode == code, args
        assert says in result.stderr and "Traceback" not in result.stderr, args


def test_render_before_any_cycle_says_to_run_one(database_url: str, tmp_path: Path) -> None:
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "loan_id,borrower_id,currency,principal,annual_rate,term_months,start_date,"
        "repayment_method,rounding\nL1,B1,CNY,1000,12,3,2026-01-05,equal_installment,half_up\n",
        "utf-8",
    )
    assert run("init", db=database_url).returncode == 0
    assert run("import", "loans", str(loans), db=database_url).returncode == 0
    result = run("templates", "render", "due_today", "--loan", "L1", db=database_url)
    assert result.returncode == 3
    assert "loan L1 has no status yet: run `arrears cycle` first" in result.stderr
