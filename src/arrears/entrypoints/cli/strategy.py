"""``arrears strategy``: validate, load, show, list and activate collection strategies."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from arrears.domain.strategy import (
    ARRANGEMENT_REMINDER,
    PROMISE_REMINDER,
    AmountRange,
    Conditions,
    DayRange,
    OffsetDays,
    Step,
)
from arrears.entrypoints.cli import versioned_file_commands as versioned
from arrears.entrypoints.cli.output import app_of, console

if TYPE_CHECKING:
    from arrears.services.strategies import StoredStrategy

app = typer.Typer(
    help="Collection strategies: segments, treatments, champion/challenger (docs/strategies.md).",
    no_args_is_help=True,
)


@app.command("validate")
def validate(file: Path = versioned.FileArgument) -> None:
    """Check a strategy file without storing it: prints "valid", or every problem with its
    line (exit 2). `load` also checks that a challenger is stored."""
    from arrears.adapters.strategy_files import parse_strategy

    strategy = versioned.checked(file, parse_strategy)
    console.print(
        f"{file}: valid (strategy {strategy.name}, {len(strategy.segments)} segments)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = versioned.FileArgument,
    author: str | None = versioned.AuthorOption,
    activate: bool = typer.Option(False, "--activate", help="Also make it the active strategy."),
) -> None:
    """Store a strategy file as a new version (the same text again keeps its version)."""
    from arrears.services import strategies

    app = app_of(ctx)
    name, version = versioned.loaded(
        file,
        author,
        lambda text, who: strategies.load_strategy(
            app.uow_factory, text, who, app.now(), activate=activate
        ),
    )
    console.print(f"strategy {name}: version {version}" + (", active" if activate else ""))


@app.command("show")
def show(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Default: the active strategy."),
    version: int | None = versioned.VersionOption,
    output: versioned.ShowFormat = versioned.FormatOption,
) -> None:
    """A stored strategy: its segments with their conditions and steps, version, author."""
    from arrears.services import strategies

    app = app_of(ctx)
    stored = strategies.show_strategy(app.uow_factory, name, version)
    versioned.print_stored(output, versioned.zone_of(app), stored, _as_json, _print_strategy)


@app.command("list")
def list_(ctx: typer.Context, output: versioned.ShowFormat = versioned.FormatOption) -> None:
    """Every stored strategy at its latest version; the active one is marked."""
    from arrears.services import strategies

    app = app_of(ctx)
    rows = [
        (s, s.active, "yes" if s.active else "")
        for s in strategies.list_strategies(app.uow_factory)
    ]
    versioned.print_summaries(output, versioned.zone_of(app), ("active", "active"), rows)


@app.command("activate")
def activate(ctx: typer.Context, name: str) -> None:
    """Make a stored strategy the portfolio's: the next cycle runs its latest version."""
    from arrears.services import strategies

    app = app_of(ctx)
    version = strategies.activate_strategy(app.uow_factory, name, app.now())
    console.print(f"strategy {name} (version {version}) is active")


# -- rendering --------------------------------------------------------------------------
def _range_text(bounds: DayRange | AmountRange) -> str:
    low, high = (
        (bounds.min, bounds.max)
        if isinstance(bounds, DayRange)
        else (bounds.min_major, bounds.max_major)
    )
    if low is None:
        return f"≤ {high}"
    return f"≥ {low}" if high is None else f"{low}–{high}"


def _condition_values(conditions: Conditions) -> dict[str, Any]:
    """The conditions that are set, as the file writes them."""
    values: dict[str, Any] = {}
    for item in fields(conditions):
        value = getattr(conditions, item.name)
        if value is None:
            continue
        if isinstance(value, DayRange):
            value = {k: v for k, v in (("min", value.min), ("max", value.max)) if v is not None}
        elif isinstance(value, AmountRange):
            pairs = (("min", value.min_major), ("max", value.max_major))
            value = {k: str(v) for k, v in pairs if v is not None}
        elif isinstance(value, tuple):
            value = list(value)
        values[item.name] = value
    return values


def _conditions_text(conditions: Conditions) -> str:
    parts = []
    for key, value in _condition_values(conditions).items():
        bounds = getattr(conditions, key)
        if isinstance(bounds, DayRange | AmountRange):
            parts.append(f"{key} {_range_text(bounds)}")
        elif isinstance(value, list):
            parts.append(f"{key} {', '.join(value)}")
        else:
            parts.append(f"{key} {str(value).lower()}")
    return "; ".join(parts) or "any account"


def _days_value(days: OffsetDays) -> dict[str, int]:
    """The step's offsets as the file writes them: ``day``, or ``from``/``to``/``every``."""
    if days.last == days.first:
        return {"day": days.first}
    ends = {"from": days.first} | ({"to": days.last} if days.last is not None else {})
    return ends | {"every": days.every}


def _days_text(days: OffsetDays | None) -> str:
    if days is None:
        return "the day before the promised date"
    if days.last == days.first:
        return f"day {days.first}"
    every = "daily" if days.every == 1 else f"every {days.every} days"
    if days.last is None:
        return f"from day {days.first}, {every}"
    return f"days {days.first} to {days.last}, {every}"


def _step_json(step_id: str, step: Step) -> dict[str, Any]:
    when = _days_value(step.days) if step.days is not None else {}
    return {
        "id": step_id,
        **when,
        "action": step.action.value,
        "template": step.template,
        "priority": step.priority,
    }


def _as_json(stored: StoredStrategy, zone: ZoneInfo) -> dict[str, Any]:
    strategy = stored.strategy
    challenger = strategy.challenger
    reminder = strategy.promise_reminder
    return {
        "name": stored.name,
        "version": stored.version,
        "author": stored.author,
        "loaded_at": versioned.when(stored.loaded_at, zone),
        "active": stored.active,
        "description": strategy.description,
        "challenger": (
            {"strategy": challenger.strategy, "share_percent": str(challenger.share_percent)}
            if challenger
            else None
        ),
        "promise_reminder": _step_json(PROMISE_REMINDER, reminder) if reminder else None,
        "arrangement_reminder": (
            _step_json(ARRANGEMENT_REMINDER, strategy.arrangement_reminder)
            | {"days_before": strategy.arrangement_reminder_days}
            if strategy.arrangement_reminder
            else None
        ),
        "segments": [
            {
                "name": segment.name,
                "description": segment.description,
                "when": _condition_values(segment.conditions),
                "steps": [
                    _step_json(f"{segment.name}.{index}", step)
                    for index, step in enumerate(segment.steps)
                ],
            }
            for segment in strategy.segments
        ],
    }


def _print_strategy(stored: StoredStrategy, zone: ZoneInfo) -> None:
    """A header, then each segment in the order it is tried with its conditions and steps."""
    strategy = stored.strategy
    state = "active" if stored.active else "not active"
    console.print(
        f"[bold]{escape(stored.name)}[/bold] version {stored.version} ({state}),"
        f" loaded {versioned.when(stored.loaded_at, zone)} by {escape(stored.author)}",
        highlight=False,
    )
    if strategy.description:
        console.print(strategy.description, markup=False, highlight=False)
    if strategy.challenger:
        share = strategy.challenger.share_percent.normalize()
        console.print(
            f"challenger: {escape(strategy.challenger.strategy)} on {share:f}% of loans",
            highlight=False,
        )
    for number, segment in enumerate(strategy.segments, start=1):
        console.print(
            f"\n[bold]{number}. {escape(segment.name)}[/bold]"
            f" when {escape(_conditions_text(segment.conditions))}",
            highlight=False,
        )
        if segment.description:
            console.print(Padding(Text(segment.description, style="dim"), (0, 0, 0, 3)))
        steps = [(f"{segment.name}.{i}", step) for i, step in enumerate(segment.steps)]
        _print_steps(steps, empty="no steps: accounts here are held, nothing is done")
    if strategy.promise_reminder is not None:
        console.print("\n[bold]promise reminder[/bold] while a promise is open", highlight=False)
        _print_steps([(PROMISE_REMINDER, strategy.promise_reminder)], empty="")
    if strategy.arrangement_reminder is not None:
        days = strategy.arrangement_reminder_days
        console.print(
            "\n[bold]arrangement reminder[/bold] while an arrangement is in force",
            highlight=False,
        )
        _print_steps(
            [(ARRANGEMENT_REMINDER, strategy.arrangement_reminder)],
            empty="",
            when=f"{days} day{'s' if days != 1 else ''} before each instalment",
        )


def _print_steps(steps: list[tuple[str, Step]], empty: str, when: str | None = None) -> None:
    """One line a step: ``m1.1  from day 8, every 3 days: call, priority 30``."""
    if not steps:
        console.print(f"   {empty}", highlight=False)
        return
    width = max(len(step_id) for step_id, _ in steps)
    for step_id, step in steps:
        template = f" {step.template}" if step.template else ""
        console.print(
            f"   {step_id:<{width}}  {when or _days_text(step.days)}: {step.action.value}{template},"
            f" priority {step.priority}",
            markup=False,
            highlight=False,
        )
