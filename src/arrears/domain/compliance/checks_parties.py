"""Third parties: who may hear about the debt, and when others may be contacted at all.

The debt is discussed only with the consumer (in the US: with a spouse, a minor's
parent, a guardian, an executor) and their attorney; anyone else — an emergency contact,
an employer, family — may only be asked where the debtor is (Reg F 1006.6(d), 1006.10),
once; in China only contacts the debtor registered, only when the debtor cannot be
reached, and never again after they refuse. The recipient's role is the one recorded for
the third party when the proposal names one (facts beat a proposal's label).

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Proposal, Role, Scenario, ThirdParty
>>> mother = ThirdParty("T1", Role.FAMILY, registered=True)
>>> ask = Proposal(Channel.CALL, datetime(2025, 6, 2, 15, tzinfo=UTC), party="T1", role=Role.FAMILY)
>>> print(third_party_role(Scenario(Person("B1", third_parties=(mother,)), ask), ThirdPartyRoleParams()).reason)
a family contact may only be asked where the debtor is, not contacted for collection
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from arrears.domain.compliance.checks_consent import replies_refusing
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Direction,
    Outcome,
    Purpose,
    Role,
    Scenario,
    ThirdParty,
)
from arrears.domain.compliance.replies import OptOutWords
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import is_debtor, local_date, primary_zone

# 1006.6(d): the consumer (1006.6(a)) and their attorney.
DEBT_ROLES: tuple[Role, ...] = (
    Role.BORROWER,
    Role.GUARANTOR,
    Role.SPOUSE,
    Role.PARENT,
    Role.GUARDIAN,
    Role.EXECUTOR,
    Role.ATTORNEY,
)
LOCATION_ROLES: tuple[Role, ...] = (
    Role.EMERGENCY_CONTACT,
    Role.EMPLOYER,
    Role.FAMILY,
    Role.OTHER,
)


def third_party(scenario: Scenario) -> ThirdParty | None:
    """The third party the proposal is for, if it names one the person has on record."""
    party = scenario.proposal.party
    if is_debtor(party, scenario.person):
        return None
    return next((t for t in scenario.person.third_parties if t.id == party), None)


def recipient_role(scenario: Scenario) -> Role:
    """Who the proposal reaches: the recorded role of the third party it names, else the
    role it says."""
    found = third_party(scenario)
    return found.role if found is not None else scenario.proposal.role


# -- roles: us.regf.third_party, cn.debtor_only, uk.conc.third_party_privacy ------------
@dataclass(frozen=True, slots=True)
class ThirdPartyRoleParams:
    debt_roles: tuple[Role, ...] = DEBT_ROLES  # may be told about (and asked to pay) the debt
    other_purposes: tuple[Purpose, ...] = (Purpose.LOCATION,)  # all anyone else may hear


def third_party_role(scenario: Scenario, params: ThirdPartyRoleParams) -> Block | None:
    """Anyone outside ``debt_roles`` is contacted only for ``other_purposes``."""
    proposal = scenario.proposal
    if proposal.party is None and proposal.role in params.debt_roles:
        return None  # the debtor: the common case
    role = recipient_role(scenario)
    if role in params.debt_roles or proposal.purpose in params.other_purposes:
        return None
    kind = role.value.replace("_", " ")
    return Block(
        f"a {kind} contact may only be asked where the debtor is, not contacted for "
        f"{scenario.proposal.purpose.value.replace('_', ' ')}"
    )


# -- once: us.regf.location_info --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LocationOnceParams:
    roles: tuple[Role, ...] = LOCATION_ROLES
    max_contacts: int = 1
    # What counts as having communicated with them: a call that did not reach them does not.
    counted_outcomes: tuple[Outcome, ...] = (
        Outcome.CONVERSATION,
        Outcome.VOICEMAIL,
        Outcome.SENT,
        Outcome.DELIVERED,
        Outcome.VISITED,
    )


def _asked_again(contacts: list[Contact], party: str, since: datetime) -> bool:
    """They got in touch after our last location contact (and did not refuse)."""
    return any(
        c.party == party
        and c.direction is Direction.INBOUND
        and c.at > since
        and c.outcome is not Outcome.REFUSED
        for c in contacts
    )


def location_once(scenario: Scenario, params: LocationOnceParams) -> Block | None:
    """A third party is asked for location information once, unless they asked to be
    contacted again or their answer was wrong and they now know better (1006.10(c);
    ``ThirdParty.may_recontact`` records that judgement)."""
    proposal = scenario.proposal
    party = proposal.party
    if proposal.purpose is not Purpose.LOCATION or party is None or not scenario.history:
        return None
    found = third_party(scenario)
    if recipient_role(scenario) not in params.roles or (found and found.may_recontact):
        return None
    before = [c for c in scenario.history if c.at < proposal.at]
    done = [
        c
        for c in before
        if c.party == party
        and c.direction is Direction.OUTBOUND
        and c.outcome in params.counted_outcomes
    ]
    if len(done) < params.max_contacts:
        return None
    if _asked_again(before, party, max(c.at for c in done)):
        return None
    day = max(c.at for c in done).date().isoformat()
    return Block(
        f"{party} was already asked where the debtor is (last on {day}); "
        "ask again only if they request it or their answer was wrong"
    )


# -- China: cn.contact_when_unreachable -------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnreachableParams:
    # Contact persons (联系人): anyone but the debtor, a guarantor and the debtor's lawyer.
    roles: tuple[Role, ...] = tuple(
        r for r in Role if r not in (Role.BORROWER, Role.GUARANTOR, Role.ATTORNEY)
    )
    # Triggers of 失联 (0 or false turns one off): every number of the debtor invalid;
    # this many failed calls in a row since the debtor was last reached; failed calls on
    # this many consecutive local days.
    all_numbers_invalid: bool = True
    failed_calls: int = 3
    unreachable_days: int = 3
    failed_outcomes: tuple[Outcome, ...] = (
        Outcome.NO_ANSWER,
        Outcome.NOT_CONNECTED,
        Outcome.WRONG_NUMBER,
    )
    default_zone: str = "Asia/Shanghai"


def _reached(contact: Contact) -> bool:
    return contact.direction is Direction.INBOUND or contact.outcome is Outcome.CONVERSATION


def _failed_streak(scenario: Scenario, params: UnreachableParams) -> list[Contact]:
    """The failed calls to the debtor since the debtor was last reached (a conversation,
    or the debtor getting in touch), in a row: any other call outcome ends the streak."""
    person, at = scenario.person, scenario.proposal.at
    streak: list[Contact] = []
    reached_by_reply = [m.at for m in person.inbound_messages if is_debtor(m.party, person)]
    last_reply = max((t for t in reached_by_reply if t <= at), default=None)
    for contact in sorted(scenario.history, key=lambda c: c.at):
        if contact.at > at or not is_debtor(contact.party, person):
            continue
        if (last_reply is not None and contact.at <= last_reply) or _reached(contact):
            streak = []
        elif contact.channel is Channel.CALL and contact.direction is Direction.OUTBOUND:
            streak = [*streak, contact] if contact.outcome in params.failed_outcomes else []
    return streak


def _longest_run(days: set[date]) -> int:
    best = 0
    for day in days:
        if day - timedelta(days=1) not in days:
            length = 1
            while day + timedelta(days=length) in days:
                length += 1
            best = max(best, length)
    return best


def unreachable(scenario: Scenario, params: UnreachableParams) -> str | None:
    """Why the debtor counts as unreachable (失联), or None."""
    phones = scenario.person.phones
    if params.all_numbers_invalid and phones and all(p.invalid for p in phones):
        return "every number of the debtor is invalid"
    streak = _failed_streak(scenario, params)
    if params.failed_calls and len(streak) >= params.failed_calls:
        return f"{len(streak)} calls in a row failed"
    if params.unreachable_days and streak:
        zone = primary_zone(scenario, params.default_zone)
        days = {local_date(c.at, zone) for c in streak}
        if _longest_run(days) >= params.unreachable_days:
            return f"calls failed on {params.unreachable_days} days in a row"
    return None


def contact_when_unreachable(scenario: Scenario, params: UnreachableParams) -> Block | None:
    """A contact person only when the debtor cannot be reached, and only one the debtor
    registered — never one scraped from an address book (CBA 2026 guideline; NIFA 2018
    Art. 14). Waiting alone does not make the debtor unreachable: the block lasts."""
    proposal = scenario.proposal
    if proposal.party is None and proposal.role not in params.roles:
        return None  # the debtor: the common case
    if recipient_role(scenario) not in params.roles:
        return None
    found = third_party(scenario)
    if found is None or not found.registered:
        return Block("only contacts the debtor registered may be contacted")
    if unreachable(scenario, params) is None:
        return Block(
            "a contact person may be contacted only when the debtor cannot be reached "
            "(numbers invalid, or repeated failed calls)"
        )
    return None


# -- China: cn.contact_refusal ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ContactRefusalParams:
    words: OptOutWords = field(default_factory=OptOutWords)


def refused_on(scenario: Scenario, party: ThirdParty, words: OptOutWords) -> datetime | None:
    """When the third party refused further contact: recorded, a call ending in a refusal,
    or any opt-out words in a message they sent ("不要再打给我")."""
    at = scenario.proposal.at
    moments = [party.refused_at] if party.refused_at and party.refused_at <= at else []
    moments += [
        c.at
        for c in scenario.history
        if c.party == party.id and c.outcome is Outcome.REFUSED and c.at <= at
    ]
    if scenario.person.inbound_messages:
        moments += [r.at for r in replies_refusing(scenario.person, at, words, party.id)]
    return min(moments, default=None)


def contact_refusal(scenario: Scenario, params: ContactRefusalParams) -> Block | None:
    """A contact person who refused further contact is never contacted again."""
    if scenario.proposal.party is None:
        return None
    found = third_party(scenario)
    if found is None:
        return None
    when = refused_on(scenario, found, params.words)
    if when is None:
        return None
    who = f"{found.name} ({found.id})" if found.name else found.id
    return Block(f"{who} refused further contact on {when.date().isoformat()}")


CHECKS: tuple[Check, ...] = (
    Check("third_party_role", Phase.CONSENT, ThirdPartyRoleParams, third_party_role,
          "the debt is discussed only with the consumer and their attorney"),
    Check("location_once", Phase.FREQUENCY, LocationOnceParams, location_once,
          "a third party is asked for the debtor's location once"),
    Check("contact_when_unreachable", Phase.CONSENT, UnreachableParams, contact_when_unreachable,
          "registered contacts only, and only when the debtor is unreachable"),
    Check("contact_refusal", Phase.CONSENT, ContactRefusalParams, contact_refusal,
          "a contact who refused is never contacted again"),
)  # fmt: skip
