"""``arrears demo``: a fresh SQLite ledger with a synthetic lender, shown as of today."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

from arrears.adapters.product_files import parse_products
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.findings import Finding
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import build_dispatcher
from arrears.entrypoints.cli.demo_arrangements import DemoArrangements, show_arrangements
from arrears.entrypoints.cli.output import console, print_table, progress_bar
from arrears.entrypoints.cli.readouts import status_record
from arrears.services import (
    arrangement_policies,
    compliance,
    cycle_check,
    importing,
    ledger_check,
    products,
    queries,
    roll_rates,
    strategies,
)
from arrears.services import messages as messages_service
from arrears.services.cycle import CycleOptions, run_cycle
from arrears.services.synthetic_portfolio import generate_portfolio
from arrears.settings import load_settings


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    raw: dict[str, str]
    record: Any
    findings: tuple[Finding, ...] = ()


DEMO_ZONES = {"cn": "Asia/Shanghai", "us": "America/New_York"}
DEMO_STRATEGIES = {"cn": "cn-consumer", "us": "us-consumer"}
DEMO_ARRANGEMENT_POLICIES = {"cn": "cn-standard", "us": "us-standard"}
DEMO_PACKS = {"cn": ["cn", "house"], "us": ["us-regf", "house"]}
CYCLE_DAYS = 90


def _rows(records: list[Any]) -> Any:
    def open_rows() -> Iterator[_Row]:
        for line, record in enumerate(records, start=2):
            yield _Row(line, {}, record)

    return open_rows


def demo(
    ctx: typer.Context,
    loans: int = typer.Option(3000, "--loans", min=10, max=200_000, help="How many loans."),
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same portfolio."),
    region: str = typer.Option("cn", "--region", help="cn (CNY, Chinese names) or us."),
    path: Path = typer.Option(
        Path("arrears-demo.db"), "--path", help="The SQLite file to (re)create."
    ),
) -> None:
    """Create a fresh SQLite database with a synthetic portfolio and show it as of today."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = load_settings(f"sqlite:///{path}")
    zone = DEMO_ZONES.get(region, settings.timezone)  # "today" is the lender's day
    app = App(settings.model_copy(update={"timezone": zone}))
    app.init()
    today = app.today()
    now = app.now()
    text = (
        files("arrears.entrypoints.cli").joinpath("demo_products.toml").read_text(encoding="utf-8")
    )
    models, _ = parse_products(text)
    products.load_products(app.uow_factory, models, now)
    strategies.load_default_strategies(app.uow_factory, now, DEMO_STRATEGIES[region])
    arrangement_policies.load_shipped_policies(
        app.uow_factory, now, DEMO_ARRANGEMENT_POLICIES[region]
    )
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), now, DEMO_PACKS[region]
    )

    with collector_paused():
        portfolio = generate_portfolio(loans, today, seed=seed, region=region)
        with progress_bar("import loans", len(portfolio.loans)) as bar:
            importing.import_loans(app.uow_factory, _rows(portfolio.loans), now, progress=bar)
        with progress_bar("import payments", len(portfolio.payments)) as bar:
            importing.import_payments(app.uow_factory, _rows(portfolio.payments), now, progress=bar)
        first = today - timedelta(days=CYCLE_DAYS - 1)
        _record_requests(app, portfolio.loans, first)
        options = CycleOptions(timezone=zone)
        clock = _DemoClock(ZoneInfo(zone))
        dispatcher = build_dispatcher(app, clock=clock, seed=seed)
        asking = DemoArrangements(app, seed)
        with progress_bar(f"daily cycle and dispatch {first} … {today}", CYCLE_DAYS) as bar:
            for offset in range(CYCLE_DAYS):
                day = first + timedelta(days=offset)
                asking.before_cycle(offset, day)
                run_cycle(app.uow_factory, day, app.now, options=options)
                clock.day = day  # the day's messages go out that morning
                dispatcher.run_once()
                bar(1)

    console.print(
        f"[bold]arrears demo[/bold]: {len(portfolio.loans)} loans, {len(portfolio.payments)} payments "
        f"in {path} (seed {seed}); behaviours: "
        + ", ".join(f"{k} {v}" for k, v in sorted(portfolio.behaviour_counts.items()))
    )
    _show_cycles(app, first, today)
    _show_messages(app, first, today)
    arranged = show_arrangements(app)
    example = _show_worst_loans(app, today)
    findings = ledger_check.check_ledger(app.uow_factory)
    console.print(
        "ledger check: "
        + ("passed — every entry balances" if not findings else f"{len(findings)} problems")
    )
    differences = cycle_check.check_status(app.uow_factory)
    console.print(
        "cycle check: "
        + ("passed — every loan's status equals the per-loan reference"
           if not differences else f"{len(differences)} loans differ")
    )  # fmt: skip
    db = f"--db sqlite:///{path}"
    console.print("\nTry:", highlight=False)
    for command in (f"status {example}", f"schedule {example}", "portfolio --format json",
                    "ledger check", "actions --channel call --limit 20", "cycle --catch-up",
                    "strategy show", "compliance decisions --status all", "compliance show cn",
                    "messages --status delivered --limit 10", "messages stats",
                    "letters list", "templates render due_reminder --loan " + example,
                    "arrange list --status kept", f"arrange show {arranged}",
                    "arrange policy show",
                    "audit verify", "export status --out status.csv"):  # fmt: skip
        console.print(f"  arrears {db} {command}", highlight=False, soft_wrap=True)


class _DemoClock:
    """The demo's dispatcher runs each simulated day at 10:00 in the lender's zone,
    advancing a little with every reading, as a real morning's sending would."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.day = date.min
        self.ticks = 0

    def __call__(self) -> datetime:
        self.ticks += 1
        morning = datetime.combine(self.day, time(10), tzinfo=self.zone)
        return morning.astimezone(UTC) + timedelta(milliseconds=self.ticks)


def _show_messages(app: App, first: date, last: date) -> None:
    """A few reminders as borrowers received them, in both languages, and the delivery
    statistics of the demo's days (the dry-run adapters kept every message)."""
    shown = []
    for language in ("zh-CN", "en"):
        listed = messages_service.list_messages(app.uow_factory, status="delivered", limit=400)
        shown += [m for m in listed if m["language"] == language][:2]
    console.print("\n[bold]Messages sent[/bold] (dry run: kept in the database)")
    for message in shown:
        console.print(
            f"[dim]{message['message_id']} → {message['recipient']}[/dim]", highlight=False
        )
        console.print(f"  {message['body']}", highlight=False, markup=False)
    totals: Counter[tuple[str, str]] = Counter()
    for row in messages_service.delivery_statistics(app.uow_factory, first, last):
        for kind in ("sent", "delivered", "failed", "blocked", "expired"):
            totals[(row.channel, kind)] += getattr(row, kind)
    channels = sorted({channel for channel, _ in totals})
    kinds = ["sent", "delivered", "failed", "blocked", "expired"]
    print_table(
        f"messages, {first} … {last}",
        ["channel", *kinds],
        [[channel, *[totals[(channel, k)] for k in kinds]] for channel in channels],
    )


def _record_requests(app: App, loans: list[Any], first: date) -> None:
    """What borrowers asked for, as a lender hears it: a few opted out of text messages,
    which the gate honours in the cycle (hardship pauses are arrangements: see
    ``demo_arrangements``)."""
    start = datetime.combine(first, time(9), tzinfo=UTC)
    borrowers = sorted({loan.borrower_id for loan in loans})
    for index, borrower in enumerate(borrowers):
        if index % 40 == 7:
            profile: dict[str, object] = {"opt_outs": [{"channel": "sms", "at": start.isoformat()}]}
            compliance.set_profile(app.uow_factory, borrower, profile, app.now())


def _show_cycles(app: App, first: date, last: date) -> None:
    """Buckets at the end, roll rates month over month, and the actions taken."""
    with app.uow() as uow:
        summary = uow.cycle.day_summary(last) or {}
        totals = uow.actions.totals(first, last)
    buckets = summary.get("buckets", {})
    assert isinstance(buckets, dict)
    console.print(f"\n[bold]{CYCLE_DAYS} days of the daily cycle[/bold], {first} … {last}")
    print_table(f"loans by bucket on {last}", ["bucket", "loans"], list(buckets.items()))
    labels = DEFAULT_BUCKETS.labels
    for matrix in roll_rates.roll_rates(
        app.uow_factory, [first, *roll_rates.month_ends(first, last)]
    ):
        rows = []
        for start in labels:
            loans = sum(n for (f, _), n in matrix.counts.items() if f == start)
            if loans:
                shares = [f"{matrix.share(start, end):.0%}" if matrix.counts.get((start, end))
                          else "" for end in labels]  # fmt: skip
                rows.append([start, loans, *shares])
        print_table(f"roll rates {matrix.start} → {matrix.end} (share of each row)",
                    ["bucket", "loans", *labels], rows)  # fmt: skip
    print_table(f"actions permitted, {first} … {last}", ["action", "count"], list(totals.items()))
    gated: Counter[tuple[str, str]] = Counter()
    for row in compliance.decisions_by_rule(app.uow_factory, first, last):
        if row.status != "permitted":
            gated[(row.status, row.rule)] += row.actions
    print_table(
        "actions the compliance gate denied or deferred, by rule",
        ["status", "rule", "actions"],
        [[status, rule, n] for (status, rule), n in gated.most_common()],
    )


def _show_worst_loans(app: App, today: Any) -> str:
    """Print a spread of delinquent loans, worst first; returns one id to try commands on."""
    states = sorted(
        (s for s in queries.iter_states(app.uow_factory, today) if s.dpd > 0),
        key=lambda s: (-s.dpd, s.loan_id),
    )
    sample = states[:: max(len(states) // 8, 1)][:8]
    columns = ["loan_id", "dpd", "bucket", "total_overdue", "penalty", "fees", "payoff_amount"]
    rows = [[status_record(s)[c] for c in columns] for s in sample]
    print_table("A few delinquent loans", columns, rows)
    return sample[len(sample) // 2].loan_id if sample else "L00000001"


def register(app: typer.Typer) -> None:
    app.command()(demo)
