"""``arrears``: the command line of the arrears collections platform."""

from __future__ import annotations

import os
import sys

import typer

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli import (
    arrange,
    cycle,
    demo,
    imports,
    ledger,
    readouts,
    serve,
    simulate,
    strategy,
    users,
)
from arrears.entrypoints.cli import audit as audit_cli
from arrears.entrypoints.cli import collections as collections_cli
from arrears.entrypoints.cli import compliance as compliance_cli
from arrears.entrypoints.cli import letters as letters_cli
from arrears.entrypoints.cli import messages as messages_cli
from arrears.entrypoints.cli import report as report_cli
from arrears.entrypoints.cli import templates as templates_cli
from arrears.entrypoints.cli.output import app_of, console, errors
from arrears.services.errors import ArrearsError

app = typer.Typer(
    help="arrears: an exact loan ledger and collections platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: $ARREARS_DATABASE_URL or sqlite:///arrears.db)."
    ),
) -> None:
    from arrears.settings import load_settings  # pydantic loads only when a command runs

    ctx.obj = App(load_settings(db))


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or migrate it to the current schema keeping its data."""
    from arrears.services import arrangement_policies, compliance, strategies

    application = app_of(ctx, ready=False)
    before, after = application.init()
    if before == after:
        console.print(f"database already at revision {after}")
    else:
        console.print(f"database migrated from {before or 'empty'} to {after}")
    shipped = strategies.load_default_strategies(
        application.uow_factory, application.now(), application.settings.default_strategy
    )
    listed = ", ".join(f"{name} v{version}" for name, version in shipped.items())
    active = strategies.active_name(application.uow_factory)
    console.print(f"default strategies: {listed}; active: {active}")
    shipped = arrangement_policies.load_shipped_policies(
        application.uow_factory, application.now(), application.settings.arrangement_policy
    )
    listed = ", ".join(f"{name} v{version}" for name, version in shipped.items())
    active_for = arrangement_policies.active_policies(application.uow_factory)
    active = ", ".join(f"{name} for {product}" for product, name in active_for.items())
    console.print(f"arrangement policies: {listed}; active: {active}", highlight=False)
    packs = compliance.load_shipped_packs(
        application.uow_factory,
        compliance.shipped_pack_texts(),
        application.now(),
        [name.strip() for name in application.settings.compliance_packs.split(",") if name.strip()],
    )
    listed = ", ".join(f"{name} v{version}" for name, version in packs.items())
    console.print(f"policy packs: {listed}; active: {application.settings.compliance_packs}")


app.add_typer(imports.app, name="import")
app.add_typer(ledger.ledger_app, name="ledger")
app.add_typer(ledger.payment_app, name="payment")
app.add_typer(ledger.products_app, name="products")
app.add_typer(readouts.export_app, name="export")
app.add_typer(collections_cli.contact_app, name="contact")
app.add_typer(collections_cli.borrower_app, name="borrower")
app.add_typer(collections_cli.promise_app, name="promise")
app.add_typer(cycle.app, name="cycle")
app.command("actions")(cycle.actions)
app.add_typer(strategy.app, name="strategy")
app.add_typer(arrange.app, name="arrange")
app.add_typer(compliance_cli.app, name="compliance")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(templates_cli.app, name="templates")
app.command("dispatch")(messages_cli.dispatch)
app.add_typer(messages_cli.app, name="messages")
app.add_typer(letters_cli.app, name="letters")
app.add_typer(report_cli.app, name="report")
readouts.register(app)
demo.register(app)
simulate.register(app)
serve.register(app)
app.add_typer(users.app, name="user")


INTERNAL_ERROR = 70  # EX_SOFTWARE


def _database_error() -> type[Exception] | tuple[()]:
    """SQLAlchemy's error class once SQLAlchemy is loaded; before, no error can be one (the
    CLI starts without SQLAlchemy and loads it with the first command that opens a store)."""
    loaded = sys.modules.get("sqlalchemy.exc")
    return () if loaded is None else loaded.SQLAlchemyError


def run() -> None:
    """Entry point: user errors become a message and an exit code, never a stack trace."""
    try:
        code = app(standalone_mode=False)  # a typer.Exit inside a command comes back as its code
    except ArrearsError as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(error.exit_code)
    except _database_error() as error:
        errors.print(f"[red]database error:[/red] {getattr(error, 'orig', error)}", highlight=False)
        sys.exit(6)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        errors.print("aborted")
        sys.exit(130)
    except typer.TyperException as error:  # usage errors: typer shows them, with their exit code
        show = getattr(error, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(error, "exit_code", 2))
    except Exception as error:  # a bug: say so plainly; the trace only when asked for
        if os.environ.get("ARREARS_DEBUG"):
            raise
        errors.print(
            f"[red]internal error:[/red] {type(error).__name__}: {error}. This is a bug in"
            " arrears; run again with ARREARS_DEBUG=1 to see where, and report it.",
            highlight=False,
        )
        sys.exit(INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
