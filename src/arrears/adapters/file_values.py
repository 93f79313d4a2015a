"""Values the hand-edited YAML files share (strategies, arrangement policies): names,
exact decimals, and the validation error that becomes a finding with its code.

>>> exact_decimal("12.50", FindingCode.BAD_NUMBER, "a percent such as '12.5'")
Decimal('12.50')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from pydantic_core import PydanticCustomError

from arrears.domain.findings import FindingCode

NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def problem(code: FindingCode, message: str) -> PydanticCustomError:
    """A validation error whose type is the finding code it becomes."""
    return PydanticCustomError(code.value, message)


def name_check(most: int) -> Callable[[str], str]:
    """A validator of names: lower-case letters, digits, '-' and '_', at most ``most``."""

    def check(value: str) -> str:
        if not NAME.fullmatch(value) or len(value) > most:
            raise problem(
                FindingCode.BAD_CHOICE,
                f"{value!r} is not a name: use lower-case letters, digits, '-' and '_'"
                f" (at most {most})",
            )
        return value

    return check


def exact_decimal(value: object, code: FindingCode, expected: str) -> Decimal:
    """A non-negative decimal from text, a whole number or a YAML decimal (the reader gives
    an unquoted ``12.5`` as an exact ``Decimal``); never a float. ``expected`` names what
    was wanted, for the message (``"a decimal such as '500.00'"``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise problem(code, f"expected {expected}, got {value!r}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise problem(code, f"{value!r} is not a decimal") from None
    if not number.is_finite() or number < 0:
        raise problem(code, f"{value!r} is not a decimal of 0 or more")
    return number
