"""Expected problems as values: a finding names its code, the reason, and where.

Validators collect every finding instead of stopping at the first, so a user
fixing a file sees all of it at once.

>>> str(Finding(FindingCode.BAD_DATE, "not a date: '2026-13-01'", line=4, column="start_date"))
"line 4, column start_date: not a date: '2026-13-01' [bad_date]"
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FindingCode(StrEnum):
    """Every finding code; documented in docs/errors.md."""

    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    UNKNOWN_KEY = "unknown_key"  # a key a file format (e.g. a strategy) does not have
    REQUIRED = "required"
    BAD_NUMBER = "bad_number"
    BAD_AMOUNT = "bad_amount"
    BAD_DATE = "bad_date"
    BAD_CHOICE = "bad_choice"
    OUT_OF_RANGE = "out_of_range"
    BAD_CURRENCY = "bad_currency"
    BAD_TEXT = "bad_text"  # a text cell too long or holding a control character
    DUPLICATE_ID = "duplicate_id"
    CONFLICTING_ID = "conflicting_id"
    UNKNOWN_LOAN = "unknown_loan"
    CURRENCY_MISMATCH = "currency_mismatch"
    BAD_ROW = "bad_row"
    UNBALANCED_ENTRY = "unbalanced_entry"
    BALANCE_MISMATCH = "balance_mismatch"
    # message templates (adapters.templates, `arrears templates check`)
    TEMPLATE_SYNTAX = "template_syntax"
    UNKNOWN_VARIABLE = "unknown_variable"
    MISSING_TEMPLATE = "missing_template"
    TEMPLATE_RENDER = "template_render"
    SMS_TOO_LONG = "sms_too_long"


@dataclass(frozen=True, slots=True)
class Finding:
    code: FindingCode
    message: str
    line: int | None = None
    column: str | None = None
    subject: str | None = None  # e.g. a loan id or journal entry id

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        if self.subject:
            where.append(self.subject)
        prefix = ", ".join(where)
        return (
            f"{prefix}: {self.message} [{self.code}]" if prefix else f"{self.message} [{self.code}]"
        )
