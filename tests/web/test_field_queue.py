"""The field agent's visits (/field): assignments by area with the full address, the
amount overdue, DPD and contact history; taken by one field agent only; the visit's
outcome recorded as a contact attempt under the item's permit, closing it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from arrears.entrypoints.bootstrap import App
from arrears.services.cycle import run_cycle
from tests.helpers import NOW
from tests.web.casework_setup import DAY, item_of, referred
from tests.web.conftest import browsers, csrf_of, post_form


@pytest.fixture
def field_app(app: App, tmp_path: Path) -> FastAPI:
    return referred(app, tmp_path, ("field_agent", "field_agent2", "agent", "manager"))


@pytest.fixture
def visit(app: App, field_app: FastAPI) -> dict[str, int]:
    """The field items the cycle opened, by loan."""
    return {loan: item_of(app, "field", loan) for loan in ("L1", "L2", "L3")}


@pytest.fixture
def as_user(field_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    with browsers(field_app) as open_as:
        yield open_as


def _one(app: App, sql: str, **params: object) -> tuple[object, ...]:
    with app.engine.connect() as connection:
        return tuple(connection.execute(text(sql), params).one())


def test_visits_are_grouped_by_area_with_the_full_address_overdue_and_dpd(
    as_user: Callable[[str], TestClient],
) -> None:
    page = as_user("field_agent").get("/field?lang=en")
    assert page.status_code == 200
    shanghai = page.text.index("上海市 200120")
    beijing = page.text.index("北京市 100022")
    assert shanghai < beijing  # the area of the most owed first
    assert page.text.count('data-testid="area"') == 2
    assert "浦东新区世纪大道100号 1201室" in page.text  # the door, for the field agent
    assert "CN¥2,059.56" in page.text  # L1's overdue when the visit was planned
    assert shanghai < page.text.index("李伟") < page.text.index("张强") < beijing
    assert beijing < page.text.index("王芳")


def test_a_manager_sees_the_area_but_not_the_door(
    as_user: Callable[[str], TestClient], visit: dict[str, int]
) -> None:
    page = as_user("manager").get(f"/field/{visit['L1']}")
    assert page.status_code == 200
    assert "上海市 200120" in page.text
    assert "世纪大道" not in page.text and "13812345678" not in page.text


def test_only_one_field_agent_gets_an_assignment(
    as_user: Callable[[str], TestClient], app: App, visit: dict[str, int]
) -> None:
    first, second = as_user("field_agent"), as_user("field_agent2")
    assert post_form(first, f"/field/{visit['L1']}/take") == 303
    assert post_form(second, f"/field/{visit['L1']}/take") == 404
    assert _one(app, "SELECT status, assigned_to FROM work_item WHERE work_item_id = :i", i=visit["L1"]) == (
        "claimed", "field_agent",
    )  # fmt: skip
    assert f'data-item="{visit["L1"]}"' not in second.get("/field").text
    assert f'data-item="{visit["L1"]}"' in first.get("/field").text


def test_another_field_agent_or_a_phone_agent_cannot_open_an_assignment(
    as_user: Callable[[str], TestClient], visit: dict[str, int], app: App
) -> None:
    assert post_form(as_user("field_agent"), f"/field/{visit['L2']}/take") == 303
    assert as_user("field_agent2").get(f"/field/{visit['L2']}").status_code == 404
    assert as_user("agent").get(f"/field/{visit['L2']}").status_code == 403
    assert as_user("field_agent2").get("/field/999").status_code == 404
    assert as_user("field_agent").get(f"/field/{item_of(app, 'legal', 'L1')}").status_code == 404


def test_a_promise_at_the_door_is_recorded_under_the_permit_and_closes_the_visit(
    as_user: Callable[[str], TestClient], app: App, visit: dict[str, int]
) -> None:
    agent = as_user("field_agent")
    assert post_form(agent, f"/field/{visit['L2']}/take") == 303
    due = (app.today() + timedelta(days=7)).isoformat()
    recorded = post_form(
        agent, f"/field/{visit['L2']}/visit", result="promise", promise_amount="300.50",
        promise_due=due, note="spoke at the door",
    )  # fmt: skip
    assert recorded == 303
    attempt = _one(
        app, "SELECT channel, outcome, agent, note, action_id, arm FROM contact_attempt"
        " WHERE loan_id = 'L2'",
    )  # fmt: skip
    action = _one(app, "SELECT action_id FROM work_item WHERE work_item_id = :i", i=visit["L2"])
    assert attempt == ("field_visit", "promise_to_pay", "field_agent", "spoke at the door",
                       action[0], "champion")  # fmt: skip
    promise = _one(app, "SELECT amount_minor, source, status FROM promise WHERE loan_id = 'L2'")
    assert promise == (30050, "field", "open")
    assert _one(app, "SELECT status FROM work_item WHERE work_item_id = :i", i=visit["L2"]) == (
        "done",
    )
    assert f'data-item="{visit["L2"]}"' not in agent.get("/field").text


def test_moving_away_is_a_wrong_address_whose_note_says_so(
    as_user: Callable[[str], TestClient], app: App, visit: dict[str, int]
) -> None:
    agent = as_user("field_agent")
    post_form(agent, f"/field/{visit['L3']}/take")
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="moved_away", note="neighbour") == 303
    assert _one(app, "SELECT outcome, note FROM contact_attempt WHERE loan_id = 'L3'") == (
        "wrong_address", "moved away: neighbour",
    )  # fmt: skip
    history = agent.get(f"/field/{visit['L3']}?lang=en").text
    assert "Wrong address" in history and "moved away: neighbour" in history


def test_a_visit_is_recorded_only_by_who_took_it_and_only_once(
    as_user: Callable[[str], TestClient], app: App, visit: dict[str, int]
) -> None:
    agent = as_user("field_agent")
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="not_home") == 409  # not taken
    post_form(agent, f"/field/{visit['L3']}/take")
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="teleported") == 422
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="promise") == 422  # no amount
    token = csrf_of(agent.get("/account").text)
    refused = agent.post(
        f"/field/{visit['L3']}/visit?lang=en",
        data={"result": "promise", "promise_amount": "12.345", "note": "kept",
              "promise_due": app.today().isoformat(), "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "The visit was not recorded: 12.345 is not a positive amount in CNY" in refused.text
    assert 'value="12.345"' in refused.text and ">kept</textarea>" in refused.text
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="not_home") == 303
    assert post_form(agent, f"/field/{visit['L3']}/visit", result="not_home") == 409
    count = _one(app, "SELECT COUNT(*) FROM contact_attempt WHERE loan_id = 'L3'")
    assert count == (1,)


def test_the_visits_page_speaks_chinese(as_user: Callable[[str], TestClient]) -> None:
    page = as_user("field_agent").get("/field?lang=zh-CN").text
    assert "领取此外访" in page and "逾期天数" in page and "¥2,059.56" in page


def test_a_loan_planned_for_a_visit_again_is_one_errand_and_done_once(
    as_user: Callable[[str], TestClient], app: App, visit: dict[str, int]
) -> None:
    run_cycle(app.uow_factory, DAY + timedelta(days=1), lambda: NOW)  # plans the visits again
    agent = as_user("field_agent")
    listed = agent.get("/field").text
    assert listed.count('data-testid="assignment"') == 3
    assert f'data-item="{visit["L1"]}"' not in listed  # the newer one stands for it
    newer = max(
        int(found)
        for found in re.findall(r'data-testid="assignment" data-item="(\d+)"', listed)
        if _one(app, "SELECT loan_id FROM work_item WHERE work_item_id = :i", i=int(found))
        == ("L1",)
    )  # fmt: skip
    assert post_form(agent, f"/field/{newer}/take") == 303
    assert post_form(agent, f"/field/{newer}/visit", result="met") == 303
    statuses = _one(
        app, "SELECT status FROM work_item WHERE work_item_id = :i", i=visit["L1"]
    )  # fmt: skip
    assert statuses == ("cancelled",)
    assert agent.get("/field").text.count('data-testid="assignment"') == 2
