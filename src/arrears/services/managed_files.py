"""The three kinds of policy file a manager edits — strategies, policy packs and
arrangement policies — behind one set of use cases for the dashboard and the API: list
them, show one version, upload a new version, activate one.

Each call goes to the kind's own service (services.strategies, services.compliance,
services.arrangement_policies), so validation, versioning and the audit records are
theirs; this module only names the kind and puts the answers in one shape. Where a kind
is active follows the CLI: a strategy for the whole portfolio (``PORTFOLIO``), a pack or
an arrangement policy per product (``*``: every product).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from arrears.services import arrangement_policies, compliance, strategies
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import UnitOfWork

PORTFOLIO = "portfolio"  # where a strategy is active


class FileKind(StrEnum):
    STRATEGY = "strategy"
    PACK = "pack"
    POLICY = "policy"  # an arrangement policy


@dataclass(frozen=True, slots=True)
class FileLine:
    """A stored file at its latest version. ``author`` and ``loaded_at`` are None for
    packs, whose service keeps them only on the audit log (``pack_loaded``)."""

    kind: FileKind
    name: str
    version: int
    author: str | None
    loaded_at: datetime | None
    active_for: tuple[str, ...]  # PORTFOLIO, product names, "*"; empty: not active


@dataclass(frozen=True, slots=True)
class ShownFile:
    line: FileLine
    text: str


def list_files(uow_factory: Callable[[], UnitOfWork], kind: FileKind) -> list[FileLine]:
    """Every stored file of a kind at its latest version, by name."""
    if kind is FileKind.STRATEGY:
        return [
            FileLine(kind, s.name, s.latest_version, s.author, s.loaded_at,
                     (PORTFOLIO,) if s.active else ())
            for s in strategies.list_strategies(uow_factory)
        ]  # fmt: skip
    if kind is FileKind.POLICY:
        return [
            FileLine(kind, p.name, p.latest_version, p.author, p.loaded_at, p.products)
            for p in arrangement_policies.list_policies(uow_factory)
        ]
    return [
        FileLine(kind, p.name, p.version, None, None, p.products)
        for p in compliance.list_packs(uow_factory)
    ]


def show_file(
    uow_factory: Callable[[], UnitOfWork], kind: FileKind, name: str, version: int | None = None
) -> ShownFile:
    """One stored version (default: the latest) with its text. Packs show their latest."""
    if kind is FileKind.STRATEGY:
        s = strategies.show_strategy(uow_factory, name, version)
        active = (PORTFOLIO,) if s.active else ()
        return ShownFile(
            FileLine(kind, s.name, s.version, s.author, s.loaded_at, active), s.source_text
        )
    if kind is FileKind.POLICY:
        shown = arrangement_policies.show_policy(uow_factory, name, version)
        p = shown.stored
        line = FileLine(kind, p.name, p.version, p.author, p.loaded_at, shown.products)
        return ShownFile(line, p.source_text)
    pack = next((f for f in list_files(uow_factory, kind) if f.name == name), None)
    with uow_factory() as uow:
        stored = uow.policies.latest_texts().get(name)
    if pack is None or stored is None:
        raise NotFound(f"no policy pack named {name!r} is stored")
    return ShownFile(pack, stored[1])


def upload_file(
    uow_factory: Callable[[], UnitOfWork], kind: FileKind, text: str, author: str, now: datetime
) -> tuple[str, int]:
    """Validate and store ``text`` as the next version of the file it names; returns (name,
    version). An invalid text raises the kind's InvalidFile with every finding (its line)."""
    if not text.strip():
        raise InvalidInput(f"the {kind} file is empty")
    if kind is FileKind.STRATEGY:
        return strategies.load_strategy(uow_factory, text, author, now)
    if kind is FileKind.POLICY:
        return arrangement_policies.load_text(uow_factory, text, author, now)
    return compliance.load_pack(uow_factory, text, author, now)


def activate_file(
    uow_factory: Callable[[], UnitOfWork], kind: FileKind, name: str, product: str, now: datetime
) -> None:
    """Make a stored file active: a strategy for the portfolio (``product`` ignored), a pack
    or an arrangement policy for ``product`` (``*``: every product)."""
    if kind is FileKind.STRATEGY:
        strategies.activate_strategy(uow_factory, name, now)
    elif kind is FileKind.POLICY:
        arrangement_policies.activate_policy(uow_factory, name, product, now)
    else:
        compliance.activate_pack(uow_factory, name, product or compliance.EVERY_PRODUCT, now)
