"""What ``arrears arrange quote`` and ``arrange create`` are asked: the kind, the options
of its request and the day it takes effect, declared once (``option_groups``).

Money and percents are typed in major units and read exactly (``Decimal``); a value
that is not a finite number is a bad parameter (exit 2), as is a date that is not
``YYYY-MM-DD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import typer

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.schedule import RepaymentMethod
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import parse_date

if TYPE_CHECKING:
    from arrears.domain.arrangement_quotes import ArrangementRequest

KIND = typer.Option(..., "--kind", help="promise, extension, plan, settlement, reage or pause.")


def _decimal(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(f"{value!r} is not a number", param_hint=option) from None
    if not parsed.is_finite():
        raise typer.BadParameter(f"{value!r} is not a number", param_hint=option)
    return parsed


METHOD = typer.Option(None, "--method", help="reage: default the loan's.")  # an enum: not inline


@dataclass(frozen=True, slots=True)
class Asked:
    """What quote and create are asked: the kind, the options of its request (each kind
    uses some: domain.arrangement_quotes.KIND_FIELDS), and the day. Money and percents
    are read exactly."""

    kind: ArrangementKind = KIND
    instalments: int | None = typer.Option(
        None, "--instalments", help="plan, settlement: how many."
    )
    first_date: str | None = typer.Option(
        None, "--first-date", metavar="YYYY-MM-DD",
        help="The first instalment's date (default: a week on; reage: a month on; promise: its date).",
    )  # fmt: skip
    every_days: int | None = typer.Option(
        None, "--every-days", help="plan, settlement: every K days (default: monthly)."
    )
    down_payment: str | None = typer.Option(
        None, "--down-payment", help="plan: the first instalment's amount."
    )
    waive_penalty_percent: str | None = typer.Option(
        None, "--waive-penalty-percent", help="plan, settlement, reage: the share of 罚息 waived."
    )
    seq: int | None = typer.Option(
        None, "--seq", help="extension: the instalment (default: the oldest unpaid one)."
    )
    days: int | None = typer.Option(
        None, "--days", help="extension: days later; pause: its length."
    )
    fee: str | None = typer.Option(None, "--fee", help="extension: its fee.")
    amount: str | None = typer.Option(
        None, "--amount", help="settlement: the amount accepted; promise: promised."
    )
    discount_percent: str | None = typer.Option(
        None, "--discount-percent", help="settlement: off what is owed besides the 罚息."
    )
    term_months: int | None = typer.Option(None, "--term-months", help="reage: the new term.")
    rate: str | None = typer.Option(
        None, "--rate", help="reage: the new annual rate, percent (default: loan's)."
    )
    method: RepaymentMethod | None = METHOD
    probation: int | None = typer.Option(
        None, "--probation", help="reage: instalments that keep it (3)."
    )
    accrue_interest: bool = typer.Option(
        False, "--accrue-interest", help="pause: interest runs during it."
    )
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        metavar="YYYY-MM-DD",
        help="It takes effect at the end of (default: today).",
    )

    def request(self) -> ArrangementRequest:
        from arrears.domain.arrangement_quotes import ArrangementRequest

        return ArrangementRequest(
            instalments=self.instalments,
            first_date=parse_date(self.first_date, "--first-date"),
            every_days=self.every_days,
            down_payment_major=_decimal(self.down_payment, "--down-payment"),
            waive_penalty_percent=_decimal(self.waive_penalty_percent, "--waive-penalty-percent"),
            seq=self.seq,
            days=self.days,
            fee_major=_decimal(self.fee, "--fee"),
            amount_major=_decimal(self.amount, "--amount"),
            discount_percent=_decimal(self.discount_percent, "--discount-percent"),
            term_months=self.term_months,
            annual_rate_percent=_decimal(self.rate, "--rate"),
            method=self.method,
            probation=self.probation,
            accrues_interest=True if self.accrue_interest else None,
        )

    def day(self, app: App) -> date:
        return parse_date(self.as_of, "--as-of") or app.today()
