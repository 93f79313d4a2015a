"""Reports narrowed to a product: the same figures through the API (``?product=``), the
CLI (``--product``) and the dashboard (its product select), counted by hand over a book
of two products.

The book: the web fixture's L1 (12,000.00 CNY from 2026-01-15, first due 2026-02-15) and
L2 (6,000.00 CNY from 2026-02-01, first due 2026-03-01), both of product ``consumer``,
and L3 of product ``auto`` (3,000.00 CNY from 2026-01-15, first due 2026-02-15); nothing
paid. On the last cycle day, 2026-03-20, L1 and L3 are 33 days past due (M2), L2 19 (M1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts
from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv
from tests.web.page_tables import table_rows
from tests.web.worked_portfolio import work_the_portfolio

Api = Callable[[str], TestClient]
SignedIn = Callable[[str], TestClient]


@pytest.fixture
def book(web_app: FastAPI, tmp_path: Path) -> App:
    app: App = web_app.state.arrears
    loans = write_csv(
        tmp_path / "auto.csv", LOANS_HEADER,
        "L3,B3,CNY,3000.00,14.6,12,2026-01-15,equal_installment,half_up,auto,张伟",
    )  # fmt: skip
    assert import_loans_file(app, loans).clean
    work_the_portfolio(app)
    return app


@pytest.fixture
def api(book: App, web_app: FastAPI) -> Api:
    def as_user(username: str) -> TestClient:
        token = accounts.issue_token(book.uow_factory, username, "tests", NOW)
        client = TestClient(web_app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    return as_user


def _aging(report: dict[str, object]) -> list[tuple[str, int]]:
    lines = report["aging"]
    assert isinstance(lines, list)
    return [(line["bucket"], line["loans"]) for line in lines]


def test_the_aging_of_a_product_counts_its_loans_only(api: Api) -> None:
    client = api("manager")
    whole = client.get("/api/v1/reports/aging").json()
    auto = client.get("/api/v1/reports/aging", params={"product": "auto"}).json()
    consumer = client.get("/api/v1/reports/aging", params={"product": "consumer"}).json()
    assert _aging(whole) == [("M1", 1), ("M2", 2), ("total", 3)]
    assert _aging(auto) == [("M2", 1), ("total", 1)]
    assert _aging(consumer) == [("M1", 1), ("M2", 1), ("total", 2)]
    assert "product" not in whole and auto["product"] == "auto"
    # the last mix day: L3 alone for auto; L1 and L2 for consumer
    assert auto["mix"][-1] == {"day": "2026-03-20", "M0": 0, "M1": 0, "M2": 1}
    assert consumer["mix"][-1] == {"day": "2026-03-20", "M0": 0, "M1": 1, "M2": 1}
    principal = {line["bucket"]: line["outstanding_principal"] for line in auto["aging"]}
    assert principal == {"M2": "3000.00", "total": "3000.00"}


def test_every_report_of_a_product_is_what_the_cli_prints(api: Api, database_url: str) -> None:
    client = api("manager")
    for name in ("aging", "cure", "roll-rates", "arms", "denials", "arrangements"):
        printed = run("report", name, "--product", "auto", "--format", "json", db=database_url)
        assert printed.returncode == 0, printed.stderr
        answer = client.get(f"/api/v1/reports/{name}", params={"product": "auto"})
        assert answer.status_code == 200, answer.text
        assert answer.json() == json.loads(printed.stdout), name


def test_the_cure_and_denials_of_a_product_differ_from_the_book_s(api: Api) -> None:
    client = api("manager")
    cure = client.get("/api/v1/reports/cure", params={"product": "auto"}).json()["cure"]
    assert [(c["bucket"], c["delinquent"]) for c in cure] == [("M2", 1), ("total", 1)]
    book = client.get("/api/v1/reports/denials").json()
    auto = client.get("/api/v1/reports/denials", params={"product": "auto"}).json()
    assert 0 < auto["decided"] < book["decided"]


def test_a_product_no_loan_is_of_is_refused_naming_the_products(
    api: Api, database_url: str
) -> None:
    response = api("manager").get("/api/v1/reports/aging", params={"product": "autos"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "auto, consumer" in response.json()["detail"]
    printed = run("report", "cure", "--product", "autos", db=database_url)
    assert printed.returncode == 2
    assert "auto, consumer" in printed.stderr


def test_the_dashboard_offers_the_products_and_shows_the_chosen_one_s_figures(
    book: App, signed_in: SignedIn
) -> None:
    client = signed_in("manager")
    page = client.get("/dashboard").text
    assert '<option value="">All products</option>' in page
    assert '<option value="auto">auto</option><option value="consumer">consumer</option>' in page
    assert [row[1:3] for row in table_rows(page, "aging")] == [
        ["M1", "1"], ["M2", "2"], ["Total", "3"]
    ]  # fmt: skip
    page = client.get("/dashboard", params={"product": "auto"}).text
    assert '<option value="auto" selected>auto</option>' in page
    assert [row[1:3] for row in table_rows(page, "aging")] == [["M2", "1"], ["Total", "1"]]
    assert 'src="/dashboard/charts/mix.svg?product=auto"' in page
    chart = client.get("/dashboard/charts/mix.svg", params={"product": "auto"})
    assert chart.status_code == 200 and chart.text.lstrip().startswith("<?xml")
    assert client.get("/dashboard", params={"product": "autos"}).status_code == 422
