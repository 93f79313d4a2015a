"""The worked example of docs/audit.md is what the code does: each block is run here."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.domain.audit import AuditRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import audit
from arrears.settings import load_settings
from tests.e2e.test_cli import ARREARS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def block(marker: str) -> str:
    page = PAGE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", page, re.S)
    assert match, f"no example {marker!r} in audit.md"
    return match.group(1)


def session(marker: str) -> list[tuple[str, str]]:
    """The ``$ command`` lines of a console block, each with the output shown under it."""
    steps: list[tuple[str, str]] = []
    for line in block(marker).splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append((line[2:].strip(), ""))
        else:
            command, shown = steps[-1]
            steps[-1] = (command, shown + line)
    return steps


def arrears(command: str, db: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    assert words[0] == "arrears", command
    env = {**os.environ, "ARREARS_DATABASE_URL": db, "ARREARS_TIMEZONE": "Asia/Shanghai"}
    return subprocess.run(
        [ARREARS, *words[1:]], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )


def documented_records() -> list[AuditRecord]:
    """The decisions of the example, read back from the page's own export."""
    ((_, shown),) = session("export jsonl")
    entries = [json.loads(line) for line in shown.splitlines()]
    return [
        AuditRecord(e["kind"], e["subject"], e["payload"], datetime.fromisoformat(e["recorded_at"]))
        for e in entries
    ]


@pytest.fixture
def example(database_url: str) -> str:
    app = App(load_settings(database_url))
    assert audit.append_entries(app.uow_factory, documented_records()) == [1, 2, 3]
    app.engine.dispose()
    return database_url


@pytest.mark.parametrize("marker", ["verify intact", "export jsonl", "export csv"])
def test_the_page_shows_exactly_what_the_command_prints(
    example: str, marker: str, tmp_path: Path
) -> None:
    ((command, shown),) = session(marker)
    result = arrears(command, example, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == shown


def test_the_recompute_script_checks_the_exported_chain(example: str, tmp_path: Path) -> None:
    (tmp_path / "recompute.py").write_text(block("recompute.py"), encoding="utf-8")
    (export, _), (script, shown) = session("recompute output")
    assert arrears(export, example, tmp_path).returncode == 0
    run = subprocess.run(
        [sys.executable, *shlex.split(script)[1:]],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert (run.returncode, run.stdout) == (0, shown)
    # and it notices an exported entry that was changed on the way
    changed = (tmp_path / "march.jsonl").read_text("utf-8").replace('"defer"', '"allow"')
    (tmp_path / "march.jsonl").write_text(changed, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "recompute.py", "march.jsonl"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert run.stdout.splitlines() == ["1 ok", "2 BROKEN", "3 ok"]


def test_the_tampering_of_the_example_is_found_as_the_page_says(
    example: str, tmp_path: Path
) -> None:
    (tamper, _), (verify, shown), (_, code) = session("tamper")
    # given the page's UPDATE, run on this test's database (SQLite or PostgreSQL)
    statement = shlex.split(tamper)[-1]
    app = App(load_settings(example))
    with app.engine.begin() as connection:
        assert connection.exec_driver_sql(statement).rowcount == 1
    # then verify fails with the page's message and exit code
    result = arrears(verify, example, tmp_path)
    assert (result.returncode, result.stderr) == (int(code), shown)
    # and a forger who also recomputes entry 2's hash is named at seq 3, as the page says
    with app.uow() as uow:
        second = next(e for e in uow.audit.entries() if e.seq == 2)
    with app.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET entry_hash = :hash WHERE seq = 2"),
            {"hash": second.computed_hash()},
        )
    broken = audit.verify(app.uow_factory).broken
    assert broken is not None
    assert (broken.seq, str(broken.reason)) == (3, "prev_hash_mismatch")
    app.engine.dispose()
