"""Consent and opt-outs: what the person asked for or agreed to, by medium and number.

- A request to stop a medium ("stop texting me"), recorded by an agent or typed in a
  reply, takes effect at once (Reg F 1006.14(h); TCPA revocation by any reasonable
  means, 47 CFR 64.1200(a)(10)). Replies are read by ``replies.optout_words``, a pure
  parser whose word lists are the packs' parameters.
- Numbers flagged do-not-call or invalid are not called.
- Automated calls and texts to a mobile need prior express consent (TCPA 227(b)).
- ``active_consent`` is the one way every check reads a consent: in scope, in force, and
  got in a compliant contact (1006.6(b)(4)); the time and frequency checks use it too.

A proposal that does not name its number or address (``to`` None) could go to any of the
person's: an opt-out of one number, or a do-not-call number, then stands in its way
(the sender names the number it will use to get past). Opt-outs and refusals do not
lift with time: their blocks are lasting.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, InboundMessage, Person, Proposal, Scenario
>>> reply = InboundMessage(Channel.SMS, datetime(2025, 4, 1, 17, tzinfo=UTC), "please quit texting me")
>>> sms = Proposal(Channel.SMS, datetime(2025, 4, 2, 15, tzinfo=UTC))
>>> print(medium_optout(Scenario(Person("B1", inbound_messages=(reply,)), sms), MediumOptOutParams()).reason)
the person asked on 2025-04-01 to stop sms ('please quit texting me')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from arrears.domain.compliance.facts import (
    Channel,
    Consent,
    Dialer,
    LineType,
    Person,
    Phone,
    Purpose,
    Scenario,
)
from arrears.domain.compliance.replies import (
    OptOutScope,
    OptOutWords,
    medium_of,
    optout_words,
    refused_channels,
)
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import is_debtor

__all__ = ["OptOutScope", "OptOutWords", "active_consent", "optout_words", "refused_channels"]

# Not communications with the person: an opt-out of a medium does not stop them.
NOT_CONTACT: tuple[Purpose, ...] = (Purpose.CREDIT_REPORT, Purpose.INTEREST_POSTING)
PHONE_CHANNELS: tuple[Channel, ...] = (Channel.CALL, Channel.VOICEMAIL, Channel.SMS)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


# -- consents: us.regf.consent (used by the time, frequency and attorney checks) --------
def active_consents(
    person: Person, scope: str, at: datetime, channel: Channel | None = None
) -> Iterator[Consent]:
    """The person's consents of ``scope`` in force at ``at`` (``start`` ≤ at < ``end``)
    for ``channel`` (a consent naming no channel covers every channel), got in a
    compliant contact — one got in an unlawful contact does not count (1006.6(b)(4))."""
    medium = medium_of(channel) if channel is not None else None
    for consent in person.consents:
        if (
            consent.scope == scope
            and consent.in_compliant_contact
            and consent.start <= at
            and (consent.end is None or at < consent.end)
            and (medium is None or consent.channel is None or medium_of(consent.channel) is medium)
        ):
            yield consent


def active_consent(
    person: Person, scope: str, at: datetime, channel: Channel | None = None
) -> Consent | None:
    """The most recently given consent of ``scope`` in force at ``at``, or None.

    >>> from datetime import UTC, datetime
    >>> given = Consent("hours", datetime(2025, 4, 1, tzinfo=UTC), end=datetime(2025, 5, 1, tzinfo=UTC))
    >>> active_consent(Person("B1", consents=(given,)), "hours", datetime(2025, 5, 1, tzinfo=UTC)) is None
    True
    """
    if not person.consents:
        return None
    return max(active_consents(person, scope, at, channel), key=lambda c: c.start, default=None)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An opt-out found in the facts: when, of which channels, for which address."""

    at: datetime
    channels: frozenset[Channel]
    address: str | None
    said: str


def replies_refusing(
    person: Person, at: datetime, words: OptOutWords, party: str | None = None
) -> Iterator[Refusal]:
    """Opt-outs in the replies ``party`` (None: the person) sent up to ``at``."""
    for message in person.inbound_messages:
        mine = is_debtor(message.party, person) if party is None else message.party == party
        if not mine or message.at > at:
            continue
        scopes = optout_words(message.text, words)
        if scopes is not None:
            channels = refused_channels(scopes, message.channel)
            yield Refusal(message.at, channels, None, message.text)


def _recorded(person: Person, at: datetime) -> Iterator[Refusal]:
    for optout in person.opt_outs:
        if optout.at <= at:
            channels = {optout.channel} | (
                {Channel.VOICEMAIL} if optout.channel is Channel.CALL else set()
            )
            yield Refusal(optout.at, frozenset(channels), optout.address, "")


@lru_cache(maxsize=4096)
def same_address(a: str, b: str) -> bool:
    """Numbers compare by digits ("+1 (310) 555-0100" = "+13105550100"), addresses
    case-insensitively."""
    if "@" in a or "@" in b:
        return a.strip().casefold() == b.strip().casefold()
    return re.sub(r"\D", "", a) == re.sub(r"\D", "", b)


def _covers(refusal: Refusal, channel: Channel, to: str | None) -> bool:
    if channel not in refusal.channels:
        return False
    return refusal.address is None or to is None or same_address(refusal.address, to)


def _first_refusal(refusals: Iterator[Refusal], channel: Channel, to: str | None) -> Refusal | None:
    return next((r for r in refusals if _covers(r, channel, to)), None)


def _refusal_block(refusal: Refusal, channel: Channel) -> Block:
    said = f" ({refusal.said!r})" if refusal.said else ""
    where = f" at {refusal.address}" if refusal.address else ""
    day = refusal.at.astimezone(UTC).date().isoformat()
    return Block(f"the person asked on {day} to stop {medium_of(channel).value}{where}{said}")


def automated(channel: Channel, dialer: Dialer, dialers: tuple[Dialer, ...], texts: bool) -> bool:
    """A call by an autodialer, a prerecorded or AI voice; a text, where the pack counts
    every text as automated (texts are sent by machines)."""
    if channel is Channel.SMS:
        return texts
    return medium_of(channel) is Channel.CALL and dialer in dialers


AUTOMATED_DIALERS: tuple[Dialer, ...] = (Dialer.AUTODIALER, Dialer.PRERECORDED, Dialer.AI_VOICE)


# -- medium opt-out: us.regf.medium_optout ---------------------------------------------
@dataclass(frozen=True, slots=True)
class MediumOptOutParams:
    replies: bool = True  # replies recognised by the parser count as well as recorded ones
    words: OptOutWords = field(default_factory=OptOutWords)


def medium_optout(scenario: Scenario, params: MediumOptOutParams) -> Block | None:
    """A request to stop a medium (optionally one address) takes effect at once
    (1006.14(h)); a recognised reply is such a request (1006.6(e))."""
    person, proposal = scenario.person, scenario.proposal
    if (not person.opt_outs and not person.inbound_messages) or not is_debtor(
        proposal.party, person
    ):
        return None
    if proposal.purpose in NOT_CONTACT:
        return None
    refusal = _first_refusal(_recorded(person, proposal.at), proposal.channel, proposal.to)
    if refusal is None and params.replies and person.inbound_messages:
        replies = replies_refusing(person, proposal.at, params.words)
        refusal = _first_refusal(replies, proposal.channel, proposal.to)
    return None if refusal is None else _refusal_block(refusal, proposal.channel)


# -- replies revoking consent: us.tcpa.revocation --------------------------------------
@dataclass(frozen=True, slots=True)
class ReplyOptOutParams:
    automated_only: bool = True  # TCPA: a revocation stops automated calls and texts
    refuse_all: bool = False  # a pack may read any recognised reply as refusing all contact
    dialers: tuple[Dialer, ...] = AUTOMATED_DIALERS
    texts: bool = True
    words: OptOutWords = field(default_factory=OptOutWords)


def inbound_optout_words(scenario: Scenario, params: ReplyOptOutParams) -> Block | None:
    """A reply like "stop", "quit", "cancel", 退订 revokes consent to (automated) calls
    and texts on its medium, by any reasonable means and at once (64.1200(a)(10))."""
    person, proposal = scenario.person, scenario.proposal
    if not person.inbound_messages or not is_debtor(proposal.party, person):
        return None
    if proposal.purpose in NOT_CONTACT:
        return None
    if params.automated_only and not automated(
        proposal.channel, proposal.dialer, params.dialers, params.texts
    ):
        return None
    for refusal in replies_refusing(person, proposal.at, params.words):
        if params.refuse_all or proposal.channel in refusal.channels:
            return _refusal_block(refusal, proposal.channel)
    return None


# -- do-not-call and invalid numbers (house) -------------------------------------------
@dataclass(frozen=True, slots=True)
class DoNotCallParams:
    channels: tuple[Channel, ...] = PHONE_CHANNELS


def recipient_phones(scenario: Scenario) -> tuple[Phone, ...]:
    """The phones of whoever the proposal is for: the person's, or the third party's."""
    party = scenario.proposal.party
    if is_debtor(party, scenario.person):
        return scenario.person.phones
    found = next((t for t in scenario.person.third_parties if t.id == party), None)
    return found.phones if found is not None else ()


def phone_used(scenario: Scenario) -> Phone | None:
    to = scenario.proposal.to
    if to is None:
        return None
    phones = recipient_phones(scenario)
    for phone in phones:  # loops, not generators: this runs for every call and text
        if phone.number == to:
            return phone
    for phone in phones:
        if same_address(phone.number, to):
            return phone
    return None


def do_not_call(scenario: Scenario, params: DoNotCallParams) -> Block | None:
    """Never call or text a number flagged do-not-call, nor one known not to reach the
    person (it would reach someone else). Without ``to``, a do-not-call number among the
    recipient's stands in the way (the sender could use it); an invalid one does not."""
    proposal = scenario.proposal
    if proposal.channel not in params.channels:
        return None
    phones = recipient_phones(scenario)
    if not any(p.do_not_call or p.invalid for p in phones):
        return None
    if proposal.to is None:
        flagged = next((p for p in phones if p.do_not_call), None)
    else:
        flagged = phone_used(scenario)
    if flagged is None or not (flagged.do_not_call or flagged.invalid):
        return None
    why = (
        "is on the do-not-call list" if flagged.do_not_call else "is known not to reach the person"
    )
    return Block(f"the number {flagged.number} {why}")


# -- TCPA consent: us.tcpa.cell_consent ------------------------------------------------
@dataclass(frozen=True, slots=True)
class CellConsentParams:
    dialers: tuple[Dialer, ...] = AUTOMATED_DIALERS
    texts: bool = True  # every text counts as automated
    unknown_is_mobile: bool = True  # a number whose line type is unknown may be a mobile
    scope: str = "autodial"
    words: OptOutWords = field(default_factory=OptOutWords)


def _consent_since(
    scenario: Scenario, phone: Phone | None, params: CellConsentParams
) -> datetime | None:
    """Since when the person consented to automated contact on this number: a consent
    record, or the number given in the credit application (FCC 2008)."""
    proposal = scenario.proposal
    consent = active_consent(scenario.person, params.scope, proposal.at, proposal.channel)
    if consent is not None:
        return consent.start
    if phone is not None and phone.given_in_application:
        return _EARLIEST
    return None


def _clean(person: Person) -> bool:
    return not person.opt_outs and not person.inbound_messages


def cell_consent(scenario: Scenario, params: CellConsentParams) -> Block | None:
    """Autodialled, prerecorded or AI-voice calls and texts to a mobile need the called
    person's prior express consent (47 U.S.C. 227(b)); an opt-out after it revokes it."""
    proposal = scenario.proposal
    if not automated(proposal.channel, proposal.dialer, params.dialers, params.texts):
        return None
    phone = phone_used(scenario)
    if phone is not None and phone.given_in_application and _clean(scenario.person):
        return None  # the common case, decided without reading consents
    line = phone.line if phone is not None else LineType.UNKNOWN
    if line is LineType.LANDLINE or (line is LineType.UNKNOWN and not params.unknown_is_mobile):
        return None
    what = "a text" if proposal.channel is Channel.SMS else f"a {proposal.dialer.value} call"
    if not is_debtor(proposal.party, scenario.person):
        return Block(f"{what} to a third party's mobile needs their consent, and none is on record")
    since = _consent_since(scenario, phone, params)
    if since is None:
        return Block(f"{what} to a mobile needs the person's prior express consent")
    person = scenario.person
    if _clean(person):
        return None
    refusals = list(_recorded(person, proposal.at))
    refusals += replies_refusing(person, proposal.at, params.words)
    revoked = _first_refusal((r for r in refusals if r.at >= since), proposal.channel, proposal.to)
    if revoked is not None:
        day = revoked.at.astimezone(UTC).date().isoformat()
        return Block(f"the person revoked consent to {what} on {day}")
    return None


# -- preferred channels (house) --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PreferredChannelsParams:
    # Only ordinary collection contact follows the preference: notices the law requires
    # go by the channel the law names.
    purposes: tuple[Purpose, ...] = (Purpose.COLLECTION, Purpose.REMINDER)


def preferred_channels(scenario: Scenario, params: PreferredChannelsParams) -> Block | None:
    """Honour the channels the person asked to be contacted by (CONC 7.9.4: reasonable
    requests on how). A language preference never blocks: the sender picks the text."""
    proposal = scenario.proposal
    preferred = scenario.person.preferences.channels
    if (
        not preferred
        or not is_debtor(proposal.party, scenario.person)
        or proposal.purpose not in params.purposes
    ):
        return None
    if medium_of(proposal.channel) in {medium_of(c) for c in preferred}:
        return None
    names = ", ".join(c.value for c in preferred)
    return Block(f"the person asked to be contacted by {names}, not {proposal.channel.value}")


CHECKS: tuple[Check, ...] = (
    Check("medium_optout", Phase.CONSENT, MediumOptOutParams, medium_optout,
          "no contact on a medium (or address) the person opted out of"),
    Check("inbound_optout_words", Phase.CONSENT, ReplyOptOutParams, inbound_optout_words,
          "replies like STOP or 退订 revoke consent on their medium"),
    Check("do_not_call", Phase.CONSENT, DoNotCallParams, do_not_call,
          "no call or text to a do-not-call or invalid number"),
    Check("cell_consent", Phase.CONSENT, CellConsentParams, cell_consent,
          "automated calls and texts to a mobile need prior express consent"),
    Check("preferred_channels", Phase.CONSENT, PreferredChannelsParams, preferred_channels,
          "contact by the channels the person prefers"),
)  # fmt: skip
