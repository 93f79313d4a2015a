"""``arrears user …``: accounts for the web app and API tokens for integrations."""

from __future__ import annotations

import typer

from arrears.domain.access import UserRole
from arrears.entrypoints.cli.output import Format, app_of, console, print_json, print_table

app = typer.Typer(
    help="Accounts that sign in to the web app, and API tokens.", no_args_is_help=True
)

ROLES = ", ".join(role.value for role in UserRole)


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The name to sign in with."),
    role: str = typer.Option(..., "--role", help=f"One of: {ROLES}."),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="ARREARS_USER_PASSWORD",
        help="Asked for when not given (at least 10 characters).",
    ),
    borrower: str | None = typer.Option(
        None, "--borrower", help="For a borrower's account: their borrower id."
    ),
    name: str | None = typer.Option(None, "--name", help="The name shown on the pages."),
    language: str | None = typer.Option(None, "--language", help="en or zh-CN."),
) -> None:
    """Create an account that signs in to the web app with ROLE's pages."""
    from arrears.services import accounts

    application = app_of(ctx)
    user = accounts.add_user(
        application.uow_factory, username, role, password, application.now(),
        display_name=name, borrower_id=borrower, language=language,
    )  # fmt: skip
    console.print(f"added {user.username} ({user.role})", highlight=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    output: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Every account: its role, the borrower it is for, and whether it is disabled."""
    from arrears.services import accounts

    users = accounts.list_users(app_of(ctx).uow_factory)
    rows = [
        [u.username, u.role.value, u.display_name or "", u.borrower_id or "", u.language or "",
         "disabled" if u.disabled else "active"]
        for u in users
    ]  # fmt: skip
    columns = ["username", "role", "name", "borrower_id", "language", "status"]
    if output is Format.JSON:
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
    else:
        print_table(None, columns, rows)


@app.command("disable")
def disable(ctx: typer.Context, username: str) -> None:
    """Stop USERNAME signing in: their sessions end now and their API tokens stop working."""
    from arrears.services import accounts

    application = app_of(ctx)
    accounts.set_disabled(application.uow_factory, username, True, application.now())
    console.print(f"disabled {username}", highlight=False)


@app.command("enable")
def enable(ctx: typer.Context, username: str) -> None:
    """Let a disabled USERNAME sign in again."""
    from arrears.services import accounts

    application = app_of(ctx)
    accounts.set_disabled(application.uow_factory, username, False, application.now())
    console.print(f"enabled {username}", highlight=False)


@app.command("token")
def token(
    ctx: typer.Context,
    username: str,
    name: str = typer.Option(..., "--name", help="What uses it, e.g. core-banking-sync."),
) -> None:
    """A new API token acting as USERNAME, for an integration; printed once, keep it safe."""
    from arrears.services import accounts

    application = app_of(ctx)
    issued = accounts.issue_token(application.uow_factory, username, name, application.now())
    typer.echo(issued)
