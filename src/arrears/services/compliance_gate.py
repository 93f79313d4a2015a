"""The compliance gate of the daily cycle: the active policy packs decide every planned
action, in one batch per day.

For a batch the gate reads what the rules need once — each borrower as a compliance
person (profile and contact points) and their contact history over the longest window a
rule looks back — then decides each proposal with the rules of its product. A planned
action is flexible (it may wait for the next lawful moment), so a time block defers it
instead of denying it. Internal steps (legal review, agency placement, write-off review)
are work for staff, not contacts: they are allowed and recorded as such; the contact or
action they lead to passes the gate itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from arrears.domain.compliance.evaluate import Decision, decide
from arrears.domain.compliance.facts import (
    NO_PREFERENCES,
    Channel,
    Contact,
    Debt,
    Person,
    Proposal,
    Purpose,
    Scenario,
    with_flags,
)
from arrears.domain.compliance.rules import Rule
from arrears.domain.compliance.zones import number_zones
from arrears.domain.gate import (
    AllowAllGate,
    ContactProposal,
    GateDecision,
    Verdict,
    decide_as_gate,
)
from arrears.services.compliance import EVERY_PRODUCT, rules_by_product
from arrears.services.ports import UnitOfWork

CONTACT_CHANNELS = {
    "sms": Channel.SMS,
    "email": Channel.EMAIL,
    "call": Channel.CALL,
    "field_visit": Channel.FIELD_VISIT,
    "letter": Channel.LETTER,
}
INTERNAL_RULE = "internal.not_a_contact"
# How far back contacts are read: the longest window a shipped rule counts calls and
# texts to the borrower over (TCPA: 30 days), with a day to spare for local dates.
LOOKBACK = timedelta(days=31)
# Rules about third parties look at all time (a contact who refused is never called
# again; a location contact happens once), which a day's batch does not read: the batch
# decides contacts with borrowers only and refuses any other (fail closed); a contact of
# a third party is decided one at a time with the person's whole history (the desk).
THIRD_PARTY_RULE = "gate.third_party_not_in_batch"


class ComplianceGate:
    """Decides a day's proposals. Borrowers known only from the loan file (no compliance
    profile) and with no recent contact are decided once per *shape* — product, channel,
    moment, purpose, their zones and the zones and flags of their numbers — and an allow
    is reused for every borrower of that shape: with nothing else recorded about
    them, no rule can tell two such borrowers apart (a test decides every proposal both
    ways and compares)."""

    def __init__(
        self,
        uow: UnitOfWork,
        rules: Mapping[str, Sequence[Rule]],
        lender: str = "lender",
        lender_names: tuple[str, ...] = (),
    ):
        self.uow = uow
        self.rules = rules
        self.lender = lender
        self.lender_names = lender_names
        self.shared: dict[tuple[object, ...], Decision] = {}

    @classmethod
    def of(cls, uow: UnitOfWork, lender_names: tuple[str, ...] = ()) -> ComplianceGate:
        """The gate of the packs active in the store; ``lender_names``: the names the
        lender's texts carry (the content rules look for one)."""
        return cls(uow, rules_by_product(uow), lender_names=lender_names)

    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        if not proposals:
            return []
        borrowers = sorted({p.borrower_id for p in proposals})
        unknown = sorted({p.borrower_id for p in proposals if p.recipient is None})
        people = self.uow.compliance.people(unknown)
        known = [p.recipient for p in proposals if p.recipient is not None]
        self.uow.compliance.place_numbers({phone.number for r in known for phone in r.phones})
        since = min(p.earliest_at for p in proposals) - LOOKBACK
        history = self.uow.compliance.history(borrowers, since)
        return [
            self._decide(
                p, p.recipient or people.get(p.borrower_id), history.get(p.borrower_id, [])
            )
            for p in proposals
        ]

    def _decide(
        self, proposal: ContactProposal, person: Person | None, history: list[Contact]
    ) -> GateDecision:
        rules = self.rules.get(proposal.product) or self.rules.get(EVERY_PRODUCT) or ()
        if not rules:
            return decide_as_gate(
                proposal, Verdict.ALLOW, AllowAllGate.RULE_ID, AllowAllGate.REASON
            )
        if proposal.party != "borrower":
            reason = "a third party is contacted only on a decision with the whole history"
            return decide_as_gate(proposal, Verdict.DENY, THIRD_PARTY_RULE, reason)
        channel = CONTACT_CHANNELS.get(proposal.channel)
        if channel is None:
            reason = f"{proposal.channel} is internal work, not a contact"
            return decide_as_gate(proposal, Verdict.ALLOW, INTERNAL_RULE, reason)
        person = with_flags(person or Person(proposal.borrower_id), proposal.flags)
        key = _shape(proposal, person, channel) if not history and _plain(person) else None
        decision = self.shared.get(key) if key is not None else None
        if decision is None:
            decision = decide(self._scenario(proposal, person, channel, history), rules)
            # Only a plain allow is shared: a block's reason names the person's own number
            # or zone, which must neither be wrong nor reach another borrower's record.
            if key is not None and decision.verdict is Verdict.ALLOW and not decision.notes:
                self.shared[key] = decision
        return decide_as_gate(
            proposal, decision.verdict, decision.rule, decision.reason, decision.not_before
        )

    def _scenario(
        self, proposal: ContactProposal, person: Person, channel: Channel, history: list[Contact]
    ) -> Scenario:
        return Scenario(
            person,
            Proposal(
                channel, proposal.earliest_at, to=_address(person, channel),
                debts=(proposal.loan_id,), purpose=Purpose(proposal.purpose), flexible=True,
                text=proposal.text,
            ),
            debts=(Debt(proposal.loan_id),),
            history=tuple(history),
            lender=self.lender,
            lender_names=self.lender_names,
        )  # fmt: skip


def _plain(person: Person) -> bool:
    """Known only from the loan file: nothing a rule could single the person out by."""
    return (
        not person.holds and not person.consents and not person.opt_outs
        and not person.inbound_messages and not person.third_parties
        and person.preferences == NO_PREFERENCES and person.address is None
    )  # fmt: skip


def _shape(proposal: ContactProposal, person: Person, channel: Channel) -> tuple[object, ...]:
    phones = tuple(
        (number_zones(p.number), p.line, p.zone, p.work, p.employer_prohibits, p.do_not_call,
         p.invalid, p.given_in_application)
        for p in person.phones
    )  # fmt: skip
    emails = tuple((e.employer_provided, e.used_by_consumer) for e in person.emails)
    return (proposal.product, channel, proposal.earliest_at, proposal.purpose, person.zones,
            person.language, phones, emails, proposal.text)  # fmt: skip


def _address(person: Person, channel: Channel) -> str | None:
    """The number or address a channel uses: the first one the lender holds."""
    if channel in (Channel.CALL, Channel.SMS, Channel.VOICEMAIL):
        return person.phones[0].number if person.phones else None
    if channel is Channel.EMAIL:
        return person.emails[0].address if person.emails else None
    return person.address.text if person.address else None
