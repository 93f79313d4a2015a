"""The composition root: settings → engine → units of work, handed to the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from arrears.adapters.store.database import current_revision, head_revision, make_engine, migrate
from arrears.adapters.store.unit_of_work import SqlUnitOfWork
from arrears.services.errors import ArrearsError
from arrears.settings import Settings


class NotInitialised(ArrearsError):
    exit_code = 5


@dataclass
class App:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @property
    def uow_factory(self) -> Callable[[], SqlUnitOfWork]:
        return self.uow

    def init(self) -> tuple[str | None, str | None]:
        """Create or migrate the store; returns (revision before, revision after)."""
        before = self._revision()
        migrate(self.engine)
        return before, self._revision()

    def require_current_schema(self) -> None:
        revision = self._revision()
        if revision != head_revision(self.engine):
            state = "is empty" if revision is None else f"is at revision {revision}"
            raise NotInitialised(
                f"the database {self.engine.url.render_as_string()} {state}; run `arrears init` first"
            )

    def _revision(self) -> str | None:
        try:
            return current_revision(self.engine)
        except (OperationalError, ProgrammingError) as error:
            raise ArrearsError(f"cannot open the database: {error.orig}") from None

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
