"""Place checks: the consumer's own inconvenient times and places, and the workplace.

Rules served (reference ids):

- ``designated_inconvenient`` — us.regf.designated_inconvenient (1006.6(b)(1)): the
  hours (``Preferences.blocked``) and places (``Preferences.places_blocked``: ``work``,
  ``home``) the consumer named bind; one reply in the same medium to a contact the
  consumer started in such a window or from such a place is allowed. A later direct
  consent lifts them (1006.6(b)(4)).
- ``place_of_employment`` — us.regf.place_of_employment: no call or text to a work
  phone, nor visit to a workplace, whose employer prohibits it (1006.6(b)(3)); no email
  to an employer-provided address unless the consumer used it or consented
  (1006.22(f)(3)). Waiting does not lift these: another number or address is needed.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Phone, Proposal, Scenario
>>> work = Phone("+12125550100", work=True, employer_prohibits=True)
>>> call = Proposal(Channel.CALL, datetime(2025, 6, 2, 15, tzinfo=UTC), to=work.number)
>>> place_of_employment(Scenario(Person("B1", phones=(work,)), call), PlaceParams()).reason
'+12125550100 is a work phone and the employer prohibits such contact'
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.domain.compliance.checks_time import consent_for, designated_hours, same_medium
from arrears.domain.compliance.facts import Channel, Direction, Person, Proposal, Scenario
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import is_debtor

PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})
AT_AN_ADDRESS = frozenset({Channel.FIELD_VISIT, Channel.LETTER})


@dataclass(frozen=True, slots=True)
class PlaceParams:
    consent_scopes: tuple[str, ...] = ("workplace", "place")


@dataclass(frozen=True, slots=True)
class DesignatedParams:
    default_zone: str = "UTC"
    consent_scopes: tuple[str, ...] = ("place",)  # lift a named place (1006.6(b)(4))


def _at_address(person: Person, proposal: Proposal) -> bool:
    address = person.address
    return (
        proposal.channel in AT_AN_ADDRESS
        and address is not None
        and proposal.to in (None, address.text)
    )


def is_at_work(person: Person, proposal: Proposal) -> bool:
    """The contact reaches the consumer at work: a work phone, an employer-provided email,
    a visit or letter to a work address."""
    if proposal.channel in PHONE_CHANNELS:
        return any(p.work for p in person.phones if p.number == proposal.to)
    if proposal.channel is Channel.EMAIL:
        return any(e.employer_provided for e in person.emails if e.address == proposal.to)
    return _at_address(person, proposal) and person.address is not None and person.address.work


def _is_at_home(person: Person, proposal: Proposal) -> bool:
    return _at_address(person, proposal) and person.address is not None and not person.address.work


def _workplace_problem(person: Person, proposal: Proposal) -> str | None:
    if proposal.channel in PHONE_CHANNELS:
        if any(p.work and p.employer_prohibits for p in person.phones if p.number == proposal.to):
            return f"{proposal.to} is a work phone and the employer prohibits such contact"
    elif proposal.channel is Channel.EMAIL:
        for email in person.emails:
            if (
                email.address == proposal.to
                and email.employer_provided
                and not email.used_by_consumer
            ):
                return (
                    f"{email.address} was provided by the consumer's employer and the "
                    "consumer has not used it with us nor consented to it"
                )
    elif proposal.channel is Channel.FIELD_VISIT and _at_address(person, proposal):
        address = person.address
        if address is not None and address.work and address.employer_prohibits:
            return "the address is the consumer's workplace and the employer prohibits visits"
    return None


def place_of_employment(scenario: Scenario, params: PlaceParams) -> Block | None:
    """Block workplace contact the employer prohibits, or employer email (see module)."""
    person, proposal = scenario.person, scenario.proposal
    if proposal.to is None and proposal.channel is not Channel.FIELD_VISIT:
        return None
    if not is_debtor(proposal.party, person):
        return None
    problem = _workplace_problem(person, proposal)
    if problem is None:
        return None
    if consent_for(person, params.consent_scopes, proposal.channel, proposal.at):
        return None
    return Block(problem)


def _named_place(person: Person, proposal: Proposal) -> str | None:
    places = person.preferences.places_blocked
    if "work" in places and is_at_work(person, proposal):
        return "work"
    if "home" in places and _is_at_home(person, proposal):
        return "home"
    return None


def _answers_from_place(scenario: Scenario) -> bool:
    """The one reply, in the same medium and to the same number or address, to a contact
    the consumer started from the named place."""
    person, proposal = scenario.person, scenario.proposal
    from_there = [
        c
        for c in scenario.history
        if c.direction is Direction.INBOUND
        and is_debtor(c.party, person)
        and same_medium(c.channel, proposal.channel)
        and c.to == proposal.to
        and c.at <= proposal.at
    ]
    if not from_there:
        return False
    last = max(c.at for c in from_there)
    return not any(
        c.direction is Direction.OUTBOUND
        and is_debtor(c.party, person)
        and same_medium(c.channel, proposal.channel)
        and last < c.at <= proposal.at
        for c in scenario.history
    )


def designated_inconvenient(scenario: Scenario, params: DesignatedParams) -> Block | None:
    """Block a contact at a time or place the consumer named as inconvenient."""
    person, proposal = scenario.person, scenario.proposal
    preferences = person.preferences
    if not preferences.places_blocked and not preferences.blocked:
        return None
    if not is_debtor(proposal.party, person):
        return None
    place = _named_place(person, proposal) if preferences.places_blocked else None
    if (
        place is not None
        and not consent_for(person, params.consent_scopes, proposal.channel, proposal.at)
        and not _answers_from_place(scenario)
    ):
        return Block(f"the consumer asked not to be contacted at {place}")
    return designated_hours(scenario, params.default_zone)


CHECKS = (
    Check(
        "designated_inconvenient",
        Phase.TIME,
        DesignatedParams,
        designated_inconvenient,
        "the times and places the consumer named as inconvenient bind",
    ),
    Check(
        "place_of_employment",
        Phase.TIME,
        PlaceParams,
        place_of_employment,
        "no contact at work where the employer prohibits it; no employer email unless used",
    ),
)
