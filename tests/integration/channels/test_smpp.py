"""SMS over SMPP 3.4 against a loopback SMSC: delivery once per message, long texts in UDH
parts reassembled exactly, receipts, keep-alive, throttling, a connection dropped mid-batch
(no loss, no duplicate), invalid numbers, and borrowers' replies."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from smpplib import gsm, smpp

from arrears.adapters.channels.smpp import SmppAdapter
from arrears.adapters.channels.smpp_codec import Sequencer
from arrears.domain.messages import (
    MessageStatus,
    OutboundMessage,
    Outcome,
    Permanent,
    Sent,
    Transient,
)
from tests.support.smpp_server import LoopbackSmsc, SmscFaults

LONG_CHINESE = (
    "【示例银行】尊敬的客户，您尾号0123的贷款已逾期15天，逾期金额¥12,345.60（含罚息¥123.40）。"
    "请于2026年3月20日前通过手机银行或柜台还款，如已还款请忽略本短信。如有疑问请致电400-000-0000。"
    "回复TD退订"
)
# 3 GSM-7 parts; "€", "[", "{", "~" and "|" take two septets each, and smpplib's split
# (153 septets a part) would cut the second "€" between its escape and its code
LONG_GSM = (
    "Example Bank: your loan ending 0123 is 15 days overdue [late fee incl.]. Pay by "
    "Mar 20, 2026 in the app or at a branch; if paid, ignore this. Due: €1,234.50 "
    "{incl. €12.00 fee}. Questions? Call 400-000-0000 ~ any day. Reply STOP to opt out. "
    + "x" * 58
    + "€ end|"
)


def sms(n: int, text: str | None = None, to: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        f"m:20260305:L{n:06d}:d3.sms",
        "sms",
        f"L{n:06d}",
        f"B{n:06d}",
        to or f"+86138{n:08d}",
        "zh-CN",
        None,
        text or f"您尾号{n:04d}的贷款已逾期3天，请尽快还款。回复TD退订",
    )


@pytest.fixture
def smsc() -> Iterator[LoopbackSmsc]:
    with LoopbackSmsc() as server:
        yield server


def connect(smsc: LoopbackSmsc, **options: object) -> SmppAdapter:
    settings: dict[str, object] = {"deduplicates": True, "throttle_pause_seconds": 0.05}
    return SmppAdapter(
        smsc.host, smsc.port, system_id="arrears", password="secret", **(settings | options)
    )  # type: ignore[arg-type]


@pytest.fixture
def adapter(smsc: LoopbackSmsc) -> Iterator[SmppAdapter]:
    adapter = connect(smsc, timeout_seconds=5.0)
    yield adapter
    adapter.close()


def send_until_sent(
    adapter: SmppAdapter, messages: Sequence[OutboundMessage], rounds: int = 20
) -> dict[str, Outcome]:
    """What the dispatcher does: resend the Transient ones, same keys, until all are Sent."""
    outcomes: dict[str, Outcome] = {}
    waiting = list(messages)
    for _ in range(rounds):
        if not waiting:
            break
        results = adapter.send(waiting)
        outcomes.update((m.message_id, r) for m, r in zip(waiting, results, strict=True))
        waiting = [m for m, r in zip(waiting, results, strict=True) if isinstance(r, Transient)]
    assert waiting == [], f"still Transient after {rounds} rounds"
    return outcomes


def test_a_batch_is_delivered_once_per_message(smsc: LoopbackSmsc, adapter: SmppAdapter) -> None:
    # given 50 reminders
    messages = [sms(n) for n in range(50)]

    # when they are sent in one batch
    outcomes = adapter.send(messages)

    # then each was taken, has its own SMSC id, and arrived once with its exact text
    assert all(isinstance(o, Sent) for o in outcomes)
    assert len({o.provider_id for o in outcomes if isinstance(o, Sent)}) == 50
    assert smsc.wait_for(lambda: len(smsc.delivered) == 50)
    assert smsc.delivered_per_key() == {m.message_id: 1 for m in messages}
    assert {d.key: d.text for d in smsc.delivered} == {m.message_id: m.text for m in messages}
    assert smsc.counts["duplicates_dropped"] == 0
    assert (adapter.channel, adapter.provider) == ("sms", f"smpp:127.0.0.1:{smsc.port}")
    assert adapter.honours_idempotency_key is True


def test_an_adapter_for_an_smsc_that_does_not_deduplicate_does_not_claim_it() -> None:
    adapter = SmppAdapter("127.0.0.1", 1, system_id="arrears", password="secret")
    assert adapter.honours_idempotency_key is False


def test_a_long_chinese_text_goes_in_ucs2_parts_and_arrives_whole(
    smsc: LoopbackSmsc, adapter: SmppAdapter
) -> None:
    assert len(LONG_CHINESE) > 70
    (outcome,) = adapter.send([sms(1, LONG_CHINESE)])

    assert isinstance(outcome, Sent)
    assert smsc.wait_for(lambda: len(smsc.delivered) == 1)
    (delivered,) = smsc.delivered
    assert delivered.text == LONG_CHINESE
    assert delivered.data_coding == 8  # UCS-2
    assert len(delivered.message_ids) >= 2
    assert outcome.provider_id == delivered.message_ids[-1]  # the part that asked for a receipt


def test_a_long_gsm_text_with_escaped_characters_arrives_whole(
    smsc: LoopbackSmsc, adapter: SmppAdapter
) -> None:
    naive_parts, _, _ = gsm.make_parts(LONG_GSM)
    assert naive_parts[1].endswith(b"\x1b")  # the case this test is about

    (outcome,) = adapter.send([sms(2, LONG_GSM)])

    assert isinstance(outcome, Sent)
    assert smsc.wait_for(lambda: len(smsc.delivered) == 1)
    (delivered,) = smsc.delivered
    assert delivered.text == LONG_GSM
    assert delivered.data_coding == 0  # GSM-7
    assert len(delivered.message_ids) == 3


@pytest.mark.parametrize("receipt_tlvs", [True, False], ids=["tlvs", "text-only"])
def test_receipts_say_delivered_undeliverable_or_expired(receipt_tlvs: bool) -> None:
    faults = SmscFaults(
        undeliverable_numbers={"+8613800000002"}, expired_numbers={"+8613800000003"}
    )
    with LoopbackSmsc(faults=faults, receipt_tlvs=receipt_tlvs) as smsc:
        adapter = connect(smsc)
        try:
            outcomes = adapter.send([sms(1), sms(2), sms(3, LONG_CHINESE)])
            assert smsc.wait_for(lambda: smsc.counts["deliver_sm_resp"] == 3)
            receipts = {r.provider_id: r for r in adapter.receipts()}
        finally:
            adapter.close()

    ids = [o.provider_id for o in outcomes if isinstance(o, Sent)]
    assert [receipts[i].status for i in ids] == [
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERABLE,
        MessageStatus.EXPIRED,
    ]
    assert receipts[ids[1]].detail == "stat:UNDELIV err:001"
    assert all(r.at.tzinfo is not None for r in receipts.values())
    assert adapter.receipts() == []  # drained


def test_an_idle_link_is_kept_alive_and_the_smscs_enquire_link_answered(
    smsc: LoopbackSmsc,
) -> None:
    adapter = connect(smsc, enquire_link_seconds=0.1)
    try:
        adapter.send([sms(1)])

        # idle: the adapter asks, again and again
        assert smsc.wait_for(lambda: smsc.counts["enquire_link"] >= 3)
        # and answers when asked
        smsc.send_enquire_link()
        assert smsc.wait_for(lambda: smsc.counts["enquire_link_resp"] >= 1)
        assert smsc.counts["binds"] == 1  # one link all along
    finally:
        adapter.close()


def test_throttling_slows_the_adapter_and_the_refused_go_on_a_later_send(
    smsc: LoopbackSmsc,
) -> None:
    # given an SMSC that refuses everything for 0.3 s from the 40th submit_sm
    smsc.faults.throttle_from_submit, smsc.faults.throttle_seconds = 40, 0.3
    adapter = connect(smsc, window=16)
    messages = [sms(n) for n in range(300)]
    try:
        # when a batch runs into it
        first = adapter.send(messages)
        refused = [o for o in first if isinstance(o, Transient)]

        # then the refused are Transient with the adapter's pause as the hint...
        assert refused
        assert all("ESME_RTHROTTLED" in o.reason for o in refused)
        assert all(o.retry_after_seconds and o.retry_after_seconds >= 0.05 for o in refused)
        # ...the adapter backed off (halved window, growing pauses) instead of hammering
        # on: a window, then half a window, … (at 2,000 parts/s, 0.3 s is 600 refusals)
        assert smsc.counts["throttled"] <= 2 * 16

        # and resent with the same keys, every message arrives once
        send_until_sent(adapter, messages)
    finally:
        adapter.close()
    assert smsc.wait_for(lambda: len(smsc.delivered) == 300)
    assert smsc.delivered_per_key() == {m.message_id: 1 for m in messages}


def test_a_long_throttling_ends_the_batch_early_with_the_pause_as_the_hint(
    smsc: LoopbackSmsc,
) -> None:
    # given an SMSC that refuses everything from the 10th submit_sm on, for a minute
    smsc.faults.throttle_from_submit, smsc.faults.throttle_seconds = 10, 60.0
    adapter = connect(smsc, window=8, max_pause_in_send_seconds=0.3)
    messages = [sms(n) for n in range(100)]
    try:
        # when a batch runs into it: pauses of 0.05, 0.1, 0.2 s, then 0.4 s is too long
        started = time.monotonic()
        outcomes = adapter.send(messages)
        elapsed = time.monotonic() - started
        submits = smsc.counts["submits"]
        again = adapter.send(messages[9:])
    finally:
        adapter.close()

    # then the batch returned rather than sit out the throttling...
    assert elapsed < 5
    assert all(isinstance(o, Sent) for o in outcomes[:9])
    held = outcomes[9:]
    assert all(isinstance(o, Transient) for o in held)
    # ...the messages never sent carry the rest of the pause as the hint...
    assert held[-1].retry_after_seconds and held[-1].retry_after_seconds > 0.2  # type: ignore[union-attr]
    assert submits <= 9 + 8 + 4 + 2 + 1
    # ...and a send during the pause does not submit at all
    assert all(isinstance(o, Transient) and o.retry_after_seconds for o in again)
    assert smsc.counts["submits"] == submits


def test_every_kth_submit_throttled_is_retried_until_all_arrive(smsc: LoopbackSmsc) -> None:
    smsc.faults.throttle_every = 7
    adapter = connect(smsc)
    messages = [sms(n) for n in range(40)]
    try:
        outcomes = send_until_sent(adapter, messages)
    finally:
        adapter.close()
    assert all(isinstance(o, Sent) for o in outcomes.values())
    assert smsc.counts["throttled"] >= 5
    assert smsc.wait_for(lambda: len(smsc.delivered) == 40)
    assert smsc.delivered_per_key() == {m.message_id: 1 for m in messages}


def test_a_connection_dropped_mid_batch_loses_and_doubles_nothing(smsc: LoopbackSmsc) -> None:
    # given an SMSC that drops the link at the 60th submit_sm, having taken the last 5
    # before it without answering (they were delivered; the adapter cannot know)
    smsc.faults.drop_after_submits, smsc.faults.taken_unanswered = 60, 5
    adapter = connect(smsc)
    messages = [sms(n, LONG_CHINESE if n % 3 == 0 else None) for n in range(200)]
    try:
        # when a batch runs into the drop
        first = adapter.send(messages)
        # (how many responses arrive before the drop depends on timing: a reset can
        # discard answers already on their way, so none of them may count as sent)
        unanswered = [m for m, o in zip(messages, first, strict=True) if isinstance(o, Transient)]
        assert unanswered
        assert all("connection lost" in o.reason for o in first if isinstance(o, Transient))

        # then the next send reconnects and, with the same keys, finishes the batch
        retried = send_until_sent(adapter, unanswered)
        assert adapter.connects == 2
    finally:
        adapter.close()

    assert smsc.wait_for(lambda: len(smsc.delivered) >= 200)
    assert smsc.delivered_per_key() == {m.message_id: 1 for m in messages}  # none lost, none twice
    assert smsc.counts["duplicates_dropped"] >= 5  # the resent parts the SMSC already had
    assert smsc.counts["drops"] == 1
    # a resent message that had been taken keeps its first id, so its receipt finds it
    delivered_ids = {d.key: d.message_ids[-1] for d in smsc.delivered}
    assert all(
        isinstance(o, Sent) and o.provider_id == delivered_ids[key] for key, o in retried.items()
    )


def test_an_smsc_that_stops_answering_is_given_up_and_the_resend_is_not_doubled(
    smsc: LoopbackSmsc,
) -> None:
    # given an SMSC that takes every submit_sm from the 3rd on and answers none
    smsc.faults.drop_after_submits, smsc.faults.taken_unanswered = 10_000, 10_000 - 2
    adapter = connect(smsc, timeout_seconds=0.3)
    messages = [sms(n) for n in range(5)]
    try:
        first = adapter.send(messages)
        smsc.faults.drop_after_submits = None  # it recovers

        # then the unanswered are Transient, the link given up after the timeout...
        assert [type(o) for o in first] == [Sent, Sent, Transient, Transient, Transient]
        assert "no submit_sm_resp within 0.3 s" in first[2].reason  # type: ignore[union-attr]
        # ...and their resend (a new bind) is taken without a second delivery
        assert all(isinstance(o, Sent) for o in adapter.send(messages[2:]))
        assert adapter.connects == 2
    finally:
        adapter.close()
    assert smsc.delivered_per_key() == {m.message_id: 1 for m in messages}
    assert smsc.counts["duplicates_dropped"] == 3


def test_a_bind_refused_is_transient_and_retried_only_after_a_backoff() -> None:
    with LoopbackSmsc(password="other") as smsc:
        adapter = connect(smsc)
        try:
            (first,) = adapter.send([sms(1)])
            (second,) = adapter.send([sms(1)])
        finally:
            adapter.close()
        assert isinstance(first, Transient) and "Invalid Password" in first.reason
        assert first.retry_after_seconds == 0.5
        assert isinstance(second, Transient) and "next bind in" in second.reason
        assert smsc.counts["bind_transceiver"] == 1  # the second send did not hammer


def test_an_invalid_number_is_permanent_and_the_others_go(
    smsc: LoopbackSmsc, adapter: SmppAdapter
) -> None:
    smsc.faults.invalid_numbers = {"+8613900000000"}

    outcomes = adapter.send([sms(1), sms(2, to="+8613900000000"), sms(3, to="not a number")])

    assert isinstance(outcomes[0], Sent)
    assert isinstance(outcomes[1], Permanent) and "ESME_RINVDSTADR" in outcomes[1].reason
    assert isinstance(outcomes[2], Permanent) and "not a phone number" in outcomes[2].reason
    assert smsc.counts["submits"] == 2  # the non-number never left


def test_a_borrowers_reply_is_surfaced_by_inbound() -> None:
    with LoopbackSmsc(receipts=False) as smsc:
        adapter = connect(smsc)
        try:
            adapter.send([sms(1)])
            smsc.inject_reply("+8613800000001", "TD")
            smsc.inject_reply("+8613800000002", "退订")
            assert smsc.wait_for(lambda: smsc.counts["deliver_sm_resp"] == 2)
            replies = adapter.inbound()
        finally:
            adapter.close()
    assert [(number, text) for number, text, _ in replies] == [
        ("+8613800000001", "TD"),
        ("+8613800000002", "退订"),
    ]
    assert adapter.receipts() == []  # a reply is not a receipt


def test_a_deliver_sm_the_adapter_cannot_read_is_refused_and_the_link_stays_up() -> None:
    # given a deliver_sm whose message_state TLV has no value: smpplib cannot parse it
    mo = smpp.make_pdu("deliver_sm", client=Sequencer(), source_addr="8613800000001",
                       destination_addr="arrears", short_message=b"TD")  # fmt: skip
    body = mo.generate()[4:] + struct.pack(">HH", 0x0427, 0)
    broken = struct.pack(">L", len(body) + 4) + body
    with LoopbackSmsc(receipts=False) as smsc:
        adapter = connect(smsc)
        try:
            adapter.send([sms(1)])

            # when the SMSC sends it, then a good reply
            smsc.send_raw(broken)
            smsc.inject_reply("+8613800000001", "TD")

            # then the bad one is refused for good (not redelivered forever), the good one
            # read, on the same link
            assert smsc.wait_for(lambda: smsc.counts["deliver_sm_resp"] == 2)
            assert smsc.counts["deliver_sm_resp 0x65"] == 1  # ESME_RX_P_APPN
            assert [text for _, text, _ in adapter.inbound()] == ["TD"]
            assert isinstance(adapter.send([sms(2)])[0], Sent)
            assert adapter.connects == 1
        finally:
            adapter.close()


def test_close_unbinds_and_leaves_no_thread_behind(smsc: LoopbackSmsc) -> None:
    adapter = connect(smsc)
    adapter.send([sms(1)])
    assert any(t.name.startswith("smpp-reader") for t in threading.enumerate())

    adapter.close()

    assert not any(t.name.startswith("smpp-reader") for t in threading.enumerate())
    assert smsc.wait_for(lambda: smsc.counts["unbind"] == 1)
    (after,) = adapter.send([sms(2)])
    assert isinstance(after, Transient) and "closed" in after.reason
