"""``arrears demo``: a fresh SQLite lender of about 10,000 borrowers, lived through 120
days by the simulator with a champion and a challenger strategy, then its reports and
charts; at the end the web app starts with a printed sign-in per role (``--no-serve``
prints them and stops)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli import report_commands
from arrears.entrypoints.cli.messages import print_statistics
from arrears.entrypoints.cli.output import console, print_table, progress_bar
from arrears.entrypoints.cli.readouts import status_record
from arrears.entrypoints.cli.report_render import rich_table
from arrears.entrypoints.cli.simulate import Region, fresh_app, print_outcomes, run_simulation
from arrears.services import messages as messages_service

DAYS = 120
CHALLENGER_SHARE = Decimal(20)
CHARTED = ("aging", "roll-rates", "vintage", "recovery")  # drawn to files
PRINTED = ("aging", "denials", "agents", "intensity")  # their first table printed


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
    from arrears.entrypoints.simulator import SimulatorSetup, shipped_challenger

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
    _show_actions(app, first, today)
    _show_messages(app, today)
    arranged = _show_arrangements(app)
    example = _show_worst_loans(app, today)
    files = _show_reports(app, charts)
    _checks(app)
    _try(path, example, arranged, files)
    arranged_loan = _loan_of(app, arranged)
    _serve(app, [example, *([arranged_loan] if arranged_loan else [])], no_serve)


def _loan_of(app: App, arrangement_id: str | None) -> str | None:
    if arrangement_id is None:
        return None
    from arrears.services.arrangement_views import view_of

    with app.uow() as uow:
        view = view_of(uow, arrangement_id)
    return None if view is None else view.record.loan_id


def _serve(app: App, borrower_loans: list[str], no_serve: bool) -> None:
    """Sign-ins per role, printed; then the web app until Ctrl-C (not with --no-serve)."""
    from arrears.entrypoints.cli.demo_logins import make_logins, print_logins
    from arrears.entrypoints.cli.serve import run_server

    web = app.settings.web
    logins = make_logins(app, borrower_loans)
    print_logins(logins, f"http://{web.host}:{web.port}")
    if not no_serve:
        run_server(app, web.host, web.port, dispatch=True)


def _show_actions(app: App, first: date, last: date) -> None:
    """The actions the strategy took that the gate permitted (the buckets and what the
    gate refused are the aging and denials reports, shown with the others)."""
    with app.uow() as uow:
        totals = uow.actions.totals(first, last)
    print_table(f"actions permitted, {first} … {last}", ["action", "count"], list(totals.items()))


def _show_messages(app: App, last: date) -> None:
    """A few reminders as borrowers received them, and the last day's sending statistics
    as ``arrears messages stats`` shows them (the dry-run adapters kept every message)."""
    listed = messages_service.list_messages(app.uow_factory, status="delivered", limit=400)
    shown = [m for language in ("zh-CN", "en") for m in
             [m for m in listed if m["language"] == language][:2]]  # fmt: skip
    console.print("\n[bold]Messages sent[/bold] (dry run: kept in the database)")
    for message in shown:
        console.print(f"[dim]{message['message_id']} → {message['recipient']}[/dim]",
                      highlight=False)  # fmt: skip
        console.print(f"  {message['body']}", highlight=False, markup=False)
    print_statistics(app.uow_factory, ZoneInfo(app.settings.timezone), last, last)


def _show_arrangements(app: App) -> str | None:
    """Arrangements by kind and what became of them; returns one id to try commands on."""
    from arrears.services import arrangements

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
    """A spread of delinquent loans, worst first; returns one id to try commands on. The
    cycle's stored status picks them; each one's figures are its state worked out now."""
    from arrears.services import queries

    with app.uow_factory() as uow:
        late = sorted(uow.cycle.late_loans(1, 1_000_000), key=lambda r: (-r[1], r[0]))
    picked = late[:: max(len(late) // 8, 1)][:8]
    sample = [queries.loan_status(app.uow_factory, loan_id, today) for loan_id, _, _ in picked]
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
    from arrears.services import cycle_check, ledger_check

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
