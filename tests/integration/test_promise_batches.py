"""Promises recorded as a batch (services.promises.add_promises): each request checked as
``add_promise`` checks it, all or nothing, in one transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from arrears.entrypoints.bootstrap import App
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.promises import PromiseRequest, PromisesRefused, add_promises
from tests.helpers import NOW
from tests.integration.test_promises import DUE, MADE_ON, loaded

__all__ = ["loaded"]  # the fixture: L1 and L2 in CNY, L3 in JPY


def _request(loan_id: str, amount: str, promise_id: str) -> PromiseRequest:
    return PromiseRequest(loan_id, Decimal(amount), DUE, promise_id=promise_id)


def _stored(app: App) -> list[tuple[str, str, int, str]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT promise_id, loan_id, amount_minor, status FROM promise ORDER BY 1")
        ).all()
    return [tuple(row) for row in rows]


def test_a_batch_records_every_promise(loaded: App) -> None:
    # given two loans
    requests = [_request("L1", "300.00", "P1"), _request("L2", "50.50", "P2")]
    # when both promises are recorded as a batch
    added = add_promises(loaded.uow_factory, requests, MADE_ON, NOW, source="desk")
    # then both are stored, open, in minor units
    assert (added.ids, added.refused) == (["P1", "P2"], {})
    assert _stored(loaded) == [("P1", "L1", 30000, "open"), ("P2", "L2", 5050, "open")]


def test_a_refused_request_leaves_the_whole_batch_unrecorded_and_every_refusal_named(
    loaded: App,
) -> None:
    # given a good request, an unknown loan and an amount finer than the currency
    requests = [
        _request("L1", "300.00", "P1"),
        _request("L9", "10.00", "P9"),
        _request("L2", "10.005", "P2"),
    ]
    # when recorded as a batch
    with pytest.raises(PromisesRefused) as refused:
        add_promises(loaded.uow_factory, requests, MADE_ON, NOW)
    # then nothing is stored, and each refusal is handed back by its request
    assert _stored(loaded) == []
    errors = refused.value.refused
    assert sorted(errors) == [1, 2]
    assert isinstance(errors[1], NotFound) and isinstance(errors[2], InvalidInput)
    assert str(refused.value) == (
        "request 2: no loan L9 is stored; request 3: 10.005 has more decimals than CNY allows"
    )
    assert refused.value.exit_code == InvalidInput.exit_code


def test_a_second_promise_on_a_loan_in_the_same_batch_is_a_conflict(loaded: App) -> None:
    # given two promises on L1 in one batch
    requests = [_request("L1", "300.00", "P1"), _request("L1", "100.00", "P2")]
    # when recorded, the second sees the first as the loan's open promise
    with pytest.raises(PromisesRefused, match="request 2: loan L1 already has an open promise P1"):
        add_promises(loaded.uow_factory, requests, MADE_ON, NOW)
    # then nothing is stored
    assert _stored(loaded) == []


def test_a_batch_refused_only_for_conflicts_exits_as_a_conflict(loaded: App) -> None:
    requests = [_request("L1", "300.00", "P1"), _request("L1", "100.00", "P2")]
    with pytest.raises(PromisesRefused) as refused:
        add_promises(loaded.uow_factory, requests, MADE_ON, NOW)
    assert refused.value.exit_code == Conflict.exit_code


def test_skipping_refused_requests_keeps_the_others_and_hands_the_refused_back(
    loaded: App,
) -> None:
    # given a batch whose second request conflicts with its first
    requests = [
        _request("L1", "300.00", "P1"),
        _request("L1", "100.00", "P2"),
        _request("L2", "20.00", "P3"),
    ]
    # when recorded skipping what is refused
    added = add_promises(loaded.uow_factory, requests, MADE_ON, NOW, skip_invalid=True)
    # then the others are stored and the refused one is handed back
    assert added.ids == ["P1", None, "P3"]
    assert list(added.refused) == [1] and isinstance(added.refused[1], Conflict)
    assert _stored(loaded) == [("P1", "L1", 30000, "open"), ("P3", "L2", 2000, "open")]


def test_the_same_promise_twice_is_recorded_once_and_returned_both_times(loaded: App) -> None:
    # given the same id and payload twice in a batch, and again in a second batch
    requests = [_request("L1", "300.00", "P1"), _request("L1", "300.00", "P1")]
    # when recorded
    first = add_promises(loaded.uow_factory, requests, MADE_ON, NOW)
    again = add_promises(loaded.uow_factory, requests[:1], MADE_ON, NOW)
    # then it is stored once and its id returned each time
    assert (first.ids, again.ids) == (["P1", "P1"], ["P1"])
    assert _stored(loaded) == [("P1", "L1", 30000, "open")]


def test_a_source_that_is_not_one_refuses_the_batch_before_anything_is_read(
    loaded: App,
) -> None:
    with pytest.raises(InvalidInput, match="'fax' is not a promise source"):
        add_promises(loaded.uow_factory, [_request("L1", "1.00", "P1")], MADE_ON, NOW, "fax")
    assert _stored(loaded) == []
