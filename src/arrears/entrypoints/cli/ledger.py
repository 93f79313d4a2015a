"""``arrears ledger``, ``arrears payment`` and ``arrears products`` commands."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer

from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.cli.output import (
    app_of,
    console,
    errors,
    parse_date,
    print_json,
    progress_bar,
)

ledger_app = typer.Typer(help="Check and post the double-entry journal.", no_args_is_help=True)
payment_app = typer.Typer(help="Post or reverse a single payment.", no_args_is_help=True)
products_app = typer.Typer(
    help="Product rules: grace, tolerance, 罚息, fees, waterfall.", no_args_is_help=True
)


@ledger_app.command("check")
def check(ctx: typer.Context) -> None:
    """Verify every entry balances and every balance equals its derivation; non-zero exit if not."""
    from arrears.services import ledger_check, queries

    app = app_of(ctx)
    with progress_bar("ledger check", queries.count_loans(app.uow_factory)) as bar:
        findings = ledger_check.check_ledger(app.uow_factory, bar)
    for finding in findings:
        errors.print(str(finding), markup=False, highlight=False)
    if findings:
        errors.print(f"[red]ledger check failed: {len(findings)} problems[/red]")
        raise typer.Exit(1)
    console.print(
        "ledger check passed: every entry balances and every balance equals its derivation"
    )


@ledger_app.command("post")
def post(
    ctx: typer.Context,
    as_of: str = typer.Option(
        ..., "--as-of", metavar="YYYY-MM-DD", help="Recognise through this date."
    ),
) -> None:
    """Recognise interest, 罚息 and late fees in the journal through a date, for every loan."""
    from arrears.services import accruals, queries

    app = app_of(ctx)
    day = parse_date(as_of, "--as-of")
    assert day is not None
    with (
        collector_paused(),
        progress_bar("post accruals", queries.count_loans(app.uow_factory)) as bar,
    ):
        posted = accruals.post_accruals(app.uow_factory, day, app.now(), bar)
    console.print(f"posted {posted} journal entries through {day}")


@payment_app.command("post")
def post_payment(
    ctx: typer.Context,
    payment_id: str = typer.Option(
        ..., "--id", help="The payment's external id (its idempotency key)."
    ),
    loan_id: str = typer.Option(..., "--loan"),
    paid_on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD"),
    amount: str = typer.Option(..., "--amount", help="Major units, e.g. 1066.19"),
    channel: str | None = typer.Option(None, "--channel"),
) -> None:
    """Post one payment; the same id again changes nothing, with other data it is refused."""
    from arrears.domain.records import PaymentRecord
    from arrears.services import payments

    app = app_of(ctx)
    try:
        value = Decimal(amount)
        if not value.is_finite() or value <= 0:
            raise InvalidOperation
    except InvalidOperation:
        raise typer.BadParameter(
            f"{amount!r} is not a positive amount", param_hint="--amount"
        ) from None
    day = parse_date(paid_on, "--on")
    assert day is not None
    record = PaymentRecord(payment_id, loan_id, day, value, None, channel)
    report = payments.post_payment(app.uow_factory, record, app.now())
    verb = "posted" if report.written else "already posted (unchanged)"
    console.print(f"payment {payment_id} {verb}")


@payment_app.command("reverse")
def reverse_payment(
    ctx: typer.Context,
    payment_id: str,
    on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The day the payment bounced."),
    reason: str = typer.Option("bounced", "--reason"),
) -> None:
    """Reverse a payment (bounced): its loan returns to the state as if it never arrived."""
    from arrears.services import payments

    app = app_of(ctx)
    day = parse_date(on, "--on")
    assert day is not None
    posted = payments.reverse_payment(app.uow_factory, payment_id, day, reason, app.now())
    console.print(f"payment {payment_id} reversed ({posted} journal entries posted)")


@products_app.command("load")
def load(ctx: typer.Context, file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Load product rules from a TOML file (see docs/products.md); a changed product gets a new version."""
    from arrears.adapters.product_files import parse_products
    from arrears.services import products

    app = app_of(ctx)
    models, findings = parse_products(file.read_text(encoding="utf-8"))
    if findings:
        for finding in findings:
            errors.print(f"{file}: {finding}", markup=False, highlight=False)
        raise typer.Exit(2)
    for name, version in products.load_products(app.uow_factory, models, app.now()).items():
        console.print(f"product {name}: version {version}")


@products_app.command("show")
def show(ctx: typer.Context) -> None:
    """The stored products and their rules, as JSON."""
    app = app_of(ctx)
    with app.uow() as uow:
        rows = uow.ledger.product_models()
    print_json({name: {"version": version, **model} for name, (version, model) in rows.items()})
