"""The worked examples of docs/web.md are what the API answers: each block is checked
against the fixture portfolio of tests/web (the same loans the page describes)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.test_api import api  # noqa: F401  (a fixture)
from tests.web.worked_portfolio import work_the_portfolio

PAGE = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def block(marker: str) -> str:
    page = PAGE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", page, re.S)
    assert match, f"no example {marker!r} in web.md"
    return match.group(1)


def test_the_status_example_is_what_the_api_answers(
    api: Callable[[str], TestClient],  # noqa: F811
) -> None:
    response = api("manager").get("/api/v1/loans/L1/status", params={"as_of": "2026-04-01"})
    assert response.json() == json.loads(block("status"))


def test_the_import_problem_example_is_what_the_api_answers(
    api: Callable[[str], TestClient],  # noqa: F811
) -> None:
    response = api("manager").post(
        "/api/v1/imports/loans", content=block("import-body").encode(),
        headers={"content-type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == json.loads(block("import-problem"))


def test_the_evaluate_example_is_what_the_api_answers(
    web_app: FastAPI,
    api: Callable[[str], TestClient],  # noqa: F811
) -> None:
    work_the_portfolio(web_app.state.arrears)  # stores the shipped packs, cn among them
    response = api("compliance").post(
        "/api/v1/compliance/evaluate", json=json.loads(block("evaluate-body"))
    )
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(block("evaluate-decision"))


def test_the_report_example_is_what_the_api_answers(
    web_app: FastAPI,
    api: Callable[[str], TestClient],  # noqa: F811
) -> None:
    work_the_portfolio(web_app.state.arrears)  # the cycle from 2026-02-10 to 2026-03-20
    response = api("manager").get(
        "/api/v1/reports/cure", params={"from": "2026-03-01", "to": "2026-03-20"}
    )
    assert response.json() == json.loads(block("report-cure"))


def test_every_endpoint_the_page_lists_is_in_the_openapi_document(client: TestClient) -> None:
    def shape(path: str) -> str:  # /loans/{loan_id}/status and /loans/{id}/status alike
        return re.sub(r"\{[^}]*\}", "{}", path)

    listed = {shape(p) for p in re.findall(r"`(?:GET|POST) (/[^`?]*)", PAGE.read_text("utf-8"))}
    document = client.get("/api/v1/openapi.json").json()["paths"]
    paths = {shape(path.removeprefix("/api/v1")) for path in document}
    assert len(listed) >= 12, "the page lists too few endpoints"
    assert sorted(listed - paths) == []
