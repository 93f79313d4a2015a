"""Money and dates as a borrower reads them, by locale (Babel): the templates' filters.

``Money`` is whole minor units; it becomes a ``Decimal`` of major units exactly
(``Money.major`` shifts the decimal point, no float, no rounding), and Babel prints it
with the locale's symbol, grouping and the currency's own number of decimals.

>>> from datetime import date
>>> from arrears.domain.money import Money
>>> format_money(Money(123450, "CNY"), "zh-CN"), format_money(Money(123450, "USD"), "en")
('¥1,234.50', '$1,234.50')
>>> format_day(date(2026, 3, 5), "zh-CN"), format_day(date(2026, 3, 5), "en")
('2026年3月5日', 'Mar 5, 2026')
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

from arrears.domain.money import Money

# The date style per language: Chinese writes 2026年3月5日 (Babel's "long"); English
# "Mar 5, 2026" (Babel's "medium"); other languages their "medium".
DATE_STYLES = {"zh": "long", "en": "medium"}


@cache
def locale_of(language: str) -> Locale:
    """Babel's locale for a template language tag (``zh-CN`` → ``zh_Hans_CN``)."""
    return Locale.parse(language.replace("-", "_"))


def format_money(value: Money, language: str) -> str:
    """An amount with its currency, as the language writes it."""
    if not isinstance(value, Money):
        raise TypeError(f"the money filter takes Money, not {type(value).__name__}")
    return _money_text(value.minor, value.currency, language)


@lru_cache(maxsize=65_536)  # a page shows the same amounts again and again (instalments)
def _money_text(minor: int, currency: str, language: str) -> str:
    return format_currency(Money(minor, currency).major, currency, locale=locale_of(language))


def format_day(value: date, language: str, style: str | None = None) -> str:
    """A date as the language writes it; ``style`` (short, medium, long, full or a Babel
    pattern) overrides the language's usual one."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"the date filter takes a date, not {type(value).__name__}")
    chosen = style or DATE_STYLES.get(language.split("-")[0], "medium")
    return format_date(value, chosen, locale=locale_of(language))
