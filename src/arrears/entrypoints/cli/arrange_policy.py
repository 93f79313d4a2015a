"""``arrears arrange policy``: validate, load, show and list arrangement policies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer

from arrears.domain.arrangement_policy import ArrangementKind, KindLimits
from arrears.entrypoints.cli import versioned_file_commands as versioned
from arrears.entrypoints.cli.output import app_of, console, print_table

if TYPE_CHECKING:
    from arrears.services.arrangement_policies import ShownPolicy

app = typer.Typer(
    help="Arrangement policies: each kind's limits and who approves beyond them, per product.",
    no_args_is_help=True,
)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("validate")
def validate(file: Path = versioned.FileArgument) -> None:
    """Check a policy file without storing it: "valid", or every problem with its line."""
    from arrears.adapters.arrangement_policy_files import parse_arrangement_policy

    policy = versioned.checked(file, parse_arrangement_policy)
    offered = [kind for kind, limits in policy.kinds.items() if limits.allowed]
    _say(f"{file}: valid (arrangement policy {policy.name}; offers {', '.join(offered) or 'none'})")


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = versioned.FileArgument,
    activate: list[str] | None = typer.Option(
        None,
        "--activate",
        help="Make it the policy of this product ('*': every product without its own);"
        " repeat for several.",
    ),
    author: str | None = versioned.AuthorOption,
) -> None:
    """Store a policy file as a new version (the same text again keeps its version)."""
    from arrears.services import arrangement_policies as policies

    application = app_of(ctx)
    name, version = versioned.loaded(
        file,
        author,
        lambda text, who: policies.load_text(
            application.uow_factory, text, who, application.now(), activate or ()
        ),
    )
    active = f", active for {', '.join(dict.fromkeys(activate))}" if activate else ""
    _say(f"arrangement policy {name}: version {version}{active}")


@app.command("show")
def show(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Default: the policy active for '*'."),
    version: int | None = versioned.VersionOption,
    output: versioned.ShowFormat = versioned.FormatOption,
) -> None:
    """A stored policy: each kind's limits and who approves beyond them."""
    from arrears.services import arrangement_policies as policies

    application = app_of(ctx)
    shown = policies.show_policy(application.uow_factory, name, version)
    versioned.print_stored(output, versioned.zone_of(application), shown, _as_json, _print_policy)


@app.command("list")
def list_(ctx: typer.Context, output: versioned.ShowFormat = versioned.FormatOption) -> None:
    """Every stored policy at its latest version, and the products it is active for."""
    from arrears.services import arrangement_policies as policies

    application = app_of(ctx)
    summaries = policies.list_policies(application.uow_factory)
    rows = [(s, list(s.products), _where(s.products)) for s in summaries]
    versioned.print_summaries(
        output, versioned.zone_of(application), ("active_for", "active for"), rows
    )


# -- rendering --------------------------------------------------------------------------
def _where(products: tuple[str, ...]) -> str:
    return ", ".join(products) or "-"


def _as_json(shown: ShownPolicy, zone: ZoneInfo) -> dict[str, Any]:
    from arrears.adapters.arrangement_policy_files import policy_as_data

    stored = shown.stored
    return {
        "name": stored.name,
        "version": stored.version,
        "author": stored.author,
        "loaded_at": versioned.when(stored.loaded_at, zone),
        "active_for": list(shown.products),
    } | policy_as_data(stored.policy)


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
        f"{stored.name} version {stored.version}, loaded {versioned.when(stored.loaded_at, zone)}"
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
