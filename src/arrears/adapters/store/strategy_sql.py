"""Stored strategies: versions, the active one."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlStrategies:
    def __init__(self, connection: Connection):
        self.connection = connection
