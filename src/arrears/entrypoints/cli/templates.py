"""``arrears templates``: check the message templates, and preview one loan's message
(docs/templates.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from arrears.domain.findings import Finding
from arrears.domain.sms_text import DEFAULT_MAX_SEGMENTS
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import app_of, console, errors, parse_date, print_json
from arrears.services.errors import ArrearsError

if TYPE_CHECKING:
    from arrears.adapters.templates import TemplateBook
    from arrears.services.message_texts import MessageRequirements, Preview
    from arrears.settings import Settings

app = typer.Typer(
    help="Message templates (SMS and e-mail): check them all, preview one loan's message.",
    no_args_is_help=True,
)

INVALID = 2  # templates with problems: bad input


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Language(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class RenderFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


DirOption = typer.Option(
    None,
    "--dir",
    exists=True,
    file_okay=False,
    help="A template folder (default: the shipped ones).",
)
SegmentsOption = typer.Option(
    DEFAULT_MAX_SEGMENTS, "--max-segments", min=1, help="The most segments an SMS may take."
)


@app.command("check")
def check(
    ctx: typer.Context,
    root: Path | None = DirOption,
    max_segments: int = SegmentsOption,
) -> None:
    """Check every template, and that the strategies' templates exist (exit 2 on problems).

    Syntax, variables, both languages, SMS length with a long name and amounts; every SMS
    and e-mail template the stored strategies send exists; every active pack that wants an
    opt-out gives its sentence. Prints every problem with its file and line. Without an
    initialised database the shipped strategies and the packs `arrears init` would
    activate are checked."""
    from arrears.adapters.templates import TemplateBook
    from arrears.adapters.templates.checks import check_book
    from arrears.domain.message_text import LANGUAGES
    from arrears.entrypoints.channels import sender_of
    from arrears.services import message_texts

    application: App = ctx.obj
    book = TemplateBook.open(root, max_segments=max_segments)
    if _database_ready(application):
        with application.uow() as uow:
            requirements = message_texts.message_requirements(uow)
        named = message_texts.stored_strategy_templates(application.uow_factory)
        where = "the stored strategies send exists; the active packs"
    else:
        requirements = _shipped_requirements(application.settings)
        named = _shipped_strategy_templates()
        where = (
            "the shipped strategies send exists (no database); the packs `arrears init` activates"
        )
    optouts = requirements.longest_optouts() or None
    findings: list[Finding] = [
        *check_book(book, sender_of(application.settings), optouts),
        *requirements.findings(),
        *message_texts.missing_templates(named, book.names()),
    ]
    if findings:
        for finding in findings:
            errors.print(f"{book.source}: {finding}", markup=False, highlight=False, soft_wrap=True)
        errors.print(f"{len(findings)} problem(s) in the message templates", highlight=False)
        raise typer.Exit(INVALID)
    counts = {channel: sum(1 for c, _ in book.names() if c == channel) for channel in Channel}
    console.print(
        f"{book.source}: {counts[Channel.SMS]} SMS and {counts[Channel.EMAIL]} e-mail templates"
        f" in {' and '.join(LANGUAGES)}, all valid; every one {where} give their opt-out"
        " sentences",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip


@app.command("render")
def render(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The template, e.g. due_reminder."),
    loan: str = typer.Option(..., "--loan", help="The loan whose figures to use."),
    language: Language | None = typer.Option(
        None, "--lang", help="Default: the borrower's language, else the product's."
    ),
    channel: Channel | None = typer.Option(
        None, "--channel", help="Default: the channel the template exists in (sms if both)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The date the message is written for (default: the last cycle day)."
    ),
    output: RenderFormat = typer.Option(RenderFormat.TEXT, "--format", help="text or json."),
    html: bool = typer.Option(False, "--html", help="E-mail: print the HTML, not the text."),
) -> None:
    """Preview one loan's message as the dispatcher would send it.

    The loan's figures from the last cycle, the borrower's language, the opt-out sentence
    of the packs active for its product; for an SMS its encoding and number of segments."""
    from arrears.adapters.templates import TemplateBook
    from arrears.entrypoints.channels import sender_of
    from arrears.services import message_texts

    application = app_of(ctx)
    book = TemplateBook.load(sender=sender_of(application.settings))
    chosen = channel or _channel_of(book, name)
    preview = message_texts.preview(
        application.uow_factory, book, loan_id=loan, channel=str(chosen), name=name,
        sender=sender_of(application.settings), language=str(language) if language else None,
        as_of=parse_date(as_of, "--as-of"),
    )  # fmt: skip
    if output is RenderFormat.JSON:
        print_json(_as_json(preview, str(chosen), name))
        return
    _print(preview, str(chosen), name, html)


def _channel_of(book: TemplateBook, name: str) -> Channel:
    from arrears.services import message_texts

    channels = [channel for channel in Channel if book.has(channel, name)]
    if not channels:
        known = ", ".join(sorted({n for _, n in book.names()}))
        raise message_texts.UnknownTemplate(f"no template {name!r} (templates: {known})")
    return channels[0]


def _print(preview: Preview, channel: str, name: str, html: bool) -> None:
    message, context = preview.message, preview.context
    heading = f"{channel} {name} · {message.language} · loan {context.loan_id} · {context.as_of}"
    errors.print(heading, markup=False, highlight=False)
    if preview.status_as_of != context.as_of:
        errors.print(
            f"amounts as of the last cycle day, {preview.status_as_of}",
            markup=False,
            highlight=False,
        )
    if message.subject is not None:
        console.print(
            f"Subject: {message.subject}\n", markup=False, highlight=False, soft_wrap=True
        )
    body = message.html if html and message.html is not None else message.text
    console.print(body, markup=False, highlight=False, soft_wrap=True)
    if message.segments is not None:
        units = "characters" if message.encoding == "gsm7" else "UTF-16 units"
        console.print(
            f"\n{message.encoding}, {message.segments} segment(s), {_units(message.text)} {units}",
            markup=False, highlight=False,
        )  # fmt: skip


def _units(text: str) -> int:
    from arrears.domain.sms_text import sms_shape

    return sms_shape(text).units


def _as_json(preview: Preview, channel: str, name: str) -> dict[str, object]:
    message, context = preview.message, preview.context
    return {
        "channel": channel,
        "template": name,
        "loan_id": context.loan_id,
        "language": message.language,
        "as_of": context.as_of.isoformat(),
        "status_as_of": preview.status_as_of.isoformat(),
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "encoding": None if message.encoding is None else str(message.encoding),
        "segments": message.segments,
        "optout": preview.optout,
    }


# -- what is checked without a database ---------------------------------------------------
def _database_ready(application: App) -> bool:
    """Whether the database exists at the current schema (a missing SQLite file is not
    created just to find out)."""
    from sqlalchemy.engine import make_url

    url = make_url(application.settings.database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        return False
    try:
        application.require_current_schema()
    except ArrearsError:
        return False
    return True


def _shipped_requirements(settings: Settings) -> MessageRequirements:
    from arrears.adapters.policy_files import SHIPPED, parse_pack, shipped_text
    from arrears.domain.compliance.evaluate import in_order
    from arrears.services.compliance import EVERY_PRODUCT
    from arrears.services.message_texts import MessageRequirements

    names = [
        name.strip() for name in settings.compliance_packs.split(",") if name.strip() in SHIPPED
    ]
    rules = []
    for name in names:
        pack, _ = parse_pack(shipped_text(name))
        if pack is not None:
            rules.extend(pack.rules)
    return MessageRequirements({EVERY_PRODUCT: in_order(rules)})


def _shipped_strategy_templates() -> dict[tuple[str, str], list[str]]:
    from arrears.adapters.strategy_files import parse_strategy
    from arrears.services import message_texts, strategies

    named: dict[tuple[str, str], list[str]] = {}
    for text in strategies.default_strategy_texts().values():
        strategy, _ = parse_strategy(text)
        if strategy is not None:
            for key in message_texts.templates_of(strategy):
                named.setdefault(key, []).append(strategy.name)
    return named
