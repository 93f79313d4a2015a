"""``arrears dispatch`` sends what the outbox holds; ``arrears messages`` shows it.

Providers come from the settings (docs/channels.md): out of the box SMS and e-mail go
to the dry-run adapters, which keep each rendered message in the database.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer

from arrears.entrypoints.cli.output import (
    Format,
    app_of,
    console,
    parse_date,
    print_json,
    print_table,
    write_csv,
)

if TYPE_CHECKING:
    from arrears.services.dispatch import DispatchReport
    from arrears.services.ports import UnitOfWork

app = typer.Typer(
    help="Messages in the outbox: list them (filters below), show one, delivery statistics.",
    invoke_without_command=True,
)

LIST_COLUMNS = [
    "message_id", "as_of", "channel", "template", "language", "recipient", "status",
    "attempts", "provider_id", "rule_id", "last_error",
]  # fmt: skip
OPT_OUT_COLUMNS = ["as_of", "channel", "opt_outs"]
STAT_COLUMNS = [
    "as_of", "channel", "template", "sent", "delivered", "failed", "blocked", "expired",
    "pending",
]  # fmt: skip


def dispatch(
    ctx: typer.Context,
    follow: bool = typer.Option(
        False, "--follow", help="Keep running: send what falls due until interrupted."
    ),
    channel: list[str] = typer.Option(
        [], "--channel", help="Only this channel (sms, email, letter); repeatable."
    ),
    output: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Send every due message through its channel's provider, with retries and rate
    limits, and apply the delivery receipts that arrive."""
    from arrears.entrypoints.channels import build_dispatcher

    application = app_of(ctx)
    dispatcher = build_dispatcher(application, channels=channel or None)
    try:
        if follow:
            _follow(dispatcher, application.settings.dispatch.poll_seconds)
            return
        report = dispatcher.run_once()
    finally:
        for adapter in dispatcher.adapters.values():
            adapter.close()
    _print_report(report, output)


def _follow(dispatcher: Any, poll_seconds: float) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print("dispatching; Ctrl-C to stop")
    try:
        while not stop.is_set():
            report = dispatcher.run_once()
            if any(report.sent.values()) or report.receipts:
                console.print(_summary(report))
            stop.wait(poll_seconds)
    except KeyboardInterrupt:
        pass


def _summary(report: DispatchReport) -> str:
    parts = []
    for kind in ("sent", "retried", "failed", "blocked", "deferred"):
        counts: dict[str, int] = getattr(report, kind)
        if counts:
            listed = ", ".join(f"{channel} {n}" for channel, n in sorted(counts.items()))
            parts.append(f"{kind}: {listed}")
    parts.append(f"receipts: {report.receipts}")
    if report.replies:
        parts.append(f"replies: {report.replies}")
    if report.expired:
        parts.append(f"expired: {report.expired}")
    return "; ".join(parts)


def _print_report(report: DispatchReport, output: Format) -> None:
    if output is Format.JSON:
        kinds = ("sent", "retried", "failed", "blocked", "deferred", "receipts", "expired",
                 "replies")  # fmt: skip
        print_json({kind: getattr(report, kind) for kind in kinds})
        return
    console.print(_summary(report) if _any(report) else "nothing was due")


def _any(report: DispatchReport) -> bool:
    return bool(
        report.sent or report.retried or report.failed or report.blocked or report.deferred
        or report.receipts or report.expired
    )  # fmt: skip


@app.callback()
def messages(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="queued, sent, delivered, …"),
    loan: str | None = typer.Option(None, "--loan", help="One loan's messages."),
    channel: str | None = typer.Option(None, "--channel", help="sms, email or letter."),
    limit: int = typer.Option(50, "--limit", help="At most this many (0: all)."),
    output: Format = typer.Option(Format.TABLE, "--format", help="table, json or csv."),
) -> None:
    """List messages in the outbox, newest day first."""
    from arrears.services import messages as messages_service

    if ctx.invoked_subcommand is not None:
        return
    listed = messages_service.list_messages(
        app_of(ctx).uow_factory, status=status, loan_id=loan, channel=channel,
        limit=limit or None,
    )  # fmt: skip
    if output is Format.JSON:
        print_json(listed)
    elif output is Format.CSV:
        write_csv(sys.stdout, LIST_COLUMNS, iter([[m[c] for c in LIST_COLUMNS] for m in listed]))
    else:
        print_table(
            f"{len(listed)} messages",
            LIST_COLUMNS,
            [[_cell(m[c]) for c in LIST_COLUMNS] for m in listed],
        )


@app.command("show")
def show(
    ctx: typer.Context,
    message_id: str = typer.Argument(..., help="The message id (m:YYYYMMDD:loan:step)."),
    output: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """One message: where it went, its status, and the words sent."""
    from arrears.services import messages as messages_service

    found = messages_service.message(app_of(ctx).uow_factory, message_id)
    if output is Format.JSON:
        print_json(found)
        return
    for key in ("message_id", "as_of", "loan_id", "channel", "template", "language",
                "recipient", "status", "attempts", "encoding", "segments", "provider",
                "provider_id", "rule_id", "last_error", "sent_at", "final_at", "subject"):  # fmt: skip
        if found.get(key) is not None:
            console.print(f"[bold]{key}[/bold]: {found[key]}", highlight=False)
    console.print("")
    console.print(found.get("body") or "", highlight=False, markup=False)


@app.command("stats")
def stats(
    ctx: typer.Context,
    first: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    last: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
    output: Format = typer.Option(Format.TABLE, "--format", help="table, json or csv."),
) -> None:
    """Delivery statistics by day, channel and template: sent, delivered, failed,
    blocked by the gate at sending, expired unsent, still pending."""
    application = app_of(ctx)
    since, until = parse_date(first, "--from"), parse_date(last, "--to")
    zone = ZoneInfo(application.settings.timezone)
    print_statistics(application.uow_factory, zone, since, until, output)


def print_statistics(
    uow_factory: Callable[[], UnitOfWork],
    zone: ZoneInfo,
    since: date | None,
    until: date | None,
    output: Format = Format.TABLE,
) -> None:
    """The delivery statistics and the opt-outs by day, as ``messages stats`` shows them
    (the demo shows its last day's)."""
    from arrears.services import messages as messages_service
    from arrears.services import replies

    rows = messages_service.delivery_statistics(uow_factory, since, until)
    values = [[getattr(r, c) for c in STAT_COLUMNS] for r in rows]
    opt_outs = replies.opt_outs_by_day(uow_factory, zone, since, until)
    opted = [[day, channel, n] for (day, channel), n in sorted(opt_outs.items())]
    if output is Format.JSON:
        print_json({
            "delivery": [dict(zip(STAT_COLUMNS, v, strict=True)) for v in values],
            "opt_outs": [dict(zip(OPT_OUT_COLUMNS, v, strict=True)) for v in opted],
        })  # fmt: skip
    elif output is Format.CSV:
        write_csv(sys.stdout, STAT_COLUMNS, iter(values))
    else:
        print_table("delivery by day, channel and template", STAT_COLUMNS, values)
        print_table("borrowers who opted out, by day and channel", OPT_OUT_COLUMNS, opted)


@app.command("bounces")
def bounces(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        ..., help="Bounce e-mails (.eml), as the mailbox kept them."
    ),
) -> None:
    """Record bounced e-mails: each delivery status notification that names one of our
    messages marks it bounced (its contact attempt undeliverable)."""
    from arrears.adapters.channels.bounces import bounce_receipt
    from arrears.services import messages as messages_service

    application = app_of(ctx)
    receipts, unread = [], []
    for path in paths:
        try:
            receipt = bounce_receipt(path.read_bytes(), received_at=application.now())
        except OSError as error:
            raise typer.BadParameter(f"cannot read {path}: {error.strerror}") from None
        if receipt is None:
            unread.append(path.name)
        else:
            receipts.append(receipt)
    settled = messages_service.apply_receipts(application.uow_factory, receipts, application.now())
    console.print(
        f"{len(receipts)} notices read, {settled} messages marked bounced"
        + (f"; not a bounce: {', '.join(unread)}" if unread else "")
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
