"""Signing in and out: sessions in safe cookies, CSRF on every form, throttling,
disabled accounts, and each role sent to its own pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts
from tests.helpers import NOW
from tests.web.conftest import PASSWORD, csrf_of, sign_in


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/account?done=language")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account%3Fdone%3Dlanguage"


@pytest.mark.parametrize(
    ("username", "home"),
    [("agent", "/desk"), ("manager", "/dashboard"), ("field_agent", "/field"),
     ("legal", "/legal"), ("compliance", "/compliance"), ("li.wei", "/portal")],
)  # fmt: skip
def test_each_role_lands_on_its_own_pages(client: TestClient, username: str, home: str) -> None:
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD,
                        "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == home


def test_the_session_cookie_is_secure_http_only_and_same_site(client: TestClient) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "agent", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    cookie = next(
        v for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("arrears_session=")
    )  # fmt: skip
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient,
) -> None:
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "agent", "password": "not it at all",
                        "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    unknown = client.post(
        "/login", data={"username": "nobody", "password": "not it at all",
                        "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    assert response.status_code == unknown.status_code == 401
    assert "Wrong username or password." in response.text
    assert "Wrong username or password." in unknown.text
    assert "arrears_session" not in response.headers.get("set-cookie", "")


def test_sign_in_without_the_form_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "agent", "password": PASSWORD})
    assert response.status_code == 403


def test_after_five_failures_even_the_right_password_waits(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        wrong = {"username": "agent", "password": "wrong password", "csrf_token": token}
        assert client.post("/login", data=wrong).status_code == 401
    right = {"username": "agent", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=right)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"


def test_a_form_posted_without_the_session_token_is_refused(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("agent")
    assert client.post("/logout").status_code == 403
    page = client.get("/login")  # any page of the session carries its token
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303


def test_signing_out_ends_the_session(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("agent")
    token = csrf_of(client.get("/login").text)
    cookie = client.cookies.get("arrears_session")
    client.post("/logout", data={"csrf_token": token})
    client.cookies.set("arrears_session", cookie or "", domain="testserver")
    assert client.get("/account").status_code == 303  # the old cookie no longer signs in


def test_a_disabled_account_is_signed_out_at_once(
    signed_in: Callable[[str], TestClient], app: App
) -> None:
    client = signed_in("agent")
    accounts.set_disabled(app.uow_factory, "agent", True, NOW)
    assert client.get("/account").status_code == 303
    with pytest.raises(AssertionError):
        sign_in(client, "agent")


def test_a_redirect_after_sign_in_never_leaves_the_site(client: TestClient) -> None:
    form = client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login", data={"username": "agent", "password": PASSWORD, "next": "//evil.example/x",
                        "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    assert response.headers["location"] == "/desk"


def test_pages_forbid_framing_and_scripts_from_elsewhere(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_sign_in_page_speaks_chinese_when_asked(client: TestClient) -> None:
    assert "登录" in client.get("/login?lang=zh-CN").text
    assert "登录" in client.get("/login").text  # remembered in a cookie
    assert "Sign in" in client.get("/login?lang=en").text
    client.cookies.clear()
    assert "登录" in client.get("/login", headers={"accept-language": "zh-CN,zh;q=0.9"}).text


def test_a_new_password_works_and_ends_the_other_sessions(
    signed_in: Callable[[str], TestClient],
) -> None:
    here, elsewhere = signed_in("agent"), signed_in("agent")
    token = csrf_of(here.get("/account").text)
    wrong = here.post(
        "/account/password",
        data={"current": "not the password", "new": "a brand new secret", "csrf_token": token},
    )
    assert wrong.status_code == 403
    changed = here.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret", "csrf_token": token},
    )
    assert changed.status_code == 303
    assert here.get("/account").status_code == 200  # this session goes on
    assert elsewhere.get("/account").status_code == 303  # the other one ended
    sign_in(elsewhere, "agent", "a brand new secret")


def test_the_language_chosen_on_the_account_page_follows_the_user(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("li.wei")
    token = csrf_of(client.get("/account").text)
    client.post("/account/language", data={"language": "zh-CN", "csrf_token": token})
    client.cookies.delete("arrears_lang")
    assert "我的账户" in client.get("/account", headers={"accept-language": "en"}).text
