"""Letters as stored (table ``document``): written once per message, listed for the mail
house, marked mailed, read back; and whom a loan's letters go to, with the postal
addresses on file.

A letter's ``message_id`` is unique in the table: the outbox's idempotency key. Nothing
here commits; the caller's unit of work does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import as_utc
from arrears.domain.letters import LetterParty, NewDocument, StoredDocument

_d = t.document
_LISTED = (
    _d.c.document_id, _d.c.loan_id, _d.c.borrower_id, _d.c.kind, _d.c.language,
    _d.c.message_id, _d.c.content_type, _d.c.sha256, _d.c.pages, _d.c.created_at,
    _d.c.mailed_at, _d.c.address,
)  # fmt: skip


class SqlDocuments:
    def __init__(self, connection: Connection):
        self.connection = connection

    def letter_party(self, loan_id: str) -> LetterParty | None:
        """The loan's borrower with the postal addresses on file: their compliance
        profile's and the loans file's."""
        b, p = t.borrower, t.compliance_profile
        row = self.connection.execute(
            select(t.loan.c.borrower_id, b.c.name, b.c.language, p.c.profile_json, b.c.address)
            .join(b, b.c.borrower_id == t.loan.c.borrower_id)
            .outerjoin(p, p.c.borrower_id == t.loan.c.borrower_id)
            .where(t.loan.c.loan_id == loan_id)
        ).first()
        if row is None:
            return None
        borrower_id, name, language, profile_json, address = row
        return LetterParty(
            loan_id, borrower_id, name or "", language,
            _address_lines(_profile_address(profile_json)), _address_lines(address),
        )  # fmt: skip

    def insert(self, document: NewDocument) -> int:
        result = self.connection.execute(
            _d.insert().values(
                loan_id=document.loan_id,
                borrower_id=document.borrower_id,
                kind=document.kind,
                language=document.language,
                message_id=document.message_id,
                content_type=document.content_type,
                content=document.content,
                sha256=document.sha256,
                pages=document.pages,
                created_at=document.created_at,
                address=document.address,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def by_message(self, message_id: str) -> StoredDocument | None:
        row = self.connection.execute(select(*_LISTED).where(_d.c.message_id == message_id)).first()
        return None if row is None else _stored(row)

    def listing(
        self,
        *,
        unmailed: bool = False,
        loan_id: str | None = None,
        document_ids: Sequence[int] | None = None,
    ) -> list[StoredDocument]:
        """Stored letters, oldest first, optionally only those not yet mailed, of one loan,
        or with the given ids."""
        query = select(*_LISTED).order_by(_d.c.document_id)
        if unmailed:
            query = query.where(_d.c.mailed_at.is_(None))
        if loan_id is not None:
            query = query.where(_d.c.loan_id == loan_id)
        if document_ids is not None:
            query = query.where(_d.c.document_id.in_(list(document_ids)))
        return [_stored(row) for row in self.connection.execute(query)]

    def content(self, document_id: int) -> bytes | None:
        value = self.connection.execute(
            select(_d.c.content).where(_d.c.document_id == document_id)
        ).scalar()
        return None if value is None else bytes(value)

    def mark_mailed(self, document_ids: Sequence[int], now: datetime) -> int:
        """Stamp the letters not stamped yet; returns how many were."""
        result = self.connection.execute(
            _d.update()
            .where(_d.c.document_id.in_(list(document_ids)), _d.c.mailed_at.is_(None))
            .values(mailed_at=now)
        )
        return int(result.rowcount)


def _profile_address(profile_json: str | None) -> str | None:
    """The profile's ``address.text``."""
    if not profile_json:
        return None
    address: Any = json.loads(profile_json).get("address") or {}
    return str(address.get("text") or "") if isinstance(address, dict) else None


def _address_lines(text: str | None) -> tuple[str, ...]:
    """An address's text, one printed line per line, blank lines dropped."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _stored(row: Any) -> StoredDocument:
    return StoredDocument(
        document_id=int(row.document_id),
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        kind=row.kind,
        language=row.language,
        message_id=row.message_id,
        content_type=row.content_type,
        sha256=row.sha256,
        pages=row.pages,
        created_at=as_utc(row.created_at),
        mailed_at=None if row.mailed_at is None else as_utc(row.mailed_at),
        address=row.address,
    )
