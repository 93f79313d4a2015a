"""The legal officer's cases (/legal): the referred loans with their amounts, DPD and
last contacts; a case view; the case file for counsel as a ZIP (letters, ledger
extract, contacts with the gate's decisions, arrangements, summary); a case taken by
one officer and closed with its outcome."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from arrears.domain.money import format_major
from arrears.entrypoints.bootstrap import App
from arrears.services import queries
from tests.web.casework_setup import item_of, referred
from tests.web.conftest import browsers, post_form


@pytest.fixture
def legal_app(app: App, tmp_path: Path) -> FastAPI:
    return referred(app, tmp_path, ("legal", "legal2", "field_agent", "manager"))


@pytest.fixture
def case(app: App, legal_app: FastAPI) -> dict[str, int]:
    """The legal items the cycle opened, by loan."""
    return {loan: item_of(app, "legal", loan) for loan in ("L1", "L2")}


@pytest.fixture
def as_user(legal_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    with browsers(legal_app) as open_as:
        yield open_as


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_cases_list_the_referred_loans_with_amounts_dpd_and_last_contact(
    as_user: Callable[[str], TestClient],
) -> None:
    page = as_user("legal").get("/legal?lang=en")
    assert page.status_code == 200
    assert page.text.count('data-testid="case"') == 3
    assert "CN¥2,059.56" in page.text and "CN¥1,054.03" in page.text
    assert page.text.index("L1") < page.text.index("L3") < page.text.index("L2")  # most owed first
    assert "No contact recorded." in page.text


def test_a_case_shows_the_loan_as_of_today(
    as_user: Callable[[str], TestClient], app: App, case: dict[str, int]
) -> None:
    page = as_user("legal").get(f"/legal/{case['L1']}?lang=en")
    state = queries.loan_status(app.uow_factory, "L1", app.today())
    assert page.status_code == 200
    assert f"CN¥{int(format_major(state.payoff_minor, 'CNY').split('.')[0]):,}." in page.text
    assert f"{state.dpd} · {state.bucket}" in page.text
    assert "Demand letter" in page.text  # the letter sent


def test_the_case_file_holds_the_letters_ledger_contacts_arrangements_and_summary(
    as_user: Callable[[str], TestClient], app: App, case: dict[str, int]
) -> None:
    response = as_user("legal").get(f"/legal/{case['L1']}/case-file")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert (
        f'filename="case-L1-{app.today().isoformat()}.zip"'
        in response.headers["content-disposition"]
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert {"summary.txt", "schedule.csv", "payments.csv", "journal.csv", "contacts.csv",
            "gate_decisions.csv", "arrangements.csv"} <= set(names)  # fmt: skip
    letters = [n for n in names if n.startswith("letters/")]
    assert len(letters) == 1 and letters[0].endswith("-demand_letter.pdf")
    assert archive.read(letters[0]).startswith(b"%PDF")
    payments = _rows(archive, "payments.csv")
    assert [(p["payment_id"], p["paid_on"], p["amount_minor"], p["amount"]) for p in payments] == [
        ("P1", "2026-03-01", "12345", "123.45"),
    ]
    schedule = _rows(archive, "schedule.csv")
    assert len(schedule) == 12 and schedule[0]["due_date"] == "2026-02-15"
    principal = sum(int(row["principal_minor"]) for row in schedule)
    assert principal == 1_200_000
    journal = _rows(archive, "journal.csv")
    by_entry: dict[str, int] = {}
    for line in journal:
        by_entry[line["entry_seq"]] = by_entry.get(line["entry_seq"], 0) + int(line["amount_minor"])
    assert journal and set(by_entry.values()) == {0}  # every entry balances
    decisions = _rows(archive, "gate_decisions.csv")
    assert {(d["channel"], d["verdict"], d["rule_id"]) for d in decisions} == {
        ("field_visit", "allow", "none.allow_all"), ("legal_review", "allow", "none.allow_all"),
    }  # fmt: skip
    arrangements = _rows(archive, "arrangements.csv")
    assert [(a["arrangement_id"], a["kind"], a["total_minor"]) for a in arrangements] == [
        ("PTP1", "promise", "50000"),
    ]
    summary = archive.read("summary.txt").decode("utf-8")
    state = queries.loan_status(app.uow_factory, "L1", app.today())
    assert f"Payoff: {format_major(state.payoff_minor, 'CNY')} CNY" in summary
    assert "李伟" in summary and "浦东新区世纪大道100号 1201室" in summary


def test_the_case_file_records_who_took_it_in_the_audit_log(
    as_user: Callable[[str], TestClient], app: App, case: dict[str, int]
) -> None:
    content = as_user("legal").get(f"/legal/{case['L1']}/case-file").content
    with app.engine.connect() as connection:
        found = connection.execute(
            text("SELECT subject, payload_json FROM audit_log WHERE kind = 'case_file'")
        ).all()
    assert len(found) == 1 and found[0][0] == "L1"
    payload = json.loads(found[0][1])
    assert payload["by"] == "legal" and payload["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_case_field_made_is_in_the_contact_history_of_the_case_file(
    as_user: Callable[[str], TestClient], case: dict[str, int], app: App
) -> None:
    field = as_user("field_agent")
    assert post_form(field, f"/field/{item_of(app, 'field', 'L1')}/take") == 303
    assert post_form(field, f"/field/{item_of(app, 'field', 'L1')}/visit", result="refused") == 303
    archive = zipfile.ZipFile(
        io.BytesIO(as_user("legal").get(f"/legal/{case['L1']}/case-file").content)
    )
    contacts = _rows(archive, "contacts.csv")
    assert [(c["channel"], c["outcome"], c["verdict"], c["rule_id"]) for c in contacts] == [
        ("field_visit", "refused", "allow", "none.allow_all"),
    ]


def test_a_case_is_taken_by_one_officer_and_closed_with_its_outcome(
    as_user: Callable[[str], TestClient], app: App, case: dict[str, int]
) -> None:
    first, second = as_user("legal"), as_user("legal2")
    assert post_form(first, f"/legal/{case['L2']}/take") == 303
    assert post_form(second, f"/legal/{case['L2']}/take") == 404
    assert second.get(f"/legal/{case['L2']}").status_code == 404
    assert second.get(f"/legal/{case['L2']}/case-file").status_code == 404
    assert post_form(second, f"/legal/{case['L2']}/close", outcome="settled") == 404
    assert post_form(first, f"/legal/{case['L2']}/close", outcome="bribed") == 422
    assert (
        post_form(first, f"/legal/{case['L2']}/close", outcome="suit_filed", note="court No. 7") == 303
    )
    with app.engine.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM work_item WHERE work_item_id = :i"), {"i": case["L2"]}
        )
        note = connection.execute(text("SELECT author, text FROM account_note"))
        assert status.scalar() == "done"
        assert tuple(note.one()) == (
            "legal",
            f"legal case {case['L2']} closed: suit_filed — court No. 7",
        )
    assert f'data-item="{case["L2"]}"' not in first.get("/legal").text


def test_a_field_agent_cannot_open_the_legal_pages(
    as_user: Callable[[str], TestClient], case: dict[str, int]
) -> None:
    field = as_user("field_agent")
    assert field.get("/legal").status_code == 403
    assert field.get(f"/legal/{case['L1']}/case-file").status_code == 403


def test_a_manager_sees_every_case_with_personal_data_masked(
    as_user: Callable[[str], TestClient], case: dict[str, int]
) -> None:
    assert post_form(as_user("legal"), f"/legal/{case['L1']}/take") == 303
    page = as_user("manager").get(f"/legal/{case['L1']}")
    assert page.status_code == 200
    assert "世纪大道" not in page.text and "+86*******5678" in page.text


def test_the_case_page_speaks_chinese(
    as_user: Callable[[str], TestClient], case: dict[str, int]
) -> None:
    page = as_user("legal").get(f"/legal/{case['L1']}?lang=zh-CN").text
    assert "下载案件材料" in page and "结清金额" in page
