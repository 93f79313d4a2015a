"""The audit log on a real database (SQLite, or PostgreSQL with ARREARS_DATABASE_URL):
appends continue the chain, writers cannot fork it, reads stream, and any single
entry tampered with through SQL is found and named."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from arrears.adapters.store import tables as t
from arrears.domain.audit import (
    AuditRecord,
    BreakReason,
    ChainHead,
    canonical_text,
    chain_hash,
    link,
)
from arrears.entrypoints.bootstrap import App
from arrears.services import audit
from arrears.services.errors import Conflict, InvalidInput

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def decision(i: int, at: datetime = AT) -> AuditRecord:
    return AuditRecord(
        "gate_decision",
        f"L{i:04d}",
        {"verdict": "allow", "rule": "us.hours", "reason": "08:00–21:00 local", "n": i},
        at,
    )


def append(app: App, records: list[AuditRecord]) -> list[int]:
    return audit.append_entries(app.uow_factory, records)


def clear(app: App) -> None:
    with app.engine.begin() as connection:
        connection.execute(t.audit_log.delete())
        connection.execute(t.audit_head.delete())


# -- appending ----------------------------------------------------------------------------
def test_batches_continue_one_chain_and_move_the_head(app: App) -> None:
    # given two batches appended one after the other
    assert append(app, [decision(i) for i in range(3)]) == [1, 2, 3]
    assert append(app, [decision(i) for i in range(3, 5)]) == [4, 5]
    # then the stored entries are the chain linked in one go, and the head its last
    with app.uow() as uow:
        stored = list(uow.audit.entries())
        head = uow.audit.head()
    assert stored == link([decision(i) for i in range(5)], None)
    assert head == ChainHead(5, stored[-1].entry_hash)
    check = audit.verify(app.uow_factory)
    assert (check.intact, check.checked) == (True, 5)


def test_an_append_is_part_of_the_callers_transaction(app: App) -> None:
    # given an append in a unit of work that is not committed
    with app.uow() as uow:
        assert uow.audit.append([decision(1)]) == [1]
    # then nothing was written and the next append starts the chain
    assert audit.count_entries(app.uow_factory) == 0
    assert append(app, [decision(2)]) == [1]


def test_a_record_with_a_float_is_refused_and_nothing_is_written(app: App) -> None:
    bad = AuditRecord("gate_decision", "L1", {"amount": 12.5}, AT)
    with pytest.raises(InvalidInput, match="a float has no exact text"):
        append(app, [decision(1), bad])
    assert audit.count_entries(app.uow_factory) == 0


def test_appending_to_a_log_whose_head_was_deleted_is_refused(app: App) -> None:
    append(app, [decision(1)])
    with app.engine.begin() as connection:
        connection.execute(t.audit_head.delete())
    with pytest.raises(Conflict, match="has entries but no head"):
        append(app, [decision(2)])


def test_appends_from_two_writers_at_once_make_one_unforked_chain(app: App) -> None:
    # given two threads, each appending 30 batches of 7 in their own transactions
    failures: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for batch in range(30):
                start = offset + batch * 7
                append(app, [decision(i) for i in range(start, start + 7)])
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n * 1000,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every batch got its own seqs on one chain
    assert failures == []
    check = audit.verify(app.uow_factory)
    assert (check.intact, check.checked) == (True, 420)
    with app.uow() as uow:
        subjects = [e.subject for e in uow.audit.entries()]
    assert sorted(subjects) == sorted(f"L{n * 1000 + i:04d}" for n in (1, 2) for i in range(210))


# -- reading ------------------------------------------------------------------------------
def test_entries_are_read_in_chunks_in_seq_order(app: App) -> None:
    append(app, [decision(i) for i in range(25)])
    with app.uow() as uow:
        seqs = [e.seq for e in uow.audit.entries(chunk_size=4)]
        later = [e.seq for e in uow.audit.entries(after_seq=20, chunk_size=5)]
    assert seqs == list(range(1, 26))
    assert later == [21, 22, 23, 24, 25]


def test_verify_sees_one_moment_while_appends_go_on(app: App) -> None:
    # given a reader that fixed its snapshot and read the head
    append(app, [decision(i) for i in range(5)])
    with app.uow() as uow:
        uow.audit.snapshot()
        head = uow.audit.head()
        # when another transaction appends and commits
        append(app, [decision(i) for i in range(5, 8)])
        entries = list(uow.audit.entries(chunk_size=2))
    # then the reader still sees the log as its head says (nothing "beyond the head")
    assert head is not None and head.seq == 5
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert audit.verify(app.uow_factory).checked == 8


def test_export_takes_the_days_in_the_given_zone_in_seq_order(app: App) -> None:
    # given entries on 1, 2 and 3 March, Shanghai time (UTC+8)
    times = [
        datetime(2026, 2, 28, 15, 59, 59, 999999, tzinfo=UTC),  # 28 Feb 23:59:59 Shanghai
        datetime(2026, 2, 28, 16, 0, tzinfo=UTC),  # 1 Mar 00:00 Shanghai
        datetime(2026, 3, 2, 15, 59, tzinfo=UTC),  # 2 Mar 23:59
        datetime(2026, 3, 2, 16, 0, tzinfo=UTC),  # 3 Mar 00:00
    ]
    append(app, [decision(i, at) for i, at in enumerate(times)])
    # when 1 to 2 March is exported as JSON lines
    text_ = "".join(
        audit.export(
            app.uow_factory, date(2026, 3, 1), date(2026, 3, 2), SHANGHAI, audit.ExportFormat.JSONL
        )
    )
    # then the two entries of those days come out, whole
    lines = text_.splitlines()
    assert [line[:40] for line in lines] == [
        '{"seq":2,"recorded_at":"2026-02-28T16:00',
        '{"seq":3,"recorded_at":"2026-03-02T15:59',
    ]


def test_export_of_days_without_entries_is_a_csv_header_only(app: App) -> None:
    append(app, [decision(1)])
    exported = "".join(audit.export(app.uow_factory, date(2027, 1, 1), date(2027, 1, 2), UTC))
    assert exported == "seq,recorded_at,kind,subject,payload,prev_hash,entry_hash\n"


def test_an_export_span_that_ends_before_it_starts_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput, match="ends"):
        audit.export(app.uow_factory, date(2026, 3, 2), date(2026, 3, 1), UTC)


# -- tampering through SQL, at random -----------------------------------------------------
# One change to one entry, as someone with write access to the database would make it.
# ``expected`` is the seq verify must name first; a forger who recomputes the hash of
# what they changed hides that entry, but not the break it leaves in the next link.
FIELDS = ("seq", "recorded_at", "kind", "subject", "payload_json", "prev_hash", "entry_hash")


@dataclass(frozen=True)
class Tampering:
    how: str  # edit, edit_rehashed, delete, swap, insert, insert_rehashed
    seq: int  # the entry tampered with (insert: the seq the forgery takes)
    field: str = ""
    other: int = 0  # swap: the second entry; edit of seq: the new seq
    value: Any = None


KINDS = [
    *(f"edit:{field}" for field in FIELDS),
    *(f"edit_rehashed:{field}" for field in FIELDS[1:5]),
    "delete", "swap", "insert", "insert_rehashed",
]  # fmt: skip


@st.composite
def scenarios(draw: st.DrawFn, kind: str) -> tuple[list[list[AuditRecord]], Tampering]:
    """A chain of 1 to 12 random records in up to 4 batches, and one ``kind`` of tampering."""
    how, _, field = kind.partition(":")
    count = draw(st.integers(2 if how == "swap" else 1, 12))
    records = [
        AuditRecord(
            draw(st.sampled_from(["gate_decision", "note", "consent"])),
            draw(st.text("LB0123456789二", min_size=1, max_size=8)),
            draw(
                st.dictionaries(
                    st.text(max_size=5),
                    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    max_size=4,
                )
            ),
            AT + timedelta(seconds=draw(st.integers(0, 86_400 * 3)), microseconds=i),
        )
        for i in range(count)
    ]
    cuts = sorted(draw(st.sets(st.integers(1, count - 1), max_size=3))) if count > 1 else []
    batches = [records[a:b] for a, b in zip([0, *cuts], [*cuts, count], strict=True)]
    if how.startswith("insert"):
        return batches, Tampering(how, draw(st.integers(1, count + 1)))
    seq = draw(st.integers(1, count))
    if how == "swap":
        other = draw(st.integers(1, count).filter(lambda s: s != seq))
        return batches, Tampering(how, seq, other=other)
    if how == "delete":
        return batches, Tampering(how, seq)
    if field == "seq":
        new_seq = draw(st.integers(-5, 0) | st.integers(count + 1, count + 5))
        return batches, Tampering(how, seq, field, other=new_seq)
    return batches, Tampering(how, seq, field, value=draw(_new_value(field)))


def _new_value(field: str) -> st.SearchStrategy[Any]:
    if field == "recorded_at":
        return st.integers(1, 10**9).map(lambda us: timedelta(microseconds=us))
    if field in ("prev_hash", "entry_hash"):
        return st.text("0123456789abcdef", min_size=64, max_size=64)
    if field == "payload_json":
        return st.sampled_from(['{"forged":true}', "{}", " ", '{"verdict":"deny"}'])
    return st.text("XYZ二", min_size=1, max_size=8)


def expected_first_bad(tampering: Tampering, count: int) -> tuple[int, set[BreakReason]]:
    r, s = BreakReason, tampering.seq
    how = tampering.how
    if how == "edit" and tampering.field == "seq":
        new = tampering.other
        return (new, {r.OUT_OF_ORDER}) if new < 1 else (s, {r.MISSING})
    if how == "edit":
        linked = {r.PREV_HASH_MISMATCH} if tampering.field == "prev_hash" else {r.EDITED}
        return s, linked
    if how == "edit_rehashed":  # the entry itself looks whole: the next link breaks
        return (s + 1, {r.PREV_HASH_MISMATCH}) if s < count else (s, {r.HEAD_MISMATCH})
    if how == "delete":
        return s, {r.MISSING}
    if how == "swap":
        return min(s, tampering.other), {r.PREV_HASH_MISMATCH}
    if how == "insert":  # a made-up hash: the forgery itself is caught
        return s, {r.EDITED}
    # insert_rehashed: a well-formed forgery; the entry it pushed up no longer links,
    # unless the forgery took the head's seq (or went past it)
    if s < count:
        return s + 1, {r.PREV_HASH_MISMATCH}
    return s, {r.HEAD_MISMATCH} if s == count else {r.BEYOND_HEAD}


def tamper(connection: Connection, tampering: Tampering) -> None:
    log, s = t.audit_log, tampering.seq
    row = connection.execute(log.select().where(log.c.seq == s)).first()
    if tampering.how == "delete":
        connection.execute(log.delete().where(log.c.seq == s))
    elif tampering.how == "swap":
        _renumber(connection, {s: tampering.other, tampering.other: s})
    elif tampering.how.startswith("insert"):
        _insert_forgery(connection, s, rehashed=tampering.how == "insert_rehashed")
    elif tampering.field == "seq":
        _renumber(connection, {s: tampering.other})
    else:
        assert row is not None
        value = _changed(getattr(row, tampering.field), tampering)
        values: dict[str, Any] = {tampering.field: value}
        if tampering.how == "edit_rehashed":  # a forger who knows the recipe
            f = {**row._mapping, **values}
            text_ = canonical_text(
                s, _utc(f["recorded_at"]), f["kind"], f["subject"], f["payload_json"]
            )
            values["entry_hash"] = chain_hash(f["prev_hash"], text_)
        connection.execute(log.update().where(log.c.seq == s).values(**values))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _changed(old: Any, tampering: Tampering) -> Any:
    new = tampering.value
    if isinstance(new, timedelta):
        return _utc(old) + new
    if new == old:  # make sure it is a change
        return new[:-1] + ("1" if new[-1] != "1" else "2") if len(new) == 64 else new + "X"
    return new


def _renumber(connection: Connection, moves: dict[int, int]) -> None:
    """Change seqs in two steps through negatives, so that no step collides."""
    for old, new in moves.items():
        connection.execute(text("UPDATE audit_log SET seq = :tmp WHERE seq = :old"),
                           {"tmp": -1000 - new, "old": old})  # fmt: skip
    for new in moves.values():
        connection.execute(text("UPDATE audit_log SET seq = :new WHERE seq = :tmp"),
                           {"new": new, "tmp": -1000 - new})  # fmt: skip


def _insert_forgery(connection: Connection, seq: int, rehashed: bool) -> None:
    later = [r[0] for r in connection.execute(text("SELECT seq FROM audit_log WHERE seq >= :s"), {"s": seq})]  # fmt: skip
    _renumber(connection, {old: old + 1 for old in later})
    before = connection.execute(
        text("SELECT entry_hash FROM audit_log WHERE seq = :s"), {"s": seq - 1}
    ).scalar()
    prev_hash = before or "0" * 64
    (forged,) = link([AuditRecord("gate_decision", "L666", {"verdict": "allow"}, AT)],
                     ChainHead(seq - 1, prev_hash))  # fmt: skip
    connection.execute(
        t.audit_log.insert().values(
            seq=forged.seq, recorded_at=forged.recorded_at, kind=forged.kind,
            subject=forged.subject, payload_json=forged.payload_json, prev_hash=prev_hash,
            entry_hash=forged.entry_hash if rehashed else "e" * 64,
        )
    )  # fmt: skip


EXAMPLES = settings(  # per kind of tampering; ARREARS_AUDIT_EXAMPLES=500 for a deeper run
    max_examples=int(os.environ.get("ARREARS_AUDIT_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("kind", KINDS)
def test_any_single_entry_tampered_with_in_the_database_is_found_and_named(
    app: App, kind: str
) -> None:
    @EXAMPLES
    @given(scenario=scenarios(kind))
    def check(scenario: tuple[list[list[AuditRecord]], Tampering]) -> None:
        batches, tampering = scenario
        count = sum(len(b) for b in batches)
        clear(app)
        # given a chain appended in a few batches, intact
        for batch in batches:
            append(app, batch)
        assert audit.verify(app.uow_factory).intact
        # when one entry is tampered with through SQL
        with app.engine.begin() as connection:
            tamper(connection, tampering)
        # then verify names the first bad seq, and why
        check = audit.verify(app.uow_factory)
        note(f"{tampering} on {count} entries: {check.broken}")
        seq, reasons = expected_first_bad(tampering, count)
        assert check.broken is not None
        assert check.broken.seq == seq
        assert check.broken.reason in reasons

    check()
