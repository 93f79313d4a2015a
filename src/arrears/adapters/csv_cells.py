"""The cell checks of the import formats: stripped text in, values or findings out.

Each check takes a cell's text, returns its value, or notes a finding and returns
None, so a row reports every bad cell. The rules are documented in docs/import.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.domain.findings import Finding, FindingCode
from arrears.domain.money import CURRENCY_EXPONENTS, Rounding, parse_major
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import RepaymentMethod

T = TypeVar("T")

MAX_TERM_MONTHS = 480
MAX_RATE_PERCENT = Decimal(100)
# Payments carry major units until the service knows the loan's currency (at most 2
# decimals today); 4 leaves room without letting arbitrary precision through.
PAYMENT_MAX_DECIMALS = 4
LANGUAGES = frozenset({"zh-CN", "en"})
# A postal address: its lines separated by "|" in the file (a row stays one line of text,
# whatever wrote it), by "\n" in the record and the store.
MAX_ADDRESS_CHARS = 500
ADDRESS_LINE_SEPARATOR = "|"
# C0 and C1 controls (line breaks and tabs among them) and the Unicode line and paragraph
# separators: none belongs in a printed address, and each would break it into lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Amounts end up in BIGINT *_minor columns; refuse what cannot fit rather than fail in the store.
_MAX_MINOR = 2**63 - 1
_METHODS = {m.value: m for m in RepaymentMethod}
_ROUNDINGS = {r.value: r for r in Rounding}
# The hot path. A portfolio repeats a few rates, terms and disbursement dates, so a
# cell seen before (and valid) is one dict lookup; the full check runs on a miss.
# Bounded: past the limit, new cells are checked every time and not remembered.
_REMEMBER_LIMIT = 10_000
_MONTHS_BY_TEXT = {str(months): months for months in range(1, MAX_TERM_MONTHS + 1)}
_DATE_BY_TEXT: dict[str, date] = {}
_RATE_BY_TEXT: dict[str, Decimal] = {}


# --- cells: each check takes stripped text, returns its value, or notes a finding and
# returns None, so a row reports every bad cell. Straight-line code, not a table of
# parsers: a million-row file spends its time here.


def check_loan_cells(cells: Sequence[str], line: int) -> tuple[LoanRecord | None, list[Finding]]:
    """Turn the stripped cells of one loans row, in ``LOAN_COLUMNS`` order, into a record."""
    (
        loan_id,
        borrower_id,
        currency,
        principal,
        annual_rate,
        term_months,
        start_date,
        method,
        rounding,
        first_due_date,
        product,
        borrower_name,
        phone,
        email,
        timezone,
        language,
        address,
    ) = cells
    bad: list[Finding] = []
    if not loan_id:
        _required(bad, line, "loan_id")
    if not borrower_id:
        _required(bad, line, "borrower_id")
    # `known or check(...)`: a miss (or a falsy value such as a 0 % rate) runs the full
    # check, which returns the value or notes the finding.
    known_currency = currency if currency in CURRENCY_EXPONENTS else _currency(currency, line, bad)
    principal_minor = _principal(principal, known_currency, line, bad)
    rate = _RATE_BY_TEXT.get(annual_rate) or _rate_percent(annual_rate, line, bad)
    months = _MONTHS_BY_TEXT.get(term_months) or _term_months(term_months, line, bad)
    start = _DATE_BY_TEXT.get(start_date) or _date(start_date, "start_date", line, bad)
    repayment = _METHODS.get(method) or _choice(method, _METHODS, "repayment_method", line, bad)
    policy = _ROUNDINGS.get(rounding) or _choice(rounding, _ROUNDINGS, "rounding", line, bad)
    first_due = (
        _DATE_BY_TEXT.get(first_due_date) or _date(first_due_date, "first_due_date", line, bad)
        if first_due_date
        else None
    )
    if first_due and start and first_due <= start:
        message = f"must be after start_date {start}, got {first_due}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "first_due_date"))
    if timezone and not _is_zone(timezone):
        message = f"unknown time zone {timezone!r} (write an IANA name like Asia/Shanghai)"
        bad.append(Finding(FindingCode.BAD_CHOICE, message, line, "timezone"))
    if language and language not in LANGUAGES:
        message = f"{language!r} is not one of: {', '.join(sorted(LANGUAGES))}"
        bad.append(Finding(FindingCode.BAD_CHOICE, message, line, "language"))
    address_lines = _address(address, line, bad) if address else None
    # Every None below comes with a finding; the test narrows the types as well.
    if (
        bad
        or principal_minor is None
        or rate is None
        or months is None
        or start is None
        or repayment is None
        or policy is None
    ):
        return None, bad
    record = LoanRecord(
        loan_id,
        borrower_id,
        currency,
        principal_minor,
        rate,
        months,
        start,
        repayment,
        policy,
        first_due,
        product or "default",
        borrower_name or None,
        phone or None,
        email or None,
        timezone or None,
        language or None,
        address_lines,
    )
    return record, bad


def check_payment_cells(
    cells: Sequence[str], line: int
) -> tuple[PaymentRecord | None, list[Finding]]:
    """Turn the stripped cells of one payments row, in ``PAYMENT_COLUMNS`` order, into a record."""
    payment_id, loan_id, paid_on, amount, currency, channel = cells
    bad: list[Finding] = []
    if not payment_id:
        _required(bad, line, "payment_id")
    if not loan_id:
        _required(bad, line, "loan_id")
    paid = _DATE_BY_TEXT.get(paid_on) or _date(paid_on, "paid_on", line, bad)
    value = _payment_amount(amount, line, bad)
    if currency and currency not in CURRENCY_EXPONENTS:
        _currency(currency, line, bad)
    if bad or paid is None or value is None:
        return None, bad
    record = PaymentRecord(payment_id, loan_id, paid, value, currency or None, channel or None)
    return record, bad


def _address(text: str, line: int, bad: list[Finding]) -> str | None:
    """The address's lines joined by "\\n": ``"1234 Maple Ave | Springfield, IL 62704"``
    becomes ``"1234 Maple Ave\\nSpringfield, IL 62704"``; empty lines are dropped."""
    if len(text) > MAX_ADDRESS_CHARS:
        message = f"has {len(text)} characters, at most {MAX_ADDRESS_CHARS} are allowed"
        bad.append(Finding(FindingCode.BAD_TEXT, message, line, "address"))
        return None
    control = _CONTROL.search(text)
    if control:
        message = (
            f"holds a control character or line break ({control.group()!r});"
            f" separate the lines of an address with ' {ADDRESS_LINE_SEPARATOR} '"
        )
        bad.append(Finding(FindingCode.BAD_TEXT, message, line, "address"))
        return None
    parts = (part.strip() for part in text.split(ADDRESS_LINE_SEPARATOR))
    return "\n".join(part for part in parts if part) or None


def _required(bad: list[Finding], line: int, column: str) -> None:
    bad.append(Finding(FindingCode.REQUIRED, "a value is required", line, column))


def _split_decimal(text: str) -> tuple[bool, str] | None:
    """``(negative, fraction digits)`` of a plain decimal like ``-12.50``, else None.

    Stricter than ``Decimal()``, which also takes ``1e3``, ``1_000``, ``NaN`` and
    non-ASCII digits: an import file must say exactly one thing.
    """
    negative = text[:1] == "-"
    whole, dot, fraction = (text[1:] if negative else text).partition(".")
    if text.isascii() and whole.isdigit() and (not dot or fraction.isdigit()):
        return negative, fraction
    return None


def _is_amount(
    text: str, max_decimals: int | None, unit: str, column: str, line: int, bad: list[Finding]
) -> bool:
    """Is ``text`` a positive amount with at most ``max_decimals`` decimals (None: any)?

    Checked on the text alone; the caller makes the one exact conversion it needs.
    """
    if not text:
        _required(bad, line, column)
        return False
    parts = _split_decimal(text)
    if parts is None:
        message = f"not an amount: {text!r} (write digits and a point, like 28000.00)"
        bad.append(Finding(FindingCode.BAD_AMOUNT, message, line, column))
        return False
    negative, fraction = parts
    if max_decimals is not None and len(fraction) > max_decimals:
        message = f"{text!r} has {len(fraction)} decimals, {unit} allows at most {max_decimals}"
        bad.append(Finding(FindingCode.BAD_AMOUNT, message, line, column))
        return False
    if negative or not text.strip("0."):
        message = f"must be more than 0, got {text}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, column))
        return False
    return True


def _principal(text: str, currency: str | None, line: int, bad: list[Finding]) -> int | None:
    # Decimals count as written: "500000.00" JPY is refused rather than read as 500000,
    # so a file exported in another currency's format is caught, not guessed at.
    whole, dot, fraction = text.partition(".")
    plain = text.isascii() and whole.isdigit() and (fraction.isdigit() or not dot)
    if currency and plain and len(fraction) <= CURRENCY_EXPONENTS[currency]:
        minor = parse_major(text, currency)
        if 0 < minor <= _MAX_MINOR:
            return minor
    # Something is off; the full check says what. With an unknown currency only the
    # form and the sign can be checked.
    exponent = CURRENCY_EXPONENTS[currency] if currency else None
    if _is_amount(text, exponent, currency or "", "principal", line, bad) and currency:
        message = f"{text} {currency} is too large"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "principal"))
    return None


def _payment_amount(text: str, line: int, bad: list[Finding]) -> Decimal | None:
    unit = "a payment amount"
    if not _is_amount(text, PAYMENT_MAX_DECIMALS, unit, "amount", line, bad):
        return None
    value = Decimal(text)
    if value.scaleb(PAYMENT_MAX_DECIMALS) > _MAX_MINOR:
        bad.append(Finding(FindingCode.OUT_OF_RANGE, f"{text} is too large", line, "amount"))
        return None
    return value


def _rate_percent(text: str, line: int, bad: list[Finding]) -> Decimal | None:
    if not text:
        _required(bad, line, "annual_rate")
        return None
    parts = _split_decimal(text)
    if parts is None:
        message = f"not a rate: {text!r} (write the yearly percent as a number: 14.07 for 14.07%)"
        bad.append(Finding(FindingCode.BAD_NUMBER, message, line, "annual_rate"))
        return None
    value = Decimal(text)
    if parts[0] or value > MAX_RATE_PERCENT:  # parts[0]: a minus sign, even on "-0"
        message = f"must be from 0 to 100 (percent), got {text}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "annual_rate"))
        return None
    return _remember(_RATE_BY_TEXT, text, value)


def _remember(known: dict[str, T], text: str, value: T) -> T:
    if len(known) < _REMEMBER_LIMIT:
        known[text] = value
    return value


def _term_months(text: str, line: int, bad: list[Finding]) -> int | None:
    if not text:
        _required(bad, line, "term_months")
        return None
    parts = _split_decimal(text)
    if parts is None or "." in text:
        message = f"not a whole number of months: {text!r}"
        bad.append(Finding(FindingCode.BAD_NUMBER, message, line, "term_months"))
        return None
    months = int(text)
    if not 1 <= months <= MAX_TERM_MONTHS:
        message = f"must be from 1 to {MAX_TERM_MONTHS}, got {months}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "term_months"))
        return None
    return months


def _date(text: str, column: str, line: int, bad: list[Finding]) -> date | None:
    if not text:
        _required(bad, line, column)
        return None
    # date.fromisoformat also takes 20260105 and 2026-W02-1 (3.11); insist on YYYY-MM-DD.
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return _remember(_DATE_BY_TEXT, text, date.fromisoformat(text))
        except ValueError:
            if text.replace("-", "").isdigit():  # the form is right: 2026-02-30, 2026-13-01
                message = f"no such date: {text!r}"
                bad.append(Finding(FindingCode.BAD_DATE, message, line, column))
                return None
    message = f"not a date: {text!r} (write YYYY-MM-DD)"
    bad.append(Finding(FindingCode.BAD_DATE, message, line, column))
    return None


def _currency(text: str, line: int, bad: list[Finding]) -> str | None:
    if text in CURRENCY_EXPONENTS:
        return text
    if not text:
        _required(bad, line, "currency")
        return None
    message = f"unknown currency {text!r} (known: {', '.join(sorted(CURRENCY_EXPONENTS))})"
    bad.append(Finding(FindingCode.BAD_CURRENCY, message, line, "currency"))
    return None


def _choice(
    text: str, choices: dict[str, T], column: str, line: int, bad: list[Finding]
) -> T | None:
    choice = choices.get(text)
    if choice is not None:
        return choice
    if not text:
        _required(bad, line, column)
        return None
    message = f"{text!r} is not one of: {', '.join(choices)}"
    bad.append(Finding(FindingCode.BAD_CHOICE, message, line, column))
    return None


@lru_cache(maxsize=1024)
def _is_zone(name: str) -> bool:
    if name == "localtime":  # a link to the host's zone on some systems, not an IANA name
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
