"""An arrangement's kind-specific terms as stored (``arrangement.terms_json``), and the
replay's ``ArrangementTerms`` made from a stored row and its instalments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import (
    ArrangementStatus,
    ArrangementTerms,
    Instalment,
    ReageTerms,
)
from arrears.domain.schedule import RepaymentMethod

# Statuses whose arrangement took effect (the replay applies them from starts_on).
EFFECTIVE = (
    ArrangementStatus.ACTIVE,
    ArrangementStatus.KEPT,
    ArrangementStatus.BROKEN,
    ArrangementStatus.CANCELLED,
)


def terms_json(terms: ArrangementTerms) -> str:
    """The kind-specific part of ``terms`` (dates and instalments are columns and rows)."""
    data: dict[str, Any] = {
        "penalty_waiver_minor": terms.penalty_waiver_minor,
        "fee_minor": terms.fee_minor,
    }
    if terms.kind is ArrangementKind.EXTENSION:
        data |= {"extend_seq": terms.extend_seq, "extend_days": terms.extend_days}
    if terms.reage is not None:
        r = terms.reage
        data["reage"] = {
            "term_months": r.term_months,
            "annual_rate_percent": str(r.annual_rate_percent),
            "first_due_date": r.first_due_date.isoformat(),
            "method": str(r.method),
            "probation": r.probation,
        }
    if terms.kind is ArrangementKind.PAUSE:
        data |= {
            "pause_days": terms.pause_days,
            "pause_accrues_interest": terms.pause_accrues_interest,
        }
    return json.dumps(data, sort_keys=True)


def replay_terms(row: Any, instalments: Sequence[tuple[date, int]]) -> ArrangementTerms | None:
    """The replay's terms of a stored arrangement, or None if it never took effect.

    ``row`` has arrangement_id, number, kind, status, starts_on, ends_on, terms_json.
    """
    status = ArrangementStatus(row.status)
    if status not in EFFECTIVE or row.starts_on is None:
        return None
    data = json.loads(row.terms_json)
    reage = data.get("reage")
    return ArrangementTerms(
        arrangement_id=row.arrangement_id,
        number=row.number,
        kind=ArrangementKind(row.kind),
        starts_on=_date(row.starts_on),
        instalments=tuple(Instalment(_date(d), int(a)) for d, a in instalments),
        cancelled_on=_date(row.ends_on) if status is ArrangementStatus.CANCELLED else None,
        penalty_waiver_minor=int(data.get("penalty_waiver_minor", 0)),
        fee_minor=int(data.get("fee_minor", 0)),
        extend_seq=data.get("extend_seq"),
        extend_days=int(data.get("extend_days", 0)),
        reage=None
        if reage is None
        else ReageTerms(
            term_months=int(reage["term_months"]),
            annual_rate_percent=Decimal(reage["annual_rate_percent"]),
            first_due_date=date.fromisoformat(reage["first_due_date"]),
            method=RepaymentMethod(reage["method"]),
            probation=int(reage["probation"]),
        ),
        pause_days=int(data.get("pause_days", 0)),
        pause_accrues_interest=bool(data.get("pause_accrues_interest", False)),
    )


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
