"""Finding words in a message: the default word lists of the content checks and one
cached matcher for them.

A pack lists words (matched case-insensitively, as whole words where they start or end
with a Latin letter or digit, so ``sue`` does not match ``issue`` while ``欠款`` matches
inside ``您的欠款``) and regular expressions (money amounts, days overdue). A list is
compiled once per distinct tuple and cached: the cycle's batch path decides tens of
thousands of proposals a second. Texts are NFKC-normalised first, so full-width
``ＳＴＯＰ`` and ``￥`` count like ``STOP`` and ``¥``.

>>> first_match("Reply ＳＴＯＰ to end", ("reply stop",))
'reply stop'
>>> first_match("a tissue issue", ("sue",)) is None
True
>>> first_match("您已逾期 12 天，欠款 ¥1,234.50", (), AMOUNT_PATTERNS)
'¥1,234.50'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Money as a script may write it: a symbol or code before the figure, or a unit after.
AMOUNT_PATTERNS: tuple[str, ...] = (
    r"[$¥£€]\s*\d[\d,]*(?:\.\d+)?",
    r"\b(?:usd|us\$|hk\$|rmb|cny|gbp|eur)\s*\d[\d,]*(?:\.\d+)?",
    r"人民币\s*\d[\d,，]*(?:\.\d+)?",
    r"\d[\d,，]*(?:\.\d+)?\s*(?:元|块钱|块|万元|万)",
    r"\b\d[\d,]*(?:\.\d+)?\s*(?:yuan|rmb|cny|usd|dollars?|bucks|pounds?|quid|gbp|eur|euros?)\b",
)

# Days overdue written as a count ("30 days late", "已经 30 天没还"); "overdue" and 逾期
# themselves are debt words.
OVERDUE_PATTERNS: tuple[str, ...] = (
    r"\b\d+\s*days?\s+(?:late|behind|overdue|past\s+due)",
    r"\d+\s*天\s*(?:没还|未还|未付)",
)

# Words that tell a listener there is a debt (Reg F 1006.10, 1006.2(j); CONC 7.9.10;
# GB/T 45251—2025 and the CBA 2026 guideline on contacts). "account" is not here: a
# limited-content voicemail may say a message "relates to an account". 欠 alone (owe) is,
# since 欠我们的钱 and the like take many forms; 欠缺 (lacking) is a rare false alarm.
DEBT_WORDS: tuple[str, ...] = (
    "debt", "debts", "owe", "owes", "owed", "owing", "overdue", "past due", "late payment",
    "balance", "arrears", "collect", "collecting", "collection", "collections",
    "collector", "loan", "loans", "payment", "payments", "repay", "repayment", "delinquent",
    "delinquency", "in default", "amount due", "outstanding amount", "creditor",
    "欠", "欠款", "欠债", "欠钱", "欠费", "债务", "负债", "逾期", "还款", "还钱", "还清", "借款",
    "贷款", "网贷", "催收", "拖欠", "未还", "没还", "账单", "本金", "利息", "罚息", "违约",
)  # fmt: skip

# Opt-out elements accepted in an SMS or email (Reg F 1006.6(e); 退订 in Chinese SMS).
OPTOUT_PHRASES: tuple[str, ...] = (
    "reply stop", "text stop", "txt stop", "send stop", "opt out", "opt-out", "unsubscribe",
    "回复TD退订", "回TD退订", "回复T退订", "回T退订", "退订回T", "退订回TD", "回复退订",
    "拒收请回复R", "回复R拒收",
)  # fmt: skip

# Mini-Miranda (1692e(11), 1006.18(e)); each expression must match. Model Form B-1 says
# "We are trying to collect a debt … We will use any information you give us to help
# collect the debt", the classic wording "attempting to collect a debt and any
# information obtained will be used for that purpose".
MINI_MIRANDA_INITIAL: tuple[str, ...] = (
    r"\b(?:attempt(?:ing)?|trying)\s+to\s+collect\s+a\s+debt\b",
    r"\binformation\b[^.]{0,40}\bused\s+for\s+that\s+purpose\b"
    r"|\buse\s+any\s+information\s+you\s+give\s+us\b",
)
MINI_MIRANDA_SUBSEQUENT: tuple[str, ...] = (r"\bdebt\s+collector\b",)

# Threats, insults, violence, impersonating courts or police, fake legal documents, extra
# fees, pushing to borrow to repay, paying to personal accounts (CBA 2026 guideline; NIFA
# 2018 Art. 16, 19; FDCPA 1692d–f, Reg F 1006.14, 1006.18, 1006.22).
FORBIDDEN_WORDS_EN: tuple[str, ...] = (
    "arrest", "arrested", "jail", "prison", "criminal charges", "criminal prosecution",
    "prosecute", "warrant", "call the police", "report you to the police", "police will",
    "this is the police", "sheriff", "summons", "subpoena", "court officer",
    "officer of the court", "hurt you", "kill you", "beat you", "break your",
    "we know where you live", "your family will suffer", "tell your employer",
    "tell your neighbors", "idiot", "stupid", "moron", "loser", "liar", "deadbeat", "scum",
    "thief", "worthless", "extra fee", "processing fee", "collection fee", "handling fee",
    "borrow money to pay", "borrow to repay", "take out another loan", "take out a loan",
    "payday loan", "personal account", "my account", "my venmo", "my paypal", "my cash app",
    "my zelle",
)  # fmt: skip
FORBIDDEN_WORDS_ZH: tuple[str, ...] = (
    "逮捕", "坐牢", "拘留", "判刑", "刑拘", "通缉", "抓你", "抓人", "上门抓", "吃官司",
    "刑事责任", "打死", "弄死", "杀了你", "要你命", "打断你", "让你好看", "走着瞧",
    "后果自负", "废物", "垃圾", "骗子", "老赖", "无赖", "畜生", "不要脸", "王八蛋", "去死",
    "人渣", "爆通讯录", "曝光你", "通知你全家", "告诉你单位", "发到网上", "公安局", "派出所",
    "警察", "检察院", "法院通知", "法院传票", "传票", "法警", "立案侦查", "逮捕令", "拘捕令",
    "通缉令", "起诉书", "额外费用", "催收费", "上门费", "加收", "以贷养贷", "借新还旧",
    "借钱还", "去借", "网贷还", "套现", "撸口子", "个人账户", "私人账户", "个人账号",
    "私人账号", "个人银行卡", "私人微信", "私人支付宝", "转给我", "打到我", "我的账户",
    "我的支付宝", "我的微信",
)  # fmt: skip
FORBIDDEN_WORDS: tuple[str, ...] = FORBIDDEN_WORDS_EN + FORBIDDEN_WORDS_ZH

# Wording that threatens suit (Reg F 1006.26(b)).
SUIT_WORDS: tuple[str, ...] = (
    "sue", "sued", "suing", "lawsuit", "legal action", "legal proceedings", "file suit",
    "take you to court", "court", "judgment", "judgement", "garnish", "garnishment",
    "litigation", "起诉", "诉讼", "法院", "打官司",
)  # fmt: skip

# A Latin letter or digit next to a word means the word is part of a longer one.
_WORD_EDGE = "a-z0-9"


def normalized(text: str) -> str:
    """The text as matched: NFKC (full-width letters, digits and ¥ folded), lower case,
    runs of white space as one space.

    >>> normalized("Reply  ＳＴＯＰ\\n到 ￥12")
    'reply stop 到 ¥12'
    """
    text = text if text.isascii() else unicodedata.normalize("NFKC", text)
    return " ".join(text.lower().split())


def first_match(text: str, words: tuple[str, ...], patterns: tuple[str, ...] = ()) -> str | None:
    """One of ``words`` found in ``text`` (phrases and CJK words before single Latin
    words, longest first), else the first of ``patterns`` that matches; as matched in the
    normalised text."""
    return _matcher(words, patterns).find(text)


@lru_cache(maxsize=4096)
def missing(text: str, patterns: tuple[str, ...]) -> str | None:
    """The first of ``patterns`` (each must match) that ``text`` does not hold."""
    prepared = _prepared(text).text
    for pattern in patterns:
        if _compiled(pattern).search(prepared) is None:
            return pattern
    return None


def bad_pattern(patterns: tuple[str, ...]) -> str | None:
    """Why one of ``patterns`` is not a regular expression, for a params ``__post_init__``
    (a pack with a broken pattern must fail to load, not fail on the first message)."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            return f"{pattern!r} is not a regular expression: {error}"
    return None


_TOKEN = re.compile(f"[{_WORD_EDGE}]+")
_MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class _Prepared:
    text: str  # normalised
    tokens: frozenset[str]  # its runs of Latin letters and digits
    ascii: bool


@lru_cache(maxsize=4096)
def _prepared(text: str) -> _Prepared:
    # Several checks read the same text in one decision: prepare it once.
    text = normalized(text)
    return _Prepared(text, frozenset(_TOKEN.findall(text)), text.isascii())


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class _Matcher:
    """Made once per word list. A single Latin word is looked up in the text's token set
    (whole words by construction: ``sue`` is not in ``issue``); phrases and CJK words
    are substring tests, a Latin phrase's edges then confirmed by a regular expression;
    patterns run one by one, so the regex engine can use its literal-prefix scan. Most
    texts hold no listed word, so the common path is a set intersection and a few
    substring tests."""

    def __init__(self, words: tuple[str, ...], patterns: tuple[str, ...]) -> None:
        cleaned = sorted({normalized(w) for w in words if w.strip()}, key=len, reverse=True)
        single = [w for w in cleaned if _TOKEN.fullmatch(w)]
        self.tokens = frozenset(single)
        others = [w for w in cleaned if w not in self.tokens]
        self.latin = tuple((w, _edges(w)) for w in others if w.isascii())
        self.wide = tuple(w for w in others if not w.isascii())
        self.patterns = tuple(_compiled(p) for p in patterns)
        self._found: dict[str, str | None] = {}  # by raw text: a template repeats

    def find(self, text: str) -> str | None:
        if text in self._found:
            return self._found[text]
        if len(self._found) >= _MEMO_SIZE:
            self._found.clear()
        found = self._found[text] = self.search(_prepared(text))
        return found

    def search(self, prepared: _Prepared) -> str | None:
        text = prepared.text
        for word, edges in self.latin:
            if word in text and (edges is None or edges.search(text)):
                return word
        if not prepared.ascii:
            for word in self.wide:
                if word in text:
                    return word
        found_tokens = self.tokens & prepared.tokens
        if found_tokens:
            return max(sorted(found_tokens), key=len)
        for pattern in self.patterns:
            found = pattern.search(text)
            if found:
                return found.group(0)
        return None


@lru_cache(maxsize=256)
def _matcher(words: tuple[str, ...], patterns: tuple[str, ...]) -> _Matcher:
    return _Matcher(words, patterns)


def _edges(word: str) -> re.Pattern[str] | None:
    """The word as a whole word where it starts or ends with a Latin letter or digit
    (``sue`` must not match ``issue``); None where a substring test is enough (CJK)."""
    before = f"(?<![{_WORD_EDGE}])" if _latin(word[0]) else ""
    after = f"(?![{_WORD_EDGE}])" if _latin(word[-1]) else ""
    if not before and not after:
        return None
    return re.compile(f"{before}{re.escape(word)}{after}")


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()
