"""The dispatcher under faults, over real protocols: an SMTP server down then up, an SMPP
connection dropped mid-batch, and a dispatcher process killed at random points. Every
message goes out, and none twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from arrears.adapters.channels.smpp import SmppAdapter
from arrears.adapters.channels.smtp import SmtpAdapter
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import build_dispatcher
from arrears.services import importing, strategies
from arrears.services.cycle import run_cycle
from arrears.services.synthetic_portfolio import generate_portfolio
from tests.e2e.test_cli import ARREARS
from tests.e2e.test_cycle_cli import _Row
from tests.support.smpp_server import LoopbackSmsc, SmscFaults
from tests.support.smtp_server import LoopbackSmtpServer

# Every borrower gets a text (or an e-mail) today: a load for the dispatcher. No policy
# pack is active here — the gate allows all — because these tests are about delivery.
EVERYONE = """
name: {name}
description: a {channel} to every borrower, every day (a dispatcher load)
segments:
  - name: all
    when: {{}}
    steps:
      - {{days: {{from: -400, every: 1}}, action: {channel}, template: due_reminder, priority: 10}}
"""


def loaded(app: App, loans: int, channel: str) -> date:
    """``loans`` loans, each with a message of ``channel`` due now; returns the day."""
    day = datetime.now(UTC).date()  # messages are due from 08:00 Shanghai: 00:00 UTC
    now = datetime.now(UTC)
    portfolio = generate_portfolio(loans, day, seed=5)

    def rows(records: list[Any]) -> Callable[[], Iterator[_Row]]:
        return lambda: (_Row(n, {}, r) for n, r in enumerate(records, start=2))

    assert importing.import_loans(app.uow_factory, rows(portfolio.loans), now).clean
    strategy = EVERYONE.format(name=f"every-{channel}", channel=channel)
    strategies.load_strategy(app.uow_factory, strategy, "tester", now, activate=True)
    run_cycle(app.uow_factory, day, lambda: now)
    return day


def outbox(app: App, channel: str) -> dict[str, int]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, COUNT(*) FROM message WHERE channel = :c GROUP BY status"),
            {"c": channel},
        )
        return {status: int(n) for status, n in rows}


def unsent_reasons(app: App, channel: str) -> set[str]:
    with app.engine.connect() as connection:
        return set(connection.execute(
            text("SELECT last_error FROM message WHERE channel = :c AND status = 'failed'"),
            {"c": channel},
        ).scalars())  # fmt: skip


def attempts(app: App, channel: str) -> tuple[int, int]:
    """(contact attempts recorded, distinct actions they carry out)."""
    with app.engine.connect() as connection:
        return tuple(connection.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT action_id) FROM contact_attempt"
                 " WHERE channel = :c"),
            {"c": channel},
        ).one())  # type: ignore[return-value]  # fmt: skip


def test_an_smtp_server_down_then_up_gets_every_email_exactly_once(app: App) -> None:
    loaded(app, 60, "email")
    server = LoopbackSmtpServer().start()
    host, port = server.host, server.port
    server.stop()  # Given the server is down
    adapter = SmtpAdapter(host, port, sender="collections@lender.example", security="none")
    clock = [datetime.now(UTC)]
    dispatcher = build_dispatcher(app, adapters={"email": adapter}, channels=["email"],
                                  clock=lambda: clock[0], seed=3)  # fmt: skip
    # When the dispatcher runs while it is down, every message waits for a retry (but
    # those to borrowers with no e-mail address, which fail with the reason)
    report = dispatcher.run_once()
    waiting = report.retried["email"]
    assert waiting >= 30 and outbox(app, "email") == {"queued": waiting, "failed": 60 - waiting}
    assert unsent_reasons(app, "email") == {"not composed: no e-mail address on file"}
    # Then the server comes back on the same port and the retries go out
    server.start()
    try:
        clock[0] += timedelta(hours=1)
        report = dispatcher.run_once()
        received = server.wait_for(waiting)
    finally:
        adapter.close()
        server.stop()
    assert report.sent == {"email": waiting}
    ids = [e.message_id for e in received]
    assert len(ids) == len(set(ids)) == waiting
    assert outbox(app, "email") == {"sent": waiting, "failed": 60 - waiting}
    assert attempts(app, "email") == (waiting, waiting)


def test_an_smpp_connection_dropped_mid_batch_loses_nothing_and_doubles_nothing(
    app: App,
) -> None:
    loaded(app, 150, "sms")
    # Given an SMSC that drops the line at the 70th submit, 5 taken but never answered
    faults = SmscFaults(drop_after_submits=70, taken_unanswered=5)
    with LoopbackSmsc(faults=faults) as smsc:
        adapter = SmppAdapter(smsc.host, smsc.port, system_id="arrears", password="secret",
                              deduplicates=True)  # fmt: skip
        clock = [datetime.now(UTC)]
        dispatcher = build_dispatcher(app, adapters={"sms": adapter}, channels=["sms"],
                                      clock=lambda: clock[0], seed=3)  # fmt: skip
        try:
            first = dispatcher.run_once()
            assert first.retried.get("sms", 0) > 0  # the drop left some unanswered
            clock[0] += timedelta(hours=1)  # past every retry delay
            dispatcher.run_once()
            assert smsc.wait_for(lambda: len(smsc.delivered) >= 150)
            time.sleep(0.2)
            dispatcher.collect_receipts(first)
        finally:
            adapter.close()
        per_key = smsc.delivered_per_key()
    # Then every message reached a handset exactly once, resends dropped by their key
    assert len(per_key) == 150 and set(per_key.values()) == {1}
    assert smsc.counts["duplicates_dropped"] >= 1
    assert sum(outbox(app, "sms").values()) == 150
    assert set(outbox(app, "sms")) <= {"sent", "delivered"}
    assert attempts(app, "sms") == (150, 150)


@pytest.mark.slow
def test_a_dispatcher_killed_at_random_points_finishes_the_batch_with_no_loss_or_double(
    app: App,
) -> None:
    seed = int(os.environ.get("ARREARS_KILL_SEED", "20261202"))
    rng = random.Random(seed)
    loaded(app, 400, "sms")
    url = app.engine.url.render_as_string(hide_password=False)
    with LoopbackSmsc() as smsc:
        env = {
            **os.environ, "ARREARS_DATABASE_URL": url, "ARREARS_SMS__PROVIDER": "smpp",
            "ARREARS_SMS__HOST": smsc.host, "ARREARS_SMS__PORT": str(smsc.port),
            "ARREARS_SMS__SYSTEM_ID": "arrears", "ARREARS_SMS__PASSWORD": "secret",
            "ARREARS_SMS__DEDUPLICATES": "true", "ARREARS_SMS__RATE_PER_SECOND": "200",
            "ARREARS_DISPATCH__BATCH_SIZE": "25", "ARREARS_DISPATCH__LEASE_SECONDS": "1",
        }  # fmt: skip
        kills = 0
        for _ in range(3):
            process = subprocess.Popen(
                [ARREARS, "dispatch", "--channel", "sms"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(0.8, 2.0))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait()
        time.sleep(1.1)  # the dead dispatchers' leases run out
        finished = subprocess.run(
            [ARREARS, "dispatch", "--channel", "sms"], env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert finished.returncode == 0, finished.stderr
        assert smsc.wait_for(lambda: len(smsc.delivered) >= 400, timeout=10)
        per_key = smsc.delivered_per_key()
    assert kills, f"no dispatcher was killed (seed {seed})"
    assert len(per_key) == 400 and set(per_key.values()) == {1}, f"seed {seed}"
    statuses = outbox(app, "sms")
    assert sum(statuses.values()) == 400 and set(statuses) <= {"sent", "delivered"}, statuses
    assert attempts(app, "sms") == (400, 400), f"seed {seed}"
