"""The SMTP adapter against a real SMTP server on loopback (aiosmtpd): what arrives, what fails how.

Each test starts its own server on a port the system picks and stops it at the end.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from arrears.adapters.channels.smtp import SmtpAdapter
from arrears.domain.messages import (
    MessageStatus,
    OutboundMessage,
    Outcome,
    Permanent,
    Sent,
    Transient,
)
from tests.support.smtp_server import (
    PASSWORD,
    USERNAME,
    LoopbackSmtpServer,
    client_ssl_context,
    running_smtp_server,
)

SENDER = "noreply@lender.example"
SENT_AT = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)


def reminder(n: int, **changes: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "message_id": f"m:20260305:L{n:06d}:d0.email",
        "channel": "email",
        "loan_id": f"L{n:06d}",
        "borrower_id": f"B{n:06d}",
        "to": f"borrower{n}@example.com",
        "language": "zh-CN",
        "subject": "还款提醒：您的账单今日到期",
        "text": f"尊敬的客户：\n您的还款 ¥1,234.50 于2026年3月5日到期。\n.\n编号 {n}\n",
        "html": f"<p>尊敬的客户：</p><p>您的还款 <b>¥1,234.50</b> 于2026年3月5日到期。编号 {n}</p>",
    }
    fields.update(changes)
    return OutboundMessage(**fields)


def adapter_for(server: LoopbackSmtpServer, **options: Any) -> SmtpAdapter:
    settings: dict[str, Any] = {
        "sender": SENDER,
        "security": server.tls,
        "helo_name": "client.loopback.test",
        "timeout_seconds": 5.0,
        "clock": lambda: SENT_AT,
    }
    if server.tls != "none":
        settings["ssl_context"] = client_ssl_context()
    if server.require_auth:
        settings.update(username=USERNAME, password=PASSWORD)
    settings.update(options)
    return SmtpAdapter(server.host, server.port, **settings)


@pytest.fixture
def server() -> Iterator[LoopbackSmtpServer]:
    with running_smtp_server() as running:
        yield running


@pytest.fixture
def adapter(server: LoopbackSmtpServer) -> Iterator[SmtpAdapter]:
    with adapter_for(server) as made:
        yield made


def kinds(outcomes: list[Outcome]) -> list[str]:
    return [type(outcome).__name__ for outcome in outcomes]


def reason(outcome: Outcome) -> str:
    assert isinstance(outcome, Transient | Permanent), outcome
    return outcome.reason


def provider_id(outcome: Outcome) -> str | None:
    assert isinstance(outcome, Sent), outcome
    return outcome.provider_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- what arrives --------------------------------------------------------------------------


def test_a_chinese_reminder_arrives_as_text_and_html_with_its_subject_intact(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    # given a reminder in Chinese, with both a text and an HTML body
    message = reminder(1)
    # when it is sent
    outcomes = adapter.send([message])
    # then the server got one multipart/alternative e-mail that reads back exactly
    (received,) = server.wait_for(1)
    email = received.message
    assert outcomes == [Sent(provider_id="<m.20260305.L000001.d0.email@lender.example>")]
    assert email["Message-ID"] == "<m.20260305.L000001.d0.email@lender.example>"
    assert email["Subject"] == "还款提醒：您的账单今日到期"
    assert email["From"] == SENDER
    assert email["To"] == "borrower1@example.com"
    assert email["Date"].datetime == SENT_AT
    assert email["Content-Language"] == "zh-CN"
    assert email.get_content_type() == "multipart/alternative"
    # MIME text travels in canonical form (CRLF line ends); the lone '.' line survives
    assert email.get_body(("plain",)).get_content() == message.text.replace("\n", "\r\n")
    assert email.get_body(("html",)).get_content() == message.html + "\r\n"
    assert (received.mail_from, received.rcpt_tos) == (SENDER, ("borrower1@example.com",))
    assert b"\xe8\xbf\x98" not in received.raw  # no raw UTF-8 on the wire: 7-bit safe
    assert received.raw.isascii()


def test_the_sender_shows_the_lenders_name_in_the_borrowers_language(
    server: LoopbackSmtpServer,
) -> None:
    names = {"zh-CN": "示例消费金融", "en": "Arrears Demo Finance"}
    with adapter_for(server, sender_name=names) as adapter:
        adapter.send([reminder(1), reminder(2, language="en", subject="Payment due")])
    chinese, english = (email.message for email in server.wait_for(2))
    assert chinese["From"].addresses[0].display_name == "示例消费金融"
    assert english["From"].addresses[0].display_name == "Arrears Demo Finance"
    assert english["From"].addresses[0].addr_spec == SENDER


def test_list_unsubscribe_headers_arrive_when_the_message_carries_them(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    headers = {
        "List-Unsubscribe": "<https://portal.lender.example/u/Zk3x>, <mailto:unsub@lender.example>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    adapter.send([reminder(1, headers=headers), reminder(2)])
    with_headers, without = (email.message for email in server.wait_for(2))
    assert with_headers["List-Unsubscribe"].strip() == headers["List-Unsubscribe"]  # folded
    assert with_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert without["List-Unsubscribe"] is None


def test_an_address_in_chinese_goes_out_under_smtputf8(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    outcomes = adapter.send([reminder(1, to="张三 <用户@例子.中国>")])
    (received,) = server.wait_for(1)
    assert kinds(outcomes) == ["Sent"]
    assert received.rcpt_tos == ("用户@例子.中国",)
    assert "SMTPUTF8" in received.mail_options
    assert received.message["To"].addresses[0].display_name == "张三"


def test_batches_share_one_connection(server: LoopbackSmtpServer, adapter: SmtpAdapter) -> None:
    adapter.send([reminder(n) for n in range(5)])
    adapter.send([reminder(n) for n in range(5, 10)])
    received = server.wait_for(10)
    assert len({email.peer for email in received}) == 1


# -- security and authentication --------------------------------------------------------


def test_starttls_and_auth_carry_the_mail_encrypted_and_logged_in() -> None:
    with running_smtp_server(tls="starttls", require_auth=True) as server:
        with adapter_for(server) as adapter:
            outcomes = adapter.send([reminder(1), reminder(2)])
        received = server.wait_for(2)
    assert kinds(outcomes) == ["Sent", "Sent"]
    assert all(email.tls and email.authenticated_as == USERNAME for email in received)


def test_implicit_tls_with_auth_carries_the_mail() -> None:
    with running_smtp_server(tls="ssl", require_auth=True) as server:
        with adapter_for(server) as adapter:
            outcomes = adapter.send([reminder(1)])
        (received,) = server.wait_for(1)
    assert kinds(outcomes) == ["Sent"]
    assert received.tls and received.authenticated_as == USERNAME


def test_a_wrong_password_holds_the_whole_batch_as_transient_and_is_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # an authentication failure is the configuration's fault, not the messages':
    # they wait (Transient) for the operator to fix it rather than fail for good
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + PASSWORD
    with (
        running_smtp_server(tls="starttls", require_auth=True) as server,
        adapter_for(server, password=wrong) as adapter,
    ):
        outcomes = adapter.send([reminder(1), reminder(2), reminder(3)])
        text = repr(adapter) + caplog.text
    assert kinds(outcomes) == ["Transient"] * 3
    assert all(reason(o).startswith("smtp authentication failed: 535") for o in outcomes)
    assert server.received == []
    assert "smtp authentication failed" in caplog.text  # it was logged, without the password
    assert wrong not in text and PASSWORD not in text
    assert wrong not in " ".join(reason(o) for o in outcomes)


def test_starttls_is_required_so_a_server_without_it_gets_nothing_in_clear(
    server: LoopbackSmtpServer,
) -> None:
    with adapter_for(server, security="starttls", ssl_context=client_ssl_context()) as adapter:
        outcomes = adapter.send([reminder(1), reminder(2)])
    assert outcomes == [Transient("smtp server does not offer STARTTLS (not sending in clear)")] * 2
    assert server.received == []


def test_a_certificate_nobody_vouches_for_stops_the_batch_as_a_tls_failure() -> None:
    with running_smtp_server(tls="starttls") as server:
        with adapter_for(server, ssl_context=ssl.create_default_context()) as adapter:
            outcomes = adapter.send([reminder(1), reminder(2)])
        assert server.received == []
    assert kinds(outcomes) == ["Transient", "Transient"]
    assert "smtp tls failed" in reason(outcomes[0])
    assert "CERTIFICATE_VERIFY_FAILED" in reason(outcomes[0])


def test_credentials_without_tls_are_refused_when_the_adapter_is_made() -> None:
    with pytest.raises(ValueError, match="in clear"):
        SmtpAdapter("127.0.0.1", 25, sender=SENDER, security="none", username="u", password="p")


# -- refusals -------------------------------------------------------------------------------


def test_a_550_recipient_is_permanent_a_451_transient_and_the_others_still_go(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    server.refuse("borrower2@example.com", 550, "5.1.1 <borrower2@example.com>: User unknown")
    server.refuse("borrower3@example.com", 451, "4.7.1 Greylisted, try again in 300 seconds")
    outcomes = adapter.send([reminder(n) for n in range(1, 5)])
    assert outcomes[1] == Permanent(
        "smtp recipient refused: 550 5.1.1 <borrower2@example.com>: User unknown"
    )
    assert outcomes[2] == Transient(
        "smtp recipient deferred: 451 4.7.1 Greylisted, try again in 300 seconds"
    )
    assert kinds(outcomes) == ["Sent", "Permanent", "Transient", "Sent"]
    assert [email.rcpt_tos for email in server.wait_for(2)] == [
        ("borrower1@example.com",),
        ("borrower4@example.com",),
    ]


def test_content_refused_with_5xx_is_permanent_with_4xx_transient_and_421_reconnects(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    server.answer_data_with(
        "554 5.7.1 Message rejected as spam",
        "452 4.3.1 Insufficient system storage",
        "421 4.3.2 Service shutting down",
    )
    outcomes = adapter.send([reminder(n) for n in range(1, 5)])
    assert outcomes[:3] == [
        Permanent("smtp message refused: 554 5.7.1 Message rejected as spam"),
        Transient("smtp message deferred: 452 4.3.1 Insufficient system storage"),
        Transient("smtp message deferred: 421 4.3.2 Service shutting down"),
    ]
    assert kinds(outcomes[3:]) == ["Sent"]
    (taken,) = server.wait_for(1)
    assert taken.rcpt_tos == ("borrower4@example.com",)
    assert server.connections == 1 + 2  # the server's start-up probe; ours, and one after 421


def test_a_refused_sender_is_the_configurations_fault_and_holds_the_batch(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    server.refuse_mail("553 5.7.1 <noreply@lender.example>: Sender address rejected")
    outcomes = adapter.send([reminder(1), reminder(2)])
    assert (
        outcomes
        == [
            Transient(
                "smtp sender refused: 553 5.7.1 <noreply@lender.example>: Sender address rejected"
            )
        ]
        * 2
    )
    server.refuse_mail(None)
    assert kinds(adapter.send([reminder(1), reminder(2)])) == ["Sent", "Sent"]


def test_a_message_that_cannot_be_an_email_is_permanent_and_the_batch_goes_on(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    outcomes = adapter.send(
        [
            reminder(1, to="not an address"),
            reminder(2, headers={"Bcc": "someone@else.example"}),
            reminder(3, headers={"X-Note": "line\r\nBcc: someone@else.example"}),
            reminder(4),
        ]
    )
    assert kinds(outcomes) == ["Permanent", "Permanent", "Permanent", "Sent"]
    assert reason(outcomes[0]).startswith("could not build the e-mail: not")
    assert len(server.wait_for(1)) == 1


# -- faults: down, dropped, silent ---------------------------------------------------------


def test_a_server_that_is_down_holds_every_message_and_after_recovery_each_arrives_once() -> None:
    # given a server that is down
    server = LoopbackSmtpServer().start()
    server.stop()
    adapter = adapter_for(server)
    batch = [reminder(n) for n in range(1, 6)]
    try:
        # when a batch is sent, every message is held, all for the same reason
        outcomes = adapter.send(batch)
        assert kinds(outcomes) == ["Transient"] * 5
        assert reason(outcomes[0]).startswith("smtp server unreachable:")
        assert len(set(outcomes)) == 1
        # and when the server is up again on the same port and the outbox resends them
        server.start()
        retried = adapter.send(batch)
        # then each arrives exactly once
        assert kinds(retried) == ["Sent"] * 5
        assert Counter(server.received_ids()) == {provider_id(o): 1 for o in retried}
    finally:
        adapter.close()
        server.stop()


def test_a_server_that_goes_down_mid_batch_loses_nothing_and_doubles_nothing(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    # given a server that crashes after taking the 3rd message
    server.go_down_after(3)
    batch = [reminder(n) for n in range(1, 9)]
    # when a batch of 8 is sent
    outcomes = adapter.send(batch)
    # then 3 were sent and 5 are held, none tried on a dead server twice
    assert kinds(outcomes) == ["Sent"] * 3 + ["Transient"] * 5
    assert all(reason(o).startswith("smtp server unreachable: ") for o in outcomes[3:])
    # when it is back up and the outbox resends only what was held
    server.stop()
    server.start()
    held = [m for m, o in zip(batch, outcomes, strict=True) if isinstance(o, Transient)]
    assert kinds(adapter.send(held)) == ["Sent"] * 5
    # then every message arrived exactly once
    ids = Counter(server.wait_for(8) and server.received_ids())
    assert len(ids) == 8 and set(ids.values()) == {1}


def test_a_connection_dropped_mid_batch_is_reopened_and_no_taken_message_is_sent_again(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    server.drop_connection_after(3)
    outcomes = adapter.send([reminder(n) for n in range(1, 7)])
    received = server.wait_for(6)
    assert kinds(outcomes) == ["Sent"] * 6
    assert sorted(server.received_ids()) == sorted(provider_id(o) for o in outcomes)
    assert len({email.peer for email in received}) == 2  # one reconnect


def test_an_idle_connection_the_server_closed_between_batches_is_reopened(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    server.drop_connection_after(2)
    first = adapter.send([reminder(1), reminder(2)])
    second = adapter.send([reminder(3), reminder(4)])
    assert kinds(first + second) == ["Sent"] * 4
    assert len(server.wait_for(4)) == 4


def test_a_message_whose_acceptance_was_never_heard_is_transient_and_the_batch_goes_on(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    # the server takes message 2 but the line is cut before its 250: the adapter cannot
    # know, so it says Transient (a retry may deliver it twice: at least once, documented)
    server.vanish_after(2)
    outcomes = adapter.send([reminder(n) for n in range(1, 5)])
    assert kinds(outcomes) == ["Sent", "Transient", "Sent", "Sent"]
    assert "the server may have taken it" in reason(outcomes[1])
    assert len(server.wait_for(4)) == 4


def test_a_server_that_never_answers_times_out_as_unreachable() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        adapter = SmtpAdapter("127.0.0.1", port, sender=SENDER, security="none",
                              helo_name="c.test", timeout_seconds=0.3)  # fmt: skip
        outcomes = adapter.send([reminder(1), reminder(2), reminder(3)])
        adapter.close()
        attempts = connections_waiting(silent)
    assert kinds(outcomes) == ["Transient"] * 3
    assert reason(outcomes[0]).startswith("smtp server unreachable:")
    assert attempts == 1  # once known down, the rest of the batch is not tried


def connections_waiting(listener: socket.socket) -> int:
    listener.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_nothing_listening_is_unreachable(adapter: SmtpAdapter) -> None:
    with SmtpAdapter("127.0.0.1", free_port(), sender=SENDER, security="none") as nowhere:
        (outcome,) = nowhere.send([reminder(1)])
    assert isinstance(outcome, Transient)
    assert "unreachable" in outcome.reason and "refused" in outcome.reason.lower()


# -- bounces -----------------------------------------------------------------------------


def test_a_bounce_for_a_sent_message_becomes_its_bounced_receipt(
    server: LoopbackSmtpServer, adapter: SmtpAdapter
) -> None:
    (sent,) = adapter.send([reminder(7)])
    assert isinstance(sent, Sent) and sent.provider_id is not None
    dsn = (
        "From: MAILER-DAEMON@mx.example.com\r\n"
        "Date: Thu, 05 Mar 2026 09:31:02 +0800\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; borrower7@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <borrower7@example.com>: User unknown\r\n\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.provider_id}\r\nSubject: =?utf-8?b?6L+Y5qy+?=\r\n"
        "--b1--\r\n"
    )
    receipt = adapter.feed_bounce(dsn, received_at=datetime(2026, 3, 5, 2, 0, tzinfo=UTC))
    assert receipt is not None and receipt.provider_id == sent.provider_id
    assert receipt.status is MessageStatus.BOUNCED
    assert adapter.receipts() == [receipt]
    assert adapter.receipts() == []
