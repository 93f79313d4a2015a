"""Money and dates as a letter's reader expects them, by the letter's language (Babel).

Amounts go to Babel as an exact ``Decimal`` built from whole minor units, never a float,
and Babel is told not to round (``decimal_quantization=False``): what the ledger holds is
what the letter prints.

>>> from datetime import date
>>> zh, en = Formats("zh-CN"), Formats("en")
>>> zh.money(Money(123450, "CNY")), en.money(Money(123450, "USD"))
('¥1,234.50', '$1,234.50')
>>> zh.date(date(2026, 3, 5)), en.date(date(2026, 3, 5))
('2026年3月5日', 'Mar 5, 2026')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date

from babel.dates import format_date
from babel.numbers import format_currency

from arrears.domain.money import Money

# Borrower languages → Babel locales; "en" letters read as American English (Reg F's).
LOCALES = {"zh-CN": "zh_CN", "en": "en_US"}
# Long dates in Chinese (2026年3月5日), medium ones in English (Mar 5, 2026).
DATE_FORMATS = {"zh-CN": "long", "en": "medium"}


@dataclass(frozen=True, slots=True)
class Formats:
    language: str

    def __post_init__(self) -> None:
        if self.language not in LOCALES:
            raise ValueError(f"no letters in {self.language!r}; known: {', '.join(LOCALES)}")

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    def money(self, amount: Money) -> str:
        """The amount with its currency sign, grouped, every minor digit shown.

        >>> Formats("en").money(Money(-5, "CNY")), Formats("zh-CN").money(Money(7, "JPY"))
        ('-CN¥0.05', 'JP¥7')
        """
        return format_currency(
            amount.major, amount.currency, locale=self.locale, decimal_quantization=False
        )

    def date(self, day: Date) -> str:
        return format_date(day, DATE_FORMATS[self.language], locale=self.locale)
