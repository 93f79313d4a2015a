"""The variables of many loans' messages at once, from the daily cycle's stored status.

The dispatcher renders thousands of messages a batch: their contexts come from one
set-based read (``uow.message_context.message_facts``: loan, borrower, status, the
installment due today or next, the open promise) rather than a query per loan. The
amounts are the loan's status as the last cycle stored it, so a message quotes what the
cycle decided on. Who the borrower hears from (the lender's names, support number,
portal) is passed in from settings by the caller; this module never reads settings.

Each context is made in the borrower's language (else the product's default), and says
whether a pack active for the product wants the debt-collector disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from arrears.domain.calendar import day_from_number
from arrears.domain.compliance.rules import Rule
from arrears.domain.message_text import (
    MessageContext,
    MessageFacts,
    Sender,
    choose_language,
    context_from_facts,
    default_language,
)
from arrears.services import compliance
from arrears.services.ports import UnitOfWork

DEBT_COLLECTOR_CHECK = "mini_miranda"


def wants_debt_collector(rules: Iterable[Rule]) -> bool:
    """Whether a rule asks texts to say they are from a debt collector (mini-Miranda)."""
    return any(rule.check.name == DEBT_COLLECTOR_CHECK for rule in rules)


def rules_for(rules: Mapping[str, Sequence[Rule]], product: str) -> Sequence[Rule]:
    """A product's rules as the gate reads them (services.compliance_gate): its own, else
    those binding every product."""
    return rules.get(product) or rules.get(compliance.EVERY_PRODUCT) or ()


def read_contexts(
    uow: UnitOfWork,
    loan_ids: Sequence[str],
    as_of: date,
    sender: Sender,
    *,
    rules: Mapping[str, Sequence[Rule]] | None = None,
    languages: Mapping[str, str] | None = None,
    product_languages: Mapping[str, str] | None = None,
) -> dict[str, MessageContext]:
    """loan id → its message context, for the loans that exist and have a stored status.

    ``rules``: product → rules (``compliance.rules_by_product``; read from the store when
    not given). ``languages``: loan id → a language to use instead of the borrower's.
    ``product_languages``: product → its default language, for borrowers with none (else
    ``default_language`` by currency).
    """
    facts = uow.message_context.message_facts(loan_ids)
    if rules is None:
        rules = compliance.rules_by_product(uow)
    return build_contexts(facts, as_of, sender, rules, languages, product_languages)


def build_contexts(
    facts: Iterable[MessageFacts],
    as_of: date,
    sender: Sender,
    rules: Mapping[str, Sequence[Rule]],
    languages: Mapping[str, str] | None = None,
    product_languages: Mapping[str, str] | None = None,
) -> dict[str, MessageContext]:
    """The contexts of loans read from the store (those without a status are left out)."""
    wanted = languages or {}
    defaults = product_languages or {}
    collector: dict[str, bool] = {}
    contexts = {}
    for row in facts:
        if row.status_day is None:
            continue
        fallback = defaults.get(row.product) or default_language(row.currency)
        language = choose_language(wanted.get(row.loan_id) or row.language, fallback)
        if row.product not in collector:
            collector[row.product] = wants_debt_collector(rules_for(rules, row.product))
        contexts[row.loan_id] = context_from_facts(
            row, sender, language, as_of, collector[row.product]
        )
    return contexts


def status_day_of(row: MessageFacts) -> date | None:
    """The cycle day a loan's stored amounts are from; None before its first cycle."""
    return None if row.status_day is None else day_from_number(row.status_day)
