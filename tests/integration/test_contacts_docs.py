"""The worked examples of docs/contacts-and-promises.md are what the code does: each is run here."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.domain.money import format_major
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import payments, promises
from arrears.settings import load_settings
from tests.e2e.test_cli import ARREARS
from tests.helpers import NOW

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = "contacts-and-promises.md"


def _block(marker: str) -> str:
    text = (DOCS / PAGE).read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", text, re.S)
    assert match, f"no example {marker!r} in {PAGE}"
    return match.group(1)


def _rows(marker: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_block(marker))))


def _run_line(line: str, db: str) -> subprocess.CompletedProcess[str]:
    """Run one ``$ [VAR=value ...] arrears ...`` line of the page."""
    words = shlex.split(line.removeprefix("$ "))
    env = {**os.environ, "ARREARS_DATABASE_URL": db, "ARREARS_TIMEZONE": "Asia/Shanghai"}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "arrears", line
    return subprocess.run(
        [ARREARS, *words[1:]], capture_output=True, text=True, env=env, check=False, timeout=120
    )


@pytest.fixture
def example_portfolio(database_url: str) -> str:
    for line in (
        "$ arrears products load docs/examples/products.toml",
        "$ arrears import loans docs/examples/loans.csv",
        "$ arrears import payments docs/examples/payments.csv",
    ):
        words = line.split()
        words[-1] = str(DOCS.parent / words[-1])
        result = _run_line(" ".join(words), database_url)
        assert result.returncode == 0, result.stderr
    return database_url


def test_the_contact_history_example_prints_the_documented_status(example_portfolio: str) -> None:
    lines = [line for line in _block("contact B002").splitlines() if line.startswith("$ ")]
    assert len(lines) == 9
    for line in lines[:-1]:
        result = _run_line(line, example_portfolio)
        assert result.returncode == 0, f"{line}: {result.stderr}"
    shown = _run_line(lines[-1], example_portfolio)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(_block("contact status B002"))


def test_the_promises_example_settles_as_documented(example_portfolio: str) -> None:
    app = App(load_settings(example_portfolio))
    try:
        # given the promises and payments of the page
        for p in _rows("promises"):
            promises.add_promise(
                app.uow_factory,
                p["loan_id"],
                Decimal(p["amount"]),
                date.fromisoformat(p["due_date"]),
                date.fromisoformat(p["made_on"]),
                NOW,
                promise_id=p["promise_id"],
            )
        for p in _rows("payments after the promises"):
            record = PaymentRecord(
                p["payment_id"],
                p["loan_id"],
                date.fromisoformat(p["paid_on"]),
                Decimal(p["amount"]),
            )
            payments.post_payment(app.uow_factory, record, NOW)
        # when the cycle settles each day in turn, then each promise is as the page says
        expected = _rows("settled")
        assert len(expected) == 7
        for day in sorted({row["day"] for row in expected}):
            promises.settle_promises(app.uow_factory, date.fromisoformat(day))
            stored = {p.promise_id: p for p in promises.list_promises(app.uow_factory)}
            for row in (r for r in expected if r["day"] == day):
                p = stored[row["promise_id"]]
                paid = "" if p.paid_minor is None else format_major(p.paid_minor, p.currency)
                settled_on = p.settled_on.isoformat() if p.settled_on else ""
                assert (str(p.status), settled_on, paid) == (
                    row["status"],
                    row["settled_on"],
                    row["paid"],
                ), f"{row['promise_id']} on {day}"
    finally:
        app.engine.dispose()
