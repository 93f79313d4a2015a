"""What the gate knows when it decides: the person, their debts, the contact history and
the proposed contact. The same shape is the what-if scenario file (docs/compliance.md)
and what the daily cycle builds from the store, so a compliance officer's scenario and
the production path are decided by the same code.

Times are aware datetimes (UTC in storage and files); local times are derived from the
candidate zones at decision time, never stored.

>>> from datetime import UTC, datetime
>>> proposal = Proposal(Channel.CALL, datetime(2025, 6, 2, 15, 0, tzinfo=UTC), to="+13105550100")
>>> proposal.role, proposal.purpose
(<Role.BORROWER: 'borrower'>, <Purpose.COLLECTION: 'collection'>)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum


class Channel(StrEnum):
    """How a contact is made. ``voicemail`` is a message left on a call."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    FIELD_VISIT = "field_visit"
    VOICEMAIL = "voicemail"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Role(StrEnum):
    """Who is contacted. The first four, and a minor's parent, a guardian and an executor
    (the "consumer" of 1006.6(a)), may be told about the debt where a pack allows
    (1006.6(d)); the others are third parties."""

    BORROWER = "borrower"
    GUARANTOR = "guarantor"
    SPOUSE = "spouse"
    ATTORNEY = "attorney"
    EMERGENCY_CONTACT = "emergency_contact"
    EMPLOYER = "employer"
    FAMILY = "family"
    OTHER = "other"
    PARENT = "parent"  # of a minor consumer (1006.6(a)(2))
    GUARDIAN = "guardian"  # 1006.6(a)(3)
    EXECUTOR = "executor"  # or administrator of a deceased consumer's estate (1006.6(a)(4))


class Outcome(StrEnum):
    """How a past contact ended. ``not_connected``: the call never reached the dialled
    number (busy, network failure) — Reg F does not count it as placed."""

    NOT_CONNECTED = "not_connected"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    VISITED = "visited"


class Purpose(StrEnum):
    """What a proposed contact is for; some rules allow only some purposes (after a cease
    notice only the three of 1006.6(c); with a third party only location)."""

    COLLECTION = "collection"  # a payment demand or reminder
    REMINDER = "reminder"  # before the due date
    LOCATION = "location"  # asking a third party where the debtor is
    VALIDATION_NOTICE = "validation_notice"
    COLLECTION_ENDING = "collection_ending"  # 1006.6(c)(1)
    REMEDY_MAY = "remedy_may"  # 1006.6(c)(2)
    REMEDY_WILL = "remedy_will"  # 1006.6(c)(3)
    CREDIT_REPORT = "credit_report"  # furnishing to a credit bureau
    LEGAL_ACTION = "legal_action"
    INTEREST_POSTING = "interest_posting"  # charging interest, fees or charges
    INFORMATION = "information"  # a notice with no demand (e.g. a statement)


class HoldKind(StrEnum):
    CEASE = "cease"  # written refusal / cease communication
    ATTORNEY = "attorney"  # represented by an attorney (per debt)
    DISPUTE = "dispute"  # disputed until verified (per debt)
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    HARDSHIP = "hardship"
    BREATHING_SPACE = "breathing_space"  # UK standard: 60 days
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"  # UK: open-ended until notified


class LineType(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    UNKNOWN = "unknown"


class Dialer(StrEnum):
    MANUAL = "manual"
    AUTODIALER = "autodialer"
    PRERECORDED = "prerecorded"
    AI_VOICE = "ai_voice"


@dataclass(frozen=True, slots=True)
class Phone:
    number: str  # E.164
    line: LineType = LineType.UNKNOWN
    zone: str | None = None  # an IANA zone the lender knows for this number
    work: bool = False
    employer_prohibits: bool = False
    do_not_call: bool = False
    invalid: bool = False  # known not to reach the person (wrong number, disconnected)
    given_in_application: bool = (
        False  # the consumer gave it in the credit application (TCPA consent)
    )


@dataclass(frozen=True, slots=True)
class Email:
    address: str
    employer_provided: bool = False
    used_by_consumer: bool = False  # the consumer wrote from it (1006.22(f)(3))


@dataclass(frozen=True, slots=True)
class Address:
    text: str = ""
    country: str | None = None  # ISO 3166 alpha-2
    zone: str | None = None
    work: bool = False
    employer_prohibits: bool = False  # a work address whose employer forbids visits (1006.6(b)(3))


@dataclass(frozen=True, slots=True)
class Hold:
    """A state that stops or limits contact: from ``start`` until ``end`` (open-ended if
    None), for one debt or (``debt`` None) all of them."""

    kind: HoldKind
    start: datetime
    end: datetime | None = None
    debt: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Consent:
    """Direct prior consent or an agreement lifting a limit (``scope``: e.g. ``hours``,
    ``place``, ``workplace``, ``autodial``, ``frequency``), from ``start`` to ``end``."""

    scope: str
    start: datetime
    end: datetime | None = None
    channel: Channel | None = None
    window: tuple[time, time] | None = None  # agreed local hours, e.g. 07:00–22:00
    in_compliant_contact: bool = True  # consent got in an unlawful contact does not count


@dataclass(frozen=True, slots=True)
class OptOut:
    """The person asked to stop a medium (optionally one address or number)."""

    channel: Channel
    at: datetime
    address: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """Free text the person sent (an SMS reply, an email); parsed for opt-out words."""

    channel: Channel
    at: datetime
    text: str
    address: str | None = None
    party: str | None = None  # a third party's id when they sent it; None: the person


@dataclass(frozen=True, slots=True)
class BlockedWindow:
    """Local hours (and optionally weekdays, 0 = Monday) the person named as inconvenient."""

    start: time
    end: time
    since: datetime | None = None
    weekdays: tuple[int, ...] = ()
    channel: Channel | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    blocked: tuple[BlockedWindow, ...] = ()
    places_blocked: tuple[str, ...] = ()  # e.g. "work"
    channels: tuple[Channel, ...] = ()  # preferred channels; empty means no preference
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ThirdParty:
    """Someone other than the debtor: an emergency contact, employer, family member."""

    id: str
    role: Role
    name: str = ""
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    registered: bool = False  # given by the debtor as a contact (not scraped)
    refused_at: datetime | None = None  # asked never to be contacted again
    may_recontact: bool = (
        False  # asked to be contacted again, or a wrong location answer (1006.10(c))
    )


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str = ""
    language: str | None = None
    zones: tuple[str, ...] = ()  # zones the lender holds for the person (stated, stored)
    address: Address | None = None
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    holds: tuple[Hold, ...] = ()
    consents: tuple[Consent, ...] = ()
    opt_outs: tuple[OptOut, ...] = ()
    inbound_messages: tuple[InboundMessage, ...] = ()
    preferences: Preferences = field(default_factory=Preferences)
    third_parties: tuple[ThirdParty, ...] = ()


@dataclass(frozen=True, slots=True)
class Debt:
    id: str
    creditor: str = ""
    first_communication_at: datetime | None = None
    validation_notice_sent_at: datetime | None = None
    time_barred_on: date | None = None
    attorney: str | None = None  # the consumer's attorney for this debt, if known


@dataclass(frozen=True, slots=True)
class Contact:
    """One past contact, outbound or inbound, with whoever made it."""

    channel: Channel
    at: datetime
    outcome: Outcome
    direction: Direction = Direction.OUTBOUND
    party: str | None = None  # the person's or third party's id; None: the debtor
    to: str | None = None  # number or address used
    debts: tuple[str, ...] = ()  # empty: all the person's debts
    by: str = "lender"  # the lender or which agency
    with_consent: bool = False  # a call the person consented to in advance
    dialer: Dialer = Dialer.MANUAL  # prerecorded calls count toward the TCPA landline cap


@dataclass(frozen=True, slots=True)
class Visit:
    staff: int = 1
    ids_shown: bool = True
    recording: bool = False


@dataclass(frozen=True, slots=True)
class Itemization:
    """A validation notice's itemization (Reg F 1006.34(c)(2)), in minor units of one
    currency: the amount on the itemization date plus interest and fees, less payments and
    credits since, must be the current amount."""

    amount_minor: int  # on the itemization date
    current_minor: int
    interest_minor: int = 0
    fees_minor: int = 0
    payments_minor: int = 0
    credits_minor: int = 0
    itemization_date: date | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """The contact to decide. ``flexible``: the sender may move it to the next lawful
    moment (the cycle's planned actions) — a time block then defers instead of denying."""

    channel: Channel
    at: datetime
    to: str | None = None
    party: str | None = None  # None: the debtor
    role: Role = Role.BORROWER
    debts: tuple[str, ...] = ()  # empty: all the person's debts
    purpose: Purpose = Purpose.COLLECTION
    dialer: Dialer = Dialer.MANUAL
    text: str | None = None  # the rendered text or script, where known
    template: str | None = None
    initial: bool = False  # the first communication about the debt
    recording: bool = True
    visit: Visit | None = None
    validation_end: date | None = None  # a validation notice's printed end date
    itemization: Itemization | None = None  # a validation notice's printed itemization
    by: str = "lender"
    flexible: bool = False
    reviewed: bool = False  # a person approved it (the attorney fallback of 1006.6(b)(2))


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one decision reads."""

    person: Person
    proposal: Proposal
    debts: tuple[Debt, ...] = ()
    history: tuple[Contact, ...] = ()
    lender: str = "lender"  # the lender group: the lender and its agencies count together
    # The lender's names as its texts write them (the settings' lender names): what the
    # identification rules look for when a pack names none.
    lender_names: tuple[str, ...] = ()


NO_PREFERENCES = Preferences()  # shared: most people state none


def loan_file_person(
    borrower_id: str,
    name: str | None,
    phone: str | None,
    email: str | None,
    zone: str | None,
    language: str | None,
) -> Person:
    """A borrower known only from the loan file: their number, address and stored zone.

    >>> loan_file_person("B1", "王芳", "+8613812345678", None, "Asia/Shanghai", "zh").zones
    ('Asia/Shanghai',)
    """
    return Person(
        borrower_id, name or "", language, (zone,) if zone else (), None,
        (Phone(phone),) if phone else (), (Email(email),) if email else (),
        preferences=NO_PREFERENCES,  # shared: a default factory per person costs
    )  # fmt: skip


# Borrower flags (``arrears borrower flag``) as what the gate holds them to: a hold from
# when the flag was set, or every number off limits.
HOLD_OF_FLAG = {
    "do_not_contact": HoldKind.CEASE,
    "attorney": HoldKind.ATTORNEY,
    "dispute": HoldKind.DISPUTE,
    "bankruptcy": HoldKind.BANKRUPTCY,
    "deceased": HoldKind.DECEASED,
    "hardship": HoldKind.HARDSHIP,
}
DO_NOT_CALL_FLAG = "do_not_call"


def with_flags(person: Person, flags: tuple[tuple[str, datetime], ...]) -> Person:
    """The person with their borrower flags (name, set at) as holds and number limits;
    the same person when no flag concerns the gate.

    >>> from datetime import UTC
    >>> flagged = with_flags(Person("B1", phones=(Phone("+8613812345678"),)),
    ...                      (("bankruptcy", datetime(2026, 3, 1, tzinfo=UTC)),
    ...                       ("do_not_call", datetime(2026, 3, 2, tzinfo=UTC))))
    >>> [h.kind.value for h in flagged.holds], flagged.phones[0].do_not_call
    (['bankruptcy'], True)
    """
    holds = tuple(Hold(HOLD_OF_FLAG[name], at) for name, at in flags if name in HOLD_OF_FLAG)
    no_calls = any(name == DO_NOT_CALL_FLAG for name, _ in flags)
    if not holds and not no_calls:
        return person
    phones = person.phones
    if no_calls:
        phones = tuple(replace(phone, do_not_call=True) for phone in phones)
    return replace(person, holds=(*person.holds, *holds), phones=phones)
