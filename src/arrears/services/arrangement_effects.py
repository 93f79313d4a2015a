"""What an arrangement sets going outside its loan's replay when it takes effect or is
undone, in the transaction that changes its status.

- The daily cycle is asked to replay the loan from that day (the set-based steps know
  nothing of arrangements), and a journal already posted past that day is re-derived.
- A hardship pause puts a ``hardship`` hold for the loan on the borrower's compliance
  profile for its days, so that the gate (``house.hardship_hold``) stops contact — the
  desk's calls included, not only the strategy's steps; cancelling it ends the hold.
- A plan, settlement or re-age is confirmed by a letter listing its dates and amounts
  (``confirm``: printing needs the lender's name and the renderer, which only the
  composition root has; a borrower with no postal address gets none).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.money import Money
from arrears.services.compliance import save_profile_in
from arrears.services.journal_sync import sync_journals
from arrears.services.ports import ArrangementRecord, UnitOfWork

# (uow, the arrangement, its instalments, the day, now) → the letter's document id, or
# None when it cannot be printed (no postal address).
Confirm = Callable[
    [UnitOfWork, ArrangementRecord, Sequence[tuple[date, Money]], date, datetime], int | None
]
CONFIRMED = (ArrangementKind.PLAN, ArrangementKind.SETTLEMENT, ArrangementKind.REAGE)
HOLD_KIND = "hardship"


@dataclass(frozen=True, slots=True)
class Effects:
    """What the composition root hands in: the confirmation printer and the portfolio's
    time zone (a pause's hold ends at the start of the day after it, there)."""

    confirm: Confirm | None = None
    zone: str = "Asia/Shanghai"


def took_effect(
    uow: UnitOfWork, record: ArrangementRecord, day: date, now: datetime, effects: Effects
) -> int | None:
    """``record`` takes effect at the end of ``day``; returns the confirmation letter's
    document id, if one was printed."""
    _replay(uow, record, day, now)
    document = None
    if record.kind in CONFIRMED and effects.confirm is not None:
        rows = uow.arrangements.instalments(record.arrangement_id)
        plan = [(row.due_date, Money(row.amount_minor, record.currency)) for row in rows]
        document = effects.confirm(uow, record, plan, day, now)
    if record.kind == ArrangementKind.PAUSE:
        days = int(json.loads(record.terms_json).get("pause_days", 0))
        # from now, or from the day after it started if that was earlier (entered late)
        start = min(now, _day_start(day + timedelta(days=1), effects.zone))
        end = _day_start(day + timedelta(days=days + 1), effects.zone)
        _hold(uow, record, now, end, start=start)
    return document


def undone(
    uow: UnitOfWork, record: ArrangementRecord, day: date, now: datetime, effects: Effects
) -> None:
    """``record``, which had taken effect, is undone at the end of ``day``."""
    _replay(uow, record, day, now)
    if record.kind == ArrangementKind.PAUSE:
        _hold(uow, record, now, _day_start(day + timedelta(days=1), effects.zone), start=None)


def _replay(uow: UnitOfWork, record: ArrangementRecord, day: date, now: datetime) -> None:
    """The loan's history changed from ``day``: the next cycle replays it from there, and
    its journal, if already posted past that day (a payment dated later), is brought
    back to its derivation now."""
    uow.arrangements.mark_for_rebuild(record.loan_id, day)
    sync_journals(uow.ledger, [record.loan_id], now)


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def _hold(
    uow: UnitOfWork, record: ArrangementRecord, now: datetime, end: datetime,
    start: datetime | None,
) -> None:  # fmt: skip
    """Put the pause's hold on the profile (``start`` given), or end it by ``end``."""
    profile: dict[str, Any] = dict(uow.compliance.profile(record.borrower_id) or {})
    note = f"hardship pause {record.arrangement_id}"
    holds: list[dict[str, Any]] = [dict(h) for h in profile.get("holds", [])]
    if start is not None:
        holds.append(
            {"kind": HOLD_KIND, "start": start.isoformat(), "end": end.isoformat(),
             "debt": record.loan_id, "note": note}
        )  # fmt: skip
    ending = [h for h in holds if h.get("note") == note and datetime.fromisoformat(h["end"]) > end]
    if start is None and not ending:
        return  # no hold of this pause stands beyond ``end``: nothing to change
    for hold in ending:
        hold["end"] = end.isoformat()
    profile["holds"] = holds
    save_profile_in(uow, record.borrower_id, profile, now)
