"""Channel benchmark: SMS/s through the loopback SMSC, e-mails/s through the loopback SMTP server.

    python benchmarks/channels.py --sms 20000 --emails 2000   # target: ≥ 500 SMS/s sustained
    python benchmarks/channels.py --sms 2000 --emails 200     # small, as CI runs it

SMS: one ``SmppAdapter`` bound to ``tests.support.smpp_server.LoopbackSmsc`` in this
process, sending the dispatcher's way (``send`` in batches of ``--batch``), a realistic
mix of texts: Chinese reminders in one UCS-2 part, longer Chinese notices in two, English
reminders in one GSM-7 part. Timed from the first submit_sm until the SMSC has delivered
the last message; the receipts for all of them are then awaited and counted. The
loopback SMSC shares the process (and its GIL) with the adapter, so the figure is a
floor: against a real SMSC only the adapter's half of the work is ours.

E-mail: ``tests.support.smtp_server.measure_email_rate`` (the SMTP adapter's own helper).
Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from arrears.adapters.channels.smpp import SmppAdapter
from arrears.domain.messages import OutboundMessage, Sent

TEXTS = (
    ("zh-CN", "【示例银行】尊敬的客户，您尾号{n:04d}的贷款本期应还¥1,234.50已逾期3天，请尽快还款。回复TD退订"),
    (
        "zh-CN",
        "【示例银行】尊敬的客户，您尾号{n:04d}的贷款已逾期15天，逾期金额¥12,345.60（含罚息¥123.40）。"
        "请于2026年3月20日前通过手机银行或柜台还款，如已还款请忽略本短信。如有疑问请致电400-000-0000。回复TD退订",
    ),
    ("en", "Example Bank: your loan ending {n:04d} has $1,234.50 overdue since Mar 5, 2026. "
           "Please pay today. Reply STOP to opt out"),
)  # fmt: skip


def measure_sms(count: int, batch: int, window: int) -> None:
    from tests.support.smpp_server import LoopbackSmsc  # the repo root is on sys.path now

    messages = []
    for n in range(count):
        language, text = TEXTS[n % len(TEXTS)]
        messages.append(OutboundMessage(
            f"m:20260305:L{n:06d}:d15.sms", "sms", f"L{n:06d}", f"B{n:06d}",
            f"+86138{n:08d}", language, None, text.format(n=n),
        ))  # fmt: skip
    with LoopbackSmsc(receipt_delay_seconds=0.01) as smsc:
        adapter = SmppAdapter(smsc.host, smsc.port, system_id="arrears", password="secret",
                              window=window, deduplicates=True)  # fmt: skip
        try:
            adapter.send(messages[:1])  # bind before the clock starts
            smsc.wait_for(lambda: len(smsc.delivered) == 1)
            started = time.perf_counter()
            sent = 1
            for first in range(1, count, batch):
                outcomes = adapter.send(messages[first : first + batch])
                sent += sum(isinstance(outcome, Sent) for outcome in outcomes)
            smsc.wait_for(lambda: len(smsc.delivered) >= count, timeout=60)
            elapsed = time.perf_counter() - started
            receipts = 0
            deadline = time.monotonic() + 60
            while receipts < count and time.monotonic() < deadline:
                receipts += len(adapter.receipts())
                time.sleep(0.01)
        finally:
            adapter.close()
        parts = smsc.counts["parts_taken"]
        delivered = len(smsc.delivered)
    timed = count - 1
    print(
        f"SMS: {count:,} messages ({parts:,} parts) in batches of {batch}, window {window}:"
        f" {timed / elapsed:,.0f} SMS/s, {(parts - 1) / elapsed:,.0f} parts/s"
        f" ({elapsed:.2f} s); {sent:,} Sent, {delivered:,} delivered, {receipts:,} receipts"
    )
    if sent != count or delivered != count:
        raise SystemExit("some SMS were not taken")


def measure_email(count: int) -> None:
    try:
        from tests.support.smtp_server import measure_email_rate
    except ImportError as error:
        print(f"e-mail: skipped ({error}); tests/support/smtp_server.py is not there yet")
        return
    rate = measure_email_rate(count)
    print(f"e-mail: {count:,} messages: {rate:,.0f} e-mails/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=20000, help="SMS to send (0: skip)")
    parser.add_argument("--emails", type=int, default=2000, help="e-mails to send (0: skip)")
    parser.add_argument("--batch", type=int, default=500, help="messages per send()")
    parser.add_argument("--window", type=int, default=64, help="submit_sm in flight")
    args = parser.parse_args()
    if args.sms:
        measure_sms(args.sms, args.batch, args.window)
    if args.emails:
        measure_email(args.emails)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
