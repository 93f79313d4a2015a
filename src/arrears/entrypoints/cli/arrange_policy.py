"""``arrears arrange policy``: validate, load, show and list arrangement policies."""

from __future__ import annotations

import os
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

from arrears.adapters.arrangement_policy_files import parse_arrangement_policy, policy_as_data
from arrears.domain.arrangement_policy import ArrangementKind, KindLimits
from arrears.domain.findings import Finding
from arrears.entrypoints.cli.output import app_of, console, errors, print_json, print_table
from arrears.services import arrangement_policies as policies
from arrears.services.arrangement_policies import InvalidArrangementPolicy, ShownPolicy

app = typer.Typer(
    help="Arrangement policies: each kind's limits and who approves beyond them, per product.",
    no_args_is_help=True,
)

INVALID_FILE = 2  # a policy file with problems: bad input


class ShowFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True)
FormatOption = typer.Option(ShowFormat.TABLE, "--format", help="table or json.")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        errors.print(f"{file}: not UTF-8 text ({error.reason})", markup=False, highlight=False)
        raise typer.Exit(INVALID_FILE) from None


def _report(file: Path, findings: list[Finding]) -> None:
    for finding in findings:
        errors.print(f"{file}: {finding}", markup=False, highlight=False, soft_wrap=True)
    errors.print(f"{file}: {len(findings)} problem(s); nothing was stored", highlight=False)
    raise typer.Exit(INVALID_FILE)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("validate")
def validate(file: Path = FileArgument) -> None:
    """Check a policy file without storing it: "valid", or every problem with its line."""
    policy, findings = parse_arrangement_policy(_read(file))
    if policy is None:
        _report(file, findings)
        return
    offered = [kind for kind, limits in policy.kinds.items() if limits.allowed]
    _say(f"{file}: valid (arrangement policy {policy.name}; offers {', '.join(offered) or 'none'})")


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = FileArgument,
    activate: list[str] | None = typer.Option(
        None,
        "--activate",
        help="Make it the policy of this product ('*': every product without its own);"
        " repeat for several.",
    ),
    author: str | None = typer.Option(
        None, "--author", help="Who wrote it (default: $USER, else 'unknown')."
    ),
) -> None:
    """Store a policy file as a new version (the same text again keeps its version)."""
    application = app_of(ctx)
    who = author or os.environ.get("USER") or "unknown"
    try:
        name, version = policies.load_text(
            application.uow_factory, _read(file), who, application.now(), activate or ()
        )
    except InvalidArrangementPolicy as error:
        _report(file, error.findings)
        return
    active = f", active for {', '.join(dict.fromkeys(activate))}" if activate else ""
    _say(f"arrangement policy {name}: version {version}{active}")


@app.command("show")
def show(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Default: the policy active for '*'."),
    version: int | None = typer.Option(None, "--version", min=1, help="Default: the latest."),
    output: ShowFormat = FormatOption,
) -> None:
    """A stored policy: each kind's limits and who approves beyond them."""
    application = app_of(ctx)
    shown = policies.show_policy(application.uow_factory, name, version)
    zone = ZoneInfo(application.settings.timezone)
    if output is ShowFormat.JSON:
        print_json(_header(shown, zone) | policy_as_data(shown.stored.policy))
        return
    _print_policy(shown, zone)


@app.command("list")
def list_(ctx: typer.Context, output: ShowFormat = FormatOption) -> None:
    """Every stored policy at its latest version, and the products it is active for."""
    application = app_of(ctx)
    zone = ZoneInfo(application.settings.timezone)
    summaries = policies.list_policies(application.uow_factory)
    if output is ShowFormat.JSON:
        print_json(
            [
                {
                    "name": s.name,
                    "version": s.latest_version,
                    "author": s.author,
                    "loaded_at": _when(s.loaded_at, zone),
                    "active_for": list(s.products),
                }
                for s in summaries
            ]
        )
        return
    print_table(
        None,
        ["name", "version", "author", "loaded_at", "active for"],
        [
            [s.name, s.latest_version, s.author, _when(s.loaded_at, zone), _where(s.products)]
            for s in summaries
        ],
    )


# -- rendering --------------------------------------------------------------------------
def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _where(products: tuple[str, ...]) -> str:
    return ", ".join(products) or "-"


def _header(shown: ShownPolicy, zone: ZoneInfo) -> dict[str, Any]:
    stored = shown.stored
    return {
        "name": stored.name,
        "version": stored.version,
        "author": stored.author,
        "loaded_at": _when(stored.loaded_at, zone),
        "active_for": list(shown.products),
    }


def _limits_text(limits: KindLimits) -> str:
    """The limits that are set, in short words: ``≤ 12 instalments; ≤ 365 days; …``."""
    parts = []
    if limits.max_instalments is not None:
        parts.append(f"≤ {limits.max_instalments} instalments")
    if limits.max_days is not None:
        parts.append(f"≤ {limits.max_days} days")
    if limits.min_down_payment_percent is not None:
        parts.append(f"down payment ≥ {limits.min_down_payment_percent}%")
    if limits.max_penalty_waiver_percent is not None:
        parts.append(f"penalty waiver ≤ {limits.max_penalty_waiver_percent}%")
    if limits.max_discount_percent_by_bucket:
        shares = limits.max_discount_percent_by_bucket.items()
        parts.append("discount ≤ " + ", ".join(f"{b} {share}%" for b, share in shares))
    if not limits.max_fee_waiver:
        parts.append("fee not waived")
    if limits.max_term_months is not None:
        parts.append(f"term ≤ {limits.max_term_months} months")
    if limits.min_annual_rate_percent is not None:
        parts.append(f"rate ≥ {limits.min_annual_rate_percent}% a year")
    return "; ".join(parts) or "none"


def _print_policy(shown: ShownPolicy, zone: ZoneInfo) -> None:
    """A header, then one row a kind, in the order of ``ArrangementKind``."""
    stored, policy = shown.stored, shown.stored.policy
    _say(
        f"{stored.name} version {stored.version}, loaded {_when(stored.loaded_at, zone)}"
        f" by {stored.author}; "
        + (f"active for {_where(shown.products)}" if shown.products else "not active")
    )
    if policy.description:
        _say(policy.description)
    if policy.per_year is not None:
        _say(
            f"per year: {policy.per_year} arrangements a borrower in 365 days;"
            f" beyond that: {policy.per_year_approver}"
        )
    rows = []
    for kind in ArrangementKind:
        limits = policy.limits(kind.value)
        if limits is None or not limits.allowed:
            rows.append([kind.value, "no", "-", "-"])
            continue
        approver = str(limits.approver) + (" (always)" if limits.always_needs_approval else "")
        rows.append([kind.value, "yes", _limits_text(limits), approver])
    print_table(None, ["kind", "offered", "limits", "beyond the limits"], rows)
