"""Holds: states of a person or of one debt that stop or limit contact — a cease notice, an
attorney, a dispute, bankruptcy, death, hardship, a UK breathing space — and the statute
of limitations, which stops suits. They run first (reference: "global holds → consent …").

A ``Hold`` runs from ``start`` (inclusive) to ``end`` (exclusive: at ``end`` it no longer
blocks), for one debt or, with ``debt`` None, all of them. A proposal about no debt in
particular (``debts`` empty) is about all the person's debts, so a hold on any one of
them stands in its way. A hold with an end returns it as ``until``, so a flexible
proposal is deferred to it; an open-ended one blocks until someone records an end.

Each hold names the purposes it lets through (a cease notice lets the three notices of
1006.6(c) through) and the recipients it does not cover (an attorney hold sends contact
to the attorney); both are the packs' parameters.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Hold, HoldKind, Person, Proposal, Purpose, Scenario
>>> person = Person("B1", holds=(Hold(HoldKind.CEASE, datetime(2025, 5, 5, tzinfo=UTC)),))
>>> call = Proposal(Channel.CALL, datetime(2025, 5, 6, 15, tzinfo=UTC))
>>> print(cease_communication(Scenario(person, call), CeaseParams()).reason)
a cease-communication notice was received on 2025-05-05: only notices that collection ends or that a remedy may or will be invoked may go
>>> letter = Proposal(Channel.LETTER, call.at, purpose=Purpose.COLLECTION_ENDING)
>>> cease_communication(Scenario(person, letter), CeaseParams()) is None
True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from arrears.domain.compliance.checks_consent import active_consent
from arrears.domain.compliance.checks_parties import recipient_role
from arrears.domain.compliance.facts import (
    Contact,
    Debt,
    Direction,
    Hold,
    HoldKind,
    Outcome,
    Proposal,
    Purpose,
    Role,
    Scenario,
)
from arrears.domain.compliance.rules import Block, Check, Phase

# Not communications with anyone: a hold on contact does not stop them unless it says so.
NOT_CONTACT: tuple[Purpose, ...] = (Purpose.CREDIT_REPORT, Purpose.INTEREST_POSTING)
# The "consumer" of 1006.6(a), to whom 1006.6(c) applies.
CONSUMER_ROLES: tuple[Role, ...] = (
    Role.BORROWER,
    Role.SPOUSE,
    Role.PARENT,
    Role.GUARDIAN,
    Role.EXECUTOR,
)


def _concerns(proposal: Proposal, debt: str | None) -> bool:
    """Whether a hold on ``debt`` (None: all debts) covers the proposal's debts."""
    return debt is None or not proposal.debts or debt in proposal.debts


def _active(scenario: Scenario, kind: HoldKind) -> Iterator[Hold]:
    at = scenario.proposal.at
    for hold in scenario.person.holds:
        if (
            hold.kind is kind
            and hold.start <= at
            and (hold.end is None or at < hold.end)
            and _concerns(scenario.proposal, hold.debt)
        ):
            yield hold


def _lifts_at(holds: list[Hold]) -> datetime | None:
    """When every one of ``holds`` has ended; None when one has no end."""
    ends = [hold.end for hold in holds]
    return None if any(end is None for end in ends) else max(e for e in ends if e is not None)


def _held(
    scenario: Scenario,
    kind: HoldKind,
    allowed_purposes: tuple[Purpose, ...],
    spared_roles: tuple[Role, ...],
) -> list[Hold]:
    """The active holds of ``kind`` standing in the proposal's way (cheap when none)."""
    if not scenario.person.holds or scenario.proposal.purpose in allowed_purposes:
        return []
    holds = list(_active(scenario, kind))
    if holds and recipient_role(scenario) in spared_roles:
        return []
    return holds


def _debt_words(holds: list[Hold]) -> str:
    debts = sorted({hold.debt for hold in holds if hold.debt is not None})
    return f" (debt {', '.join(debts)})" if debts else ""


def _since(holds: list[Hold]) -> str:
    return min(hold.start for hold in holds).astimezone(UTC).date().isoformat()


# -- cease communication: us.regf.cease_communication ----------------------------------
@dataclass(frozen=True, slots=True)
class CeaseParams:
    # 1006.6(c)(1)-(3): collection is ending, a remedy may be / will be invoked.
    allowed_purposes: tuple[Purpose, ...] = (
        Purpose.COLLECTION_ENDING,
        Purpose.REMEDY_MAY,
        Purpose.REMEDY_WILL,
        *NOT_CONTACT,
    )
    # 1006.6(c) binds communication with the consumer (1006.6(a)); location contacts with
    # third parties and the consumer's attorney are governed by their own rules.
    spared_roles: tuple[Role, ...] = tuple(r for r in Role if r not in CONSUMER_ROLES)


def cease_communication(scenario: Scenario, params: CeaseParams) -> Block | None:
    """After a written refusal or cease notice, nothing but the three notices of
    1006.6(c) reaches the consumer; waiting does not lift it."""
    return _hold_block(
        scenario, HoldKind.CEASE, params,
        "a cease-communication notice was received on {since}{debts}: only notices that collection"
        " ends or that a remedy may or will be invoked may go",
    )  # fmt: skip


# -- attorney: us.regf.attorney_represented --------------------------------------------
@dataclass(frozen=True, slots=True)
class AttorneyParams:
    allowed_purposes: tuple[Purpose, ...] = NOT_CONTACT
    spared_roles: tuple[Role, ...] = (Role.ATTORNEY,)
    # 1006.6(b)(2)(i): the consumer may be contacted when the attorney fails to respond
    # within a reasonable period; here: this many days after the first contact with the
    # attorney went unanswered, and only a contact a person reviewed (Proposal.reviewed).
    fallback_days: int = 30
    consent_scope: str = "attorney"  # direct consent of the consumer lifts it (1006.6(b)(4))

    def __post_init__(self) -> None:
        if self.fallback_days < 30:
            raise ValueError("fallback_days must be at least 30 (a reasonable period)")


def _any_attorney(scenario: Scenario) -> bool:
    """Cheap test first: the batch path decides tens of thousands of proposals a second."""
    for hold in scenario.person.holds:
        if hold.kind is HoldKind.ATTORNEY:
            return True
    return any(debt.attorney for debt in scenario.debts)


def _represented_debts(scenario: Scenario) -> list[str | None]:
    """Debts the consumer has an attorney for: an attorney hold, or a debt's attorney."""
    debts: list[str | None] = [hold.debt for hold in _active(scenario, HoldKind.ATTORNEY)]
    debts += [d.id for d in scenario.debts if d.attorney and _concerns(scenario.proposal, d.id)]
    return debts


def _attorney_parties(scenario: Scenario) -> set[str]:
    parties = {t.id for t in scenario.person.third_parties if t.role is Role.ATTORNEY}
    return parties | {d.attorney for d in scenario.debts if d.attorney}


def _fallback_at(scenario: Scenario, since: datetime, params: AttorneyParams) -> datetime | None:
    """When the attorney's silence lets a reviewed contact reach the consumer: the first
    contact with the attorney after ``since`` plus the period, unless they answered."""
    attorneys = _attorney_parties(scenario)
    at = scenario.proposal.at
    asked: datetime | None = None
    for contact in sorted(scenario.history, key=lambda c: c.at):
        if contact.party not in attorneys or contact.at < since or contact.at > at:
            continue
        if _answered(contact):
            return None
        if asked is None and contact.direction is Direction.OUTBOUND:
            asked = contact.at
    return None if asked is None else asked + timedelta(days=params.fallback_days)


def _answered(contact: Contact) -> bool:
    return contact.direction is Direction.INBOUND or contact.outcome is Outcome.CONVERSATION


def attorney_represented(scenario: Scenario, params: AttorneyParams) -> Block | None:
    """Contact the attorney, not the consumer, about a debt they represent the consumer on
    (1006.6(b)(2)); the fallback after the attorney's silence needs a person's review."""
    proposal = scenario.proposal
    if not _any_attorney(scenario) or proposal.purpose in params.allowed_purposes:
        return None
    debts = _represented_debts(scenario)
    if not debts or recipient_role(scenario) in params.spared_roles:
        return None
    if active_consent(scenario.person, params.consent_scope, proposal.at, proposal.channel):
        return None
    holds = list(_active(scenario, HoldKind.ATTORNEY))
    since = min((h.start for h in holds), default=datetime.min.replace(tzinfo=UTC))
    fallback = _fallback_at(scenario, since, params)
    if proposal.reviewed and fallback is not None and fallback <= proposal.at:
        return None
    named = sorted({d for d in debts if d is not None})
    about = f" on debt {', '.join(named)}" if named else ""
    return Block(
        f"the consumer is represented by an attorney{about}: contact the attorney, not the "
        f"consumer (a reviewed contact may go {params.fallback_days} days after an "
        "unanswered contact with the attorney)",
        fallback if proposal.reviewed else None,
    )


# -- dispute: us.regf.dispute_hold ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DisputeParams:
    # Sending the verification (or saying collection ends) is what lifts the hold.
    allowed_purposes: tuple[Purpose, ...] = (
        Purpose.VALIDATION_NOTICE,
        Purpose.INFORMATION,
        Purpose.COLLECTION_ENDING,
        Purpose.INTEREST_POSTING,
    )
    spared_roles: tuple[Role, ...] = ()


def _hold_block(scenario: Scenario, kind: HoldKind, params: Any, words: str) -> Block | None:
    """The block of a hold of ``kind`` in force (its ``words`` filled with ``{since}`` and
    ``{debts}``), lifting when the last such hold ends; None when none stands."""
    if not scenario.person.holds:  # the common case: nothing held
        return None
    holds = _held(scenario, kind, params.allowed_purposes, params.spared_roles)
    if not holds:
        return None
    return Block(words.format(since=_since(holds), debts=_debt_words(holds)), _lifts_at(holds))


def dispute_hold(scenario: Scenario, params: DisputeParams) -> Block | None:
    """A dispute or original-creditor request stops collection of that debt until the
    verification is sent (1006.38): the hold's ``end`` is that moment."""
    return _hold_block(
        scenario, HoldKind.DISPUTE, params,
        "the debt was disputed on {since}{debts}: no collection until the verification is sent",
    )  # fmt: skip


# -- bankruptcy, deceased, hardship (house rules) --------------------------------------
@dataclass(frozen=True, slots=True)
class BankruptcyParams:
    allowed_purposes: tuple[Purpose, ...] = ()
    spared_roles: tuple[Role, ...] = (Role.ATTORNEY,)


def bankruptcy(scenario: Scenario, params: BankruptcyParams) -> Block | None:
    """A bankruptcy filing stays collection (the automatic stay): no contact to collect."""
    return _hold_block(
        scenario, HoldKind.BANKRUPTCY, params,
        "the consumer filed for bankruptcy on {since}{debts}: collection is stayed",
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeceasedParams:
    allowed_purposes: tuple[Purpose, ...] = ()
    # Whoever acts for the estate (1006.6(a)(4)) and their attorney.
    spared_roles: tuple[Role, ...] = (Role.EXECUTOR, Role.ATTORNEY)


def deceased(scenario: Scenario, params: DeceasedParams) -> Block | None:
    """The consumer died: contact only whoever acts for the estate."""
    return _hold_block(
        scenario, HoldKind.DECEASED, params,
        "the consumer died (recorded {since}): contact only the executor or administrator of the"
        " estate",
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class HardshipParams:
    allowed_purposes: tuple[Purpose, ...] = ()  # a pack may let ``information`` through
    spared_roles: tuple[Role, ...] = ()


def hardship_hold(scenario: Scenario, params: HardshipParams) -> Block | None:
    """An agreed hardship pause: no contact until its end."""
    return _hold_block(
        scenario, HoldKind.HARDSHIP, params,
        "a hardship hold since {since}{debts} pauses contact",
    )  # fmt: skip


# -- breathing space: uk.bs.standard, uk.bs.mental_health ------------------------------
@dataclass(frozen=True, slots=True)
class BreathingSpaceParams:
    kind: HoldKind = HoldKind.BREATHING_SPACE
    # Length in days when the hold has no end; 0: open-ended until an end is recorded.
    days: int = 60
    # Days added to a recorded end: 0 when ``end`` is the moratorium's end as notified;
    # 30 when a lender records the end of crisis treatment instead (mental health).
    days_after_end: int = 0
    blocked_purposes: tuple[Purpose, ...] = (
        Purpose.COLLECTION,  # contact demanding payment
        Purpose.REMINDER,
        Purpose.LEGAL_ACTION,  # enforcement
        Purpose.INTEREST_POSTING,  # interest, fees and charges
    )
    zone: str = "Europe/London"  # whose midnight ends a moratorium


@lru_cache(maxsize=64)
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def moratorium_end(hold: Hold, params: BreathingSpaceParams) -> datetime | None:
    """When a breathing space lifts: its recorded end (plus ``days_after_end``), else —
    a standard one — local midnight after its 60th day. The moratorium starts the day
    after notification (SI 2020/1311 reg 26(1)) and lasts 60 days beginning that day.

    >>> from datetime import UTC, datetime
    >>> hold = Hold(HoldKind.BREATHING_SPACE, datetime(2025, 9, 1, 9, tzinfo=UTC))
    >>> print(moratorium_end(hold, BreathingSpaceParams()))
    2025-11-01 00:00:00+00:00
    """
    if hold.end is not None:
        return hold.end + timedelta(days=params.days_after_end)
    if params.days <= 0:
        return None
    zone = _zone(params.zone)
    notified = hold.start.astimezone(zone).date()
    return datetime.combine(notified + timedelta(days=params.days + 1), time(0), zone)


def breathing_space(scenario: Scenario, params: BreathingSpaceParams) -> Block | None:
    """During a breathing space no payment demand, no enforcement and no interest, fees or
    charges on the moratorium debts (SI 2020/1311); other contact may go."""
    proposal = scenario.proposal
    if not scenario.person.holds or proposal.purpose not in params.blocked_purposes:
        return None
    at = proposal.at
    ends: list[datetime | None] = []
    for hold in scenario.person.holds:
        if hold.kind is not params.kind or hold.start > at:
            continue
        end = moratorium_end(hold, params)
        if (end is None or at < end) and _concerns(proposal, hold.debt):
            ends.append(end)
    if not ends:
        return None
    until = None if None in ends else max(e for e in ends if e is not None)
    what = (
        "mental-health crisis breathing space"
        if params.kind is HoldKind.MENTAL_HEALTH_CRISIS
        else "breathing space"
    )
    lasts = (
        f"lifting {until.astimezone(_zone(params.zone)):%Y-%m-%d %H:%M} {params.zone}"
        if until
        else "with no end notified yet"
    )
    doing = _BARRED_DOINGS.get(proposal.purpose, proposal.purpose.value.replace("_", " "))
    return Block(f"a {what} {lasts}: no {doing} during the moratorium", until)


_BARRED_DOINGS = {
    Purpose.COLLECTION: "payment demand",
    Purpose.REMINDER: "payment reminder",
    Purpose.LEGAL_ACTION: "enforcement",
    Purpose.INTEREST_POSTING: "interest, fees or charges",
}


# -- statute of limitations: us.regf.time_barred ---------------------------------------
@dataclass(frozen=True, slots=True)
class TimeBarredParams:
    blocked_purposes: tuple[Purpose, ...] = (Purpose.LEGAL_ACTION,)


# The expiry date begins first at UTC+14: from then on, somewhere it is that date.
_EARLIEST_ZONE = timezone(timedelta(hours=14))


def _barred(debt: Debt, at: datetime) -> bool:
    if debt.time_barred_on is None:
        return False
    return at >= datetime.combine(debt.time_barred_on, time(0), _EARLIEST_ZONE)


def time_barred(scenario: Scenario, params: TimeBarredParams) -> Block | None:
    """Never sue (or take a step toward suit) on a debt past its limitation period
    (1006.26(b)); threat wording is the content checks'. Conservative on the date: the
    debt counts as barred from the first moment its ``time_barred_on`` begins anywhere."""
    proposal = scenario.proposal
    if not scenario.debts or proposal.purpose not in params.blocked_purposes:
        return None
    barred = [d.id for d in scenario.debts if _concerns(proposal, d.id) and _barred(d, proposal.at)]
    if not barred:
        return None
    return Block(f"debt {', '.join(barred)} is time-barred: no suit and no threat of suit")


CHECKS: tuple[Check, ...] = (
    Check("cease_communication", Phase.HOLDS, CeaseParams, cease_communication,
          "after a cease notice only the notices of 1006.6(c) reach the consumer"),
    Check("attorney_represented", Phase.HOLDS, AttorneyParams, attorney_represented,
          "a represented consumer is contacted through the attorney"),
    Check("dispute_hold", Phase.HOLDS, DisputeParams, dispute_hold,
          "no collection of a disputed debt until it is verified"),
    Check("bankruptcy", Phase.HOLDS, BankruptcyParams, bankruptcy,
          "no collection during bankruptcy"),
    Check("deceased", Phase.HOLDS, DeceasedParams, deceased,
          "a deceased consumer's debt is taken up only with the estate"),
    Check("hardship_hold", Phase.HOLDS, HardshipParams, hardship_hold,
          "no contact during an agreed hardship pause"),
    Check("breathing_space", Phase.HOLDS, BreathingSpaceParams, breathing_space,
          "no demands, enforcement or charges during a breathing space"),
    Check("time_barred", Phase.HOLDS, TimeBarredParams, time_barred,
          "no suit on a time-barred debt"),
)  # fmt: skip
