"""What the borrower portal needs from the store (adapters.store.portal_sql), as
``uow.portal``: a borrower's own loans and what the loan file says about them."""

from __future__ import annotations

from typing import NamedTuple, Protocol


class BorrowerFile(NamedTuple):
    """The borrower as the loan file has them (names and zone for the pages)."""

    borrower_id: str
    name: str | None
    timezone: str | None
    language: str | None


class PortalStore(Protocol):
    def loans_of(self, borrower_id: str) -> list[str]: ...  # loan ids, in order
    def borrower(self, borrower_id: str) -> BorrowerFile | None: ...
