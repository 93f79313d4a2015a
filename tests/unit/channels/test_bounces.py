"""Bounces read back into receipts: realistic notices from Postfix, Exim, qmail and a Chinese
provider, one file each under bounces/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from arrears.adapters.channels.bounces import BounceKind, bounce_receipt, read_bounce
from arrears.domain.messages import MessageStatus, Receipt

SAMPLES = Path(__file__).parent / "bounces"
RECEIVED_AT = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_a_postfix_user_unknown_is_a_bounced_receipt_for_the_returned_message_id() -> None:
    receipt = bounce_receipt(sample("postfix_user_unknown.eml"), received_at=RECEIVED_AT)
    assert receipt == Receipt(
        provider_id="<m.20260305.L000007.d0.email@lender.example>",
        status=MessageStatus.BOUNCED,
        at=datetime(2026, 3, 5, 9, 31, 2, tzinfo=CST),  # the notice's own Date
        detail="5.1.1 550 5.1.1 <borrower7@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
    )


def test_the_report_names_the_recipient_and_the_enhanced_status() -> None:
    report = read_bounce(sample("postfix_user_unknown.eml"))
    assert report is not None
    assert (report.kind, report.recipient, report.status_code) == (
        BounceKind.HARD,
        "borrower7@example.com",
        "5.1.1",
    )


def test_an_exim_notice_without_the_returned_headers_is_matched_by_its_envelope_id() -> None:
    receipt = bounce_receipt(sample("exim_mailbox_full_envid.eml"), received_at=RECEIVED_AT)
    assert receipt is not None
    assert receipt.provider_id == "<m.20260305.L000008.d0.email@lender.example>"
    assert receipt.detail == "5.2.2 552 5.2.2 Mailbox full"


def test_a_delay_warning_is_reported_but_makes_no_receipt() -> None:
    # a soft bounce is not final: the relay still tries and will send "failed" if it gives up
    report = read_bounce(sample("delayed_greylisted.eml"))
    assert report is not None and report.kind is BounceKind.DELAYED
    assert report.status_code == "4.7.1"
    assert report.provider_id == "<m.20260305.L000011.d0.email@lender.example>"
    assert report.receipt(received_at=RECEIVED_AT) is None
    assert bounce_receipt(sample("delayed_greylisted.eml"), received_at=RECEIVED_AT) is None


def test_a_relay_that_gave_up_after_retrying_bounces_the_message_for_good() -> None:
    receipt = bounce_receipt(sample("expired_after_retries.eml"), received_at=RECEIVED_AT)
    assert receipt is not None and receipt.status is MessageStatus.BOUNCED
    assert receipt.provider_id == "<m.20260305.L000011.d0.email@lender.example>"
    assert receipt.detail.startswith("4.4.7 delivery temporarily suspended: connect to")


def test_a_success_notice_is_a_delivered_receipt() -> None:
    receipt = bounce_receipt(sample("delivered_success.eml"), received_at=RECEIVED_AT)
    assert receipt is not None
    assert (receipt.provider_id, receipt.status) == (
        "<m.20260305.L000012.d0.email@lender.example>",
        MessageStatus.DELIVERED,
    )


def test_a_qmail_plain_text_bounce_finds_the_quoted_message_id_and_the_reason() -> None:
    receipt = bounce_receipt(sample("qmail_plain.eml"), received_at=RECEIVED_AT)
    assert receipt == Receipt(
        provider_id="<m.20260305.L000009.d0.email@lender.example>",
        status=MessageStatus.BOUNCED,
        at=datetime(2026, 3, 5, 1, 32, 11, tzinfo=UTC),
        detail="5.1.1 Remote host said: 550 5.1.1 <borrower9@example.org>... User unknown",
    )


def test_a_chinese_bounce_with_the_original_attached_is_read() -> None:
    report = read_bounce(sample("chinese_mailbox_not_found.eml"))
    assert report is not None
    assert report.kind is BounceKind.HARD
    assert report.provider_id == "<m.20260305.L000010.d0.email@lender.example>"
    assert report.detail == "退信原因：收件人邮箱不存在 (550 Mailbox not found or access denied)"


@pytest.mark.parametrize("name", ["not_a_bounce_auto_reply.eml", "complaint_feedback_report.eml"])
def test_an_email_that_is_not_a_delivery_notice_makes_nothing(name: str) -> None:
    assert read_bounce(sample(name)) is None


def test_a_notice_that_names_no_message_makes_nothing() -> None:
    raw = sample("exim_mailbox_full_envid.eml").replace(b"Original-Envelope-ID", b"X-Other")
    assert read_bounce(raw) is None


def test_a_notice_without_a_usable_date_takes_the_time_it_was_received() -> None:
    raw = sample("exim_mailbox_full_envid.eml").replace(
        b"Date: Thu, 05 Mar 2026 02:14:40 +0000\n", b""
    )
    receipt = bounce_receipt(raw, received_at=RECEIVED_AT)
    assert receipt is not None and receipt.at == RECEIVED_AT


def test_an_envelope_id_in_xtext_is_decoded() -> None:
    raw = sample("delivered_success.eml").replace(
        b"<m.20260305.L000012.d0.email@lender.example>", b"<m.x+3D41.d0@lender.example>"
    )
    report = read_bounce(raw)
    assert report is not None and report.provider_id == "<m.x=41.d0@lender.example>"
