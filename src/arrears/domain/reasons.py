"""Reasons a person may read — a refusal, a limit passed — as English text that also
carries a stable code and its parameters, so that an edge can say it in the reader's
language (the portal's ``messages.toml`` catalogs) while everything else (the CLI, the
API, the logs, the stored verdicts) keeps the English text as it is.

A ``Reason`` is a ``str``: it joins, compares, stores and prints as its English text.

>>> why = Reason("arrangement.too_many_instalments", "8 instalments is more than the 6 allowed",
...              instalments=8, most=6)
>>> why == "8 instalments is more than the 6 allowed", why.code, why.params["most"]
(True, 'arrangement.too_many_instalments', 6)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Reason(str):
    """English ``text`` with its ``code`` (a key of the message catalogs) and the
    ``params`` its translations are filled with: money as ``Money``, days as ``date``,
    a nested reason as a ``Reason``, several as a tuple of them."""

    code: str
    params: Mapping[str, object]

    def __new__(cls, code: str, text: str, /, **params: object) -> Reason:
        made = super().__new__(cls, text)
        made.code = code
        made.params = params
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:  # copy, pickle
        return (self.code, str(self)), dict(self.params)
