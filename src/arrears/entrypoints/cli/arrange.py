"""``arrears arrange``: repayment arrangements and the policy that limits them
(docs/arrangement-policy.md). The policy commands live in ``arrange_policy``."""

from __future__ import annotations

import typer

from arrears.entrypoints.cli import arrange_commands, arrange_policy

app = typer.Typer(
    help="Repayment arrangements: promises, extensions, plans, re-ages, settlements and"
    " hardship pauses, within the product's arrangement policy (docs/arrangement-policy.md).",
    no_args_is_help=True,
)
app.add_typer(arrange_policy.app, name="policy")
# quote, create, list, show, approve, reject, cancel: docs/arrangements.md
app.command("quote")(arrange_commands.quote)
app.command("create")(arrange_commands.create)
app.command("list")(arrange_commands.list_)
app.command("show")(arrange_commands.show)
app.command("approve")(arrange_commands.approve)
app.command("reject")(arrange_commands.reject)
app.command("cancel")(arrange_commands.cancel)
