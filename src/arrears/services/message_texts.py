"""What the policy packs ask of a message's words, which templates the strategies name, and
a preview of one loan's message (`arrears templates render`).

The opt-out sentence comes from the packs: each ``optout_text`` rule names the channels
it covers, the phrases that count and the sentence to append in each language
(``sentence_en``, ``sentence_zh``). The sentence for a product is one that satisfies every
such rule active for it; the templates never hard-code it, so a lender changes it in one
place (its pack) and the gate judges exactly what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from arrears.domain.compliance import wording
from arrears.domain.compliance.rules import Rule
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.message_text import LANGUAGES, MessageContext, RenderedMessage, Sender
from arrears.domain.strategy import ActionKind, Strategy
from arrears.services import compliance, strategies
from arrears.services.errors import ArrearsError, InvalidInput, NotFound
from arrears.services.message_context import (
    build_contexts,
    rules_for,
    status_day_of,
    wants_debt_collector,
)
from arrears.services.ports import Renderer, UnitOfWork

MESSAGE_CHANNELS = (ActionKind.SMS.value, ActionKind.EMAIL.value)  # templates of this book
OPTOUT_CHECK = "optout_text"


class InvalidTemplates(InvalidInput):
    """Templates with problems; ``findings`` holds every one of them."""

    def __init__(self, findings: Sequence[Finding], source: str = "the message templates"):
        self.findings = list(findings)
        listed = "\n".join(f"  {finding}" for finding in self.findings)
        super().__init__(f"{source} have {len(self.findings)} problem(s):\n{listed}")


class UnknownTemplate(NotFound):
    """No template of that channel and name."""


class RenderFailed(ArrearsError):
    """A template failed to render on a context (the load check renders sample contexts
    so that this is rare at send time); ``path`` and ``line`` say where."""

    def __init__(self, reason: str, path: str | None = None, line: int | None = None):
        self.reason, self.path, self.line = reason, path, line
        where = ", ".join(str(part) for part in (path, line and f"line {line}") if part)
        super().__init__(f"{where}: {reason}" if where else reason)


# -- what the packs require ------------------------------------------------------------
def optout_sentence(rules: Iterable[Rule], channel: str, language: str) -> str | None:
    """The opt-out sentence for a message in ``channel`` and ``language`` under ``rules``;
    None when no rule requires one. With several packs the first sentence that satisfies
    every rule's phrases is used, else the sentences needed, joined. A rule that gives no
    sentence in the language lends its other one (a phrase the borrower can act on beats
    none). Rules report-only (``enforce: false``) count too: an opt-out never hurts.

    Raises ``InvalidInput`` when a requiring rule gives no sentence at all.
    """
    requiring = [
        rule for rule in rules
        if rule.check.name == OPTOUT_CHECK and channel in {str(c) for c in rule.params.channels}
    ]  # fmt: skip
    if not requiring:
        return None
    offered = []
    for rule in requiring:
        sentence = rule.params.sentence_for(language) or rule.params.sentence_en
        sentence = sentence or rule.params.sentence_zh
        if not sentence:
            raise InvalidInput(
                f"rule {rule.id} requires an opt-out in {channel} but gives no sentence"
                " (set sentence_en and sentence_zh in its params)"
            )
        offered.append(sentence)
    for sentence in offered:
        if all(_satisfies(sentence, rule) for rule in requiring):
            return sentence
    chosen: list[str] = []
    for rule, sentence in zip(requiring, offered, strict=True):
        if not any(_satisfies(s, rule) for s in chosen):
            chosen.append(sentence)
    return " ".join(chosen)


def _satisfies(sentence: str, rule: Rule) -> bool:
    return wording.first_match(sentence, rule.params.phrases) is not None


@dataclass(frozen=True, slots=True)
class MessageRequirements:
    """What the active packs ask of each product's messages (``compliance.rules_by_product``:
    product → rules, ``*`` → the rules of every product)."""

    rules: Mapping[str, Sequence[Rule]]

    def optout(self, product: str, channel: str, language: str) -> str | None:
        return optout_sentence(rules_for(self.rules, product), channel, language)

    def debt_collector(self, product: str) -> bool:
        return wants_debt_collector(rules_for(self.rules, product))

    def findings(self) -> list[Finding]:
        """Every product, channel and language for which no sentence can be given."""
        found = []
        for product, rules in sorted(self.rules.items()):
            for channel in MESSAGE_CHANNELS:
                for language in LANGUAGES:
                    try:
                        optout_sentence(rules, channel, language)
                    except InvalidInput as error:
                        where = f"product {product}" if product != "*" else "every product"
                        found.append(
                            Finding(FindingCode.MISSING_TEMPLATE, str(error), subject=where)
                        )
        return list(dict.fromkeys(found))

    def longest_optouts(self) -> dict[str, str]:
        """Per language, the longest sentence any product's SMS gets (for the length check)."""
        longest: dict[str, str] = {}
        for rules in self.rules.values():
            for language in LANGUAGES:
                try:
                    sentence = optout_sentence(rules, "sms", language) or ""
                except InvalidInput:
                    continue
                if len(sentence) > len(longest.get(language, "")):
                    longest[language] = sentence
        return longest


def message_requirements(uow: UnitOfWork) -> MessageRequirements:
    """The requirements of the packs active now, in the caller's unit of work."""
    return MessageRequirements(compliance.rules_by_product(uow))


# -- templates named by the strategies --------------------------------------------------
def templates_of(strategy: Strategy) -> set[tuple[str, str]]:
    """(channel, template) of every SMS and e-mail step, the promise reminder included."""
    steps = [step for segment in strategy.segments for step in segment.steps]
    if strategy.promise_reminder is not None:
        steps.append(strategy.promise_reminder)
    return {
        (str(step.action), step.template)
        for step in steps
        if str(step.action) in MESSAGE_CHANNELS and step.template
    }


def stored_strategy_templates(
    uow_factory: Callable[[], UnitOfWork],
) -> dict[tuple[str, str], list[str]]:
    """(channel, template) → the stored strategies (latest versions) that name it."""
    named: dict[tuple[str, str], list[str]] = {}
    for summary in strategies.list_strategies(uow_factory):
        stored = strategies.show_strategy(uow_factory, summary.name)
        for key in templates_of(stored.strategy):
            named.setdefault(key, []).append(summary.name)
    return named


def missing_templates(
    named: Mapping[tuple[str, str], Sequence[str]], available: set[tuple[str, str]]
) -> list[Finding]:
    """A finding for every template a strategy names that the book does not hold."""
    return [
        Finding(
            FindingCode.MISSING_TEMPLATE,
            f"strategy {', '.join(sorted(users))} sends {channel} template {name!r},"
            f" which does not exist (expected {channel}/{name}.zh-CN.* and {channel}/{name}.en.*)",
            subject=f"{channel}/{name}",
        )
        for (channel, name), users in sorted(named.items())
        if (channel, name) not in available
    ]


# -- a preview of one loan's message -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Preview:
    context: MessageContext
    message: RenderedMessage
    optout: str | None
    status_as_of: date  # the cycle day the amounts are from


def preview(
    uow_factory: Callable[[], UnitOfWork],
    renderer: Renderer,
    *,
    loan_id: str,
    channel: str,
    name: str,
    sender: Sender,
    language: str | None = None,
    as_of: date | None = None,
) -> Preview:
    """One loan's message as it would go out: the context from the stored status (dated
    ``as_of``, by default the cycle day of that status), the opt-out sentence of the packs
    active for its product, in the borrower's language unless ``language`` is given."""
    with uow_factory() as uow:
        facts = uow.message_context.message_facts([loan_id])
        if not facts:
            raise NotFound(f"no loan {loan_id!r}")
        status_day = status_day_of(facts[0])
        if status_day is None:
            raise NotFound(
                f"loan {loan_id} has no status yet: run `arrears cycle` first (messages quote"
                " the amounts the daily cycle stores)"
            )
        requirements = message_requirements(uow)
    contexts = build_contexts(
        facts, as_of or status_day, sender, requirements.rules,
        languages={loan_id: language} if language else None,
    )  # fmt: skip
    context = contexts[loan_id]
    optout = requirements.optout(context.product, channel, context.language)
    message = renderer.render(channel, name, context.language, context, optout)
    return Preview(context, message, optout, status_day)
