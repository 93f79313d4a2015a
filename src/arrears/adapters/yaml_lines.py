r"""YAML read with the line of every value, for files users edit and errors that name lines.

PyYAML's constructor drops where things were; here the document is composed
into nodes (which carry their marks) and built into plain values by hand,
noting the line of every path — ``("segments", 2, "steps", 0)`` — on the way:
the line of a mapping entry is the line of its key, of a list item its dash.
YAML floats are read as exact decimals from their text (``500.10`` is
``Decimal("500.10")``), so money never passes through a float. Keys given
twice, aliases that refer to themselves or blow up ("billion laughs"), syntax
errors and an empty file are findings, not exceptions.

>>> data, lines, findings = read_yaml("name: a\nsegments:\n  - {name: b, min: 0.10}\n")
>>> data["segments"][0], lines[("segments", 0, "min")], findings
({'name': 'b', 'min': Decimal('0.10')}, 3, [])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from arrears.domain.findings import Finding, FindingCode

YamlPath = tuple[str | int, ...]

_MAX_NODES = 100_000  # aliases can make a small file huge ("billion laughs"): stop early
_FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass
class _Reader:
    """Builds plain values from YAML nodes, noting the line of every path."""

    loader: yaml.SafeLoader
    lines: dict[YamlPath, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    nodes: int = 0

    def value(self, node: yaml.Node, path: YamlPath, open_nodes: frozenset[int]) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_NODES or id(node) in open_nodes:
            raise _TooDeep(node.start_mark.line + 1)
        inner = open_nodes | {id(node)}
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, inner)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[(*path, index)] = item.start_mark.line + 1
                items.append(self.value(item, (*path, index), inner))
            return items
        if node.tag == _FLOAT_TAG:  # exact: 500.00 is Decimal("500.00"), not 500.0
            try:
                return Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                pass  # .inf, .nan: a float, refused where a number is expected
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: YamlPath, open_nodes: frozenset[int]) -> Any:
        self.loader.flatten_mapping(node)  # YAML merge keys (<<: *defaults)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = (
                self.loader.construct_object(key_node)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if not isinstance(key, str):
                self._add(FindingCode.BAD_ROW, "a key must be text", line, path)
                continue
            if key in result:
                self._add(FindingCode.DUPLICATE_ID, f"key {key!r} is given twice", line, path)
            self.lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key), open_nodes)
        return result

    def _add(self, code: FindingCode, message: str, line: int, path: YamlPath) -> None:
        self.findings.append(Finding(code, message, line=line, subject=render_path(path) or None))


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


def read_yaml(text: str) -> tuple[Any, dict[YamlPath, int], list[Finding]]:
    """The text's value, the line of each of its paths, and findings; the value is None
    when the text cannot be read at all (then there is a finding saying why)."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # refuses unprintable characters at once
        node = loader.get_single_node()
        if node is None:
            return None, {}, [Finding(FindingCode.REQUIRED, "the file is empty", line=1)]
        reader = _Reader(loader, {(): node.start_mark.line + 1})
        data = reader.value(node, (), frozenset())
        return data, reader.lines, reader.findings
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p)
        line = mark.line + 1 if mark else None
        return None, {}, [Finding(FindingCode.BAD_ROW, f"not valid YAML: {problem}", line=line)]
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        character = error.character
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        message = f"not valid YAML: the character {shown} is not allowed"
        return None, {}, [Finding(FindingCode.BAD_ROW, message, line=line)]
    except _TooDeep as error:
        message = "the file's aliases repeat too much or refer to themselves"
        return None, {}, [Finding(FindingCode.BAD_ROW, message, line=error.line)]
    finally:
        if loader is not None:
            loader.dispose()


def render_path(path: YamlPath) -> str:
    """``("segments", 2, "steps", 0)`` → ``segments[2].steps[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def line_of(lines: Mapping[YamlPath, int], path: YamlPath) -> int | None:
    """The line of a path, or of its nearest written ancestor (a missing key's mapping)."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)
