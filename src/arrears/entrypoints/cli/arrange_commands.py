"""``arrears arrange quote|create|list|show|approve|reject|cancel``: repayment arrangements
(docs/arrangements.md). Registered on ``arrange.app``; the policy commands are in
``arrange_policy``, the options quote and create share in ``arrange_options``.

Money is typed and shown in major units of the loan's currency (``300.00``); dates
default to today in the portfolio's zone (``ARREARS_TIMEZONE``).
"""

from __future__ import annotations

from datetime import date, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer

from arrears.domain.arrangement_policy import ArrangementKind, Role
from arrears.entrypoints.cli.arrange_options import Asked
from arrears.entrypoints.cli.option_groups import GROUP, with_option_groups
from arrears.entrypoints.cli.output import (
    app_of,
    console,
    money,
    parse_date,
    print_json,
    print_table,
)

if TYPE_CHECKING:
    from arrears.services import arrangements
    from arrears.services.arrangement_views import ArrangementView, ShownArrangement
    from arrears.services.ports import ArrangementRecord


class Shown(StrEnum):
    TABLE = "table"
    JSON = "json"


FORMAT = typer.Option(Shown.TABLE, "--format", help="table or json.")
LIST_COLUMNS = [
    "arrangement_id", "loan_id", "kind", "status", "quoted_on", "bucket", "dpd", "starts_on",
    "ends_on", "total_to_pay", "waived", "fee", "paid", "currency", "needs_approval_by",
]  # fmt: skip


ON = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="The day (default: today).")


# -- quote -------------------------------------------------------------------------------
@with_option_groups
def quote(
    ctx: typer.Context,
    loan_id: str,
    asked: Asked = GROUP,
    format: Shown = FORMAT,
) -> None:
    """Quote an arrangement: its instalments, what is waived, the total to pay, and whether
    it is within the arrangement policy or who must approve it. Nothing is stored."""
    from arrears.services import arrangements

    app = app_of(ctx)
    request, day = asked.request(), asked.day(app)
    result = arrangements.quote_arrangement(app.uow_factory, loan_id, asked.kind, request, day)
    record = quote_record(result)
    if format is Shown.JSON:
        print_json(record)
        return
    _say(f"{record['kind']} on loan {loan_id}, taking effect at the end of {day}"
         f" ({record['currency']}):")  # fmt: skip
    print_table(
        None,
        ["n", "due_date", "amount"],
        [(n, i["due_date"], i["amount"]) for n, i in enumerate(record["instalments"], 1)],
    )
    _say(f"total to pay: {record['total_to_pay']}; waived: {record['waived']};"
         f" fee: {record['fee']}")  # fmt: skip
    _say_verdict(record["within_policy"], record["needs_approval_by"], record["reasons"])


def quote_record(result: arrangements.QuoteResult) -> dict[str, Any]:
    """The quote as JSON: money as decimal strings in major units."""
    q, currency = result.quote, result.quote.currency
    return {
        "kind": str(q.kind),
        "loan_id": result.loan_id,
        "currency": currency,
        "instalments": [
            {"due_date": i.due_date.isoformat(), "amount": money(i.amount_minor, currency)}
            for i in q.instalments
        ],
        "total_to_pay": money(q.total_to_pay_minor, currency),
        "waived": money(q.waived_minor, currency),
        "fee": money(q.fee_minor, currency),
        "within_policy": result.verdict.within_policy,
        "needs_approval_by": result.verdict.needs_approval_by,
        "reasons": list(result.verdict.reasons),
    }


# -- create ------------------------------------------------------------------------------
@with_option_groups
def create(
    ctx: typer.Context,
    loan_id: str,
    asked: Asked = GROUP,
    arrangement_id: str | None = typer.Option(
        None, "--id", help="Its id (its idempotency key; default: a new one)."
    ),
    by: str | None = typer.Option(None, "--by", help="Who made it (e.g. the agent)."),
    format: Shown = FORMAT,
) -> None:
    """Make an arrangement: active at once if within the policy, else pending approval; the
    same --id with the same request again changes nothing."""
    from arrears.entrypoints.channels import arrangement_effects
    from arrears.services import arrangements

    app = app_of(ctx)
    request, day = asked.request(), asked.day(app)
    made = arrangements.create_arrangement(
        app.uow_factory, loan_id, asked.kind, request, day, app.now(), "cli", by, arrangement_id,
        effects=arrangement_effects(app.settings),
    )  # fmt: skip
    if format is Shown.JSON:
        print_json(view_record(made, _zone(ctx)))
        return
    r = made.record
    total = f"{money(r.total_minor, r.currency)} {r.currency}"
    if r.status == "pending":
        _say(f"arrangement {r.arrangement_id} ({r.kind}) on loan {loan_id} is pending"
             f" approval by {r.needs_approval_by}: {total} in {len(made.instalments)}"
             " instalment(s)")  # fmt: skip
        _say_verdict(False, r.needs_approval_by, list(r.reasons))
        return
    _say(f"arrangement {r.arrangement_id} ({r.kind}) on loan {loan_id} is {r.status}"
         f" from {r.starts_on}: {total} in {len(made.instalments)} instalment(s)")  # fmt: skip


# -- list, show --------------------------------------------------------------------------
def list_(
    ctx: typer.Context,
    loan_id: str | None = typer.Option(None, "--loan"),
    status: str | None = typer.Option(
        None, "--status", help="pending, active, kept, broken, cancelled, rejected; open."
    ),
    kind: ArrangementKind | None = typer.Option(None, "--kind"),
    format: Shown = FORMAT,
) -> None:
    """Arrangements, promises to pay among them, oldest first, each with the loan's bucket
    and DPD on the day it was quoted."""
    from arrears.services import arrangements

    app = app_of(ctx)
    found = arrangements.list_arrangements(app.uow_factory, loan_id, status, kind)
    rows = [arrangement_record(r, _zone(ctx)) for r in found]
    if format is Shown.JSON:
        print_json(rows)
        return
    print_table(
        "arrangements",
        LIST_COLUMNS,
        [["" if r[c] is None else r[c] for c in LIST_COLUMNS] for r in rows],
    )


def show(ctx: typer.Context, arrangement_id: str, format: Shown = FORMAT) -> None:
    """One arrangement: its terms, the loan's bucket and DPD on the day it was quoted, its
    instalments, decision, and the loan's figures today."""
    from arrears.services import arrangements

    app = app_of(ctx)
    shown = arrangements.show_arrangement(app.uow_factory, arrangement_id, app.today())
    record = view_record(shown.view, _zone(ctx)) | {"loan": _loan_record(shown)}
    if format is Shown.JSON:
        print_json(record)
        return
    fields = {k: v for k, v in record.items() if k not in ("instalments", "loan", "reasons")}
    fields["reasons"] = "; ".join(record["reasons"])
    print_table(
        f"arrangement {arrangement_id}",
        ["field", "value"],
        [(k, "" if v is None else v) for k, v in fields.items()],
    )
    print_table(
        "instalments",
        ["seq", "due_date", "amount", "status", "paid"],
        [list(i.values()) for i in record["instalments"]],
    )
    print_table(
        f"loan {shown.state.loan_id} as of {shown.state.as_of}",
        ["field", "value"],
        list(record["loan"].items()),
    )


def arrangement_record(r: ArrangementRecord, zone: tzinfo) -> dict[str, Any]:
    return {
        "arrangement_id": r.arrangement_id,
        "loan_id": r.loan_id,
        "borrower_id": r.borrower_id,
        "number": r.number,
        "kind": r.kind,
        "status": r.status,
        "currency": r.currency,
        "quoted_on": r.quoted_on.isoformat(),
        "bucket": r.bucket,  # the loan's on the quote's day; None for a promise, or an
        "dpd": r.dpd,  # arrangement stored before they were recorded
        "starts_on": _iso(r.starts_on),
        "ends_on": _iso(r.ends_on),
        "total_to_pay": money(r.total_minor, r.currency),
        "waived": money(r.waived_minor, r.currency),
        "fee": money(r.fee_minor, r.currency),
        "paid": money(r.paid_minor, r.currency),
        "policy": r.policy,
        "policy_version": r.policy_version,
        "needs_approval_by": r.needs_approval_by,
        "reasons": list(r.reasons),
        "decided_by": r.decided_by,
        "decided_at": None if r.decided_at is None else r.decided_at.astimezone(zone).isoformat(),
        "source": r.source,
        "created_by": r.created_by,
    }


def view_record(view: ArrangementView, zone: tzinfo) -> dict[str, Any]:
    currency = view.record.currency
    return arrangement_record(view.record, zone) | {
        "instalments": [
            {
                "seq": i.seq,
                "due_date": i.due_date.isoformat(),
                "amount": money(i.amount_minor, currency),
                "status": i.status,
                "paid": money(i.paid_minor, currency),
            }
            for i in view.instalments
        ]
    }


def _loan_record(shown: ShownArrangement) -> dict[str, Any]:
    s = shown.state
    return {
        "as_of": s.as_of.isoformat(),
        "dpd": s.dpd,
        "bucket": s.bucket,
        "total_overdue": money(s.total_overdue_minor, s.currency),
        "outstanding_principal": money(s.outstanding_principal_minor, s.currency),
        "payoff_amount": money(s.payoff_minor, s.currency),
    }


# -- decisions ---------------------------------------------------------------------------
def approve(
    ctx: typer.Context,
    arrangement_id: str,
    by: str = typer.Option(..., "--by", help="Who approves it."),
    role: Role = typer.Option(Role.MANAGER, "--role", help="The approver's role."),
    on: str | None = ON,
) -> None:
    """Approve a pending arrangement: it takes effect at the end of the day (today)."""
    from arrears.entrypoints.channels import arrangement_effects
    from arrears.services import arrangements

    app = app_of(ctx)
    day = parse_date(on, "--as-of") or app.today()
    r = arrangements.approve_arrangement(
        app.uow_factory, arrangement_id, by, role, day, app.now(),
        effects=arrangement_effects(app.settings),
    )  # fmt: skip
    _say(f"arrangement {arrangement_id} approved by {by} ({role}): active from {r.starts_on}")


def reject(
    ctx: typer.Context,
    arrangement_id: str,
    by: str = typer.Option(..., "--by", help="Who rejects it."),
    on: str | None = ON,
) -> None:
    """Reject a pending arrangement; it never takes effect."""
    from arrears.services import arrangements

    app = app_of(ctx)
    day = parse_date(on, "--as-of") or app.today()
    arrangements.reject_arrangement(app.uow_factory, arrangement_id, by, day, app.now())
    _say(f"arrangement {arrangement_id} rejected by {by}")


def cancel(ctx: typer.Context, arrangement_id: str, on: str | None = ON) -> None:
    """Cancel an arrangement (or a promise to pay): a pending one has no effect; an active
    one is undone at the end of the day (today), the loan owing what it owed before,
    less what was paid."""
    from arrears.entrypoints.channels import arrangement_effects
    from arrears.services import arrangements

    app = app_of(ctx)
    day = parse_date(on, "--as-of") or app.today()
    changed = arrangements.cancel_arrangement(
        app.uow_factory, arrangement_id, day, app.now(), effects=arrangement_effects(app.settings)
    )
    verb = "cancelled" if changed else "was already cancelled"
    _say(f"arrangement {arrangement_id} {verb}")


# -- helpers -----------------------------------------------------------------------------
def _zone(ctx: typer.Context) -> tzinfo:
    return ZoneInfo(app_of(ctx, ready=False).settings.timezone)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _say_verdict(within: bool, approver: str | None, reasons: list[str]) -> None:
    if within:
        _say("within policy: approved automatically")
    elif approver is None:
        _say("refused: the policy does not offer it")
    else:
        _say(f"needs approval by: {approver}")
    for reason in reasons:
        _say(f"  - {reason}")
