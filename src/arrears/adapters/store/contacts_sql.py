"""Contact attempts, borrower flags and promises to pay, and their set-based roll-ups for the cycle."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlContacts:
    def __init__(self, connection: Connection):
        self.connection = connection
