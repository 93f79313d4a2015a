"""``arrears simulate``: try a strategy (and a challenger) on a synthetic lender before
using it on real people, and read what it did per arm (docs/simulator.md)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import console, money, parse_date, print_table, progress_bar

if TYPE_CHECKING:
    from arrears.entrypoints.simulator import SimulatorSetup
    from arrears.services.simulation_outcomes import Outcomes


class Region(StrEnum):
    CN = "cn"
    US = "us"


class OutcomeFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _read(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(f"cannot read the {what} {path}: {error.strerror}") from None


def fresh_app(path: Path, region: str) -> App:
    """A new SQLite database at ``path`` (any file there is replaced), migrated."""
    from arrears.entrypoints.simulator import ZONES
    from arrears.settings import load_settings

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = load_settings(f"sqlite:///{path}")
    app = App(settings.model_copy(update={"timezone": ZONES[region]}))
    app.init()
    return app


def run_simulation(app: App, setup: SimulatorSetup, label: str) -> Outcomes:
    """Build the lender, simulate with progress bars, and read the outcomes."""
    from arrears.entrypoints.simulator import build_lender, simulate
    from arrears.services.simulation_outcomes import outcomes

    lender = build_lender(app, setup, progress=progress_bar)
    with progress_bar(f"{label} {lender.start} + {setup.days} days", setup.days) as bar:
        simulation = simulate(lender, setup, progress=bar)
    return outcomes(app.uow_factory, simulation, simulation.last_morning())


def simulate_command(
    days: int = typer.Option(90, "--days", min=1, max=730, help="Days to simulate."),
    strategy: Path | None = typer.Option(
        None, "--strategy", help="The champion strategy file (default: the region's shipped one)."
    ),
    challenger: Path | None = typer.Option(
        None, "--challenger", help="A challenger strategy file, run on --share of the loans."
    ),
    share: Decimal = typer.Option(
        Decimal(20), "--share", min=1, max=99, help="The challenger's share of loans, percent."
    ),
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same simulation."),
    borrowers: int = typer.Option(2000, "--borrowers", min=10, max=200_000, help="Borrowers."),
    region: Region = typer.Option(Region.CN, "--region", help="cn (CNY) or us (USD)."),
    behaviour: Path | None = typer.Option(
        None, "--behaviour", help="A behaviour file (default: the shipped one; docs/simulator.md)."
    ),
    end: str | None = typer.Option(
        None, "--end", metavar="YYYY-MM-DD", help="The last simulated day (default: yesterday)."
    ),
    output_format: OutcomeFormat = typer.Option(
        OutcomeFormat.TABLE, "--format", help="table or json on standard output."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Also write the report to FILE.csv or FILE.json."
    ),
    path: Path = typer.Option(
        Path("arrears-simulation.db"), "--path", help="The SQLite file to (re)create."
    ),
) -> None:
    """Simulate a synthetic lender day by day through the real cycle, gate, channels and
    arrangements, with borrowers who answer as the behaviour file says; print what each
    arm recovered and what it cost in contacts and complaints."""
    from arrears.entrypoints.simulator import SimulatorSetup, behaviour_params

    if out is not None and out.suffix not in (".csv", ".json"):
        raise typer.BadParameter("--out must end in .csv or .json", param_hint="--out")
    setup = SimulatorSetup(
        borrowers, days, seed, region.value, _read(strategy, "strategy file"),
        _read(challenger, "challenger file"), share, _read(behaviour, "behaviour file"),
        parse_date(end, "--end"),
    )  # fmt: skip
    behaviour_params(setup.behaviour_text)  # a bad file is refused before any work
    app = fresh_app(path, region.value)
    report = run_simulation(app, setup, "simulate")
    if output_format is OutcomeFormat.JSON:
        sys.stdout.write(json.dumps(outcome_data(report), ensure_ascii=False, indent=2) + "\n")
    else:
        print_outcomes(report)
    if out is not None:
        with out.open("w", encoding="utf-8", newline="") as stream:
            (write_outcome_csv if out.suffix == ".csv" else write_outcome_json)(report, stream)
        console.print(f"written to {out}")


# -- the report ------------------------------------------------------------------------------
def _measures(report: Outcomes) -> list[tuple[str, list[Any]]]:
    """The report's lines: a measure and its value per arm."""
    arms = report.arms
    c = report.currency
    lines: list[tuple[str, list[Any]]] = [
        ("loans", [a.loans for a in arms]),
        ("borrowers", [a.borrowers for a in arms]),
        (f"past due during the run ({c})", [money(a.overdue_minor, c) for a in arms]),
        (f"recovered ({c})", [money(a.recovered_minor, c) for a in arms]),
        ("recovery %", [a.recovery_percent for a in arms]),
        ("loans late", [a.late_loans for a in arms]),
        ("cured", [a.cured for a in arms]),
        ("cure rate %", [a.cure_percent for a in arms]),
    ]
    for bucket in arms[0].roll_forward_percent:
        lines.append(
            (f"roll forward from {bucket} %", [a.roll_forward_percent[bucket] for a in arms])
        )
    for channel in arms[0].contacts:
        lines.append((f"contacts: {channel}", [a.contacts[channel] for a in arms]))
    lines += [
        ("contacts per account", [a.contacts_per_account for a in arms]),
        (f"contacts per 1,000 {c} recovered", [a.contacts_per_1000_recovered for a in arms]),
        ("promises made", [a.promises_made for a in arms]),
        ("promises kept", [a.promises_kept for a in arms]),
    ]
    for status in arms[0].arrangements:
        lines.append((f"arrangements {status}", [a.arrangements[status] for a in arms]))
    lines.append(("complaints", [a.complaints for a in arms]))
    rules = sorted({rule for a in arms for rule in a.denials})
    for rule in rules:
        lines.append((f"gate denials: {rule}", [a.denials.get(rule, 0) for a in arms]))
    return lines


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}" if value < 0 or value > 0 else "0.00"


def print_outcomes(report: Outcomes) -> None:
    names = [a.arm for a in report.arms]
    print_table(
        f"simulated outcomes by arm ({report.days} days)",
        ["measure", *names],
        [[measure, *[_shown(v) for v in values]] for measure, values in _measures(report)],
    )
    if report.differences:
        print_table(
            "challenger − champion, with 95 % confidence intervals",
            ["measure", "champion", "challenger", "difference", "95 % CI"],
            [[d.measure, _number(d.champion), _number(d.challenger), _figure(d.difference),
              "" if d.low is None else f"{d.low:+.2f} … {d.high:+.2f}"]
             for d in report.differences],
        )  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def outcome_data(report: Outcomes) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    arms = []
    for arm in report.arms:
        data = {k: plain(v) for k, v in asdict(arm).items()}
        for key in ("overdue_minor", "recovered_minor"):
            data[key.removesuffix("_minor")] = money(data.pop(key), report.currency)
        arms.append(data)
    return {
        "currency": report.currency,
        "days": report.days,
        "arms": arms,
        "differences": [asdict(d) for d in report.differences],
    }


def write_outcome_json(report: Outcomes, stream: TextIO) -> None:
    stream.write(json.dumps(outcome_data(report), ensure_ascii=False, indent=2) + "\n")


def write_outcome_csv(report: Outcomes, stream: TextIO) -> None:
    """One line per measure and arm, then one per difference: measure, arm, value, low, high."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["measure", "arm", "value", "ci_low", "ci_high"])
    for measure, values in _measures(report):
        for arm, value in zip(report.arms, values, strict=True):
            writer.writerow([measure, arm.arm, _shown(value), "", ""])
    for d in report.differences:
        writer.writerow([d.measure, "challenger - champion", _number(d.difference),
                         _number(d.low), _number(d.high)])  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
