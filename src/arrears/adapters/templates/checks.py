"""The load check of the message templates: every problem of every file, found at once.

A template that would fail on the first message it renders fails here instead:

* a file name outside the layout, or Jinja2 syntax it cannot parse or compile (an unknown
  filter included) — with the file and line;
* a variable that is not a field of ``MessageContext`` — with the file and the line of
  its first use (``jinja2.meta.find_undeclared_variables`` finds it, the syntax tree
  gives the line);
* a template without both languages, or an e-mail without its subject, text or HTML;
* a failure to render with the sample contexts: a long name and long amounts with every
  optional value present and the disclosure on, and with every optional value absent, in
  renminbi and in dollars (a template that prints an optional value unguarded fails);
* an SMS that, rendered so with the longest opt-out sentence appended, takes more than
  ``max_segments`` segments.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from jinja2 import TemplateSyntaxError, meta, nodes

from arrears.adapters.policy_files import SHIPPED, parse_pack, shipped_text
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.message_text import (
    LANGUAGES,
    TEMPLATE_VARIABLES,
    MessageContext,
    Sender,
    sample_contexts,
)
from arrears.domain.sms_text import SmsShape, sms_shape
from arrears.services.message_texts import RenderFailed, optout_sentence

if TYPE_CHECKING:
    from arrears.adapters.templates.book import TemplateBook

SAMPLE_SENDER = Sender(
    "Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://portal.example-lender.com"
)
SAMPLE_CURRENCIES = ("CNY", "USD")
LAYOUT = (
    "sms/<name>.<language>.txt, or email/<name>.<language>.subject.txt, .txt and .html"
    " (a partial's name starts with _)"
)


def check_book(
    book: TemplateBook, sender: Sender | None = None, optouts: Mapping[str, str] | None = None
) -> list[Finding]:
    """Every problem of the book's templates (empty: all good)."""
    from arrears.adapters.templates.book import is_partial, parse_file_name

    findings: list[Finding] = []
    broken: set[str] = set()
    for path in sorted(book.loader.list_templates()):
        parsed = parse_file_name(path)
        if parsed is None and not is_partial(path):
            message = f"not a template name; the layout is {LAYOUT}"
            findings.append(Finding(FindingCode.TEMPLATE_SYNTAX, message, subject=path))
            continue
        found = file_findings(book, path, parsed.language if parsed else LANGUAGES[-1])
        if found:
            broken.add(path)
            findings.extend(found)
    findings.extend(completeness_findings(book))
    samples_sender = sender or SAMPLE_SENDER
    sentences = dict(optouts) if optouts is not None else shipped_optouts()
    for channel, name in sorted(book.names()):
        for language in sorted(book.languages(channel, name)):
            paths = {p for (c, n, lang, _), p in book.files.items() if (c, n, lang) == (channel, name, language)}  # fmt: skip
            if paths & broken:
                continue
            findings.extend(
                sample_findings(
                    book, channel, name, language, samples_sender, sentences.get(language)
                )
            )
    return findings


def file_findings(book: TemplateBook, path: str, language: str) -> list[Finding]:
    """Syntax and variables of one file."""
    environment = book.environment(language)
    source, filename, _ = book.loader.get_source(environment, path)
    try:
        tree = environment.parse(source, path, filename)
        environment.compile(tree, path, filename)  # unknown filters and tests show here
    except TemplateSyntaxError as error:
        return [Finding(FindingCode.TEMPLATE_SYNTAX, error.message or str(error), error.lineno, subject=path)]  # fmt: skip
    allowed = TEMPLATE_VARIABLES | set(environment.globals)
    return [
        Finding(FindingCode.UNKNOWN_VARIABLE, _unknown(name), line, subject=path)
        for name, line in unknown_variables(tree, allowed)
    ]


def unknown_variables(
    tree: nodes.Template, allowed: set[str] | frozenset[str]
) -> list[tuple[str, int]]:
    """(name, line of its first use) of every variable the template reads but neither
    sets nor is ``allowed``."""
    unknown = meta.find_undeclared_variables(tree) - allowed
    first: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.ctx == "load":
            first[node.name] = min(first.get(node.name, node.lineno), node.lineno)
    return sorted(
        ((name, first.get(name, 1)) for name in unknown), key=lambda item: (item[1], item[0])
    )


def _unknown(name: str) -> str:
    guess = difflib.get_close_matches(name, sorted(TEMPLATE_VARIABLES), n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    return (
        f"{name!r} is not a template variable{hint}; the variables are the fields of"
        " MessageContext (docs/templates.md)"
    )


def completeness_findings(book: TemplateBook) -> list[Finding]:
    """A finding for each language and part a template lacks (zh-CN and en are required)."""
    from arrears.adapters.templates.book import PARTS

    findings = []
    for channel, name in sorted(book.names()):
        have = {lang for (c, n, lang, _) in book.files if (c, n) == (channel, name)}
        for language in sorted({*LANGUAGES, *have}):
            missing = [
                f"{channel}/{name}.{language}.{part}"
                for part in PARTS[channel]
                if (channel, name, language, part) not in book.files
            ]
            if missing:
                message = f"the {language} version lacks {', '.join(missing)}"
                findings.append(
                    Finding(FindingCode.MISSING_TEMPLATE, message, subject=f"{channel}/{name}")
                )
    return findings


def sample_findings(
    book: TemplateBook,
    channel: str,
    name: str,
    language: str,
    sender: Sender,
    optout: str | None,
) -> list[Finding]:
    """Render with every sample context: failures, and an SMS over the segment limit."""
    worst: tuple[SmsShape, MessageContext] | None = None
    for currency in SAMPLE_CURRENCIES:
        for context in sample_contexts(sender, language, currency):
            try:
                rendered = book.render(channel, name, language, context, optout)
            except RenderFailed as error:
                return [Finding(FindingCode.TEMPLATE_RENDER, f"with a sample context: {error.reason}",
                                error.line, subject=error.path)]  # fmt: skip
            if rendered.segments is not None and rendered.encoding is not None:
                shape = sms_shape(rendered.text)
                if worst is None or shape.segments > worst[0].segments:
                    worst = (shape, context)
    if worst is None or worst[0].segments <= book.max_segments:
        return []
    shape, context = worst
    extras = ", the debt-collector disclosure" if context.debt_collector else ""
    message = (
        f"takes {shape.segments} SMS segments ({shape.encoding}, {shape.units} characters) with"
        f" a long name and amounts{extras} and the opt-out {optout!r}; at most"
        f" {book.max_segments} are allowed"
    )
    path = book.files[(channel, name, language, "txt")]
    return [Finding(FindingCode.SMS_TOO_LONG, message, subject=path)]


def shipped_optouts() -> dict[str, str]:
    """Per language, the longest opt-out sentence an SMS gets under a shipped pack."""
    longest: dict[str, str] = {}
    for pack_name in SHIPPED:
        pack, _ = parse_pack(shipped_text(pack_name))
        if pack is None:
            continue
        for language in LANGUAGES:
            sentence = optout_sentence(pack.rules, "sms", language) or ""
            if len(sentence) > len(longest.get(language, "")):
                longest[language] = sentence
    return longest
