"""The pure contact rules: what reaches a borrower, lost contact (失联), refusal, promises kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from arrears.domain.contacts import (
    CONVERSATIONS,
    NEUTRAL,
    NO_CONTACT,
    UNREACHED,
    Attempt,
    Channel,
    Direction,
    Outcome,
    Party,
    allowed_outcomes,
    contact_status,
    is_flag_name,
    promise_kept,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def call(hours: float, outcome: Outcome, **kwargs: object) -> Attempt:
    return Attempt(at(hours), Channel.CALL, outcome, **kwargs)  # type: ignore[arg-type]


def test_every_outcome_is_exactly_one_of_conversation_unreached_or_neutral() -> None:
    assert frozenset(Outcome) == CONVERSATIONS | UNREACHED | NEUTRAL
    assert not CONVERSATIONS & UNREACHED
    assert {Outcome.SENT, Outcome.DELIVERED, Outcome.FAILED} == NEUTRAL


def test_no_attempts_give_no_contact() -> None:
    assert contact_status([], lost_after=10) == NO_CONTACT


def test_unreached_attempts_are_counted_after_the_last_conversation_only() -> None:
    # given two misses, a conversation, then three misses
    attempts = [
        call(0, Outcome.NO_ANSWER),
        call(1, Outcome.BUSY),
        call(2, Outcome.PROMISE_TO_PAY),
        call(3, Outcome.VOICEMAIL),
        call(4, Outcome.SWITCHED_OFF),
        Attempt(at(5), Channel.FIELD_VISIT, Outcome.NOT_HOME),
    ]
    # when rolled up
    status = contact_status(attempts, lost_after=10)
    # then only the three after the conversation count
    assert status.attempts == 6
    assert status.last_reached_at == at(2)
    assert status.unreached_since_reached == 3
    assert status.last_attempt_at == at(5)
    assert (status.lost_contact, status.refused) == (False, False)


def test_lost_contact_is_reached_at_exactly_the_threshold() -> None:
    misses = [call(h, Outcome.NO_ANSWER) for h in range(3)]
    assert contact_status(misses[:2], lost_after=3).lost_contact is False
    assert contact_status(misses, lost_after=3).lost_contact is True


def test_a_borrower_never_reached_loses_contact_after_n_misses() -> None:
    misses = [call(h, Outcome.DISCONNECTED) for h in range(10)]
    status = contact_status(misses, lost_after=10)
    assert (status.last_reached_at, status.unreached_since_reached, status.lost_contact) == (
        None,
        10,
        True,
    )


def test_a_conversation_ends_lost_contact() -> None:
    attempts = [call(h, Outcome.NO_ANSWER) for h in range(5)] + [call(6, Outcome.CALLBACK)]
    status = contact_status(attempts, lost_after=3)
    assert (status.unreached_since_reached, status.lost_contact) == (0, False)


def test_delivered_and_failed_messages_count_neither_way() -> None:
    # given a conversation, then many delivered reminders and provider failures
    attempts = [call(0, Outcome.REACHED)] + [
        Attempt(at(h), Channel.SMS, Outcome.DELIVERED if h % 2 else Outcome.FAILED)
        for h in range(1, 21)
    ]
    # then the borrower is not lost: those are not failed attempts to reach them
    status = contact_status(attempts, lost_after=3)
    assert (status.attempts, status.unreached_since_reached, status.lost_contact) == (21, 0, False)
    assert status.last_attempt_at == at(20)


def test_a_bounced_message_is_an_unreached_attempt() -> None:
    status = contact_status([Attempt(at(0), Channel.EMAIL, Outcome.UNDELIVERABLE)], lost_after=1)
    assert (status.unreached_since_reached, status.lost_contact) == (1, True)


def test_third_parties_neither_reach_the_borrower_nor_count_as_misses() -> None:
    attempts = [
        call(0, Outcome.NO_ANSWER),
        call(1, Outcome.REACHED, party=Party.EMPLOYER),
        call(2, Outcome.NO_ANSWER, party=Party.EMERGENCY_CONTACT),
        call(3, Outcome.REFUSED, party=Party.OTHER),
    ]
    status = contact_status(attempts, lost_after=10)
    assert status.attempts == 4
    assert (status.last_reached_at, status.unreached_since_reached, status.refused) == (
        None,
        1,
        False,
    )


def test_an_inbound_conversation_reaches_the_borrower() -> None:
    attempts = [
        call(0, Outcome.NO_ANSWER),
        Attempt(at(1), Channel.SMS, Outcome.DISPUTE, Direction.INBOUND),
    ]
    status = contact_status(attempts, lost_after=10)
    assert (status.last_reached_at, status.unreached_since_reached) == (at(1), 0)


def test_an_inbound_attempt_that_is_not_a_conversation_counts_neither_way() -> None:
    attempts = [Attempt(at(0), Channel.CALL, Outcome.NO_ANSWER, Direction.INBOUND)]
    status = contact_status(attempts, lost_after=1)
    assert (status.last_reached_at, status.unreached_since_reached) == (None, 0)


def test_refused_holds_until_a_later_conversation_of_another_kind() -> None:
    refused = [call(0, Outcome.REFUSED), call(1, Outcome.NO_ANSWER)]
    assert contact_status(refused, lost_after=10).refused_at == at(0)
    cleared = [*refused, call(2, Outcome.HARDSHIP)]
    assert contact_status(cleared, lost_after=10).refused_at is None
    again = [*cleared, call(3, Outcome.REFUSED)]
    assert contact_status(again, lost_after=10).refused_at == at(3)


def test_attempts_are_ordered_by_time_made_not_by_time_recorded() -> None:
    # given a refusal recorded after a conversation that happened later
    attempts = [call(5, Outcome.REACHED), call(1, Outcome.REFUSED), call(3, Outcome.NO_ANSWER)]
    status = contact_status(attempts, lost_after=10)
    assert (status.last_reached_at, status.refused, status.unreached_since_reached) == (
        at(5),
        False,
        0,
    )
    assert status.last_attempt_at == at(5)


def test_attempts_at_the_same_instant_keep_the_order_they_were_recorded_in() -> None:
    same = [call(1, Outcome.REACHED), call(1, Outcome.REFUSED)]
    assert contact_status(same, lost_after=10).refused is True
    assert contact_status(same[::-1], lost_after=10).refused is False


def test_a_miss_at_the_same_instant_as_the_last_conversation_is_not_after_it() -> None:
    attempts = [call(1, Outcome.NO_ANSWER), call(1, Outcome.REACHED), call(2, Outcome.BUSY)]
    assert contact_status(attempts, lost_after=10).unreached_since_reached == 1


def test_times_in_other_zones_are_compared_as_instants() -> None:
    beijing = timezone(timedelta(hours=8))
    # 10:00 in Beijing is 02:00 UTC: before the 09:00 UTC miss
    attempts = [
        call(0, Outcome.NO_ANSWER),
        Attempt(datetime(2026, 3, 2, 10, 0, tzinfo=beijing), Channel.CALL, Outcome.REACHED),
    ]
    status = contact_status(attempts, lost_after=10)
    assert status.unreached_since_reached == 1
    assert status.last_attempt_at == at(0)


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        contact_status([], lost_after=0)


def test_one_way_channels_are_sent_delivered_or_not_and_inbound_is_a_conversation() -> None:
    assert allowed_outcomes(Channel.LETTER, Direction.OUTBOUND) == {
        Outcome.SENT,
        Outcome.DELIVERED,
        Outcome.UNDELIVERABLE,
        Outcome.FAILED,
    }
    assert Outcome.NOT_HOME in allowed_outcomes(Channel.FIELD_VISIT, Direction.OUTBOUND)
    assert Outcome.NOT_HOME not in allowed_outcomes(Channel.CALL, Direction.OUTBOUND)
    assert allowed_outcomes(Channel.EMAIL, Direction.INBOUND) == CONVERSATIONS


def test_flag_names_are_short_snake_case_words() -> None:
    assert [is_flag_name(n) for n in ("dispute", "do_not_call", "x" * 32)] == [True] * 3
    assert [is_flag_name(n) for n in ("", "Dispute", "do-not-call", "x" * 33, "1st")] == [False] * 5


@pytest.mark.parametrize(
    ("amount_minor", "paid_minor", "tolerance_minor", "kept"),
    [
        (30_000, 30_000, 0, True),
        (30_000, 29_999, 0, False),
        (30_000, 29_900, 100, True),
        (30_000, 29_899, 100, False),
        (30_000, 45_000, 0, True),
        (50, 0, 100, False),  # nothing paid never keeps a promise
        (50, 1, 100, True),
    ],
)
def test_a_promise_is_kept_when_paid_reaches_the_amount_less_the_tolerance(
    amount_minor: int, paid_minor: int, tolerance_minor: int, kept: bool
) -> None:
    assert promise_kept(amount_minor, paid_minor, tolerance_minor) is kept
