"""`arrears dispatch` and `arrears messages` end to end: the outbox listed, one message
shown with its words, the delivery statistics, and a bounced e-mail recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from arrears.entrypoints.bootstrap import App
from tests.e2e.test_cli import run
from tests.e2e.test_dispatch_faults import loaded
from tests.support.smtp_server import LoopbackSmtpServer

BOUNCE = """\
Date: {date}
From: MAILER-DAEMON@mx.lender.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: collections@lender.example
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.lender.example
Original-Envelope-Id: {envelope}

Final-Recipient: rfc822; {to}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--b1--
"""


def test_dispatch_then_list_show_count_and_record_a_bounce(app: App, tmp_path: Path) -> None:
    # Given an e-mail due for each of 20 borrowers, sent to an SMTP server
    loaded(app, 20, "email")
    db = app.engine.url.render_as_string(hide_password=False)
    with LoopbackSmtpServer() as server:
        smtp = {"ARREARS_EMAIL__PROVIDER": "smtp", "ARREARS_EMAIL__HOST": server.host,
                "ARREARS_EMAIL__PORT": str(server.port), "ARREARS_EMAIL__SECURITY": "none"}  # fmt: skip
        dispatched = run("dispatch", "--format", "json", db=db, env=smtp)
        assert dispatched.returncode == 0, dispatched.stderr
        report = json.loads(dispatched.stdout)
        sent = report["sent"]["email"]
        assert sent >= 10 and len(server.wait_for(sent)) == sent

    # When the outbox is listed, one shown, and the statistics asked for
    listed = json.loads(run("messages", "--channel", "email", "--status", "sent",
                            "--limit", "0", "--format", "json", db=db).stdout)  # fmt: skip
    assert len(listed) == sent
    first = listed[0]
    shown = run("messages", "show", first["message_id"], db=db)
    assert shown.returncode == 0 and first["recipient"] in shown.stdout
    assert first["body"].splitlines()[0] in shown.stdout
    stats = json.loads(run("messages", "stats", "--format", "json", db=db).stdout)
    (row,) = stats["delivery"]
    assert (row["channel"], row["sent"], row["delivered"]) == ("email", sent, 0)
    assert row["failed"] == 20 - sent  # those with no e-mail address on file

    # Then a bounce naming the first message marks it bounced
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(BOUNCE.format(
        date=datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        envelope=first["provider_id"], to=first["recipient"],
    ))  # fmt: skip
    recorded = run("messages", "bounces", str(bounce), db=db)
    assert recorded.returncode == 0, recorded.stderr
    assert "1 messages marked bounced" in recorded.stdout
    bounced = json.loads(run("messages", "--status", "bounced", "--format", "json", db=db).stdout)
    assert [m["message_id"] for m in bounced] == [first["message_id"]]
    assert "5.1.1" in bounced[0]["last_error"]


def test_an_unknown_message_is_a_clear_error(app: App) -> None:
    db = app.engine.url.render_as_string(hide_password=False)
    shown = run("messages", "show", "m:20260101:NOPE:x", db=db)
    assert shown.returncode == 3
    assert "no message 'm:20260101:NOPE:x'" in shown.stderr and "Traceback" not in shown.stderr
