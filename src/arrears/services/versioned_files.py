"""What collection strategies and arrangement policies share: a YAML file stored whole
as a new version when its text changed, with its author and the time it was loaded.

A file is validated before anything is stored, every problem reported at once
(``InvalidFile``); a stored version is read back by name, at its latest version or
one asked for; the files shipped in the package are stored by ``arrears init``
unless their name is stored already. What is active where is each kind's own
(``services.strategies``: one for the portfolio; ``services.arrangement_policies``:
one per product). Policy packs (``services.compliance``) keep a store of their own
and share only ``checksum`` and ``InvalidFile``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Generic, Protocol, TypeVar

from arrears.domain.findings import Finding
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import UnitOfWork

DEFAULT_AUTHOR = "arrears"  # the author recorded for the shipped files
MAX_AUTHOR = 100  # strategy.author, arrangement_policy.author columns


class Named(Protocol):
    """What a file holds (a Strategy, an ArrangementPolicy): it names itself."""

    @property
    def name(self) -> str: ...


Parsed = TypeVar("Parsed", bound=Named)


class FileVersion(Protocol):
    """One stored version of a file (ports.StrategyVersion, ports.ArrangementPolicyVersion)."""

    @property
    def version(self) -> int: ...
    @property
    def source_text(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def loaded_at(self) -> datetime: ...


Version = TypeVar("Version", bound=FileVersion)


Parsed_co = TypeVar("Parsed_co", bound=Named, covariant=True)
Version_co = TypeVar("Version_co", bound=FileVersion, covariant=True)


class FileStore(Protocol[Parsed_co, Version_co]):
    """What the stores of versioned files have in common (ports.StrategyStore,
    ports.ArrangementPolicyStore)."""

    def parse(self, text: str) -> tuple[Parsed_co | None, list[Finding]]: ...
    def save(self, name: str, text: str, checksum: str, author: str, now: datetime) -> int: ...
    def latest(self, name: str) -> Version_co | None: ...
    def version(self, name: str, version: int) -> Version_co | None: ...
    def names(self) -> list[str]: ...


class InvalidFile(InvalidInput):
    """A file's text with problems; ``findings`` holds every one of them. Each kind
    names itself (``noun``)."""

    noun = "file"

    def __init__(self, findings: Sequence[Finding], source: str | None = None):
        self.findings = list(findings)
        listed = "\n".join(f"  {finding}" for finding in self.findings)
        where = source or f"the {self.noun} file"
        super().__init__(f"{where} is not a valid {self.noun}:\n{listed}")


@dataclass(frozen=True, slots=True)
class FileSummary:
    """A stored file at its latest version; each kind adds where it is active."""

    name: str
    latest_version: int
    author: str
    loaded_at: datetime


def checksum(text: str) -> str:
    """SHA-256 of the text as loaded: any edit, even to a comment, is a new version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_author(author: str) -> None:
    if not author.strip() or len(author) > MAX_AUTHOR:
        raise InvalidInput(f"the author must be 1 to {MAX_AUTHOR} characters")


@dataclass(frozen=True, slots=True)
class VersionedFiles(Generic[Parsed, Version]):
    """One kind of versioned file: its store in a unit of work, the error its problems
    raise, and the files of it shipped in the package."""

    store_of: Callable[[UnitOfWork], FileStore[Parsed, Version]]
    invalid: type[InvalidFile]
    folder: str  # of the package (src/arrears/<folder>)
    shipped: tuple[str, ...]  # file names in it, loaded by `arrears init`

    @property
    def noun(self) -> str:
        return self.invalid.noun

    def parse(self, uow: UnitOfWork, text: str, source: str | None = None) -> Parsed:
        """What a text holds, or ``invalid`` with every finding."""
        parsed, findings = self.store_of(uow).parse(text)
        if parsed is None:
            raise self.invalid(findings, source)
        return parsed

    def save(self, uow: UnitOfWork, name: str, text: str, author: str, now: datetime) -> int:
        """Store the text as ``name``'s next version (the same text again keeps its
        version); returns the version."""
        return self.store_of(uow).save(name, text, checksum(text), author, now)

    def latest(self, uow: UnitOfWork, name: str) -> Version:
        row = self.store_of(uow).latest(name)
        if row is None:
            stored = ", ".join(self.store_of(uow).names()) or "none"
            raise NotFound(f"no {self.noun} named {name!r} is stored (stored: {stored})")
        return row

    def version(self, uow: UnitOfWork, name: str, version: int | None) -> Version:
        """``name`` at ``version``; None: at its latest."""
        row = self.latest(uow, name)
        if version is None:
            return row
        found = self.store_of(uow).version(name, version)
        if found is None:
            raise NotFound(f"{self.noun} {name} has no version {version} (latest: {row.version})")
        return found

    def parse_stored(self, uow: UnitOfWork, name: str, row: Version) -> Parsed:
        return self.parse(uow, row.source_text, f"stored {self.noun} {name} version {row.version}")

    def latest_of_each(self, uow: UnitOfWork) -> list[tuple[str, Version]]:
        """Every stored name with its latest version, by name."""
        return [(name, self.latest(uow, name)) for name in self.store_of(uow).names()]

    def shipped_texts(self) -> dict[str, str]:
        """The shipped files, by file name."""
        folder = files("arrears").joinpath(self.folder)
        return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in self.shipped}

    def store_shipped(self, uow: UnitOfWork, now: datetime) -> dict[str, int]:
        """Store each shipped file whose name is not stored yet; returns the latest version
        of each. A name already stored is left alone, even if the shipped text differs: it
        may have been edited, and an upgrade must not replace what the lender works by."""
        versions: dict[str, int] = {}
        for file_name, text in self.shipped_texts().items():
            name = self.parse(uow, text, f"shipped {self.noun} {file_name}").name
            latest = self.store_of(uow).latest(name)
            versions[name] = (
                latest.version
                if latest is not None
                else self.save(uow, name, text, DEFAULT_AUTHOR, now)
            )
        return versions
