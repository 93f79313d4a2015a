"""Policy packs as a use case: load them (every version kept), activate them per product,
list and show them, and the rules that bind each product for the gate.

A product's rules are those of the packs active for it and of the packs active for every
product (``*``); when several packs are active the strictest result wins (see
``domain.compliance.evaluate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files

from arrears.domain.audit import AuditRecord
from arrears.domain.compliance.evaluate import in_order
from arrears.domain.compliance.rules import Pack, Rule
from arrears.services.errors import NotFound
from arrears.services.ports import UnitOfWork
from arrears.services.versioned_files import InvalidFile, checksum

EVERY_PRODUCT = "*"
DEFAULT_AUTHOR = "arrears"
SHIPPED_PACKS = ("us-regf", "cn", "uk-conc", "house")


class InvalidPack(InvalidFile):
    """A pack's text with problems; ``findings`` holds every one of them."""

    noun = "policy pack"


@dataclass(frozen=True, slots=True)
class PackSummary:
    name: str
    version: int
    title: str
    rules: int
    products: tuple[str, ...]  # where it is active ("*": every product)


def parse_pack(uow: UnitOfWork, text: str, source: str = "the pack file") -> Pack:
    pack, findings = uow.policies.parse(text)
    if pack is None:
        raise InvalidPack(findings, source)
    return pack


def load_pack(
    uow_factory: Callable[[], UnitOfWork], text: str, author: str, now: datetime
) -> tuple[str, int]:
    """Validate and store a pack's text as its next version."""
    with uow_factory() as uow:
        pack = parse_pack(uow, text)
        version = uow.policies.save(pack.name, text, checksum(text), author, now)
        _record(uow, "pack_loaded", pack.name, now, version=version, author=author,
                checksum=checksum(text))  # fmt: skip
        uow.commit()
    return pack.name, version


def load_shipped_packs(
    uow_factory: Callable[[], UnitOfWork],
    texts: dict[str, str],
    now: datetime,
    activate: Sequence[str],
) -> dict[str, int]:
    """Store each shipped pack not stored yet (a stored one may have been edited by the
    lender and is left alone); if no pack is active anywhere, activate ``activate`` for
    every product."""
    with uow_factory() as uow:
        stored = uow.policies.latest_texts()
        versions = {}
        for name, text in texts.items():
            if name in stored:
                versions[name] = stored[name][0]
                continue
            pack = parse_pack(uow, text, source=f"shipped pack {name}")
            text_checksum = checksum(text)
            versions[name] = uow.policies.save(pack.name, text, text_checksum, DEFAULT_AUTHOR, now)
            _record(uow, "pack_loaded", name, now, version=versions[name],
                    author=DEFAULT_AUTHOR, checksum=text_checksum)  # fmt: skip
        if not uow.policies.active():
            for name in activate:
                _require(uow, name)
                uow.policies.activate(name, EVERY_PRODUCT, now)
                _record(uow, "pack_activated", name, now, product=EVERY_PRODUCT)
        uow.commit()
    return versions


def activate_pack(
    uow_factory: Callable[[], UnitOfWork], name: str, product: str, now: datetime
) -> bool:
    with uow_factory() as uow:
        _require(uow, name)
        changed = uow.policies.activate(name, product, now)
        if changed:
            _record(uow, "pack_activated", name, now, product=product)
        uow.commit()
    return changed


def deactivate_pack(
    uow_factory: Callable[[], UnitOfWork], name: str, product: str, now: datetime
) -> bool:
    with uow_factory() as uow:
        changed = uow.policies.deactivate(name, product)
        if changed:
            _record(uow, "pack_deactivated", name, now, product=product)
        uow.commit()
    if not changed:
        raise NotFound(f"pack {name!r} is not active for {product!r}")
    return changed


def list_packs(uow_factory: Callable[[], UnitOfWork]) -> list[PackSummary]:
    with uow_factory() as uow:
        active = uow.policies.active()
        summaries = []
        for name, (version, text) in sorted(uow.policies.latest_texts().items()):
            pack = parse_pack(uow, text, source=f"stored pack {name} v{version}")
            products = tuple(p for p, names in sorted(active.items()) if name in names)
            summaries.append(PackSummary(name, version, pack.title, len(pack.rules), products))
    return summaries


def stored_pack(uow_factory: Callable[[], UnitOfWork], name: str) -> tuple[Pack, int]:
    with uow_factory() as uow:
        version, text = _require(uow, name)
        return parse_pack(uow, text, source=f"stored pack {name} v{version}"), version


def rules_by_product(uow: UnitOfWork) -> dict[str, list[Rule]]:
    """product → its rules in evaluation order (``*``: the rules binding every product).

    The rule sets are kept per set of active pack texts and activations (a stored
    version's text never changes): the dispatcher asks for every batch and the letter
    printer for every letter, and the rules are parsed and ordered once."""
    texts = uow.policies.latest_texts()
    active = uow.policies.active()
    names = sorted({name for names in active.values() for name in names})
    key = (
        tuple((name, texts[name][1]) for name in names),
        tuple((product, tuple(names)) for product, names in active.items()),
    )
    rule_sets = _RULE_SETS.get(key)
    if rule_sets is None:
        packs = {name: parse_pack(uow, text) for name, text in key[0]}
        common = active.get(EVERY_PRODUCT, [])
        rule_sets = {
            product: tuple(
                in_order([rule for name in sorted({*names, *common}) for rule in packs[name].rules])
            )
            for product, names in {EVERY_PRODUCT: [], **active}.items()
        }
        if len(_RULE_SETS) >= RULE_SETS_KEPT:
            _RULE_SETS.clear()
        _RULE_SETS[key] = rule_sets
    return {product: list(rules) for product, rules in rule_sets.items()}


RULE_SETS_KEPT = 16  # sets of active packs whose rules are kept (a process sees a few)
_RULE_SETS: dict[tuple[object, ...], dict[str, tuple[Rule, ...]]] = {}


def _require(uow: UnitOfWork, name: str) -> tuple[int, str]:
    stored = uow.policies.latest_texts()
    if name not in stored:
        raise NotFound(
            f"no policy pack named {name!r} is stored (stored: {', '.join(sorted(stored)) or 'none'})"
        )
    return stored[name]


def _record(uow: UnitOfWork, kind: str, subject: str, now: datetime, **payload: object) -> None:
    """Changes to what the gate decides by go on the audit log too, in their transaction
    (appended last: the append holds the log until commit)."""
    uow.audit.append([AuditRecord(kind, subject, payload, now)])


def set_profile(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    profile: dict[str, object],
    now: datetime,
) -> None:
    """Store a borrower's compliance profile (validated like a scenario's borrower)."""
    with uow_factory() as uow:
        if borrower_id not in uow.compliance.people([borrower_id]):
            raise NotFound(f"no borrower {borrower_id!r}")
        save_profile_in(uow, borrower_id, profile, now)
        uow.commit()


def save_profile_in(
    uow: UnitOfWork, borrower_id: str, profile: dict[str, object], now: datetime
) -> None:
    """Store a profile inside the caller's unit of work, on the audit log too (call it
    last before committing: the log's append holds it until then)."""
    uow.compliance.save_profile(borrower_id, dict(profile), now)
    _record(uow, "profile_set", borrower_id, now, profile=dict(profile))


def get_profile(uow_factory: Callable[[], UnitOfWork], borrower_id: str) -> dict[str, object]:
    with uow_factory() as uow:
        profile = uow.compliance.profile(borrower_id)
    if profile is None:
        raise NotFound(f"borrower {borrower_id!r} has no compliance profile")
    return profile


def shipped_pack_texts() -> dict[str, str]:
    """The packs that ship with arrears, by name."""
    folder = files("arrears").joinpath("policies")
    return {
        name: folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8") for name in SHIPPED_PACKS
    }


@dataclass(frozen=True, slots=True)
class RuleCount:
    day: date
    status: str  # permitted, denied, deferred
    rule: str
    channel: str
    actions: int
    arm: str | None = None  # with ``by_arm``: the arm recorded on the actions


def decisions_by_rule(
    uow_factory: Callable[[], UnitOfWork],
    first: date,
    last: date,
    status: str | None = None,
    *,
    by_arm: bool = False,
    product: str | None = None,
) -> list[RuleCount]:
    """The cycle's actions by day, status, deciding rule and channel (and arm, ``by_arm``):
    denials by rule and by day for the compliance officer (``status="denied"``), and per
    arm for the simulator's outcomes; on loans of ``product`` only, when given."""
    with uow_factory() as uow:
        rows = uow.actions.by_rule(first, last, product)
    counts: dict[tuple[date, str, str, str, str | None], int] = {}
    for day, decided, rule, channel, arm, actions in rows:  # ordered: merged rows stay so
        if status is None or decided == status:
            key = (day, decided, rule, channel, arm if by_arm else None)
            counts[key] = counts.get(key, 0) + actions
    return [RuleCount(d, s, r, c, n, arm) for (d, s, r, c, arm), n in counts.items()]
