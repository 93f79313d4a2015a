"""Policy packs (YAML): read with the line of every key, validated whole, built into rules.

A pack lists rules; each names the reference's rule id, the check that enforces it, the
check's parameters, and its source. Every problem is reported at once with its line::

    line 12, rules[1].params.end: expected a time of day such as '21:00', got 1260 [bad_row]

A check whose parameters include ``default_zone`` (the zone assumed when nothing about
the person gives one) gets the pack's ``zone`` unless the rule sets it. The shipped
packs live in ``arrears/policies``; a lender's own pack is loaded from a
file (``arrears compliance load``). See docs/compliance.md for the format.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from datetime import time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
)

from arrears.adapters.pydantic_findings import finding_of
from arrears.adapters.yaml_lines import YamlPath, line_of, read_yaml, render_path
from arrears.domain.compliance.catalog import CHECKS
from arrears.domain.compliance.rules import Confidence, Pack, Rule
from arrears.domain.findings import Finding, FindingCode

_RULE_ID = r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+"
_PACK_NAME = r"[a-z0-9][a-z0-9_-]{0,59}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_M = TypeVar("_M", bound=_Model)


class RuleModel(_Model):
    id: str = Field(pattern=_RULE_ID)
    check: str
    says: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confidence: Confidence
    params: dict[str, Any] = Field(default_factory=dict)
    enforce: StrictBool = True


class HeaderModel(_Model):
    pack: str = Field(pattern=_PACK_NAME)
    version: StrictInt = Field(ge=1)
    title: str = Field(min_length=1)
    zone: str
    rules: list[Any]


_KNOWN_KEYS = sorted({*HeaderModel.model_fields, *RuleModel.model_fields})


def parse_pack(text: str) -> tuple[Pack | None, list[Finding]]:
    """The pack in a YAML text, or None and every finding that stops it loading.

    >>> pack, findings = parse_pack('''
    ... pack: tiny
    ... version: 1
    ... title: Tiny
    ... zone: Asia/Shanghai
    ... rules:
    ...   - {id: tiny.rule, check: no_such_check, says: x, source: y, confidence: P}
    ... ''')
    >>> pack, [str(f) for f in findings]  # doctest: +ELLIPSIS
    (None, ["line 7, rules[0].check: 'no_such_check' is not a check; the checks are ... [bad_choice]"])
    """
    data, lines, findings = read_yaml(text)
    if data is None and findings:
        return None, findings
    header = _validated(HeaderModel, data, (), lines, findings)
    if header is None:
        return None, _sorted(findings)
    findings.extend(_zone_findings(header.zone, lines))
    rules = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header.rules):
        path: YamlPath = ("rules", index)
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(rule_id, str) and rule_id in seen:
            message = f"rule id {rule_id!r} is already used by rules[{seen[rule_id]}]"
            findings.append(_at(FindingCode.DUPLICATE_ID, message, (*path, "id"), lines))
        if isinstance(rule_id, str):
            seen.setdefault(rule_id, index)
        model = _validated(RuleModel, raw, path, lines, findings)
        if model is None:
            continue
        rule, rule_findings = _rule(header.pack, header.zone, model, path, lines)
        findings.extend(rule_findings)
        if rule is not None:
            rules.append(rule)
    if findings:
        return None, _sorted(findings)
    return Pack(header.pack, header.version, header.title, header.zone, tuple(rules)), []


def _validated(
    kind: type[_M], data: Any, path: YamlPath, lines: Any, findings: list[Finding]
) -> _M | None:
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        findings.extend(
            finding_of({**e, "loc": (*path, *e["loc"])}, lines, _KNOWN_KEYS) for e in error.errors()
        )
        return None


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.line or 0)


def _at(code: FindingCode, message: str, path: YamlPath, lines: Any) -> Finding:
    return Finding(code, message, line=line_of(lines, path), subject=render_path(path) or None)


def _zone_findings(zone: str, lines: Any) -> list[Finding]:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"{zone!r} is not a time zone (use an IANA name such as 'Asia/Shanghai')"
        return [_at(FindingCode.BAD_CHOICE, message, ("zone",), lines)]
    return []


def _rule(
    pack: str, zone: str, model: RuleModel, path: YamlPath, lines: Any
) -> tuple[Rule | None, list[Finding]]:
    check = CHECKS.get(model.check)
    if check is None:
        names = ", ".join(sorted(CHECKS))
        guess = difflib.get_close_matches(model.check, list(CHECKS), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        message = f"{model.check!r} is not a check{hint}; the checks are {names}"
        return None, [_at(FindingCode.BAD_CHOICE, message, (*path, "check"), lines)]
    given = dict(model.params)
    if any(f.name == "default_zone" for f in dataclasses.fields(check.params)):
        given.setdefault("default_zone", zone)  # a check's fallback zone is the pack's
    params, findings = _params(check.params, given, (*path, "params"), lines)
    if params is None:
        return None, findings
    rule = Rule(
        model.id, check, params, model.says, model.source, model.confidence, pack, model.enforce
    )
    return rule, []


def _params(
    kind: type, given: dict[str, Any], path: YamlPath, lines: Any
) -> tuple[Any, list[Finding]]:
    """The check's parameters from the YAML mapping: unknown keys and bare times (YAML
    reads an unquoted 21:00 as the number 1260) are findings, then pydantic builds it."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in dataclasses.fields(kind)]
    findings = []
    for key, value in given.items():
        where = (*path, key)
        if key not in names:
            guess = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else f"; it takes {', '.join(names)}"
            message = f"unknown parameter {key!r}{hint}"
            findings.append(_at(FindingCode.UNKNOWN_KEY, message, where, lines))
        elif _wants_time(hints[key]) and not _all_text(value):
            message = f"write times of day in quotes, such as '21:00'; got {value!r}"
            findings.append(_at(FindingCode.BAD_ROW, message, where, lines))
    if findings:
        return None, findings
    try:
        return _adapter(kind).validate_python(given), []
    except ValidationError as error:
        return None, [
            finding_of({**e, "loc": (*path, *e["loc"])}, lines, names) for e in error.errors()
        ]


def _wants_time(hint: Any) -> bool:
    return (
        hint is time
        or time in typing.get_args(hint)
        or any(_wants_time(arg) for arg in typing.get_args(hint))
    )


def _all_text(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_all_text(v) for v in value)
    return value is None or isinstance(value, str)


@cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


# -- shipped packs ----------------------------------------------------------------------
SHIPPED = ("us-regf", "cn", "uk-conc", "house")


def shipped_text(name: str) -> str:
    """The text of a pack that ships with arrears."""
    return resources.files("arrears").joinpath("policies", f"{name}.yaml").read_text("utf-8")


def read_pack_text(name_or_path: str) -> str:
    """A shipped pack by name, or a pack file by path."""
    if re.fullmatch(_PACK_NAME, name_or_path) and name_or_path in SHIPPED:
        return shipped_text(name_or_path)
    return Path(name_or_path).read_text("utf-8")
