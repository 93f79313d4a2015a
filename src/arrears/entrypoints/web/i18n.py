"""The words of the pages in each language (``i18n/*.toml``), the language a request is
served in, and money and dates as that language writes them.

The language is, in order: ``?lang=`` (remembered in a cookie), the signed-in user's
own, the cookie, the browser's Accept-Language, English.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime

from arrears.adapters.templates.formats import format_day, format_money, locale_of
from arrears.domain.money import Money

LANGUAGES = ("en", "zh-CN")
LANGUAGE_NAMES = {"en": "English", "zh-CN": "中文"}
CATALOGS = Path(__file__).parent / "i18n"


@cache
def catalog(language: str) -> dict[str, str]:
    """Every file of ``i18n/<language>/`` in one flat table (``desk.next_account``); a key
    in two files is a mistake."""
    merged: dict[str, str] = {}
    for path in sorted((CATALOGS / language).glob("*.toml")):
        with path.open("rb") as file:
            texts = _flatten(tomllib.load(file))
        if clash := merged.keys() & texts.keys():
            raise ValueError(f"{path}: keys already defined elsewhere: {sorted(clash)}")
        merged.update(texts)
    return merged


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def supported(language: str | None) -> str | None:
    """The supported language a tag asks for (``zh``, ``zh-Hans-CN`` → ``zh-CN``)."""
    if not language:
        return None
    tag = language.strip().lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header, by its q-values.

    >>> from_accept_language("fr;q=0.9, zh-CN,zh;q=0.8, en;q=0.5")
    'zh-CN'
    """
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, position, tag))
    for _, _, tag in sorted(ranked):
        if found := supported(tag):
            return found
    return None


class Words:
    """``t("portal.owed", amount=...)`` in templates: the catalog's text, filled in; a
    missing key shows itself in brackets rather than failing the page."""

    def __init__(self, language: str):
        self.language = language
        self._texts = catalog(language)

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts.get(key)
        if text is None:
            return f"[{key}]"
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._texts

    def say(self, message: object) -> str:
        """A coded message (a ``domain.reasons.Reason``, or an error with a ``code``) in
        this language: ``messages.<code>`` filled with its parameters (money and days as
        this language writes them, nested reasons said too). Without a code or an entry
        for it, the English text the message carries."""
        code = getattr(message, "code", None)
        text = self._texts.get(f"messages.{code}") if code else None
        if text is None:
            return str(message)
        params = getattr(message, "params", None) or {}
        try:
            return text.format(**{name: self._said(v) for name, v in params.items()})
        except (KeyError, IndexError, ValueError):
            return str(message)

    def _said(self, value: object) -> str:
        if isinstance(value, Money):
            return self.money(value.minor, value.currency)
        if isinstance(value, date) and not isinstance(value, datetime):
            return self.day(value)
        if isinstance(value, list | tuple):
            return self._texts.get("messages.separator", "; ").join(self.say(v) for v in value)
        return self.say(value)

    def money(self, minor: int | None, currency: str) -> str:
        return "—" if minor is None else format_money(Money(minor, currency), self.language)

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_day(value, self.language)

    def moment(self, value: datetime | None, zone: Any = None) -> str:
        if value is None:
            return "—"
        return format_datetime(value, "short", tzinfo=zone, locale=locale_of(self.language))
