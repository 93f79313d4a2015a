"""Arrangements offered at the desk: a quote shown first, then made on the agent's word —
the same services.arrangements the CLI and the API use, behind the desk's object check
(the agent must be allowed to see the account; the loan must be the borrower's).

A hardship call leads here for the pause quote: no dues and no contact for a period,
within the arrangement policy's limits or sent for approval.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from arrears.domain.access import User
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangement_quotes import KIND_FIELDS, ArrangementRequest
from arrears.services.arrangement_views import ArrangementView
from arrears.services.arrangements import QuoteResult, create_arrangement, quote_arrangement
from arrears.services.desk_account import check_access
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import UnitOfWork

# The kinds an agent may offer on a call; a re-age is a manager's decision.
DESK_KINDS = (
    ArrangementKind.PLAN, ArrangementKind.PAUSE, ArrangementKind.EXTENSION,
    ArrangementKind.SETTLEMENT,
)  # fmt: skip


def desk_quote(
    uow_factory: Callable[[], UnitOfWork],
    user: User,
    borrower_id: str,
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    day: date,
) -> QuoteResult:
    """What the arrangement would be and the policy's verdict; nothing is stored."""
    _check(uow_factory, user, borrower_id, loan_id, kind, day)
    return quote_arrangement(uow_factory, loan_id, kind, request, day)


def desk_create(
    uow_factory: Callable[[], UnitOfWork],
    user: User,
    borrower_id: str,
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    day: date,
    now: datetime,
) -> ArrangementView:
    """Make the quoted arrangement: active when within policy, else pending approval."""
    _check(uow_factory, user, borrower_id, loan_id, kind, day)
    return create_arrangement(
        uow_factory, loan_id, kind, request, day, now, source="desk", created_by=user.username
    )


def fields_of(kind: str) -> frozenset[str]:
    """The request fields ``kind`` takes (the form shows only those)."""
    return KIND_FIELDS.get(ArrangementKind(kind), frozenset()) if kind in _KINDS else frozenset()


_KINDS = {str(k) for k in DESK_KINDS}


def _check(
    uow_factory: Callable[[], UnitOfWork],
    user: User,
    borrower_id: str,
    loan_id: str,
    kind: str,
    day: date,
) -> None:
    if kind not in _KINDS:
        raise InvalidInput(f"the desk offers {', '.join(sorted(_KINDS))}, not {kind!r}")
    with uow_factory() as uow:
        check_access(uow, user, borrower_id, day)
        if loan_id not in {loan["loan_id"] for loan in uow.desk.loans(borrower_id)}:
            raise NotFound(f"borrower {borrower_id} has no loan {loan_id}")
