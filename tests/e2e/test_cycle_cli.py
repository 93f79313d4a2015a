"""`arrears cycle` end to end: a real process on a real database, killed at random points."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, select

from arrears.adapters.store.tables import metadata
from arrears.domain.findings import Finding
from arrears.entrypoints.bootstrap import App
from arrears.services import importing
from arrears.services.synthetic_portfolio import generate_portfolio
from tests.e2e.test_cli import ARREARS, run

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, tzinfo=UTC)
# Row ids drawn from sequences differ after a killed run (sequences do not roll back).
UNSTABLE_COLUMNS = {
    "action_id",
    "decision_id",
    "permit_id",
    "attempt_id",
    "work_item_id",
    "document_id",
}


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    raw: dict[str, str]
    record: Any
    findings: tuple[Finding, ...] = ()


def build_portfolio(app: App, loans: int = 1500) -> None:
    portfolio = generate_portfolio(loans, TODAY, seed=11)

    def rows(records: list[Any]) -> Callable[[], Iterator[_Row]]:
        return lambda: (_Row(n, {}, r) for n, r in enumerate(records, start=2))

    assert importing.import_loans(app.uow_factory, rows(portfolio.loans), NOW).clean
    assert importing.import_payments(app.uow_factory, rows(portfolio.payments), NOW).clean


def state_of(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, without timestamps, sequence ids and the day's timings."""
    state = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if not isinstance(c.type, DateTime) and c.name not in UNSTABLE_COLUMNS
            ]
            rows = [tuple(r) for r in connection.execute(select(*columns))]
            if table.name == "cycle_day":
                rows = [(r[0], _steady(r[1])) for r in rows]
            state[table.name] = sorted(rows, key=repr)
    return state


def _steady(summary_json: object) -> str:
    summary = json.loads(str(summary_json))
    for timing in ("seconds", "step_seconds"):
        summary.pop(timing, None)
    return json.dumps(summary, sort_keys=True)


def cycle_args(through: str) -> list[str]:
    return ["cycle", "--as-of", through, "--catch-up"]


def test_a_cycle_killed_at_random_points_ends_exactly_as_one_clean_run(
    app_factory: Callable[[], App],
) -> None:
    seed = int(os.environ.get("ARREARS_KILL_SEED", "20261129"))
    rng = random.Random(seed)
    # Given the same portfolio twice, and a clean run of 12 days on the first
    clean = app_factory()
    build_portfolio(clean)
    url = clean.engine.url.render_as_string(hide_password=False)
    assert run(*cycle_args("2026-11-01"), db=url).returncode == 0
    started = time.perf_counter()
    result = run(*cycle_args("2026-11-12"), db=url)
    assert result.returncode == 0, result.stderr
    clean_seconds = time.perf_counter() - started
    expected = state_of(clean.engine)

    killed = app_factory()
    build_portfolio(killed)
    url = killed.engine.url.render_as_string(hide_password=False)
    assert run(*cycle_args("2026-11-01"), db=url).returncode == 0
    # When the same run is killed at random moments, then run to the end
    env = {**os.environ, "ARREARS_DATABASE_URL": url}
    kills = 0
    for _ in range(4):
        process = subprocess.Popen(
            [ARREARS, *cycle_args("2026-11-12")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.2, clean_seconds))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    result = run(*cycle_args("2026-11-12"), db=url)
    # Then the database holds exactly what the clean run left
    assert result.returncode == 0, result.stderr
    assert kills, f"no run was killed (seed {seed})"
    assert state_of(killed.engine) == expected, f"seed {seed}"


def test_a_gap_is_refused_naming_the_last_day_and_catch_up_runs_it(
    app_factory: Callable[[], App],
) -> None:
    app = app_factory()
    build_portfolio(app, loans=200)
    url = app.engine.url.render_as_string(hide_password=False)
    assert run("cycle", "--as-of", "2026-11-01", db=url).returncode == 0

    refused = run("cycle", "--as-of", "2026-11-04", db=url)
    assert refused.returncode == 4
    assert "2026-11-01" in refused.stderr and "--catch-up" in refused.stderr
    assert "Traceback" not in refused.stderr

    caught_up = run("cycle", "--as-of", "2026-11-04", "--catch-up", "--format", "json", db=url)
    assert caught_up.returncode == 0, caught_up.stderr
    days = json.loads(caught_up.stdout)
    assert [d["as_of"] for d in days] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert sum(days[-1]["buckets"].values()) == 200


def test_running_a_day_twice_changes_nothing(app_factory: Callable[[], App]) -> None:
    app = app_factory()
    build_portfolio(app, loans=200)
    url = app.engine.url.render_as_string(hide_password=False)
    first = run("cycle", "--as-of", "2026-11-01", "--format", "json", db=url)
    assert first.returncode == 0, first.stderr
    before = state_of(app.engine)

    again = run("cycle", "--as-of", "2026-11-01", "--format", "json", db=url)

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0]["already_run"] is True
    assert state_of(app.engine) == before
    table = run("cycle", "--as-of", "2026-11-01", db=url)
    assert "already run" in table.stdout and "M0" in table.stdout
    assert run("cycle", "check", db=url).returncode == 0


def test_the_call_queue_is_ordered_by_priority_then_amount_overdue(
    app_factory: Callable[[], App],
) -> None:
    app = app_factory()
    url = app.engine.url.render_as_string(hide_password=False)
    assert run("init", db=url).returncode == 0  # loads and activates cn-consumer
    build_portfolio(app, loans=400)
    assert run("cycle", "--as-of", "2026-11-20", db=url).returncode == 0

    listed = run("actions", "--channel", "call", "--format", "json", db=url)

    assert listed.returncode == 0, listed.stderr
    calls = json.loads(listed.stdout)
    assert calls and {c["channel"] for c in calls} == {"call"}
    keys = [(-c["priority"], -float(c["overdue"])) for c in calls]
    assert keys == sorted(keys)
    assert all(c["status"] == "permitted" and c["permit_id"] for c in calls)
    assert {c["strategy"] for c in calls} == {"cn-consumer"}
    table = run("actions", "--limit", "5", db=url)
    assert "actions of 2026-11-20" in table.stdout
