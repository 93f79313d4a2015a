"""Notices, visits and records: the validation notice (when, how long, what it adds up to),
credit reporting only after the consumer has heard from the collector, how field visits
and calls are staffed and recorded, who may collect, and the rules that are not contact
decisions at all (retention, data minimisation, forbearance), listed so packs show them.

>>> from datetime import UTC, date, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Proposal, Purpose, Scenario
>>> notice = Proposal(Channel.LETTER, datetime(2025, 11, 25, 15, tzinfo=UTC),
...                   purpose=Purpose.VALIDATION_NOTICE, validation_end=date(2025, 12, 31))
>>> validation_period(Scenario(Person("B1"), notice), ValidationPeriodParams()).reason
'the validation period must end on or after 2026-01-02 (30 days after assumed receipt on 2025-12-03, 5 business days after sending on 2025-11-25); the notice prints 2025-12-31'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from arrears.domain.calendar import calendar_for
from arrears.domain.compliance import wording
from arrears.domain.compliance.checks_content import debts_in_scope
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Debt,
    Direction,
    Outcome,
    Purpose,
    Scenario,
    Visit,
)
from arrears.domain.compliance.rules import Block, Check, Phase


# -- us.regf.validation_timing ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ValidationTimingParams:
    days: int = 5  # calendar days after the first communication (the cautious reading)
    # What may still go out while a notice is overdue: the notice itself, location
    # contacts, telling the consumer collection ends, and plain information.
    allowed: tuple[Purpose, ...] = (
        Purpose.VALIDATION_NOTICE,
        Purpose.LOCATION,
        Purpose.COLLECTION_ENDING,
        Purpose.INFORMATION,
    )


def validation_timing(scenario: Scenario, params: ValidationTimingParams) -> Block | None:
    """Validation information comes in the first communication or a notice within 5 days
    after it (Reg F 1006.34(a)). Once a debt's first communication is more than ``days``
    old and no notice was sent, every contact about it other than the ``allowed``
    purposes is denied until the notice is sent: the consumer must learn their dispute
    rights before collection goes on. Sending the notice lifts it, not waiting."""
    proposal = scenario.proposal
    if proposal.purpose in params.allowed:
        return None
    overdue = [
        debt.id for debt in debts_in_scope(scenario) if _notice_overdue(debt, proposal.at, params)
    ]
    if not overdue:
        return None
    return Block(
        f"no validation notice was sent within {params.days} days of the first communication "
        f"about debt {', '.join(overdue)}: send it before collecting further"
    )


def _notice_overdue(debt: Debt, at: datetime, params: ValidationTimingParams) -> bool:
    first = debt.first_communication_at
    if first is None or debt.validation_notice_sent_at is not None:
        return False
    return at > first + timedelta(days=params.days)


# -- us.regf.validation_period ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ValidationPeriodParams:
    receipt_business_days: int = 5  # receipt assumed this many business days after sending
    period_days: int = 30  # the period ends at least this many days after receipt
    holidays_country: str = "US"  # weekends and this country's public (federal) holidays

    def __post_init__(self) -> None:
        calendar_for(self.holidays_country)  # an unknown country fails the pack's load


def validation_period(scenario: Scenario, params: ValidationPeriodParams) -> Block | None:
    """The validation period printed on a notice ends at least 30 days after the consumer
    receives it, receipt assumed 5 days after sending excluding weekends and federal
    holidays (Reg F 1006.34(b)(5)). A notice with no printed end date is not judged here.
    The sending date is the later of the proposal's own calendar date and its UTC date."""
    proposal = scenario.proposal
    end = proposal.validation_end
    if proposal.purpose is not Purpose.VALIDATION_NOTICE or end is None:
        return None
    sent = max(proposal.at.date(), proposal.at.astimezone(UTC).date())
    receipt = assumed_receipt(sent, params.receipt_business_days, params.holidays_country)
    earliest_end = receipt + timedelta(days=params.period_days)
    if end >= earliest_end:
        return None
    return Block(
        f"the validation period must end on or after {earliest_end} ({params.period_days} "
        f"days after assumed receipt on {receipt}, {params.receipt_business_days} business "
        f"days after sending on {sent}); the notice prints {end}"
    )


@lru_cache(maxsize=4096)
def assumed_receipt(sent: date, business_days: int, country: str) -> date:
    """The day a notice sent on ``sent`` is assumed received: ``business_days`` later,
    counting neither weekends nor the country's public holidays.

    >>> assumed_receipt(date(2025, 11, 25), 5, "US")  # Thanksgiving 11-27, a weekend
    datetime.date(2025, 12, 3)
    """
    calendar = calendar_for(country)
    day, counted = sent, 0
    while counted < business_days:
        day += timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return day


# -- us.regf.validation_content -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ValidationContentParams:
    required: tuple[str, ...] = ("www.cfpb.gov/debt-collection",)  # phrases, each needed


def validation_content(scenario: Scenario, params: ValidationContentParams) -> Block | None:
    """A validation notice's itemization adds up — the amount on the itemization date plus
    interest and fees, less payments and credits, is the current amount — and its text
    (when given) points to www.cfpb.gov/debt-collection (Reg F 1006.34(c), Model Form
    B-1). The other elements of 1006.34(c) are the template's, reviewed by counsel."""
    proposal = scenario.proposal
    if proposal.purpose is not Purpose.VALIDATION_NOTICE:
        return None
    item = proposal.itemization
    if item is not None:
        total = (
            item.amount_minor
            + item.interest_minor
            + item.fees_minor
            - item.payments_minor
            - item.credits_minor
        )
        if total != item.current_minor:
            return Block(
                f"the itemization does not add up: {item.amount_minor} + interest "
                f"{item.interest_minor} + fees {item.fees_minor} − payments "
                f"{item.payments_minor} − credits {item.credits_minor} is {total}, "
                f"not the current amount {item.current_minor} (minor units)"
            )
    if proposal.text is not None:
        for phrase in params.required:
            if wording.first_match(proposal.text, (phrase,)) is None:
                return Block(f"the validation notice must say {phrase!r}")
    return None


# -- us.regf.passive_collection -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PassiveCollectionParams:
    wait_days: int = 14  # after a letter or message, with no notice it was undeliverable


_SPOKEN = (Outcome.CONVERSATION, Outcome.VISITED)
_WRITTEN = (Channel.LETTER, Channel.EMAIL, Channel.SMS)


def passive_collection(scenario: Scenario, params: PassiveCollectionParams) -> Block | None:
    """No furnishing to a credit bureau until the collector has spoken to the consumer
    about the debt, or sent a letter or electronic message and waited 14 days without a
    notice that it was undeliverable (Reg F 1006.30(a)). Each debt reported needs its own
    contact. A sent letter still inside its wait lifts the block when the wait ends."""
    proposal = scenario.proposal
    if proposal.purpose is not Purpose.CREDIT_REPORT:
        return None
    wait = timedelta(days=params.wait_days)
    history = [c for c in scenario.history if c.party is None and c.at <= proposal.at]
    ids: tuple[str | None, ...] = proposal.debts or tuple(d.id for d in scenario.debts) or (None,)
    ready: list[datetime] = []
    for debt_id in ids:
        moment = _reportable_from(history, debt_id, wait)
        if moment is None:
            what = f"debt {debt_id}" if debt_id else "the debt"
            return Block(
                f"no credit reporting on {what} before speaking to the consumer about it or "
                f"sending a letter or message and waiting {params.wait_days} days without it "
                "coming back undeliverable"
            )
        ready.append(moment)
    until = max(ready)
    if until <= proposal.at:
        return None
    return Block(
        f"a letter or message about the debt was sent less than {params.wait_days} days ago: "
        "credit reporting waits for an undeliverable notice",
        until,
    )


def _reportable_from(
    history: list[Contact], debt_id: str | None, wait: timedelta
) -> datetime | None:
    """The first moment ``debt_id`` may be reported on, by the history; None: never yet."""
    about = [c for c in history if _covers(c, debt_id)]
    spoken = [c.at for c in about if c.outcome in _SPOKEN]
    if spoken:
        return min(spoken)
    letters = [
        c.at + wait
        for c in about
        if c.channel in _WRITTEN
        and c.direction is Direction.OUTBOUND
        and c.outcome is not Outcome.UNDELIVERABLE
        and not _bounced(c, history)
    ]
    return min(letters) if letters else None


def _covers(contact: Contact, debt_id: str | None) -> bool:
    return debt_id is None or not contact.debts or debt_id in contact.debts


def _bounced(letter: Contact, history: list[Contact]) -> bool:
    """A later undeliverable notice on the same channel (and address, where both name one)."""
    return any(
        c.outcome is Outcome.UNDELIVERABLE
        and c.channel is letter.channel
        and c.at >= letter.at
        and (c.to is None or letter.to is None or c.to == letter.to)
        for c in history
    )


# -- cn.field_visit, cn.recording --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FieldVisitParams:
    min_staff: int = 2
    ids_shown: bool = True
    recording: bool = True


def field_visit(scenario: Scenario, params: FieldVisitParams) -> Block | None:
    """A field visit is made by at least two staff who show their IDs, with the whole visit
    recorded (CBA 2026 guideline); a visit with no plan cannot show that and is denied.
    The visit's hours are the contact-hours rule's."""
    proposal = scenario.proposal
    if proposal.channel is not Channel.FIELD_VISIT:
        return None
    problems = _visit_problems(proposal.visit, params)
    return Block(f"a field visit needs {'; '.join(problems)}") if problems else None


def _visit_problems(visit: Visit | None, params: FieldVisitParams) -> list[str]:
    if visit is None:
        return [f"a visit plan (at least {params.min_staff} staff, IDs shown, recording on)"]
    problems = []
    if visit.staff < params.min_staff:
        problems.append(f"at least {params.min_staff} staff (planned: {visit.staff})")
    if params.ids_shown and not visit.ids_shown:
        problems.append("staff showing their IDs")
    if params.recording and not visit.recording:
        problems.append("audio and video recording on for the whole visit")
    return problems


@dataclass(frozen=True, slots=True)
class CallRecordingParams:
    channels: tuple[Channel, ...] = (Channel.CALL, Channel.VOICEMAIL)


def call_recording(scenario: Scenario, params: CallRecordingParams) -> Block | None:
    """Phone collection is recorded in full: recording on before dialling (CBA 2026
    guideline; GB/T 45251—2025)."""
    proposal = scenario.proposal
    if proposal.channel not in params.channels or proposal.recording:
        return None
    return Block("a collection call must be recorded in full: turn recording on before dialling")


# -- cn.outsourcing ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AgencyWhitelistParams:
    agencies: tuple[str, ...] = ()  # empty: no whitelist configured, nothing checked


def agency_whitelist(scenario: Scenario, params: AgencyWhitelistParams) -> Block | None:
    """An agency collects only if it is on the lender's published whitelist (CBA 2026
    guideline). A proposal ``by`` anyone but the lender is an agency's."""
    by = scenario.proposal.by
    if not params.agencies or by in ("lender", scenario.lender) or by in params.agencies:
        return None
    return Block(f"agency {by!r} is not on the lender's whitelist of collection agencies")


# -- rules that are not contact decisions -------------------------------------------------
@dataclass(frozen=True, slots=True)
class RecordedOnlyParams:
    pass


def recorded_only(scenario: Scenario, params: RecordedOnlyParams) -> Block | None:
    """Never blocks a contact: the rule is listed so the pack shows it, and its ``says``
    names where the platform enforces it (or that it does not yet)."""
    return None


CHECKS = (
    Check(
        "validation_timing",
        Phase.CONTENT,
        ValidationTimingParams,
        validation_timing,
        "collection waits once a validation notice is overdue (first communication + 5 days)",
    ),
    Check(
        "validation_period",
        Phase.CONTENT,
        ValidationPeriodParams,
        validation_period,
        "a validation notice's end date is ≥ 30 days after assumed receipt",
    ),
    Check(
        "validation_content",
        Phase.CONTENT,
        ValidationContentParams,
        validation_content,
        "a validation notice's itemization adds up and its text has the required phrases",
    ),
    Check(
        "passive_collection",
        Phase.CONTENT,
        PassiveCollectionParams,
        passive_collection,
        "credit reporting only after a conversation or a delivered letter 14 days old",
    ),
    Check(
        "field_visit",
        Phase.CONTENT,
        FieldVisitParams,
        field_visit,
        "a field visit has ≥ 2 staff, IDs shown, recording on",
    ),
    Check(
        "call_recording",
        Phase.CONTENT,
        CallRecordingParams,
        call_recording,
        "a call is recorded",
    ),
    Check(
        "agency_whitelist",
        Phase.CONTENT,
        AgencyWhitelistParams,
        agency_whitelist,
        "an agency collects only if on the whitelist",
    ),
    Check(
        "recorded_only",
        Phase.CONTENT,
        RecordedOnlyParams,
        recorded_only,
        "not a contact decision: shown in the pack, enforced where its text says",
    ),
)
