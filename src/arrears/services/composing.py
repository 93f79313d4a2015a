"""Composing claimed messages: the borrower's language, the address the channel uses, and
the words — the template rendered on the loan's stored status, with the opt-out
sentence the active packs require (services.message_texts).

A message that cannot be composed (no number or e-mail address on file, a template that
does not exist, a loan without a status yet) is not sent: the dispatcher records it as
failed with the reason, for someone to fix. E-mails that carry an opt-out also carry the
List-Unsubscribe headers (RFC 2369, one-click per RFC 8058) pointing at the portal.

Letters are composed as a note of what will be printed; the PDF itself is rendered when
the letter is printed (services.letters), inside the transaction that records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from arrears.domain.message_text import MessageContext, Sender
from arrears.services.dispatch import Composed
from arrears.services.errors import ArrearsError
from arrears.services.message_context import read_contexts
from arrears.services.message_texts import MessageRequirements, message_requirements
from arrears.services.ports import Renderer, UnitOfWork


@dataclass
class TemplateComposer:
    renderer: Renderer
    sender: Sender
    unsubscribe_mailbox: str | None = None  # the mailto: target of List-Unsubscribe

    def compose(
        self, uow: UnitOfWork, claimed: Sequence[dict[str, Any]], people: Mapping[str, Any]
    ) -> dict[str, Composed | str]:
        requirements = message_requirements(uow)
        contexts = self._contexts(uow, claimed, requirements)
        composed: dict[str, Composed | str] = {}
        for row in claimed:
            context = contexts.get((row["as_of"], row["loan_id"]))
            person = people.get(row["message_id"]) or {}
            if context is None:
                composed[row["message_id"]] = "the loan has no status yet (run the cycle)"
                continue
            composed[row["message_id"]] = self._compose(row, person, context, requirements)
        return composed

    def _contexts(
        self,
        uow: UnitOfWork,
        claimed: Sequence[dict[str, Any]],
        requirements: MessageRequirements,
    ) -> dict[tuple[date, str], MessageContext]:
        """Each message's context, dated its own day (a batch may span days)."""
        days: dict[date, list[str]] = {}
        for row in claimed:
            days.setdefault(row["as_of"], []).append(row["loan_id"])
        found = {}
        for day, loan_ids in days.items():
            contexts = read_contexts(
                uow, sorted(set(loan_ids)), day, self.sender, rules=requirements.rules
            )
            found.update({(day, loan_id): c for loan_id, c in contexts.items()})
        return found

    def _compose(
        self,
        row: dict[str, Any],
        person: Mapping[str, Any],
        context: MessageContext,
        requirements: MessageRequirements,
    ) -> Composed | str:
        channel, template = row["channel"], row["template"]
        if not template:
            return f"the {channel} step names no template"
        if channel == "letter":
            return Composed(
                context.language, "postal address", template,
                f"{template} ({context.language}), printed as a PDF and mailed",
            )  # fmt: skip
        recipient = person.get("phone") if channel == "sms" else person.get("email")
        if not recipient:
            return f"no {'mobile number' if channel == 'sms' else 'e-mail address'} on file"
        try:
            optout = requirements.optout(context.product, channel, context.language)
            words = self.renderer.render(channel, template, context.language, context, optout)
        except ArrearsError as error:
            return str(error)
        headers = self._unsubscribe(row["message_id"]) if channel == "email" and optout else {}
        return Composed(
            words.language or context.language, recipient, words.subject, words.text,
            words.html, str(words.encoding) if words.encoding else None, words.segments,
            headers,
        )  # fmt: skip

    def _unsubscribe(self, message_id: str) -> dict[str, str]:
        link = f"{self.sender.portal_url.rstrip('/')}/unsubscribe/{quote(message_id, safe='')}"
        targets = [f"<{link}>"]
        if self.unsubscribe_mailbox:
            targets.insert(0, f"<mailto:{self.unsubscribe_mailbox}?subject=unsubscribe>")
        return {
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
