"""In a real browser: each role signs in and lands on its own pages; a page of another
role is refused; the portal switches language. Screenshots of each landing page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.web.browser.conftest import screenshot, sign_in

LANDINGS = {
    "admin": "/dashboard", "manager": "/dashboard", "agent": "/desk", "field_agent": "/field",
    "legal": "/legal", "compliance": "/compliance", "li.wei": "/portal",
}  # fmt: skip


def test_each_role_signs_in_to_its_own_start_page(
    served: Callable[[], str], new_page: Callable[[], Page]
) -> None:
    base = served()
    for username, path in LANDINGS.items():
        page = new_page()
        sign_in(page, base, username)
        assert page.url == f"{base}{path}", username
        landed = page.goto(page.url)
        assert landed is not None and landed.status == 200, username
        assert page.locator("h1").first.is_visible()
        assert page.get_by_test_id("signed-in-as").is_visible()
        screenshot(page, f"landing-{username}")


def test_a_page_of_another_role_is_refused(
    served: Callable[[], str], new_page: Callable[[], Page]
) -> None:
    base = served()
    page = new_page()
    sign_in(page, base, "agent")
    response = page.goto(f"{base}/dashboard")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="You may not open this page").is_visible()
    screenshot(page, "forbidden-agent-dashboard")
    borrower = new_page()
    sign_in(borrower, base, "li.wei")
    response = borrower.goto(f"{base}/desk")
    assert response is not None and response.status == 403


def test_a_wrong_password_keeps_the_visitor_on_the_sign_in_page(
    served: Callable[[], str], new_page: Callable[[], Page]
) -> None:
    base = served()
    page = new_page()
    sign_in(page, base, "agent", "not the password")
    assert page.url.startswith(f"{base}/login")
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
