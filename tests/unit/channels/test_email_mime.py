"""The e-mail a borrower receives, built without a server: ids, encodings, headers it refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from arrears.adapters.channels.email_mime import (
    EmailBuildError,
    build_email,
    message_id_for,
    parse_sender,
)
from arrears.domain.messages import OutboundMessage

SENDER = parse_sender("Arrears Demo Finance <noreply@lender.example>")
SENT_AT = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)


def reminder(**changes: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "message_id": "m:20260305:L000123:d0.email",
        "channel": "email",
        "loan_id": "L000123",
        "borrower_id": "B000123",
        "to": "borrower@example.com",
        "language": "zh-CN",
        "subject": "还款提醒",
        "text": "您的还款 ¥1,234.50 于2026年3月5日到期。",
        "html": "<p>您的还款 <b>¥1,234.50</b> 于2026年3月5日到期。</p>",
    }
    fields.update(changes)
    return OutboundMessage(**fields)


def test_the_message_id_is_the_outbox_id_made_a_dot_atom_at_the_senders_domain() -> None:
    wire = build_email(reminder(), sender=SENDER, sent_at=SENT_AT)
    assert wire.message_id == "<m.20260305.L000123.d0.email@lender.example>"


def test_a_resend_carries_the_same_message_id() -> None:
    first = build_email(reminder(), sender=SENDER, sent_at=SENT_AT)
    later = build_email(reminder(), sender=SENDER, sent_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    assert first.message_id == later.message_id


def test_different_outbox_ids_give_different_message_ids() -> None:
    ids = {
        message_id_for(f"m:20260305:L{n}:d{d}.email", "x.example")
        for n in range(50)
        for d in range(3)
    }
    assert len(ids) == 150


def test_characters_outside_a_dot_atom_are_escaped_not_dropped() -> None:
    assert message_id_for("m:1:L 1@x", "d.example") == "<m.1.L=201=40x@d.example>"


def test_a_chinese_subject_is_encoded_and_reads_back_and_the_wire_is_ascii() -> None:
    wire = build_email(reminder(), sender=SENDER, sent_at=SENT_AT)
    assert wire.payload.isascii()
    assert b"Subject: =?utf-8?" in wire.payload
    email = message_from_bytes(wire.payload, policy=policy.default)
    assert email["Subject"] == "还款提醒"
    assert email.get_body(("plain",)).get_content() == reminder().text + "\r\n"


def test_a_message_without_html_is_plain_text_only() -> None:
    wire = build_email(reminder(html=None), sender=SENDER, sent_at=SENT_AT)
    email = message_from_bytes(wire.payload, policy=policy.default)
    assert email.get_content_type() == "text/plain"
    assert email["Content-Language"] == "zh-CN"


def test_the_envelope_uses_bare_addresses() -> None:
    wire = build_email(reminder(to="张三 <zhang@example.cn>"), sender=SENDER, sent_at=SENT_AT)
    assert (wire.mail_from, wire.rcpt_to, wire.needs_smtputf8) == (
        "noreply@lender.example",
        "zhang@example.cn",
        False,
    )


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"to": "two@example.com, three@example.com"}, "not one e-mail address"),
        ({"to": "borrower@example.com\r\nBcc: x@y.example"}, "not an e-mail address"),
        ({"to": ""}, "not an e-mail address"),
        ({"headers": {"Message-ID": "<mine@x>"}}, "header Message-ID is the adapter's to set"),
        ({"headers": {"Bad Name": "x"}}, "not a header name"),
        ({"headers": {"X-Note": "a\nb"}}, "header X-Note has a line break"),
        ({"subject": "a\r\nBcc: x@y.example"}, "header Subject has a line break"),
        (
            {"headers": {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}},
            "List-Unsubscribe-Post without List-Unsubscribe",
        ),
        (
            {
                "headers": {
                    "List-Unsubscribe": "<https://u.example/1>",
                    "List-Unsubscribe-Post": "yes",
                }
            },
            "must be 'List-Unsubscribe=One-Click'",
        ),
    ],
)
def test_a_message_that_cannot_be_a_safe_email_is_refused(
    changes: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(EmailBuildError, match=complaint):
        build_email(reminder(**changes), sender=SENDER, sent_at=SENT_AT)
