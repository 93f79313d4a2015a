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

from arrears.domain.compliance.evaluate import decide
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Debt,
    Person,
    Proposal,
    Purpose,
    Scenario,
)
from arrears.domain.compliance.rules import Rule
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
# The longest window a shipped rule counts over (TCPA: 30 days), with a day to spare for
# local dates.
LOOKBACK = timedelta(days=31)


class ComplianceGate:
    def __init__(
        self, uow: UnitOfWork, rules: Mapping[str, Sequence[Rule]], lender: str = "lender"
    ):
        self.uow = uow
        self.rules = rules
        self.lender = lender

    @classmethod
    def of(cls, uow: UnitOfWork) -> ComplianceGate:
        """The gate of the packs active in the store."""
        return cls(uow, rules_by_product(uow))

    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        if not proposals:
            return []
        borrowers = sorted({p.borrower_id for p in proposals})
        people = self.uow.compliance.people(borrowers)
        since = min(p.earliest_at for p in proposals) - LOOKBACK
        history = self.uow.compliance.history(borrowers, since)
        return [
            self._decide(p, people.get(p.borrower_id), history.get(p.borrower_id, []))
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
        channel = CONTACT_CHANNELS.get(proposal.channel)
        if channel is None:
            reason = f"{proposal.channel} is internal work, not a contact"
            return decide_as_gate(proposal, Verdict.ALLOW, INTERNAL_RULE, reason)
        person = person or Person(proposal.borrower_id)
        scenario = Scenario(
            person,
            Proposal(
                channel, proposal.earliest_at, to=_address(person, channel),
                debts=(proposal.loan_id,), purpose=Purpose(proposal.purpose), flexible=True,
            ),
            debts=(Debt(proposal.loan_id),),
            history=tuple(history),
            lender=self.lender,
        )  # fmt: skip
        decision = decide(scenario, rules)
        return decide_as_gate(
            proposal, decision.verdict, decision.rule, decision.reason, decision.not_before
        )


def _address(person: Person, channel: Channel) -> str | None:
    """The number or address a channel uses: the first one the lender holds."""
    if channel in (Channel.CALL, Channel.SMS, Channel.VOICEMAIL):
        return person.phones[0].number if person.phones else None
    if channel is Channel.EMAIL:
        return person.emails[0].address if person.emails else None
    return person.address.text if person.address else None
