"""One decision: run every active rule on the scenario; the strictest result wins.

Several packs may be active at once (a country pack, a state pack, the lender's house
pack); their rules run together, in phase order, so the strictest wins by construction:

- no rule blocks → ``allow``;
- a rule blocks and waiting does not lift it (a cease notice, the 8th call when no
  later moment is asked for…) → ``deny`` with that rule;
- every block lifts with time → the next lawful moment is searched by moving the
  proposal to the latest ``until`` and deciding again (a deferral to 08:00 may land in
  a quiet period, which moves it again). A flexible proposal (the cycle's planned
  actions) is then ``defer``\\ red to that moment; a proposal at a fixed time is
  ``deny``\\ ed, naming the moment it would be lawful.

The rule named is the first that blocks at the proposed time, in phase order.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Proposal, Scenario
>>> scenario = Scenario(Person("B1"), Proposal(Channel.SMS, datetime(2025, 6, 2, 15, tzinfo=UTC)))
>>> decide(scenario, []).verdict.value
'allow'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from arrears.domain.compliance.facts import Scenario
from arrears.domain.compliance.rules import Block, Rule
from arrears.domain.gate import Verdict

# How many times a deferral may move before the gate gives up looking for a lawful
# moment (each move passes at least one rule's block; real packs settle in two or three).
MAX_MOVES = 24

ALLOW_RULE = "all_rules_pass"


@dataclass(frozen=True, slots=True)
class Note:
    """An advisory rule (``enforce: false``) that would have blocked."""

    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    rule: str
    reason: str
    not_before: datetime | None = None
    notes: tuple[Note, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The evaluator's output: ``{"decision", "rule", "reason", "not_before"}``."""
        not_before = self.not_before
        return {
            "decision": self.verdict.value,
            "rule": self.rule,
            "reason": self.reason,
            "not_before": _utc_text(not_before) if not_before else None,
            "notes": [{"rule": n.rule, "reason": n.reason} for n in self.notes],
        }


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def in_order(rules: Sequence[Rule]) -> list[Rule]:
    """Rules in evaluation order: by phase, then as the packs list them."""
    return sorted(rules, key=lambda rule: rule.check.phase)


def decide(scenario: Scenario, rules: Sequence[Rule]) -> Decision:
    """Decide one proposed contact under ``rules`` (already ``in_order``)."""
    blocks, notes = _blocks(scenario, rules)
    if not blocks:
        return Decision(Verdict.ALLOW, ALLOW_RULE, _allow_reason(rules), None, notes)
    first_rule, first = blocks[0]
    lasting = next(((r, b) for r, b in blocks if not b.lifts), None)
    if lasting is not None:
        return Decision(Verdict.DENY, lasting[0].id, lasting[1].reason, None, notes)
    moment = _next_lawful_moment(scenario, rules, blocks)
    verdict = Verdict.DEFER if scenario.proposal.flexible and moment else Verdict.DENY
    return Decision(verdict, first_rule.id, first.reason, moment, notes)


# The reason of an allow names the packs; a batch decides under the same rules all day.
_reasons: dict[int, tuple[Sequence[Rule], str]] = {}


def _allow_reason(rules: Sequence[Rule]) -> str:
    cached = _reasons.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    names = sorted({rule.pack for rule in rules})
    reason = f"no rule of {', '.join(names)} stands in the way" if names else "no rules"
    if len(_reasons) > 64:
        _reasons.clear()
    _reasons[id(rules)] = (rules, reason)
    return reason


def _blocks(
    scenario: Scenario, rules: Sequence[Rule]
) -> tuple[list[tuple[Rule, Block]], tuple[Note, ...]]:
    blocks: list[tuple[Rule, Block]] = []
    notes: list[Note] = []
    for rule in rules:
        block = rule.check.run(scenario, rule.params)  # (rule.run, one call less per rule)
        if block is None:
            continue
        if rule.enforce:
            blocks.append((rule, block))
        else:
            notes.append(Note(rule.id, block.reason))
    return blocks, tuple(notes)


def _next_lawful_moment(
    scenario: Scenario, rules: Sequence[Rule], blocks: list[tuple[Rule, Block]]
) -> datetime | None:
    """Move the proposal past every block until none stands; None if one never lifts."""
    at = scenario.proposal.at
    for _ in range(MAX_MOVES):
        until = max(block.until for _, block in blocks if block.until is not None)
        if until <= at:  # a check that does not move time forward cannot be waited out
            return None
        at = until
        moved = replace(scenario, proposal=replace(scenario.proposal, at=at))
        blocks, _ = _blocks(moved, rules)
        if not blocks:
            return at
        if any(not block.lifts for _, block in blocks):
            return None
    return None
