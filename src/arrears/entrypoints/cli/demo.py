"""``arrears demo``: a fresh SQLite ledger with a synthetic lender, shown as of today."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import typer

from arrears.adapters.product_files import parse_products
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.findings import Finding
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import console, print_table, progress_bar
from arrears.entrypoints.cli.readouts import print_portfolio, status_record
from arrears.services import accruals, importing, ledger_check, products, queries
from arrears.services.synthetic_portfolio import generate_portfolio
from arrears.settings import load_settings


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    raw: dict[str, str]
    record: Any
    findings: tuple[Finding, ...] = ()


DEMO_ZONES = {"cn": "Asia/Shanghai", "us": "America/New_York"}


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

    with collector_paused():
        portfolio = generate_portfolio(loans, today, seed=seed, region=region)
        with progress_bar("import loans", len(portfolio.loans)) as bar:
            importing.import_loans(app.uow_factory, _rows(portfolio.loans), now, progress=bar)
        with progress_bar("import payments", len(portfolio.payments)) as bar:
            importing.import_payments(app.uow_factory, _rows(portfolio.payments), now, progress=bar)
        with progress_bar("post accruals", len(portfolio.loans)) as bar:
            accruals.post_accruals(app.uow_factory, today, now, bar)

    console.print(
        f"[bold]arrears demo[/bold]: {len(portfolio.loans)} loans, {len(portfolio.payments)} payments "
        f"in {path} (seed {seed}); behaviours: "
        + ", ".join(f"{k} {v}" for k, v in sorted(portfolio.behaviour_counts.items()))
    )
    with progress_bar("portfolio", len(portfolio.loans)) as bar:
        summary = queries.portfolio(app.uow_factory, today, DEFAULT_BUCKETS.labels, bar)
    print_portfolio(summary)
    example = _show_worst_loans(app, today)
    findings = ledger_check.check_ledger(app.uow_factory)
    console.print(
        "ledger check: "
        + ("passed — every entry balances" if not findings else f"{len(findings)} problems")
    )
    db = f"--db sqlite:///{path}"
    console.print("\nTry:", highlight=False)
    for command in (f"status {example}", f"schedule {example}", "portfolio --format json",
                    "ledger check", "export status --out status.csv"):  # fmt: skip
        console.print(f"  arrears {db} {command}", highlight=False, soft_wrap=True)


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
