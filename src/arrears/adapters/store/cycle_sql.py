"""The daily cycle's set-based SQL over loan and installment status."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlCycle:
    def __init__(self, connection: Connection):
        self.connection = connection
