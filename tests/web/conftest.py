"""The web app under test: a fresh database with two borrowers' loans, an account for
each role, and clients that sign in through the real sign-in form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.app import create_app
from arrears.services import accounts
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

PASSWORD = "correct horse battery"
ROLES = ("admin", "manager", "agent", "field_agent", "legal", "compliance")


@pytest.fixture
def web_app(app: App, tmp_path: Path) -> FastAPI:
    loans = write_csv(
        tmp_path / "loans.csv", LOANS_HEADER,
        "L1,B1,CNY,12000.00,14.6,12,2026-01-15,equal_installment,half_up,consumer,李伟",
        "L2,B2,CNY,6000.00,14.6,6,2026-02-01,equal_installment,half_up,consumer,王芳",
    )  # fmt: skip
    assert import_loans_file(app, loans).clean
    for role in ROLES:
        accounts.add_user(app.uow_factory, role, role, PASSWORD, NOW)
    accounts.add_user(app.uow_factory, "li.wei", "borrower", PASSWORD, NOW, borrower_id="B1")
    accounts.add_user(app.uow_factory, "wang.fang", "borrower", PASSWORD, NOW, borrower_id="B2")
    return create_app(app)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 303, response.text
    return client


@contextmanager
def browsers(web: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``open_as(username)``: a client signed in through the real form, each a separate
    browser (its own cookies); all closed at the end."""
    opened: list[TestClient] = []

    def open_as(username: str) -> TestClient:
        c = TestClient(web, base_url="https://testserver", follow_redirects=False)
        c.__enter__()
        opened.append(c)
        return sign_in(c, username)

    try:
        yield open_as
    finally:
        for c in opened:
            c.__exit__(None, None, None)


def post_form(client: TestClient, path: str, **data: str) -> int:
    """Post a form with the session's CSRF token (read from the account page); the status."""
    token = csrf_of(client.get("/account").text)
    return client.post(path, data={**data, "csrf_token": token}).status_code


@pytest.fixture
def signed_in(web_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A client signed in as the named user; each call a separate browser."""
    with browsers(web_app) as open_as:
        yield open_as
