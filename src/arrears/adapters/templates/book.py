"""The message templates: Jinja2 files loaded and checked once, rendered per message.

Layout (package data ``arrears/templates``, or any folder given as ``root``)::

    sms/<name>.<language>.txt              one SMS
    email/<name>.<language>.subject.txt    an e-mail's subject,
    email/<name>.<language>.txt            its plain text,
    email/<name>.<language>.html           and its HTML (autoescaped)
    <channel>/_<anything>                  a partial (a layout to extend, a block to include)

Every template exists in zh-CN and en. ``TemplateBook.load`` checks all of them before
anything is sent (``checks``) and raises one error listing every problem. Rendering uses
``StrictUndefined`` (an unknown name fails loudly, never prints as empty), formats money
and dates by the template's language (``formats``), and appends the opt-out sentence the
policy packs require; for an SMS it reports the final text's encoding and segments.

How whitespace becomes text: an SMS's lines are stripped and joined (with a space between
two Latin characters, with nothing next to Chinese), so a template may be written over
several lines; an e-mail's text keeps its lines (trailing spaces and runs of blank lines
removed); a subject is one line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markupsafe import escape

from arrears.adapters.templates.formats import format_day, format_money
from arrears.domain.message_text import (
    LANGUAGES,
    MessageContext,
    RenderedMessage,
    Sender,
    choose_language,
)
from arrears.domain.sms_text import DEFAULT_MAX_SEGMENTS, sms_shape
from arrears.services.message_texts import InvalidTemplates, RenderFailed, UnknownTemplate

CHANNELS = ("sms", "email")
PARTS = {"sms": ("txt",), "email": ("subject.txt", "txt", "html")}
FILE_NAME = re.compile(
    r"(?P<channel>[a-z]+)/(?P<name>[a-z][a-z0-9_]*)\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)"
    r"\.(?P<part>subject\.txt|txt|html)"
)


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """One template file's place in the layout."""

    path: str  # e.g. "email/due_reminder.en.html"
    channel: str
    name: str
    language: str
    part: str


def parse_file_name(path: str) -> TemplateFile | None:
    """The layout position of a file, or None when the name does not fit it.

    >>> parse_file_name("email/due_reminder.zh-CN.subject.txt")
    TemplateFile(path='email/due_reminder.zh-CN.subject.txt', channel='email', name='due_reminder', language='zh-CN', part='subject.txt')
    >>> parse_file_name("sms/due reminder.txt") is None
    True
    """
    match = FILE_NAME.fullmatch(path)
    if (
        match is None
        or match["channel"] not in CHANNELS
        or match["part"] not in PARTS[match["channel"]]
    ):
        return None
    return TemplateFile(path, match["channel"], match["name"], match["language"], match["part"])


def is_partial(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith("_")


class TemplateBook:
    """All message templates, checked; ``render`` is what the dispatcher calls."""

    def __init__(self, loader: BaseLoader, source: str, max_segments: int = DEFAULT_MAX_SEGMENTS):
        self.loader = loader
        self.source = source  # where the templates were read from, for messages
        self.max_segments = max_segments
        self._environments: dict[str, Environment] = {}
        self.files: dict[tuple[str, str, str, str], str] = {}  # (channel, name, lang, part)
        for path in loader.list_templates():
            parsed = parse_file_name(path)
            if parsed is not None:
                key = (parsed.channel, parsed.name, parsed.language, parsed.part)
                self.files[key] = path
        self._complete: dict[tuple[str, str], set[str]] = {}  # languages with every part
        for channel, name, language, _ in self.files:
            if all((channel, name, language, part) in self.files for part in PARTS[channel]):
                self._complete.setdefault((channel, name), set()).add(language)

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        root: str | Path | None = None,
        *,
        max_segments: int = DEFAULT_MAX_SEGMENTS,
        sender: Sender | None = None,
        optouts: Mapping[str, str] | None = None,
    ) -> TemplateBook:
        """Load and check every template; raises ``InvalidTemplates`` listing every problem.

        ``root``: a folder in the layout (default: the templates shipped in the package).
        ``max_segments``: the most segments an SMS may take with the sample contexts.
        ``sender`` (the lender's names, phone, portal) and ``optouts`` (language → the
        longest opt-out sentence a message may get) set what the check renders with;
        defaults: ``checks.SAMPLE_SENDER`` and the shipped packs' longest sentences.
        """
        from arrears.adapters.templates.checks import check_book

        book = cls.open(root, max_segments=max_segments)
        findings = check_book(book, sender, optouts)
        if findings:
            raise InvalidTemplates(findings, f"the message templates in {book.source}")
        return book

    @classmethod
    def open(
        cls, root: str | Path | None = None, *, max_segments: int = DEFAULT_MAX_SEGMENTS
    ) -> TemplateBook:
        """The templates without the load check (``checks.check_book`` runs it)."""
        if root is None:
            return cls(PackageLoader("arrears", "templates"), "arrears/templates", max_segments)
        return cls(FileSystemLoader(str(root)), str(root), max_segments)

    def environment(self, language: str) -> Environment:
        """The Jinja2 environment of one language: its filters format for it."""
        found = self._environments.get(language)
        if found is None:
            found = Environment(
                loader=self.loader,
                undefined=StrictUndefined,
                autoescape=select_autoescape(["html"], default_for_string=False, default=False),
                trim_blocks=True,
                lstrip_blocks=True,
                auto_reload=False,
            )
            found.filters["money"] = lambda value: format_money(value, language)
            found.filters["date"] = lambda value, style=None: format_day(value, language, style)
            self._environments[language] = found
        return found

    # -- what the book holds -------------------------------------------------------------
    def names(self) -> set[tuple[str, str]]:
        """(channel, name) of every template with at least one language."""
        return {(channel, name) for channel, name, _, _ in self.files}

    def languages(self, channel: str, name: str) -> set[str]:
        """The languages in which the template has every part."""
        return set(self._complete.get((channel, name), ()))

    def has(self, channel: str, name: str) -> bool:
        return bool(self.languages(channel, name))

    # -- rendering ----------------------------------------------------------------------------
    def render(
        self,
        channel: str,
        name: str,
        language: str | None,
        context: MessageContext,
        optout: str | None = None,
    ) -> RenderedMessage:
        """The message in ``language`` (None or one without this template: the context's,
        else the first shipped language), with ``optout`` appended."""
        available = self._complete.get((channel, name), set())
        if not available:
            raise UnknownTemplate(f"no {channel} template {name!r} in {self.source}")
        chosen = choose_language(language, context.language)
        if chosen not in available:
            fallbacks = (context.language, *LANGUAGES, *sorted(available))
            chosen = next(lang for lang in fallbacks if lang in available)
        variables = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
        if channel == "sms":
            text = sms_text(self._part(channel, name, chosen, "txt", variables))
            text = join_sms(text, optout) if optout and optout not in text else text
            shape = sms_shape(text)
            return RenderedMessage(None, text, None, shape.encoding, shape.segments, chosen)
        subject = " ".join(self._part(channel, name, chosen, "subject.txt", variables).split())
        text = email_text(self._part(channel, name, chosen, "txt", variables))
        html = self._part(channel, name, chosen, "html", variables).strip()
        if optout and optout not in text:
            text = f"{text}\n\n{optout}"
            html = with_html_sentence(html, optout)
        return RenderedMessage(subject, text, html, None, None, chosen)

    def _part(
        self, channel: str, name: str, language: str, part: str, variables: dict[str, Any]
    ) -> str:
        path = self.files[(channel, name, language, part)]
        try:
            return self.environment(language).get_template(path).render(variables)
        except (TemplateError, TypeError, ValueError, AttributeError) as error:
            raise RenderFailed(str(error), path, line_of(error, path)) from error


def line_of(error: BaseException, path: str) -> int | None:
    """The template line an error was raised at (Jinja2 rewrites its tracebacks so that
    template frames carry the file name and line)."""
    line = getattr(error, "lineno", None)
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.endswith(path):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line if isinstance(line, int) else None


def _latin(char: str) -> bool:
    return char.isascii() and not char.isspace()


_NO_SPACE_BEFORE = frozenset(".,;:!?)]}")


def _joined(left: str, right: str) -> str:
    if not left or not right:
        return left or right
    spaced = _latin(left[-1]) and _latin(right[0]) and right[0] not in _NO_SPACE_BEFORE
    return f"{left}{' ' if spaced else ''}{right}"


def sms_text(rendered: str) -> str:
    """An SMS template's lines as one text.

    >>> sms_text("Hi Ann,\\n  your payment is due.\\n")
    'Hi Ann, your payment is due.'
    >>> sms_text("【示例】王芳您好，\\n您的还款今日到期。")
    '【示例】王芳您好，您的还款今日到期。'
    """
    text = ""
    for line in rendered.splitlines():
        text = _joined(text, line.strip())
    return text


def join_sms(text: str, sentence: str) -> str:
    """The text and the opt-out sentence: a space after a Latin ending (a URL must not run
    into the sentence), none after Chinese punctuation.

    >>> join_sms("还款：https://pay.example", "回复TD退订"), join_sms("请按时还款。", "回复TD退订")
    ('还款：https://pay.example 回复TD退订', '请按时还款。回复TD退订')
    """
    sentence = sentence.strip()
    if text and _latin(text[-1]):
        return f"{text} {sentence}"
    return _joined(text, sentence)


_BLANK_RUNS = re.compile(r"\n{3,}")


def email_text(rendered: str) -> str:
    """An e-mail's plain text: lines kept, trailing spaces and extra blank lines removed."""
    lines = "\n".join(line.rstrip() for line in rendered.splitlines())
    return _BLANK_RUNS.sub("\n\n", lines).strip()


_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def with_html_sentence(html: str, sentence: str) -> str:
    """The HTML with a paragraph holding ``sentence`` (escaped) before ``</body>``.

    >>> with_html_sentence("<html><body><p>Hi</p></body></html>", "Reply STOP <now>")
    '<html><body><p>Hi</p><p class="optout">Reply STOP &lt;now&gt;</p></body></html>'
    """
    paragraph = f'<p class="optout">{escape(sentence)}</p>'
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return f"{html}\n{paragraph}"
    cut = ends[-1].start()
    return f"{html[:cut]}{paragraph}{html[cut:]}"
