"""The composition root: settings → engine → units of work, handed to the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from arrears.services.errors import ArrearsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from arrears.adapters.store.unit_of_work import SqlUnitOfWork
    from arrears.settings import Settings

# The store's modules (SQLAlchemy, Alembic, every repository) load when first used, not
# when this module is imported: `arrears --help` and the commands that never open the
# database start without them.


class NotInitialised(ArrearsError):
    exit_code = 5


@dataclass
class App:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        from arrears.adapters.store.database import make_engine

        return make_engine(self.settings.database_url)

    def uow(self) -> SqlUnitOfWork:
        from arrears.adapters.store.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self.engine)

    @property
    def uow_factory(self) -> Callable[[], SqlUnitOfWork]:
        return self.uow

    def init(self) -> tuple[str | None, str | None]:
        """Create or migrate the store; returns (revision before, revision after)."""
        from arrears.adapters.store.database import head_revision, migrate

        before = self._revision()
        if before != head_revision():  # at the head, Alembic would find nothing to run
            migrate(self.engine)
        return before, self._revision()

    def require_current_schema(self) -> None:
        from arrears.adapters.store.database import head_revision

        revision = self._revision()
        if revision != head_revision():
            state = "is empty" if revision is None else f"is at revision {revision}"
            raise NotInitialised(
                f"the database {self.engine.url.render_as_string()} {state}; run `arrears init` first"
            )

    def _revision(self) -> str | None:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from arrears.adapters.store.database import current_revision

        try:
            return current_revision(self.engine)
        except (OperationalError, ProgrammingError) as error:
            raise ArrearsError(f"cannot open the database: {error.orig}") from None

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
