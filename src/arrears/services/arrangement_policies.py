"""Loading, reading and activating arrangement policies (docs/arrangement-policy.md).

A policy file is stored whole as a new version when its text changed (as a strategy
is: ``services.versioned_files``). Each product has at most one active policy, by
name; ``*`` holds the one for every product without its own. A quote is judged by the
latest version of the name active for its product, so loading a new version of an
active policy takes effect at the next quote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from arrears.domain.arrangement_policy import ArrangementPolicy
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import ArrangementPolicyVersion, StoredArrangementPolicy, UnitOfWork
from arrears.services.versioned_files import (
    FileSummary,
    InvalidFile,
    VersionedFiles,
    check_author,
)
from arrears.services.versioned_files import checksum as checksum  # as it was: public here

EVERY_PRODUCT = "*"  # the policy of every product that has none of its own
# The policies shipped in the package (src/arrears/arrangements), loaded by `arrears init`.
SHIPPED_POLICY_FILES = ("cn-standard.yaml", "us-standard.yaml")
MAX_PRODUCT = 64  # arrangement_policy_active.product


class InvalidArrangementPolicy(InvalidFile):
    """A policy text with problems; ``findings`` holds every one of them."""

    noun = "arrangement policy"


FILES: VersionedFiles[ArrangementPolicy, ArrangementPolicyVersion] = VersionedFiles(
    lambda uow: uow.arrangement_policies,
    InvalidArrangementPolicy,
    "arrangements",
    SHIPPED_POLICY_FILES,
)


@dataclass(frozen=True, slots=True)
class ArrangementPolicySummary(FileSummary):
    products: tuple[str, ...]  # where it is active ("*": every product without its own)


@dataclass(frozen=True, slots=True)
class ShownPolicy:
    stored: StoredArrangementPolicy
    products: tuple[str, ...]  # where the name is active (any version: the latest is used)


def validate_text(
    uow: UnitOfWork, text: str, source: str = "the arrangement policy file"
) -> ArrangementPolicy:
    """The policy a text holds, or InvalidArrangementPolicy with every finding."""
    return FILES.parse(uow, text, source)


def load_text(
    uow_factory: Callable[[], UnitOfWork],
    text: str,
    author: str,
    now: datetime,
    activate_for: Iterable[str] = (),
) -> tuple[str, int]:
    """Validate and store a policy file, and make it the policy of each product in
    ``activate_for`` (``*``: every product without its own); returns (name, version).
    Nothing is stored if the file or a product name has a problem."""
    check_author(author)
    products = _products(activate_for)
    with uow_factory() as uow:
        policy = FILES.parse(uow, text)
        version = FILES.save(uow, policy.name, text, author, now)
        for product in products:
            uow.arrangement_policies.activate(product, policy.name, now)
        uow.commit()
    return policy.name, version


def activate_policy(
    uow_factory: Callable[[], UnitOfWork], name: str, product: str, now: datetime
) -> int:
    """Make a stored policy the product's; returns the version its next quote uses."""
    (product,) = _products([product])
    with uow_factory() as uow:
        latest = FILES.latest(uow, name)
        uow.arrangement_policies.activate(product, name, now)
        uow.commit()
    return latest.version


def policy_for(uow: UnitOfWork, product: str) -> StoredArrangementPolicy | None:
    """The policy a product's quotes are judged by: its own active one, else ``*``'s;
    None if neither has one. Takes the caller's unit of work (a quote reads it in its
    own transaction)."""
    return uow.arrangement_policies.policy_for(product)


def active_policies(uow_factory: Callable[[], UnitOfWork]) -> dict[str, str]:
    """product → the name of its active policy (``*``: every product without its own)."""
    with uow_factory() as uow:
        return uow.arrangement_policies.active()


def show_policy(
    uow_factory: Callable[[], UnitOfWork], name: str | None = None, version: int | None = None
) -> ShownPolicy:
    """A stored policy, by default the one active for every product, at its latest version."""
    with uow_factory() as uow:
        active = uow.arrangement_policies.active()
        if name is None:
            name = active.get(EVERY_PRODUCT)
            if name is None:
                raise NotFound(
                    "no arrangement policy is active for every product (*): run `arrears init`"
                    " or `arrears arrange policy load FILE --activate '*'`"
                )
        stored = _stored(uow, name, FILES.version(uow, name, version))
    return ShownPolicy(stored, _products_of(active, name))


def list_policies(uow_factory: Callable[[], UnitOfWork]) -> list[ArrangementPolicySummary]:
    """Every stored policy at its latest version, by name, with where it is active."""
    with uow_factory() as uow:
        active = uow.arrangement_policies.active()
        return [
            ArrangementPolicySummary(
                name, row.version, row.author, row.loaded_at, _products_of(active, name)
            )
            for name, row in FILES.latest_of_each(uow)
        ]


def shipped_policy_texts() -> dict[str, str]:
    """The shipped policy files, by file name."""
    return FILES.shipped_texts()


def load_shipped_policies(
    uow_factory: Callable[[], UnitOfWork], now: datetime, active_name: str
) -> dict[str, int]:
    """Store each shipped policy whose name is not stored yet; make ``active_name`` the
    policy of every product (``*``) if no policy is active anywhere. Returns the latest
    version of each shipped policy.

    A name already stored is left alone, even if the shipped text differs: the lender
    may have edited it, and an upgrade must not replace the limits they work by.
    """
    with uow_factory() as uow:
        versions = FILES.store_shipped(uow, now)
        if not uow.arrangement_policies.active():
            FILES.latest(uow, active_name)
            uow.arrangement_policies.activate(EVERY_PRODUCT, active_name, now)
        uow.commit()
    return versions


def _products(products: Iterable[str]) -> list[str]:
    """The products named, each once, in order; a blank or too long name is refused."""
    chosen: list[str] = []
    for product in products:
        if not product.strip() or len(product) > MAX_PRODUCT:
            raise InvalidInput(f"a product name must be 1 to {MAX_PRODUCT} characters")
        if product not in chosen:
            chosen.append(product)
    return chosen


def _products_of(active: dict[str, str], name: str) -> tuple[str, ...]:
    return tuple(sorted(product for product, active_name in active.items() if active_name == name))


def _stored(uow: UnitOfWork, name: str, row: ArrangementPolicyVersion) -> StoredArrangementPolicy:
    policy = FILES.parse_stored(uow, name, row)
    return StoredArrangementPolicy(
        name, row.version, row.author, row.loaded_at, policy, row.source_text
    )
