"""``arrears contact``, ``arrears borrower`` and ``arrears promise``: what agents record.

Times are shown in the portfolio's zone (``ARREARS_TIMEZONE``); a time typed
without a zone is read in it too.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import typer

from arrears.domain.contacts import (
    AttemptRecord,
    Channel,
    ContactFacts,
    Direction,
    Outcome,
    Party,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from arrears.entrypoints.cli.output import (
    app_of,
    console,
    money,
    parse_date,
    print_json,
    print_table,
)

contact_app = typer.Typer(
    help="Record contact attempts and see a borrower's contact status.", no_args_is_help=True
)
borrower_app = typer.Typer(
    help="Borrower flags (do_not_contact, dispute, ...).", no_args_is_help=True
)
promise_app = typer.Typer(help="Promises to pay: add, list, cancel.", no_args_is_help=True)

ATTEMPT_COLUMNS = [
    "attempt_id", "attempted_at", "channel", "direction", "party", "outcome", "loan_id",
    "agent", "note",
]  # fmt: skip
PROMISE_COLUMNS = [
    "promise_id", "loan_id", "borrower_id", "amount", "currency", "made_on", "due_date",
    "status", "settled_on", "paid", "source",
]  # fmt: skip


class Shown(StrEnum):
    TABLE = "table"
    JSON = "json"


FORMAT = typer.Option(Shown.TABLE, "--format", help="table or json.")


def _zone(ctx: typer.Context) -> tzinfo:
    return ZoneInfo(app_of(ctx, ready=False).settings.timezone)


def _shown(value: datetime | None, zone: tzinfo) -> str | None:
    return None if value is None else value.astimezone(zone).isoformat()


def _parse_time(value: str, zone: tzinfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a time (e.g. 2026-03-02T09:30 or 2026-03-02T09:30+08:00)",
            param_hint="--at",
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


# -- contact ------------------------------------------------------------------------------
@contact_app.command("add")
def add_attempt(
    ctx: typer.Context,
    borrower_id: str,
    channel: Channel = typer.Option(..., "--channel"),
    outcome: Outcome = typer.Option(..., "--outcome"),
    loan_id: str | None = typer.Option(None, "--loan", help="The loan it was about."),
    at: str | None = typer.Option(
        None, "--at", metavar="ISO-TIME", help="When it was made (default: now)."
    ),
    direction: Direction = typer.Option(Direction.OUTBOUND, "--direction"),
    party: Party = typer.Option(Party.BORROWER, "--party", help="Whom it was addressed to."),
    agent: str | None = typer.Option(None, "--agent"),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Record one contact attempt and its outcome."""
    from arrears.services import contacts

    app = app_of(ctx)
    now = app.now()
    attempted_at = _parse_time(at, _zone(ctx)) if at is not None else now
    record = AttemptRecord(
        borrower_id, channel, outcome, attempted_at, direction, party, loan_id, agent, note
    )
    attempt_id = contacts.record_attempt(app.uow_factory, record, now)
    console.print(f"attempt {attempt_id} recorded for borrower {borrower_id}")


def attempt_record(record: AttemptRecord, zone: tzinfo) -> dict[str, Any]:
    return {
        "attempt_id": record.attempt_id,
        "attempted_at": _shown(record.attempted_at, zone),
        "channel": str(record.channel),
        "direction": str(record.direction),
        "party": str(record.party),
        "outcome": str(record.outcome),
        "loan_id": record.loan_id,
        "agent": record.agent,
        "note": record.note,
    }


@contact_app.command("list")
def list_attempts(
    ctx: typer.Context,
    borrower_id: str,
    loan_id: str | None = typer.Option(None, "--loan", help="Only attempts about this loan."),
    format: Shown = FORMAT,
) -> None:
    """A borrower's contact attempts, oldest first."""
    from arrears.services import contacts

    app = app_of(ctx)
    zone = _zone(ctx)
    rows = [
        attempt_record(r, zone)
        for r in contacts.list_attempts(app.uow_factory, borrower_id, loan_id)
    ]
    if format is Shown.JSON:
        print_json(rows)
        return
    print_table(
        f"contact attempts of {borrower_id}",
        ATTEMPT_COLUMNS,
        [["" if r[c] is None else r[c] for c in ATTEMPT_COLUMNS] for r in rows],
    )


def status_record(
    borrower_id: str, facts: ContactFacts, lost_after: int, zone: tzinfo
) -> dict[str, Any]:
    s = facts.status
    return {
        "borrower_id": borrower_id,
        "attempts": s.attempts,
        "last_attempt_at": _shown(s.last_attempt_at, zone),
        "last_reached_at": _shown(s.last_reached_at, zone),
        "unreached_since_reached": s.unreached_since_reached,
        "lost_contact": s.lost_contact,
        "lost_contact_after": lost_after,
        "refused": s.refused,
        "refused_at": _shown(s.refused_at, zone),
        "flags": sorted(facts.flags),
    }


@contact_app.command("status")
def contact_status(ctx: typer.Context, borrower_id: str, format: Shown = FORMAT) -> None:
    """A borrower's contact roll-up from every attempt: reached, refused, lost contact (失联)."""
    from arrears.services import contacts

    app = app_of(ctx)
    lost_after = app.settings.lost_contact_attempts
    facts = contacts.borrower_contact(app.uow_factory, borrower_id, lost_after)
    record = status_record(borrower_id, facts, lost_after, _zone(ctx))
    if format is Shown.JSON:
        print_json(record)
        return
    shown = {**record, "flags": ", ".join(record["flags"])}
    print_table(
        f"contact status of {borrower_id}",
        ["field", "value"],
        [(key, "" if value is None else value) for key, value in list(shown.items())[1:]],
    )


# -- borrower -----------------------------------------------------------------------------
@borrower_app.command("flag")
def flag(
    ctx: typer.Context,
    borrower_id: str,
    name: str = typer.Argument(..., metavar="FLAG", help="e.g. do_not_contact, dispute."),
    clear: bool = typer.Option(False, "--clear", help="Clear the flag instead of setting it."),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Set (or with --clear, clear) a borrower flag; setting it again changes nothing."""
    from arrears.services import contacts

    app = app_of(ctx)
    if clear:
        changed = contacts.clear_flag(app.uow_factory, borrower_id, name)
        verb = "cleared" if changed else "was not set"
    else:
        changed = contacts.set_flag(app.uow_factory, borrower_id, name, app.now(), note)
        verb = "set" if changed else "was already set"
    console.print(f"flag {name} {verb} for borrower {borrower_id}")


@borrower_app.command("flags")
def flags(ctx: typer.Context, borrower_id: str, format: Shown = FORMAT) -> None:
    """A borrower's flags, when each was set and why."""
    from arrears.services import contacts

    app = app_of(ctx)
    zone = _zone(ctx)
    rows = [
        {"flag": f.flag, "set_at": _shown(f.set_at, zone), "note": f.note}
        for f in contacts.list_flags(app.uow_factory, borrower_id)
    ]
    if format is Shown.JSON:
        print_json(rows)
        return
    print_table(
        f"flags of {borrower_id}",
        ["flag", "set_at", "note"],
        [[r["flag"], r["set_at"], r["note"] or ""] for r in rows],
    )


# -- promise ------------------------------------------------------------------------------
@promise_app.command("add")
def add_promise(
    ctx: typer.Context,
    loan_id: str,
    amount: str = typer.Option(..., "--amount", help="Major units, e.g. 300.00"),
    due: str = typer.Option(
        ..., "--date", metavar="YYYY-MM-DD", help="Paid by this date (within 30 days)."
    ),
    promise_id: str | None = typer.Option(
        None, "--id", help="The promise's id (its idempotency key; default: a new one)."
    ),
    source: PromiseSource = typer.Option(PromiseSource.CLI, "--source"),
) -> None:
    """Record a promise to pay an amount on a loan by a date; the same --id again changes nothing."""
    from arrears.services import promises

    app = app_of(ctx)
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter(f"{amount!r} is not an amount", param_hint="--amount") from None
    due_date = parse_date(due, "--date")
    assert due_date is not None
    made = promises.add_promise(
        app.uow_factory, loan_id, value, due_date, app.today(), app.now(), source, promise_id
    )
    console.print(f"promise {made} recorded for loan {loan_id}: {amount} by {due_date}")


def promise_record(p: Promise) -> dict[str, Any]:
    return {
        "promise_id": p.promise_id,
        "loan_id": p.loan_id,
        "borrower_id": p.borrower_id,
        "amount": money(p.amount_minor, p.currency),
        "currency": p.currency,
        "made_on": p.made_on.isoformat(),
        "due_date": p.due_date.isoformat(),
        "status": str(p.status),
        "settled_on": _iso(p.settled_on),
        "paid": None if p.paid_minor is None else money(p.paid_minor, p.currency),
        "source": str(p.source),
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@promise_app.command("list")
def list_promises(
    ctx: typer.Context,
    loan_id: str | None = typer.Option(None, "--loan"),
    status: PromiseStatus | None = typer.Option(None, "--status"),
    format: Shown = FORMAT,
) -> None:
    """Promises to pay, oldest first: all, of a loan, or in a status."""
    from arrears.services import promises

    app = app_of(ctx)
    found = promises.list_promises(app.uow_factory, loan_id, status)
    rows = [promise_record(p) for p in found]
    if format is Shown.JSON:
        print_json(rows)
        return
    print_table(
        "promises to pay",
        PROMISE_COLUMNS,
        [["" if r[c] is None else r[c] for c in PROMISE_COLUMNS] for r in rows],
    )


@promise_app.command("cancel")
def cancel_promise(ctx: typer.Context, promise_id: str) -> None:
    """Cancel an open promise (a kept or broken one stays as it was)."""
    from arrears.services import promises

    app = app_of(ctx)
    changed = promises.cancel_promise(app.uow_factory, promise_id, app.today())
    console.print(f"promise {promise_id} {'cancelled' if changed else 'was already cancelled'}")
