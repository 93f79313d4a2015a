"""Contact attempts and flags on a real database; the batch roll-up equals the pure reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from arrears.domain.contacts import (
    NO_CONTACT,
    AttemptRecord,
    Channel,
    ContactFacts,
    ContactStatus,
    Direction,
    Outcome,
    Party,
    contact_status,
)
from arrears.entrypoints.bootstrap import App
from arrears.services import contacts
from arrears.services.errors import InvalidInput, NotFound
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

BORROWERS = ("B1", "B2", "B3")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    rows = [
        f"L{i},B{i},CNY,1000,12,3,2026-01-15,bullet,half_up,,borrower {i}"
        for i in range(1, len(BORROWERS) + 1)
    ]
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows))
    assert (report.written, report.findings) == (len(BORROWERS), [])
    return app


def _record(borrower_id: str, minutes: int, outcome: Outcome, **kwargs: object) -> AttemptRecord:
    return AttemptRecord(
        borrower_id,
        kwargs.pop("channel", Channel.CALL),  # type: ignore[arg-type]
        outcome,
        START + timedelta(minutes=minutes),
        **kwargs,  # type: ignore[arg-type]
    )


def _insert(app: App, records: list[AttemptRecord]) -> None:
    with app.uow() as uow:
        uow.contacts.insert_attempts(records, NOW)
        uow.commit()


def _summarize(app: App, lost_after: int) -> int:
    with app.uow() as uow:
        written = uow.contacts.summarize_contacts(lost_after)
        uow.commit()
    return written


def _summaries(app: App) -> dict[str, ContactStatus]:
    with app.uow() as uow:
        return {b: f.status for b, f in uow.contacts.contact_facts(list(BORROWERS)).items()}


def _expected(records: list[AttemptRecord], lost_after: int) -> dict[str, ContactStatus]:
    return {
        b: contact_status([r.attempt for r in records if r.borrower_id == b], lost_after)
        for b in BORROWERS
    }


attempt_records = st.builds(
    lambda borrower, minutes, zone, channel, outcome, direction, party: AttemptRecord(
        borrower,
        channel,
        outcome,
        (START + timedelta(minutes=minutes)).astimezone(zone),
        direction,
        party,
    ),
    st.sampled_from(BORROWERS),
    st.integers(0, 8),  # few distinct minutes: many attempts at the same instant
    st.sampled_from([UTC, BEIJING]),
    st.sampled_from(list(Channel)),
    # conversations and refusals often enough that ties between them happen
    st.one_of(st.sampled_from([Outcome.REFUSED, Outcome.REACHED]), st.sampled_from(list(Outcome))),
    st.sampled_from(list(Direction)),
    st.sampled_from([Party.BORROWER, Party.BORROWER, *Party]),
)


def test_the_sql_summary_equals_the_pure_reference_on_random_histories(loaded: App) -> None:
    @settings(max_examples=60, deadline=None)
    @given(
        first=st.lists(attempt_records, max_size=25),
        later=st.lists(attempt_records, max_size=10),
        lost_after=st.integers(1, 4),
        new_lost_after=st.integers(1, 4),
    )
    def check(
        first: list[AttemptRecord],
        later: list[AttemptRecord],
        lost_after: int,
        new_lost_after: int,
    ) -> None:
        with loaded.engine.begin() as connection:
            connection.execute(text("DELETE FROM contact_summary"))
            connection.execute(text("DELETE FROM contact_attempt"))
        # given a history, summarized
        _insert(loaded, first)
        _summarize(loaded, lost_after)
        assert _summaries(loaded) == _expected(first, lost_after)
        # when more attempts arrive (some made earlier than ones already summarized)
        _insert(loaded, later)
        _summarize(loaded, lost_after)
        # then the summary is the reference over all of them
        assert _summaries(loaded) == _expected(first + later, lost_after)
        # and a changed threshold re-marks lost contact without new attempts
        _summarize(loaded, new_lost_after)
        assert _summaries(loaded) == _expected(first + later, new_lost_after)

    check()


def test_a_second_summary_with_nothing_new_writes_nothing(loaded: App) -> None:
    # given three borrowers with attempts, summarized once
    _insert(
        loaded,
        [_record(b, i, Outcome.NO_ANSWER) for i, b in enumerate(BORROWERS)],
    )
    assert _summarize(loaded, 10) == 3
    # when summarized again with nothing recorded since
    written = _summarize(loaded, 10)
    # then no summary is rewritten; one new attempt rewrites one summary
    assert written == 0
    _insert(loaded, [_record("B2", 30, Outcome.REACHED)])
    assert _summarize(loaded, 10) == 1
    assert _summaries(loaded)["B2"].last_reached_at == START + timedelta(minutes=30)


def test_the_sql_summary_orders_attempts_at_one_instant_as_recorded(loaded: App) -> None:
    # given a conversation and a refusal at the same instant, recorded in that order
    _insert(loaded, [_record("B1", 0, Outcome.REACHED), _record("B1", 0, Outcome.REFUSED)])
    _insert(loaded, [_record("B2", 0, Outcome.REFUSED), _record("B2", 0, Outcome.REACHED)])
    # and a miss at the same instant as a conversation
    _insert(loaded, [_record("B3", 0, Outcome.REACHED), _record("B3", 0, Outcome.NO_ANSWER)])
    # when summarized
    _summarize(loaded, 10)
    # then the one recorded last is the most recent conversation, and the miss is not after it
    summaries = _summaries(loaded)
    assert (summaries["B1"].refused_at, summaries["B2"].refused_at) == (START, None)
    assert summaries["B3"].unreached_since_reached == 0


def test_a_borrower_never_attempted_has_no_contact_facts(loaded: App) -> None:
    with loaded.uow() as uow:
        uow.contacts.set_flag("B3", "do_not_call", NOW, None)
        facts = uow.contacts.contact_facts(["B3"])
    assert facts == {"B3": ContactFacts(NO_CONTACT, frozenset({"do_not_call"}))}


def test_recording_an_attempt_stores_it_in_utc_and_lists_it_in_time_order(loaded: App) -> None:
    # given two attempts recorded out of order, one in Beijing time
    later = _record("B1", 60, Outcome.NO_ANSWER, loan_id="L1", agent="agent-7", note="rang 8x")
    earlier = AttemptRecord(
        "B1", Channel.SMS, Outcome.DELIVERED, datetime(2026, 3, 2, 17, 30, tzinfo=BEIJING)
    )
    first_id = contacts.record_attempt(loaded.uow_factory, later, NOW)
    second_id = contacts.record_attempt(loaded.uow_factory, earlier, NOW)
    # when listed
    listed = contacts.list_attempts(loaded.uow_factory, "B1")
    # then they come back in the order they were made, as UTC, with what was recorded
    assert [a.attempt_id for a in listed] == [second_id, first_id]
    assert listed[0].attempted_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert listed[0].attempted_at.utcoffset() == timedelta(0)
    assert (listed[1].loan_id, listed[1].agent, listed[1].note) == ("L1", "agent-7", "rang 8x")
    assert listed[1].recorded_at == NOW
    assert [a.attempt_id for a in contacts.list_attempts(loaded.uow_factory, "B1", "L1")] == [
        first_id
    ]


@pytest.mark.parametrize(
    ("record", "error", "message"),
    [
        (_record("B9", 0, Outcome.REACHED), NotFound, "no borrower B9"),
        (_record("B1", 0, Outcome.REACHED, loan_id="L9"), NotFound, "no loan L9"),
        (
            _record("B1", 0, Outcome.REACHED, loan_id="L2"),
            InvalidInput,
            "loan L2 belongs to borrower B2, not B1",
        ),
        (
            _record("B1", 0, Outcome.REACHED, channel=Channel.SMS),
            InvalidInput,
            "outbound sms cannot have outcome reached",
        ),
        (
            _record("B1", 0, Outcome.NO_ANSWER, direction=Direction.INBOUND),
            InvalidInput,
            "inbound call cannot have outcome no_answer",
        ),
        (
            AttemptRecord("B1", Channel.CALL, Outcome.REACHED, NOW + timedelta(minutes=6)),
            InvalidInput,
            "in the future",
        ),
        (
            AttemptRecord("B1", Channel.CALL, Outcome.REACHED, datetime(2026, 3, 2, 9, 0)),
            InvalidInput,
            "has no time zone",
        ),
    ],
)
def test_a_bad_attempt_is_refused_with_a_reason_and_nothing_is_stored(
    loaded: App, record: AttemptRecord, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        contacts.record_attempt(loaded.uow_factory, record, NOW)
    with loaded.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM contact_attempt")).scalar_one() == 0


def test_an_attempt_a_little_ahead_of_our_clock_is_accepted(loaded: App) -> None:
    record = AttemptRecord("B1", Channel.CALL, Outcome.REACHED, NOW + timedelta(minutes=4))
    assert contacts.record_attempt(loaded.uow_factory, record, NOW) > 0


def test_the_contact_status_service_reads_attempts_and_flags(loaded: App) -> None:
    # given a refusal, two misses after it, and a flag
    for record in [
        _record("B1", 0, Outcome.REFUSED),
        _record("B1", 10, Outcome.NO_ANSWER),
        _record("B1", 20, Outcome.BUSY),
        _record("B1", 30, Outcome.REACHED, party=Party.EMPLOYER),
    ]:
        contacts.record_attempt(loaded.uow_factory, record, NOW)
    assert contacts.set_flag(loaded.uow_factory, "B1", "dispute", NOW, "says paid") is True
    # when the status is read with a threshold of 2
    facts = contacts.borrower_contact(loaded.uow_factory, "B1", lost_after=2)
    # then the borrower refused and has lost contact; the employer's answer does not count
    assert facts.status == ContactStatus(
        attempts=4,
        last_attempt_at=START + timedelta(minutes=30),
        last_reached_at=START,
        unreached_since_reached=2,
        refused_at=START,
        lost_contact=True,
    )
    assert facts.flags == {"dispute"}


def test_setting_a_flag_twice_keeps_the_first_and_clearing_removes_it(loaded: App) -> None:
    later = NOW + timedelta(hours=1)
    assert contacts.set_flag(loaded.uow_factory, "B1", "do_not_call", NOW, "asked twice") is True
    assert contacts.set_flag(loaded.uow_factory, "B1", "do_not_call", later, "again") is False
    [flag] = contacts.list_flags(loaded.uow_factory, "B1")
    assert (flag.flag, flag.set_at, flag.note) == ("do_not_call", NOW, "asked twice")
    assert contacts.clear_flag(loaded.uow_factory, "B1", "do_not_call") is True
    assert contacts.clear_flag(loaded.uow_factory, "B1", "do_not_call") is False
    assert contacts.list_flags(loaded.uow_factory, "B1") == []


def test_a_badly_named_flag_or_an_unknown_borrower_is_refused(loaded: App) -> None:
    with pytest.raises(InvalidInput, match="not a flag name"):
        contacts.set_flag(loaded.uow_factory, "B1", "Do Not Call", NOW)
    with pytest.raises(NotFound, match="no borrower B9"):
        contacts.set_flag(loaded.uow_factory, "B9", "dispute", NOW)
