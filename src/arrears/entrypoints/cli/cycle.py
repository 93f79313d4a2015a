"""``arrears cycle``: run the daily cycle, and check it against the per-loan reference."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.cli.output import (
    Format,
    app_of,
    console,
    errors,
    money,
    parse_date,
    print_json,
    print_table,
    write_csv,
)

if TYPE_CHECKING:
    from arrears.services.cycle import DayReport

app = typer.Typer(no_args_is_help=False, invoke_without_command=True)


@app.callback(invoke_without_command=True)
def cycle(
    ctx: typer.Context,
    as_of: str | None = typer.Option(
        None, "--as-of", help="The day to run (default: today in the portfolio's time zone)."
    ),
    catch_up: bool = typer.Option(
        False, "--catch-up", help="Run every day missing since the last completed one, in order."
    ),
    output: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Run one day for the whole portfolio: accrue 罚息 and fees, refresh DPD and buckets,
    record roll history, settle promises, and plan the day's actions.

    Running a day again changes nothing; a day after a gap needs --catch-up.
    """
    if ctx.invoked_subcommand is not None:
        return
    from arrears.services.cycle import CycleOptions, run_cycle

    application = app_of(ctx)
    day = parse_date(as_of, "--as-of") or application.today()
    with collector_paused(), _progress() as progress:
        reports = run_cycle(
            application.uow_factory,
            day,
            application.now,
            catch_up=catch_up,
            progress=progress,
            options=CycleOptions(
                lost_contact_attempts=application.settings.lost_contact_attempts,
                timezone=application.settings.timezone,
            ),
        )
    if output is Format.JSON:
        print_json([{"already_run": r.already_run, **r.summary} for r in reports])
        return
    for report in reports:
        _print_day(report)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Replay every loan from its history and compare with the cycle's stored status
    (slow: the per-loan path). Exit code 1 and the differences when they disagree."""
    from arrears.services import cycle_check

    mismatches = cycle_check.check_status(app_of(ctx).uow_factory)
    if not mismatches:
        console.print("cycle status equals the per-loan reference for every loan")
        return
    for loan_id, what in mismatches[:50]:
        errors.print(f"{loan_id}: {what}", highlight=False)
    errors.print(f"[red]{len(mismatches)} difference(s)[/red]")
    raise typer.Exit(1)


def actions(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--date", help="The cycle day (default: the last run)."),
    channel: str | None = typer.Option(
        None, "--channel", help="sms, email, call, field_visit, letter, legal_review, …"
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many."),
    output: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json."),
) -> None:
    """List a day's planned actions in work-queue order (priority, then amount overdue),
    each with its arm, step and the gate's decision."""
    from arrears.services.cycle_actions import actions_of_day

    application = app_of(ctx)
    chosen, rows = actions_of_day(
        application.uow_factory, parse_date(day, "--date"), channel, limit
    )
    zone = ZoneInfo(application.settings.timezone)
    for row in rows:
        row["overdue"] = money(row.pop("overdue_minor"), row["currency"])
        row["earliest_at"] = row["earliest_at"].astimezone(zone).isoformat(timespec="minutes")
    if output is Format.JSON:
        print_json(rows)
        return
    columns = ["loan_id", "channel", "template", "priority", "overdue", "currency", "segment",
               "arm", "status", "earliest_at"]  # fmt: skip
    if output is Format.CSV:
        write_csv(sys.stdout, columns, iter([[r[c] for c in columns] for r in rows]))
        return
    if chosen is None:
        console.print("the cycle has not run yet: no actions")
        return
    print_table(f"actions of {chosen}", columns, [[r[c] for c in columns] for r in rows])


def _print_day(report: DayReport) -> None:
    summary = report.summary
    note = " (already run: nothing changed)" if report.already_run else ""
    console.print(
        f"[bold]cycle {summary['as_of']}[/bold]{note}: {summary.get('loans', 0)} loans"
        f" in {summary.get('seconds', 0)} s"
    )
    buckets = summary.get("buckets", {})
    assert isinstance(buckets, dict)
    print_table("loans by bucket", ["bucket", "loans"], list(buckets.items()))
    transitions = summary.get("transitions", {})
    assert isinstance(transitions, dict)
    if transitions:
        print_table("bucket transitions", ["from→to", "loans"], sorted(transitions.items()))
    actions = summary.get("actions", {})
    assert isinstance(actions, dict)
    if actions:
        print_table("actions", ["action", "count"], sorted(actions.items()))
    promises = summary.get("promises")
    if isinstance(promises, dict):
        console.print(
            f"promises kept {promises.get('kept', 0)}, broken {promises.get('broken', 0)}"
        )
    steps = summary.get("step_seconds", {})
    assert isinstance(steps, dict)
    console.print(
        "steps: " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()),
        style="dim",
    )


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """One bar per day on a terminal; nothing when output is piped."""
    if not errors.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def advance(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total or None)
            bar.update(tasks[step], completed=done, total=total or None)

        yield advance
