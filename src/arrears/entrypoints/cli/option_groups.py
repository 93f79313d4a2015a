"""Options that several commands share, declared once as a dataclass of ``typer.Option``s.

typer reads a command's options from its signature, so options shared by two commands
would be listed twice. Instead they are the fields of a frozen dataclass, each
defaulting to its ``typer.Option(...)``; a command takes one parameter typed as that
dataclass, and ``with_option_groups`` shows typer a signature where the dataclass's
fields stand in its place (in their order, so ``--help`` lists them there), then hands
the command one instance built from them (the parameter's default, ``GROUP``, which
typer never sees, only keeps Python's order of parameters)::

    @dataclass(frozen=True, slots=True)
    class Paging:
        limit: int = typer.Option(50, "--limit", help="How many.")

    @with_option_groups
    def list_(ctx: typer.Context, status: str = STATUS, paging: Paging = GROUP) -> None: ...
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

Command = TypeVar("Command", bound=Callable[..., Any])
GROUP: Any = ...  # the default of a parameter that stands for an option group


def with_option_groups(command: Command) -> Command:
    """``command`` as typer should see it: each parameter typed as a dataclass replaced by
    that dataclass's fields."""
    signature = inspect.signature(command, eval_str=True)
    groups = {
        p.name: p.annotation
        for p in signature.parameters.values()
        if isinstance(p.annotation, type) and dataclasses.is_dataclass(p.annotation)
    }
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        group = groups.get(parameter.name)
        parameters += [parameter] if group is None else _fields_as_parameters(group)
    names = [p.name for p in parameters]
    if len(names) != len(set(names)):
        raise TypeError(f"{command.__name__}: an option group repeats a parameter name")

    @functools.wraps(command)
    def with_groups(**values: Any) -> Any:
        for name, group in groups.items():
            values[name] = group(**{f.name: values.pop(f.name) for f in dataclasses.fields(group)})
        return command(**values)

    with_groups.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_groups.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_groups  # type: ignore[return-value]


def _fields_as_parameters(group: type) -> list[inspect.Parameter]:
    hints = get_type_hints(group)
    return [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=f.default,
            annotation=hints[f.name],
        )
        for f in dataclasses.fields(group)
    ]
