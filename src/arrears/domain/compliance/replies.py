"""Reading a person's free-text reply for an opt-out: "STOP", "please quit texting me",
退订, TD, "不要再打给我". A pure parser whose word lists are a pack's parameters
(``OptOutWords``); results are cached per (text, word lists), since the same replies are
read for every proposal to the person.

A reply opts out of the medium it came on ("STOP"), of a medium it names ("stop calling
me", sent by text, stops calls), or of all contact ("leave me alone"). A stop word before a
medium and a time or place after it ("don't call me before noon") is not an opt-out but
a designated inconvenient time, which a person records (us.regf.designated_inconvenient).

>>> sorted(refused_channels(optout_words("please quit texting me"), Channel.SMS))
[<Channel.SMS: 'sms'>]
>>> sorted(refused_channels(optout_words("不要再打给我"), Channel.SMS))
[<Channel.CALL: 'call'>, <Channel.VOICEMAIL: 'voicemail'>]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from arrears.domain.compliance import wording
from arrears.domain.compliance.facts import Channel

# "Stop contacting me" covers every medium but the post: the notices the law requires
# (validation, that collection ends) still go by letter.
ALL_BUT_LETTERS: frozenset[Channel] = frozenset(Channel) - {Channel.LETTER}


def medium_of(channel: Channel) -> Channel:
    """A voicemail is left on a call: "stop calling" covers it."""
    return Channel.CALL if channel is Channel.VOICEMAIL else channel


class OptOutScope(StrEnum):
    """What a reply refuses: the medium it came on, a named medium, or all contact."""

    MEDIUM = "medium"
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class OptOutWords:
    """Word lists of the reply parser (a pack replaces a list by giving it)."""

    # A reply that is only one of these, bar politeness ("STOP please"), refuses its medium.
    keywords: tuple[str, ...] = (
        "stop", "stop all", "stopall", "end", "quit", "cancel", "unsubscribe", "revoke",
        "opt out", "optout", "opt-out", "remove", "td", "t", "退订",
    )  # fmt: skip
    politeness: tuple[str, ...] = ("please", "pls", "plz", "it", "now", "thanks", "thank", "you")
    # Anywhere in a reply: refuses the medium it came on / calls / all contact.
    medium_phrases: tuple[str, ...] = (
        "unsubscribe", "opt out", "opt-out", "optout", "退订", "不要再发", "别再发", "取消订阅",
    )  # fmt: skip
    call_phrases: tuple[str, ...] = (
        "不要再打", "别再打", "不要打电话", "别打电话", "不要给我打电话", "别给我打电话",
    )  # fmt: skip
    contact_phrases: tuple[str, ...] = (
        "leave me alone", "不要再联系", "别再联系", "不要联系我", "别联系我", "不要骚扰", "别骚扰",
    )  # fmt: skip
    # "<stop word> [fillers] <medium word>…": "please quit texting me", "don't call me".
    stop_words: tuple[str, ...] = (
        "stop", "quit", "cease", "end", "don't", "dont", "do not", "never", "no more",
    )  # fmt: skip
    fillers: tuple[str, ...] = (
        "me", "us", "ever", "again", "sending", "making", "with", "the", "these", "those",
        "your", "any", "all", "more", "please", "to", "you", "and", "or", "&", ",",
    )  # fmt: skip
    call_words: tuple[str, ...] = (
        "call", "calls", "calling", "phone", "phoning", "ring", "ringing", "voicemail",
        "voicemails",
    )  # fmt: skip
    sms_words: tuple[str, ...] = (
        "text", "texts", "texting", "txt", "txts", "sms", "message", "messages", "messaging",
    )  # fmt: skip
    email_words: tuple[str, ...] = ("email", "emails", "emailing", "e-mail", "e-mails")
    contact_words: tuple[str, ...] = (
        "contact", "contacting", "bother", "bothering", "harass", "harassing",
    )  # fmt: skip
    # A medium word followed by one of these names a time or place, not an opt-out
    # ("don't call me before noon"): that is a designated inconvenient time, recorded by
    # a person (us.regf.designated_inconvenient), not a refusal of the medium.
    limiters: tuple[str, ...] = ("at", "before", "after", "until", "till", "during", "between")


OPTOUT_WORDS = OptOutWords()
_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[,&]")


@dataclass(frozen=True, slots=True)
class _Grammar:
    stops: tuple[tuple[str, ...], ...]
    media: dict[str, OptOutScope]
    fillers: frozenset[str]
    limiters: frozenset[str]
    keywords: frozenset[str]
    politeness: frozenset[str]


@lru_cache(maxsize=32)
def _grammar(words: OptOutWords) -> _Grammar:
    media: dict[str, OptOutScope] = {}
    for scope, listed in (
        (OptOutScope.ALL, words.contact_words),
        (OptOutScope.EMAIL, words.email_words),
        (OptOutScope.SMS, words.sms_words),
        (OptOutScope.CALL, words.call_words),
    ):
        media.update({w.casefold(): scope for w in listed})
    stops = tuple(sorted((tuple(s.casefold().split()) for s in words.stop_words), key=len))
    return _Grammar(
        stops[::-1],  # longest first: "do not" before "do"
        media,
        frozenset(w.casefold() for w in words.fillers),
        frozenset(w.casefold() for w in words.limiters),
        frozenset(_plain(w) for w in words.keywords),
        frozenset(w.casefold() for w in words.politeness) | {",", "&"},
    )


def _plain(text: str) -> str:
    return wording.normalized(text).casefold().replace("\u2019", "'")


def _named_media(tokens: list[str], grammar: _Grammar) -> set[OptOutScope]:
    """Media named after a stop word: "stop calling and texting me" → calls and texts."""
    scopes: set[OptOutScope] = set()
    i = 0
    while i < len(tokens):
        stop = next((s for s in grammar.stops if tuple(tokens[i : i + len(s)]) == s), None)
        if stop is None:
            i += 1
            continue
        j, named = i + len(stop), set()
        while j < len(tokens) and (tokens[j] in grammar.media or tokens[j] in grammar.fillers):
            if tokens[j] in grammar.media:
                named.add(grammar.media[tokens[j]])
            j += 1
        if named and not (j < len(tokens) and tokens[j] in grammar.limiters):
            scopes |= named
        i = max(j, i + 1)
    return scopes


@lru_cache(maxsize=4096)
def optout_words(text: str, words: OptOutWords = OPTOUT_WORDS) -> frozenset[OptOutScope] | None:
    """What a free-text reply opts out of, or None when it is not an opt-out.

    >>> sorted(optout_words("STOP"))
    [<OptOutScope.MEDIUM: 'medium'>]
    >>> sorted(optout_words("please quit texting me"))
    [<OptOutScope.SMS: 'sms'>]
    >>> sorted(optout_words("Stop calling and texting me!"))
    [<OptOutScope.CALL: 'call'>, <OptOutScope.SMS: 'sms'>]
    >>> sorted(optout_words("不要再打给我"))
    [<OptOutScope.CALL: 'call'>]
    >>> optout_words("I'll pay at the end of the month") is None
    True
    >>> optout_words("don't call me before noon") is None
    True
    """
    plain = _plain(text)
    tokens = _TOKEN.findall(plain)
    grammar = _grammar(words)
    scopes = _named_media(tokens, grammar)
    bare = " ".join(t for t in tokens if t not in grammar.politeness)
    if bare in grammar.keywords or plain.strip(" .!?。！？") in grammar.keywords:
        scopes.add(OptOutScope.MEDIUM)
    for scope, phrases in (
        (OptOutScope.MEDIUM, words.medium_phrases),
        (OptOutScope.CALL, words.call_phrases),
        (OptOutScope.ALL, words.contact_phrases),
    ):
        if wording.first_match(plain, phrases) is not None:
            scopes.add(scope)
    return frozenset(scopes) or None


def refused_channels(scopes: frozenset[OptOutScope], arrived_on: Channel) -> frozenset[Channel]:
    """The channels a reply that came on ``arrived_on`` refuses."""
    if OptOutScope.ALL in scopes:
        return ALL_BUT_LETTERS
    media = {Channel(s.value) for s in scopes if s is not OptOutScope.MEDIUM}
    if OptOutScope.MEDIUM in scopes:
        media.add(medium_of(arrived_on))
    if Channel.CALL in media:
        media.add(Channel.VOICEMAIL)
    return frozenset(media)
