"""What the borrower portal's pages and forms share: whose portal it is, their today,
form keys, and reading an arrangement request from a form or a query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from secrets import token_urlsafe

from arrears.domain.access import User
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangement_quotes import KIND_FIELDS, ArrangementRequest
from arrears.domain.reasons import Reason
from arrears.entrypoints.bootstrap import App
from arrears.services import portal
from arrears.services.errors import Forbidden, InvalidInput

KINDS = {str(k) for k in ArrangementKind}


def borrower_of(user: User) -> str:
    """The borrower the account speaks for; an account without one may not use the portal."""
    if not user.borrower_id:
        raise Forbidden("this account is not linked to a borrower", code="portal.no_borrower")
    return user.borrower_id


def today_of(app: App, borrower_id: str) -> date:
    return portal.borrower_today(app.uow_factory, borrower_id, app.now(), app.settings.timezone)


def form_key() -> str:
    """A fresh idempotency key for one rendering of a form: submitting it twice acts once."""
    return token_urlsafe(18)


def region_for(app: App, borrower_id: str) -> str:
    """The region of the borrower's first loan; with none, the one the packs suggest."""
    loans = portal.my_loans(app.uow_factory, borrower_id, app.today())
    default = "us" if "us" in app.settings.compliance_packs.split(",") else "cn"
    return loans[0].region if loans else default


# -- reading an arrangement request from a form or a query ---------------------------------
def arrangement_request(kind: str, fields: dict[str, str]) -> ArrangementRequest:
    """The figures a borrower may give for a plan, an extension or a settlement (those the
    kind takes; the rest are its defaults). A figure that is not a number is
    ``InvalidInput``."""
    given = {
        "instalments": _whole(fields, "instalments"),
        "first_date": _day(fields, "first_date"),
        "down_payment_major": _amount(fields, "down_payment"),
        "seq": _whole(fields, "seq"),
        "days": _whole(fields, "days"),
        "amount_major": _amount(fields, "amount"),
    }
    taken = KIND_FIELDS.get(ArrangementKind(kind), frozenset()) if kind in KINDS else frozenset()
    return ArrangementRequest(**{k: v for k, v in given.items() if k in taken})  # type: ignore[arg-type]


def _text(fields: dict[str, str], name: str) -> str | None:
    value = (fields.get(name) or "").strip()
    return value or None


def _whole(fields: dict[str, str], name: str) -> int | None:
    value = _text(fields, name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput(
            f"{name}: {value!r} is not a whole number",
            code="figure.not_whole", field=_field(name), got=value,
        )  # fmt: skip
    return int(value)


def _day(fields: dict[str, str], name: str) -> date | None:
    value = _text(fields, name)
    try:
        return None if value is None else date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name}: {value!r} is not a date (YYYY-MM-DD)",
            code="figure.not_a_date", field=_field(name), got=value,
        ) from None  # fmt: skip


def _amount(fields: dict[str, str], name: str) -> Decimal | None:
    value = _text(fields, name)
    if value is None:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(
            f"{name}: {value!r} is not an amount",
            code="figure.not_an_amount", field=_field(name), got=value,
        ) from None  # fmt: skip
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput(
            f"{name}: the amount must be more than zero",
            code="figure.not_positive", field=_field(name),
        )  # fmt: skip
    return amount


def _field(name: str) -> Reason:
    """A form field's name, coded: the pages say it in the reader's words."""
    return Reason(f"field.{name}", name)
