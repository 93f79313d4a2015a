"""Every page speaks both languages: the catalogs hold the same keys, and every key a
template asks for is in them."""

from __future__ import annotations

import re
from pathlib import Path

from arrears.entrypoints.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
# a whole key in quotes; a prefix joined to a value ('role.' ~ user.role) is not one
LITERAL_KEY = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]*[a-z0-9])['"]""")


def test_english_and_chinese_have_the_same_keys() -> None:
    english, chinese = i18n.catalog("en"), i18n.catalog("zh-CN")
    assert sorted(english.keys() - chinese.keys()) == []
    assert sorted(chinese.keys() - english.keys()) == []


def test_every_key_a_template_names_is_in_the_catalogs() -> None:
    used = {
        key
        for path in TEMPLATES.rglob("*.html")
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "no template names a key: the pattern is wrong"
    assert sorted(used - i18n.catalog("en").keys()) == []


def test_the_chinese_words_are_chinese() -> None:
    chinese = i18n.catalog("zh-CN")
    untranslated = [
        key for key, text in chinese.items()
        if text == i18n.catalog("en")[key] and re.search("[A-Za-z]{4,}", text)
    ]  # fmt: skip
    assert untranslated == []
