"""The borrower portal's reads in SQL (``uow.portal``): which loans are a borrower's own."""

from __future__ import annotations

from sqlalchemy import Connection, select

from arrears.adapters.store import tables as t
from arrears.services.portal_ports import BorrowerFile


class SqlPortal:
    def __init__(self, connection: Connection):
        self.connection = connection

    def loans_of(self, borrower_id: str) -> list[str]:
        rows = self.connection.execute(
            select(t.loan.c.loan_id)
            .where(t.loan.c.borrower_id == borrower_id)
            .order_by(t.loan.c.start_date, t.loan.c.loan_id)
        ).all()
        return [row[0] for row in rows]

    def borrower(self, borrower_id: str) -> BorrowerFile | None:
        b = t.borrower
        row = self.connection.execute(
            select(b.c.borrower_id, b.c.name, b.c.timezone, b.c.language).where(
                b.c.borrower_id == borrower_id
            )
        ).first()
        return None if row is None else BorrowerFile(*row)
