"""What-if scenario files (JSON): one proposed contact with everything the gate reads.

The keys mirror ``domain.compliance.facts`` (``borrower`` is the person); times are
ISO 8601 with their offset (``2025-03-09T15:00:00-05:00``; a time without one is a
finding, since a contact-hours decision depends on it), times of day ``"HH:MM"``. An
optional ``expect`` states what the author expects, so a scenario file is also a test.
Every problem is reported at once, naming its path. See docs/compliance.md.

>>> scenario, expect, findings = parse_scenario('''{"borrower": {"id": "B1"},
...   "proposal": {"channel": "sms", "at": "2025-06-02T21:30:00-07:00"}}''')
>>> scenario.proposal.channel.value, scenario.proposal.at.isoformat(), findings
('sms', '2025-06-02T21:30:00-07:00', [])
>>> _, _, findings = parse_scenario('{"borrower": {"id": "B1", "hlods": []}}')
>>> [str(f) for f in findings]  # doctest: +NORMALIZE_WHITESPACE
["borrower: unknown key 'hlods' (did you mean 'holds'?) [unknown_key]",
 "missing key 'proposal' [required]"]
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError

from arrears.adapters.pydantic_findings import finding_of
from arrears.adapters.yaml_lines import YamlPath, render_path
from arrears.domain.compliance.facts import Person, Scenario
from arrears.domain.findings import Finding, FindingCode

_RENAMED = {"borrower": "person"}  # file key → field
_SHOWN = {value: key for key, value in _RENAMED.items()}
EXPECT_KEYS = ("decision", "rule", "not_before")


def parse_scenario(
    text: str,
) -> tuple[Scenario | None, dict[str, Any] | None, list[Finding]]:
    """The scenario in a JSON text and what it expects, or None and every finding."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (column {error.colno})"
        return None, None, [Finding(FindingCode.BAD_ROW, message, line=error.lineno)]
    if not isinstance(data, dict):
        return None, None, [Finding(FindingCode.BAD_ROW, "expected a JSON object")]
    expect = data.pop("expect", None)
    findings = _expect_findings(expect)
    fields = {_RENAMED.get(key, key): value for key, value in data.items()}
    findings += _unknown_keys(fields, Scenario, ())
    if "proposal" not in fields:
        findings.append(Finding(FindingCode.REQUIRED, "missing key 'proposal'"))
    if findings:
        return None, None, findings
    try:
        scenario = _adapter().validate_python(fields)
    except ValidationError as error:
        return None, None, [_finding(problem) for problem in error.errors()]
    problems = _naive_times(scenario, ()) + _unknown_zones(scenario.person)
    if problems:
        return None, None, problems
    return scenario, expect, []


@cache
def _adapter() -> TypeAdapter[Scenario]:
    return TypeAdapter(Scenario)


def _shown(path: YamlPath) -> str:
    return render_path(tuple(_SHOWN.get(p, p) if isinstance(p, str) else p for p in path))


def _finding(error: Any) -> Finding:
    loc = tuple(_SHOWN.get(p, p) if isinstance(p, str) else p for p in error["loc"])
    return finding_of({**error, "loc": loc}, {}, [])


def _expect_findings(expect: Any) -> list[Finding]:
    if expect is None:
        return []
    if not isinstance(expect, dict):
        return [Finding(FindingCode.BAD_ROW, "expected keys and values", subject="expect")]
    return [
        Finding(FindingCode.UNKNOWN_KEY, f"unknown key {key!r}", subject="expect")
        for key in expect
        if key not in EXPECT_KEYS
    ]


def _unknown_keys(data: Any, kind: Any, path: YamlPath) -> list[Finding]:
    """Keys the facts do not have, anywhere in the tree (pydantic ignores them silently
    for dataclasses, and a misspelt ``holds`` must not pass as no holds)."""
    if dataclasses.is_dataclass(kind) and isinstance(data, dict):
        hints = _hints(kind)
        findings = []
        for key, value in data.items():
            if key not in hints:
                guess = difflib.get_close_matches(key, list(hints), n=1)
                hint = f" (did you mean {_SHOWN.get(guess[0], guess[0])!r}?)" if guess else ""
                message = f"unknown key {key!r}{hint}"
                subject = _shown(path) or None
                findings.append(Finding(FindingCode.UNKNOWN_KEY, message, subject=subject))
            else:
                findings += _unknown_keys(value, hints[key], (*path, key))
        return findings
    if isinstance(data, list):
        inner = [a for a in typing.get_args(kind) if a is not Ellipsis]
        return [
            f
            for i, item in enumerate(data)
            for a in inner
            for f in _unknown_keys(item, a, (*path, i))
        ]
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        return [f for a in typing.get_args(kind) for f in _unknown_keys(data, a, path)]
    return []


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _naive_times(value: Any, path: YamlPath) -> list[Finding]:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            message = "a time needs its offset, such as '2025-03-09T15:00:00-05:00' or 'Z'"
            return [Finding(FindingCode.BAD_DATE, message, subject=_shown(path))]
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            f
            for field in dataclasses.fields(value)
            for f in _naive_times(getattr(value, field.name), (*path, field.name))
        ]
    if isinstance(value, tuple):
        return [f for i, item in enumerate(value) for f in _naive_times(item, (*path, i))]
    return []


@cache
def _person_adapter() -> TypeAdapter[Person]:
    return TypeAdapter(Person)


def parse_person(data: dict[str, Any]) -> tuple[Person | None, list[Finding]]:
    """A borrower's compliance profile (the scenario's ``borrower`` object) from its JSON
    value, as stored per borrower and set with ``arrears compliance profile``."""
    findings = _unknown_keys(data, Person, ("borrower",))
    if findings:
        return None, findings
    try:
        person = _person_adapter().validate_python(data)
    except ValidationError as error:
        return None, [_finding({**e, "loc": ("borrower", *e["loc"])}) for e in error.errors()]
    problems = _naive_times(person, ("borrower",)) + _unknown_zones(person)
    return (None, problems) if problems else (person, [])


def _unknown_zones(person: Person) -> list[Finding]:
    """Zones that are not IANA names: found now, not when a decision needs the hour."""
    named: list[tuple[str, str]] = [(f"borrower.zones[{i}]", z) for i, z in enumerate(person.zones)]
    if person.address is not None and person.address.zone:
        named.append(("borrower.address.zone", person.address.zone))
    named += [(f"borrower.phones[{i}].zone", p.zone) for i, p in enumerate(person.phones) if p.zone]
    for t, third in enumerate(person.third_parties):
        named += [
            (f"borrower.third_parties[{t}].phones[{i}].zone", p.zone)
            for i, p in enumerate(third.phones)
            if p.zone
        ]
    return [
        Finding(FindingCode.BAD_CHOICE, f"{zone!r} is not a time zone (an IANA name such as"
                " 'America/Chicago')", subject=where)
        for where, zone in named
        if not _is_zone(zone)
    ]  # fmt: skip


@cache
def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
