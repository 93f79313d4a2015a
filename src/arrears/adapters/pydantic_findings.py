"""Pydantic's validation errors as findings that name the line, the path and the problem.

Files users edit by hand (strategies, policy packs, scenarios) are validated whole with
pydantic; each of its errors becomes one finding, at the line of the value it concerns
when the file's lines are known (YAML), else at its path (JSON).

>>> from pydantic import BaseModel, ConfigDict, ValidationError
>>> class Tiny(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     name: str
>>> try:
...     Tiny.model_validate({"nmae": "x"})
... except ValidationError as error:
...     print([str(finding_of(e, {}, ["name"])) for e in error.errors()])
["missing key 'name' [required]", "unknown key 'nmae' (did you mean 'name'?) [unknown_key]"]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from pydantic_core import ErrorDetails

from arrears.adapters.yaml_lines import YamlPath, line_of, render_path
from arrears.domain.findings import Finding, FindingCode


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_CODES = {code.value for code in FindingCode}
_TYPE_WORDS = {
    "int_type": (FindingCode.BAD_NUMBER, "expected a whole number"),
    "int_parsing": (FindingCode.BAD_NUMBER, "expected a whole number"),
    "bool_type": (FindingCode.BAD_CHOICE, "expected true or false"),
    "string_type": (FindingCode.BAD_ROW, "expected text"),
    "list_type": (FindingCode.BAD_ROW, "expected a list"),
    "model_type": (FindingCode.BAD_ROW, "expected keys and values"),
    "model_attributes_type": (FindingCode.BAD_ROW, "expected keys and values"),
    "dict_type": (FindingCode.BAD_ROW, "expected keys and values"),
}


def finding_of(
    error: ErrorDetails, lines: Mapping[YamlPath, int], known_keys: Sequence[str]
) -> Finding:
    """One pydantic error as a finding that names the line, the path and the problem."""
    path: YamlPath = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind in ("missing", "extra_forbidden"):
        parent, key = path[:-1], str(path[-1])
        if kind == "missing":
            code, message = FindingCode.REQUIRED, f"missing key {key!r}"
        else:
            guess = difflib.get_close_matches(key, known_keys, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            code, message = FindingCode.UNKNOWN_KEY, f"unknown key {key!r}{hint}"
        line = lines.get(path) or line_of(lines, parent)
        return Finding(code, message, line=line, subject=render_path(parent) or None)
    if kind == "enum":
        choices = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        code, message = FindingCode.BAD_CHOICE, f"{_shown(value)} is not one of {choices}"
    elif kind in _TYPE_WORDS:
        code, words = _TYPE_WORDS[kind]
        message = f"{words}, got {_shown(value)}"
    elif kind == "greater_than_equal":
        code, message = FindingCode.OUT_OF_RANGE, f"must be {ctx['ge']} or more, got {value!r}"
    elif kind == "too_short":
        code, message = FindingCode.OUT_OF_RANGE, "must list at least one"
    elif kind in _CODES:
        code, message = FindingCode(kind), error["msg"]
    else:
        code, message = FindingCode.BAD_ROW, error["msg"]
    return Finding(code, message, line=line_of(lines, path), subject=render_path(path) or None)
