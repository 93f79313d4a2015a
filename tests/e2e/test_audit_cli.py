"""`arrears audit verify` and `arrears audit export` end to end: real process, real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from arrears.domain.audit import AuditRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import audit
from arrears.settings import load_settings
from tests.e2e.test_cli import run

# 22:30 on 1 March, then 00:30 and 23:30 on 2 March, Shanghai time (UTC+8)
TIMES = [
    datetime(2026, 3, 1, 14, 30, tzinfo=UTC),
    datetime(2026, 3, 1, 16, 30, tzinfo=UTC),
    datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
]
PAYLOADS = [
    {"decision": "allow", "rule": "cn.contact_hours", "reason": "within 08:00–21:00"},
    {"decision": "defer", "rule": "cn.contact_hours", "not_before": "2026-03-02T00:00:00.000000Z"},
    {"decision": "deny", "rule": "cn.contact_refusal", "reason": '拒绝再次来电, "STOP"'},
]


@pytest.fixture
def logged(database_url: str) -> str:
    app = App(load_settings(database_url))
    records = [
        AuditRecord("gate_decision", f"L{i + 1}", payload, at)
        for i, (payload, at) in enumerate(zip(PAYLOADS, TIMES, strict=True))
    ]
    assert audit.append_entries(app.uow_factory, records) == [1, 2, 3]
    app.engine.dispose()
    return database_url


def _sql(db: str, statement: str) -> None:
    app = App(load_settings(db))
    with app.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    app.engine.dispose()


def test_verify_on_an_untouched_log_passes_and_prints_the_head(logged: str) -> None:
    result = run("audit", "verify", db=logged)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 entries, chain intact; head ")
    head = result.stdout.strip().rsplit(" ", 1)[-1]
    exported = run("audit", "export", "--from", "2026-03-02", "--to", "2026-03-02", db=logged)
    assert list(csv.reader(io.StringIO(exported.stdout)))[-1][-1] == head


def test_verify_on_an_empty_log_passes(database_url: str) -> None:
    result = run("audit", "verify", db=database_url)
    assert (result.returncode, result.stdout) == (0, "0 entries, chain intact\n")


def test_verify_names_the_edited_entry_and_fails_with_exit_code_1(logged: str) -> None:
    # given the second decision changed from defer to allow in the database
    _sql(logged, "UPDATE audit_log SET payload_json = replace(payload_json, 'defer', 'allow') WHERE seq = 2")  # fmt: skip
    # when verified
    result = run("audit", "verify", db=logged)
    # then it fails, naming seq, kind, subject and reason
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "audit chain broken at seq 2 (gate_decision L2): edited: its hash is not the hash of its contents",
        "1 entry before it intact",
    ]


def test_verify_names_the_removed_last_entry_from_the_head(logged: str) -> None:
    _sql(logged, "DELETE FROM audit_log WHERE seq = 3")
    result = run("audit", "verify", "--format", "json", db=logged)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["intact"], report["checked"], report["head"]["seq"]) == (False, 2, 3)
    assert report["broken"] == {
        "seq": 3,
        "kind": None,
        "subject": None,
        "reason": "missing",
        "detail": "the log ends at seq 2 but its head is seq 3",
    }


def test_export_as_csv_has_the_documented_columns_and_the_days_in_the_portfolio_zone(
    logged: str,
) -> None:
    result = run("audit", "export", "--from", "2026-03-02", "--to", "2026-03-02", db=logged)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "seq", "recorded_at", "kind", "subject", "payload", "prev_hash", "entry_hash",
    ]  # fmt: skip
    assert [(r["seq"], r["recorded_at"], r["subject"]) for r in rows] == [
        ("2", "2026-03-01T16:30:00.000000Z", "L2"),
        ("3", "2026-03-02T15:30:00.000000Z", "L3"),
    ]
    assert json.loads(rows[1]["payload"]) == PAYLOADS[2]
    assert rows[1]["prev_hash"] == rows[0]["entry_hash"]


def test_export_as_json_lines_to_a_file_round_trips_every_entry(
    logged: str, tmp_path: Path
) -> None:
    target = tmp_path / "audit.jsonl"
    result = run(
        "audit", "export", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "jsonl",
        "--output", str(target), db=logged,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [line["payload"] for line in lines] == PAYLOADS
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert lines[0]["prev_hash"] == "0" * 64
    assert '"reason":"拒绝再次来电, \\"STOP\\""' in target.read_text("utf-8")


def test_an_export_of_a_day_without_entries_is_a_header(logged: str) -> None:
    later = (TIMES[-1] + timedelta(days=30)).date().isoformat()
    result = run("audit", "export", "--from", later, "--to", later, db=logged)
    assert (result.returncode, result.stdout.count("\n")) == (0, 1)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-03-05", "2026-03-01", "the span ends (2026-03-01) before it starts (2026-03-05)"),
        ("2026-3-1", "2026-03-01", "'2026-3-1' is not a date (YYYY-MM-DD)"),
    ],
)
def test_a_bad_export_span_is_refused_with_exit_code_2(
    logged: str, first: str, last: str, message: str
) -> None:
    result = run("audit", "export", "--from", first, "--to", last, db=logged)
    assert result.returncode == 2
    assert message in result.stderr


def test_audit_commands_ask_for_init_on_an_empty_database(fresh_database_url: str) -> None:
    result = run("audit", "verify", db=fresh_database_url)
    assert result.returncode == 5
    assert "run `arrears init` first" in result.stderr
