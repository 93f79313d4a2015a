"""Letters: print one into the store (once per outbox message), preview one without
storing it, and the mail house's side — the letters to mail, their files, marking them
mailed. A stored letter stays attached to its loan (``letters(loan_id=…)``).

Rendering is passed in (``render``: ``adapters.letters.render_letter`` from the
composition root), as are who writes (``sender``, ``return_addresses``: from settings).

The outbox's ``message_id`` is the letter's idempotency key, held unique by the table:
printing the same message again returns the letter printed the first time and renders
nothing; the same id for another loan or kind is a ``Conflict``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime

from arrears.domain.letters import (
    ItemizationBasis,
    Letter,
    LetterKind,
    NewDocument,
    RenderedLetter,
    StoredDocument,
)
from arrears.domain.message_text import Sender
from arrears.domain.money import Money
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.letter_facts import letter_facts, letter_kind
from arrears.services.ports import UnitOfWork

Render = Callable[[Letter], RenderedLetter]
MAX_MESSAGE_ID = 160


class NoPostalAddress(InvalidInput):
    """The borrower has no postal address on file: a letter cannot be mailed (the outbox
    records it as a permanent failure; give the loans file an ``address`` or set
    ``address.text`` in the compliance profile)."""


def print_letter(
    uow: UnitOfWork,
    *,
    message_id: str,
    loan_id: str,
    kind: str,
    language: str | None,
    as_of: date,
    now: datetime,
    sender: Sender,
    render: Render,
    return_addresses: Mapping[str, Sequence[str]] | None = None,
    plan: Sequence[tuple[date, Money]] | None = None,
    itemization_basis: ItemizationBasis = ItemizationBasis.TRANSACTION,
) -> int:
    """Render the letter and store it for mailing, inside the caller's unit of work (the
    caller commits, with the message's own status). Returns the document id.

    Idempotent on ``message_id``: a message already printed returns its document.
    Raises ``NoPostalAddress`` when the borrower has no address, ``NotFound`` for an
    unknown loan, ``InvalidInput`` for an unknown kind or language, or a validation notice
    without the lender's mailing address (``return_addresses``).
    """
    if not 0 < len(message_id) <= MAX_MESSAGE_ID:
        raise InvalidInput(f"a message id is 1 to {MAX_MESSAGE_ID} characters")
    letter_type = letter_kind(kind)
    first = uow.documents.by_message(message_id)
    if first is not None:
        if (first.loan_id, first.kind) != (loan_id, letter_type.value):
            raise Conflict(
                f"message {message_id} was printed as a {first.kind} for loan {first.loan_id}"
                f" (document {first.document_id}), not a {letter_type.value} for loan {loan_id}"
            )
        return first.document_id
    letter = letter_facts(
        uow, loan_id=loan_id, kind=kind, language=language, as_of=as_of, sender=sender,
        return_addresses=return_addresses, plan=plan, itemization_basis=itemization_basis,
    )  # fmt: skip
    if not letter.recipient.address_lines:
        raise NoPostalAddress(
            f"borrower {letter.recipient.borrower_id} of loan {loan_id} has no postal address"
            " on file (the loans file's address, or address.text of the compliance profile)"
        )
    if letter.kind is LetterKind.VALIDATION_NOTICE and not letter.sender.address_lines:
        # Reg F 1006.34(c)(1): the notice gives the debt collector's mailing address
        raise InvalidInput(
            "a validation notice needs the lender's mailing address (settings lender_address)"
        )
    rendered = render(letter)
    return uow.documents.insert(_document(letter, rendered, message_id, now))


def _document(
    letter: Letter, rendered: RenderedLetter, message_id: str | None, now: datetime
) -> NewDocument:
    recipient = letter.recipient
    return NewDocument(
        loan_id=letter.loan_id,
        borrower_id=recipient.borrower_id,
        kind=letter.kind.value,
        language=letter.language,
        message_id=message_id,
        content_type=rendered.content_type,
        content=rendered.content,
        sha256=hashlib.sha256(rendered.content).hexdigest(),
        pages=rendered.pages,
        address="\n".join((recipient.name, *recipient.address_lines)),
        created_at=now,
    )


def preview_letter(
    uow_factory: Callable[[], UnitOfWork],
    *,
    loan_id: str,
    kind: str,
    language: str | None,
    as_of: date,
    sender: Sender,
    render: Render,
    return_addresses: Mapping[str, Sequence[str]] | None = None,
    plan: Sequence[tuple[date, Money]] | None = None,
    itemization_basis: ItemizationBasis = ItemizationBasis.TRANSACTION,
) -> RenderedLetter:
    """The letter as it would print, stored nowhere (a borrower without an address gets
    a placeholder line where the address goes)."""
    with uow_factory() as uow:
        letter = letter_facts(
            uow, loan_id=loan_id, kind=kind, language=language, as_of=as_of, sender=sender,
            return_addresses=return_addresses, plan=plan, itemization_basis=itemization_basis,
        )  # fmt: skip
    return render(letter)


def letters(
    uow_factory: Callable[[], UnitOfWork],
    *,
    unmailed: bool = False,
    loan_id: str | None = None,
    document_ids: Sequence[int] | None = None,
) -> list[StoredDocument]:
    """Stored letters, oldest first: all, those not mailed yet, one loan's, or by id
    (``NotFound`` names any id that is not stored)."""
    with uow_factory() as uow:
        found = uow.documents.listing(unmailed=unmailed, loan_id=loan_id, document_ids=document_ids)
    if document_ids is not None:
        _require_all(document_ids, found)
    return found


def letter_files(
    uow_factory: Callable[[], UnitOfWork], documents: Sequence[StoredDocument]
) -> Iterator[tuple[StoredDocument, bytes]]:
    """Each letter with its file's bytes, read in one unit of work."""
    with uow_factory() as uow:
        for document in documents:
            content = uow.documents.content(document.document_id)
            if content is None:
                raise NotFound(f"no letter {document.document_id} is stored")
            yield document, content


def mark_mailed(
    uow_factory: Callable[[], UnitOfWork], document_ids: Sequence[int], now: datetime
) -> int:
    """Record that the mail house mailed these letters; returns how many were newly marked
    (a letter already marked keeps its first time). Unknown ids: ``NotFound``, nothing marked."""
    with uow_factory() as uow:
        _require_all(document_ids, uow.documents.listing(document_ids=document_ids))
        marked = uow.documents.mark_mailed(document_ids, now)
        uow.commit()
    return marked


def _require_all(document_ids: Sequence[int], found: Sequence[StoredDocument]) -> None:
    missing = sorted(set(document_ids) - {d.document_id for d in found})
    if missing:
        raise NotFound(f"no letter {', '.join(map(str, missing))} is stored")
