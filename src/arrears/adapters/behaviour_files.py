"""The behaviour file (src/arrears/simulation/behaviour.yaml): read, checked whole, and
turned into ``BehaviourParams``; every problem is a finding at its line."""

from __future__ import annotations

from dataclasses import fields
from importlib.resources import files

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from arrears.adapters.pydantic_findings import finding_of
from arrears.adapters.yaml_lines import line_of, read_yaml, render_path
from arrears.domain.behaviour import (
    BehaviourParams,
    Drift,
    Leaving,
    Paying,
    Start,
    Talking,
    Team,
    param_problems,
)
from arrears.domain.findings import Finding, FindingCode

_ADAPTER = TypeAdapter(BehaviourParams)


# Every key the file has, for "did you mean" on an unknown one.
_KNOWN_KEYS = sorted(
    {f.name for kind in (BehaviourParams, Start, Drift, Paying, Talking, Leaving, Team)
     for f in fields(kind)}
)  # fmt: skip


def _as_model_error(error: ErrorDetails) -> ErrorDetails:
    """A dataclass reports an unknown key as an unexpected argument: word it as a model
    would, so that the finding is the usual "unknown key … did you mean"."""
    if error["type"] == "unexpected_keyword_argument":
        return {**error, "type": "extra_forbidden"}
    return error


def shipped_behaviour_text() -> str:
    return files("arrears.simulation").joinpath("behaviour.yaml").read_text(encoding="utf-8")


def parse_behaviour(text: str) -> tuple[BehaviourParams | None, list[Finding]]:
    """The parameters in a YAML text, or None and every finding that stops them.

    >>> params, findings = parse_behaviour("start: {ability: {}, willingness: {}}\\n"
    ...                                    "paying: {on_due: 1.5, forgot_due: 0.2}")
    >>> [str(f) for f in findings]
    ["line 2, paying: unknown key 'forgot_due' (did you mean 'forget_due'?) [unknown_key]"]
    >>> params, findings = parse_behaviour("start: {ability: {}, willingness: {}}\\n"
    ...                                    "paying: {on_due: 1.5}")
    >>> [str(f) for f in findings]
    ['line 2, paying.on_due: must be between 0 and 1, got 1.5 [out_of_range]']
    """
    data, lines, findings = read_yaml(text)
    if findings:
        return None, findings
    try:
        params = _ADAPTER.validate_python(data)
    except ValidationError as error:
        found = [finding_of(_as_model_error(p), lines, _KNOWN_KEYS) for p in error.errors()]
        return None, sorted(found, key=lambda f: f.line or 0)
    problems = [
        Finding(FindingCode.OUT_OF_RANGE, message, line_of(lines, path), None, render_path(path))
        for path, message in param_problems(params)
    ]
    return (None, problems) if problems else (params, [])
