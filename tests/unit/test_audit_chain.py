"""The audit hash chain, pure: its canonical form, and what verify_chain finds where."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditRecord,
    AuditRecordError,
    BreakReason,
    ChainHead,
    canonical_payload,
    chain_hash,
    link,
    verify_chain,
)

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def records(count: int) -> list[AuditRecord]:
    return [
        AuditRecord(
            "gate_decision",
            f"L{i + 1:03d}",
            {"verdict": "allow", "rule": "us.hours", "attempt": i},
            AT + timedelta(seconds=i),
        )
        for i in range(count)
    ]


def chain(count: int = 5) -> list[AuditEntry]:
    return link(records(count), head=None)


def head_of(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].seq, entries[-1].entry_hash)


def first_bad(entries: list[AuditEntry], head: ChainHead | None) -> tuple[int | None, str]:
    broken = verify_chain(entries, head).broken
    assert broken is not None, "the tampering went unnoticed"
    return broken.seq, str(broken.reason)


# -- the canonical form -------------------------------------------------------------------
def test_the_first_entry_links_to_64_zeros_and_each_next_to_the_one_before() -> None:
    entries = chain(3)
    assert entries[0].prev_hash == GENESIS_HASH == "0" * 64
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert [e.seq for e in entries] == [1, 2, 3]


def test_an_entry_hash_is_sha256_of_the_prev_hash_then_the_entry_as_sorted_compact_json() -> None:
    # given an entry linked after a head
    head = ChainHead(41, "ab" * 32)
    (entry,) = link([AuditRecord("gate_decision", "L7", {"z": 1, "a": "二"}, AT)], head)
    # then its hash is what a regulator computes with any JSON library
    document = {
        "seq": 42,
        "recorded_at": "2026-03-02T01:30:00.000000Z",
        "kind": "gate_decision",
        "subject": "L7",
        "payload": {"z": 1, "a": "二"},
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.seq == 42 and entry.prev_hash == "ab" * 32
    assert entry.entry_hash == hashlib.sha256(("ab" * 32 + text).encode("utf-8")).hexdigest()
    assert entry.canonical_text() == text


def test_times_are_written_in_utc_whatever_zone_they_come_in() -> None:
    beijing = timezone(timedelta(hours=8))
    (entry,) = link([AuditRecord("note", "B1", {}, AT.astimezone(beijing))], None)
    assert entry.recorded_at == AT and entry.recorded_at.tzinfo is UTC
    assert '"recorded_at":"2026-03-02T01:30:00.000000Z"' in entry.canonical_text()


class Channel(StrEnum):
    SMS = "sms"


def test_payload_values_are_turned_into_plain_json_once_when_linked() -> None:
    payload = {
        "channel": Channel.SMS,
        "not_before": datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8))),
        "as_of": date(2026, 3, 2),
        "amount": Decimal("300.00"),
        "debts": ("L1", "L2"),
        "nested": {"ok": True, "none": None},
    }
    assert canonical_payload(payload) == (
        '{"amount":"300.00","as_of":"2026-03-02","channel":"sms","debts":["L1","L2"],'
        '"nested":{"none":null,"ok":true},"not_before":"2026-03-02T01:00:00.000000Z"}'
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"amount": 1.5}, "payload.amount: a float has no exact text"),
        ({"deep": [{"x": float("nan")}]}, "payload.deep[0].x: a float"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "has no time zone"),
        ({1: "one"}, "the key 1 is not a string"),
        ({"x": {1, 2}}, "payload.x: {1, 2} (set) is not a JSON value"),
        ({"x": Decimal("Infinity")}, "is not a JSON value"),
    ],
)
def test_a_payload_that_has_no_single_text_form_is_refused(payload: dict, message: str) -> None:
    with pytest.raises(AuditRecordError, match=re.escape(message)):
        link([AuditRecord("note", "B1", payload, AT)], None)


@pytest.mark.parametrize(
    ("kind", "subject"), [("", "B1"), ("note", ""), ("k" * 33, "B1"), ("note", "s" * 65)]
)
def test_an_empty_or_too_long_kind_or_subject_is_refused(kind: str, subject: str) -> None:
    with pytest.raises(AuditRecordError, match="is text of 1 to"):
        link([AuditRecord(kind, subject, {}, AT)], None)


def test_a_naive_recorded_at_is_refused() -> None:
    with pytest.raises(AuditRecordError, match="has no time zone"):
        link([AuditRecord("note", "B1", {}, datetime(2026, 3, 2, 1, 30))], None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200)
@given(
    payload=st.dictionaries(st.text(), json_values, max_size=6),
    kind=st.text(min_size=1, max_size=32),
    subject=st.text(min_size=1, max_size=64),
)
def test_any_json_payload_hashes_as_the_documented_recipe_computes_it(
    payload: dict, kind: str, subject: str
) -> None:
    (entry,) = link([AuditRecord(kind, subject, payload, AT)], None)
    document = {
        "seq": 1,
        "recorded_at": "2026-03-02T01:30:00.000000Z",
        "kind": kind,
        "subject": subject,
        "payload": json.loads(entry.payload_json),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.payload == payload
    assert entry.entry_hash == chain_hash(GENESIS_HASH, text)


# -- verifying ----------------------------------------------------------------------------
def test_an_untouched_chain_is_intact_and_every_entry_is_counted() -> None:
    entries = chain(5)
    check = verify_chain(entries, head_of(entries))
    assert (check.intact, check.checked, check.broken) == (True, 5, None)


def test_an_empty_log_without_a_head_is_intact() -> None:
    assert verify_chain([], None).intact


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "note"},
        {"subject": "L999"},
        {"payload_json": '{"attempt":2,"rule":"us.hours","verdict":"deny"}'},
        {"payload_json": '{"attempt":2, "rule":"us.hours","verdict":"allow"}'},  # a space
        {"recorded_at": AT + timedelta(seconds=2, microseconds=1)},
        {"entry_hash": "f" * 64},
    ],
)
def test_an_edited_entry_is_named_as_edited(change: dict) -> None:
    entries = chain(5)
    entries[2] = replace(entries[2], **change)
    assert first_bad(entries, head_of(chain(5))) == (3, "edited")


def test_an_edited_prev_hash_is_named_as_not_linked() -> None:
    entries = chain(5)
    entries[3] = replace(entries[3], prev_hash="0" * 64)
    assert first_bad(entries, head_of(entries)) == (4, "prev_hash_mismatch")


def test_an_entry_edited_with_its_hash_recomputed_breaks_the_link_of_the_next() -> None:
    # given entry 2 rewritten by someone who also recomputed its hash
    entries = chain(5)
    forged = replace(entries[1], subject="L999")
    entries[1] = replace(forged, entry_hash=forged.computed_hash())
    # then entry 2 looks whole, but entry 3 no longer links to it
    assert first_bad(entries, head_of(chain(5))) == (3, "prev_hash_mismatch")


def test_the_last_entry_edited_with_its_hash_recomputed_disagrees_with_the_head() -> None:
    entries = chain(5)
    head = head_of(entries)
    forged = replace(entries[4], subject="L999")
    entries[4] = replace(forged, entry_hash=forged.computed_hash())
    assert first_bad(entries, head) == (5, "head_mismatch")


@pytest.mark.parametrize("removed", [1, 2, 3, 4])
def test_a_removed_entry_is_named_by_the_seq_that_is_missing(removed: int) -> None:
    entries = chain(5)
    head = head_of(entries)
    del entries[removed - 1]
    assert first_bad(entries, head) == (removed, "missing")


def test_the_last_entry_removed_shows_against_the_head() -> None:
    entries = chain(5)
    head = head_of(entries)
    broken = verify_chain(entries[:-1], head).broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (5, BreakReason.MISSING)
    assert broken.detail == "the log ends at seq 4 but its head is seq 5"


def test_every_entry_removed_shows_against_the_head() -> None:
    entries = chain(3)
    assert first_bad([], head_of(entries)) == (1, "missing")


def test_two_entries_swapped_are_found_where_the_first_moved() -> None:
    entries = chain(5)
    entries[1], entries[3] = entries[3], entries[1]
    assert first_bad(entries, head_of(chain(5))) == (2, "missing")  # seq 4 where 2 belongs


def test_two_entries_swapped_with_their_seqs_renumbered_break_the_link() -> None:
    # the log is read in seq order, so a move in the database is a swap of seqs
    entries = chain(5)
    second, fourth = entries[1], entries[3]
    entries[1], entries[3] = replace(fourth, seq=2), replace(second, seq=4)
    assert first_bad(entries, head_of(chain(5))) == (2, "prev_hash_mismatch")


def test_a_seq_going_back_is_named_out_of_order() -> None:
    entries = chain(5)
    assert first_bad([*entries[:3], entries[1], *entries[3:]], head_of(entries)) == (
        2,
        "out_of_order",
    )


def test_an_inserted_entry_with_a_valid_hash_breaks_the_link_of_the_one_after() -> None:
    # given a forged entry put in as seq 3, later ones moved up by one
    entries = chain(4)
    (forged,) = link([AuditRecord("gate_decision", "L666", {"verdict": "allow"}, AT)],
                     ChainHead(2, entries[1].entry_hash))  # fmt: skip
    moved = [replace(e, seq=e.seq + 1) for e in entries[2:]]
    tampered = [*entries[:2], forged, *moved]
    # then the forgery itself is whole; the entry after it no longer links
    assert first_bad(tampered, ChainHead(5, moved[-1].entry_hash)) == (4, "prev_hash_mismatch")


def test_an_inserted_entry_with_a_made_up_hash_is_named_as_edited() -> None:
    entries = chain(4)
    forged = AuditEntry(3, AT, "gate_decision", "L666", "{}", entries[1].entry_hash, "e" * 64)
    tampered = [*entries[:2], forged, *[replace(e, seq=e.seq + 1) for e in entries[2:]]]
    assert first_bad(tampered, head_of(entries)) == (3, "edited")


def test_an_entry_appended_without_moving_the_head_is_beyond_the_head() -> None:
    entries = chain(4)
    head = head_of(entries)
    (forged,) = link([AuditRecord("note", "L666", {}, AT)], head)
    assert first_bad([*entries, forged], head) == (5, "beyond_head")


def test_entries_without_a_head_are_reported_as_a_missing_head() -> None:
    broken = verify_chain(chain(3), None).broken
    assert broken is not None
    assert (broken.seq, broken.reason, str(broken)) == (
        None,
        BreakReason.HEAD_MISSING,
        "the head: head_missing: the log holds 3 entries but has no head",
    )


def test_the_check_counts_the_entries_that_passed_before_the_break() -> None:
    entries = chain(6)
    entries[4] = replace(entries[4], subject="L999")
    check = verify_chain(entries, head_of(chain(6)))
    assert (check.checked, check.broken and check.broken.seq) == (4, 5)
    assert check.broken is not None and check.broken.entry == entries[4]
