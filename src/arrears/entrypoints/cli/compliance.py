"""``arrears compliance``: policy packs (list, show, load, activate), borrowers' compliance
profiles, and the what-if evaluator for compliance officers (docs/compliance.md)."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from arrears.entrypoints.cli.output import (
    Format,
    app_of,
    console,
    errors,
    parse_date,
    print_json,
    print_table,
    write_csv,
)

if TYPE_CHECKING:
    from arrears.domain.compliance.evaluate import Decision
    from arrears.domain.compliance.rules import Pack

app = typer.Typer(
    help="Compliance: policy packs, borrower profiles, and the what-if evaluator.",
    no_args_is_help=True,
)
profile_app = typer.Typer(
    help="A borrower's compliance profile: holds, consents, opt-outs, preferences, contacts.",
    no_args_is_help=True,
)
app.add_typer(profile_app, name="profile")

INVALID = 2  # a pack or scenario with problems
UNEXPECTED = 1  # a scenario's decision differs from its "expect"

FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True)


def _fail(source: str, findings: Any, code: int = INVALID) -> None:
    for finding in findings:
        errors.print(f"{source}: {finding}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _pack(name_or_path: str) -> Pack:
    from arrears.adapters.policy_files import SHIPPED, parse_pack, read_pack_text

    try:
        text = read_pack_text(name_or_path)
    except OSError as error:
        known = ", ".join(SHIPPED)
        errors.print(f"no pack {name_or_path!r}: {error.strerror} (shipped: {known})")
        raise typer.Exit(INVALID) from None
    pack, findings = parse_pack(text)
    if pack is None:
        _fail(name_or_path, findings)
        raise AssertionError  # unreachable: _fail exits
    return pack


@app.command("packs")
def packs(ctx: typer.Context) -> None:
    """The stored packs at their latest version, and where each is active."""
    from arrears.services import compliance

    summaries = compliance.list_packs(app_of(ctx).uow_factory)
    print_table(
        None,
        ["pack", "version", "title", "rules", "active for"],
        [[s.name, s.version, s.title, s.rules, ", ".join(s.products) or "-"] for s in summaries],
    )


@app.command("show")
def show(
    ctx: typer.Context,
    pack: str = typer.Argument(..., help="A stored pack's name, or a pack file."),
) -> None:
    """Print a pack's rules: id, check, what it says, its source and confidence."""
    from arrears.services import compliance

    if Path(pack).is_file():
        shown, version = _pack(pack), None
    else:
        shown, version = compliance.stored_pack(app_of(ctx).uow_factory, pack)
    label = f"v{version}" if version else "(file)"
    console.print(f"{shown.name} {label}: {shown.title}; zone {shown.zone}", highlight=False)
    print_table(
        None,
        ["rule", "check", "says", "source", "conf."],
        [
            [r.id + ("" if r.enforce else " (note)"), r.check.name, r.says, r.source, r.confidence]
            for r in shown.rules
        ],
    )


@app.command("load")
def load(
    ctx: typer.Context,
    file: Path = FileArgument,
    author: str = typer.Option("cli", "--author", help="Who loads it (kept with the version)."),
) -> None:
    """Validate a pack file and store it as the pack's next version."""
    from arrears.services import compliance

    application = app_of(ctx)
    name, version = compliance.load_pack(
        application.uow_factory, file.read_text(encoding="utf-8"), author, application.now()
    )
    console.print(f"pack {name} stored as version {version}", highlight=False)


@app.command("activate")
def activate(
    ctx: typer.Context,
    pack: str,
    product: str = typer.Option("*", "--product", help="A product, or * for every product."),
) -> None:
    """Make a stored pack bind a product (several packs: the strictest result wins)."""
    from arrears.services import compliance

    application = app_of(ctx)
    changed = compliance.activate_pack(application.uow_factory, pack, product, application.now())
    state = "now active" if changed else "already active"
    console.print(f"pack {pack} {state} for {product}", highlight=False)


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    pack: str,
    product: str = typer.Option("*", "--product", help="A product, or * for every product."),
) -> None:
    """Stop a pack binding a product."""
    from arrears.services import compliance

    application = app_of(ctx)
    compliance.deactivate_pack(application.uow_factory, pack, product, application.now())
    console.print(f"pack {pack} no longer active for {product}", highlight=False)


@app.command("evaluate")
def evaluate(
    scenario_file: Path = FileArgument,
    pack: list[str] = typer.Option(
        ..., "--pack", help="A shipped pack's name or a pack file; repeat for several."
    ),
) -> None:
    """Decide a scenario's proposed contact under the packs (the strictest wins) and print
    {"decision", "rule", "reason", "not_before"} as JSON. A scenario with "expect" exits 1
    when the decision differs. Needs no database."""
    from arrears.adapters.scenario_files import parse_scenario
    from arrears.domain.compliance.evaluate import decide, in_order

    scenario, expect, findings = parse_scenario(scenario_file.read_text(encoding="utf-8"))
    if scenario is None:
        _fail(str(scenario_file), findings)
        return
    rules = in_order([rule for name in pack for rule in _pack(name).rules])
    decision = decide(scenario, rules)
    print_json(decision.as_json())
    if expect is not None:
        _check_expectation(scenario_file, decision, expect)


def _check_expectation(file: Path, decision: Decision, expect: dict[str, Any]) -> None:
    shown = decision.as_json()
    wrong = {
        key: (value, shown.get(key)) for key, value in expect.items() if shown.get(key) != value
    }
    if wrong:
        for key, (wanted, got) in wrong.items():
            errors.print(f"{file}: expected {key} {wanted!r}, got {got!r}", highlight=False)
        raise typer.Exit(UNEXPECTED)


@app.command("decisions")
def decisions(
    ctx: typer.Context,
    start: str = typer.Option(None, "--from", help="First day (default: 30 days before --to)."),
    end: str = typer.Option(None, "--to", help="Last day (default: the cycle's last day)."),
    status: str = typer.Option("denied", "--status", help="denied, deferred, permitted, or all."),
    format: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json."),
) -> None:
    """The cycle's gate decisions by day and rule (default: the denials)."""
    from arrears.services import compliance

    application = app_of(ctx)
    last = parse_date(end, "--to") or application.today()
    first = parse_date(start, "--from") or last - timedelta(days=30)
    rows = compliance.decisions_by_rule(
        application.uow_factory, first, last, None if status == "all" else status
    )
    columns = ["day", "status", "rule", "channel", "actions"]
    records = [[r.day.isoformat(), r.status, r.rule, r.channel, r.actions] for r in rows]
    if format is Format.JSON:
        print_json([dict(zip(columns, record, strict=True)) for record in records])
    elif format is Format.CSV:
        write_csv(sys.stdout, columns, iter(records))
    else:
        print_table(f"gate decisions ({status}), {first} … {last}", columns, records)


@profile_app.command("set")
def profile_set(ctx: typer.Context, borrower_id: str, file: Path = FileArgument) -> None:
    """Store a borrower's compliance profile from a JSON file (the scenario's "borrower"
    object without its id): holds, consents, opt-outs, preferences, third parties."""
    from arrears.services import compliance

    application = app_of(ctx)
    try:
        profile = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        errors.print(f"{file}: not valid JSON: {error.msg} (line {error.lineno})")
        raise typer.Exit(INVALID) from None
    compliance.set_profile(application.uow_factory, borrower_id, profile, application.now())
    console.print(f"compliance profile of {borrower_id} stored", highlight=False)


@profile_app.command("show")
def profile_show(ctx: typer.Context, borrower_id: str) -> None:
    """Print a borrower's stored compliance profile as JSON."""
    from arrears.services import compliance

    print_json(compliance.get_profile(app_of(ctx).uow_factory, borrower_id))
