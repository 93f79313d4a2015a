"""``arrears demo``: a fresh SQLite lender of about 10,000 borrowers, lived through 120
days by the simulator with a champion and a challenger strategy, then its reports and
charts. The web app (issue #8) will start at the end; ``--no-serve`` never starts it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import typer

from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli import report_commands
from arrears.entrypoints.cli.output import console, print_table, progress_bar
from arrears.entrypoints.cli.readouts import status_record
from arrears.entrypoints.cli.report_render import rich_table
from arrears.entrypoints.cli.simulate import Region, fresh_app, print_outcomes, run_simulation
from arrears.entrypoints.simulator import SimulatorSetup, shipped_challenger
from arrears.services import arrangements, compliance, cycle_check, ledger_check, queries
from arrears.services import messages as messages_service

DAYS = 120
CHALLENGER_SHARE = Decimal(20)
CHARTED = ("aging", "roll-rates", "vintage", "recovery")  # drawn to files
PRINTED = ("aging", "agents", "intensity")  # their first table printed


def demo(
    borrowers: int = typer.Option(10_000, "--borrowers", min=10, max=200_000, help="Borrowers."),
    days: int = typer.Option(DAYS, "--days", min=2, max=730, help="Days to simulate."),
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same demo."),
    region: Region = typer.Option(Region.CN, "--region", help="cn (CNY, Chinese names) or us."),
    path: Path = typer.Option(
        Path("arrears-demo.db"), "--path", help="The SQLite file to (re)create."
    ),
    charts: Path = typer.Option(
        Path("arrears-demo-charts"), "--charts", help="The folder the report charts go to."
    ),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Never start the web app at the end (for scripts and CI)."
    ),
) -> None:
    """Create a fresh SQLite lender, simulate its borrowers through the daily cycle, gate,
    channels, arrangements and an agent team with a champion and a challenger strategy,
    and show the reports and charts a manager lives by."""
    app = fresh_app(path, region.value)
    today = app.today()
    setup = SimulatorSetup(
        borrowers, days, seed, region.value, challenger_text=shipped_challenger(region.value),
        share_percent=CHALLENGER_SHARE, end=today,
    )  # fmt: skip
    report = run_simulation(app, setup, "simulate")
    first = today - timedelta(days=days - 1)
    with app.uow() as uow:
        loans = uow.simulation.accounts(today)
    console.print(
        f"\n[bold]arrears demo[/bold]: {len({row[1] for row in loans}):,} borrowers,"
        f" {len(loans):,} loans in {path} (seed {seed}); {days} simulated days {first} … {today},"
        f" the challenger on {CHALLENGER_SHARE}% of loans"
    )  # fmt: skip
    print_outcomes(report)
    _show_day(app, first, today)
    _show_messages(app, first, today)
    arranged = _show_arrangements(app)
    example = _show_worst_loans(app, today)
    files = _show_reports(app, charts)
    _checks(app)
    _try(path, example, arranged, files)
    if not no_serve:
        console.print("\n(the web app is not part of arrears yet: nothing to serve)")


def _show_day(app: App, first: date, last: date) -> None:
    """Buckets at the end, the actions taken and what the gate refused."""
    with app.uow() as uow:
        summary = uow.cycle.day_summary(last) or {}
        totals = uow.actions.totals(first, last)
    buckets = summary.get("buckets", {})
    assert isinstance(buckets, dict)
    labels = [label for label in DEFAULT_BUCKETS.labels if label in buckets]
    print_table(f"loans by bucket on {last}", ["bucket", "loans"],
                [[label, buckets[label]] for label in labels])  # fmt: skip
    print_table(f"actions permitted, {first} … {last}", ["action", "count"], list(totals.items()))
    gated: Counter[tuple[str, str]] = Counter()
    for row in compliance.decisions_by_rule(app.uow_factory, first, last):
        if row.status != "permitted":
            gated[(row.status, row.rule)] += row.actions
    print_table(
        "actions the compliance gate denied or deferred, by rule",
        ["status", "rule", "actions"],
        [[status, rule, n] for (status, rule), n in gated.most_common(12)],
    )


def _show_messages(app: App, first: date, last: date) -> None:
    """A few reminders as borrowers received them, and the sending statistics (the
    dry-run adapters kept every message)."""
    shown = []
    for language in ("zh-CN", "en"):
        listed = messages_service.list_messages(app.uow_factory, status="delivered", limit=400)
        shown += [m for m in listed if m["language"] == language][:2]
    console.print("\n[bold]Messages sent[/bold] (dry run: kept in the database)")
    for message in shown:
        console.print(f"[dim]{message['message_id']} → {message['recipient']}[/dim]",
                      highlight=False)  # fmt: skip
        console.print(f"  {message['body']}", highlight=False, markup=False)
    totals: Counter[tuple[str, str]] = Counter()
    kinds = ["sent", "delivered", "failed", "blocked", "expired"]
    for row in messages_service.delivery_statistics(app.uow_factory, first, last):
        for kind in kinds:
            totals[(row.channel, kind)] += getattr(row, kind)
    channels = sorted({channel for channel, _ in totals})
    print_table(f"messages, {first} … {last}", ["channel", *kinds],
                [[channel, *[totals[(channel, k)] for k in kinds]] for channel in channels])  # fmt: skip


def _show_arrangements(app: App) -> str | None:
    """Arrangements by kind and what became of them; returns one id to try commands on."""
    made = [r for r in arrangements.list_arrangements(app.uow_factory) if r.kind != "promise"]
    statuses = ["active", "kept", "broken", "cancelled", "pending"]
    counts = Counter((r.kind, r.status) for r in made)
    rows = [
        [kind, *[counts[(kind, s)] for s in statuses]] for kind in sorted({r.kind for r in made})
    ]
    print_table("repayment arrangements the borrowers asked for", ["kind", *statuses], rows)
    kept = [r for r in made if r.status == "kept"]
    return (kept or made)[0].arrangement_id if made else None


def _show_worst_loans(app: App, today: date) -> str:
    """A spread of delinquent loans, worst first; returns one id to try commands on."""
    states = sorted(
        (s for s in queries.iter_states(app.uow_factory, today) if s.dpd > 0),
        key=lambda s: (-s.dpd, s.loan_id),
    )
    sample = states[:: max(len(states) // 8, 1)][:8]
    columns = ["loan_id", "dpd", "bucket", "total_overdue", "penalty", "fees", "payoff_amount"]
    print_table("a few delinquent loans", columns,
                [[status_record(s)[c] for c in columns] for s in sample])  # fmt: skip
    return sample[len(sample) // 2].loan_id if sample else "L00000001"


def _show_reports(app: App, folder: Path) -> list[Path]:
    """The manager's reports over the simulated book, and their charts as PNG files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    reports = {r.name: r for r in report_commands.REPORTS}
    names = sorted(set(CHARTED) | set(PRINTED), key=[*CHARTED, *PRINTED].index)
    with progress_bar("reports and charts", len(names)) as bar:
        views = {}
        for name in names:
            views[name] = view = reports[name].view(app.uow_factory, None, None)
            if name in CHARTED and view.chart is not None:
                written.append(folder / f"{name}.png")
                view.chart(written[-1])
            bar(1)
    for name in PRINTED:
        console.print(rich_table(views[name].sections[0]))
    console.print("charts: " + ", ".join(str(p) for p in written), highlight=False)
    return written


def _checks(app: App) -> None:
    findings = ledger_check.check_ledger(app.uow_factory)
    console.print("ledger check: " + ("passed — every entry balances" if not findings
                                      else f"{len(findings)} problems"))  # fmt: skip
    differences = cycle_check.check_status(app.uow_factory)
    console.print("cycle check: " + ("passed — every loan's status equals the per-loan reference"
                                     if not differences else f"{len(differences)} loans differ"))  # fmt: skip


def _try(path: Path, example: str, arranged: str | None, charts: list[Path]) -> None:
    db = f"--db sqlite:///{path}"
    console.print("\nTry:", highlight=False)
    commands = [f"status {example}", f"schedule {example}", "report aging",
                "report roll-rates --chart roll-rates.svg", "report arms", "report agents",
                "report intensity", "report vintage --format csv", "actions --channel call --limit 20",
                "compliance decisions --status all", "messages stats", "letters list",
                "arrange list --status kept", "strategy show", "audit verify", "ledger check",
                "cycle --catch-up"]  # fmt: skip
    if arranged:
        commands.insert(3, f"arrange show {arranged}")
    for command in commands:
        console.print(f"  arrears {db} {command}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(demo)
