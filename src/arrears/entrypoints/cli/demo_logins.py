"""The demo's sign-ins: one account per staff role and two borrowers' own, all with one
printed password, so a newcomer can open every part of the web app on the simulated
portfolio. Only ever made in the demo's own fresh database."""

from __future__ import annotations

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import console, print_table
from arrears.services import accounts

DEMO_PASSWORD = "arrears-demo"
STAFF = (
    ("admin", "admin", "Admin"),
    ("manager", "manager", "Collections manager"),
    ("agent1", "agent", "Agent one"),
    ("agent2", "agent", "Agent two"),
    ("field1", "field_agent", "Field agent"),
    ("legal1", "legal", "Legal officer"),
    ("compliance1", "compliance", "Compliance officer"),
)
PAGES = {"admin": "/dashboard", "manager": "/dashboard", "agent": "/desk",
         "field_agent": "/field", "legal": "/legal", "compliance": "/compliance",
         "borrower": "/portal"}  # fmt: skip


def make_logins(app: App, borrower_loans: list[str]) -> list[tuple[str, str, str]]:
    """Accounts for the demo: (username, role, start page) each; borrowers for the
    loans named (their borrowers, once each)."""
    now = app.now()
    made = []
    for username, role, name in STAFF:
        accounts.add_user(app.uow_factory, username, role, DEMO_PASSWORD, now, display_name=name)
        made.append((username, role, PAGES[role]))
    with app.uow() as uow:
        parties = [uow.contacts.loan_parties(loan_id) for loan_id in borrower_loans]
    seen: set[str] = set()
    for found in parties:
        if found is None or found[0] in seen:
            continue
        borrower_id = found[0]
        seen.add(borrower_id)
        username = f"borrower{len(seen)}"
        accounts.add_user(app.uow_factory, username, "borrower", DEMO_PASSWORD, now,
                          borrower_id=borrower_id)  # fmt: skip
        made.append((username, "borrower", f"/portal  ({borrower_id})"))
    return made


def print_logins(logins: list[tuple[str, str, str]], base_url: str) -> None:
    console.print(f"\n[bold]web app[/bold] at {base_url} — sign in with password "
                  f"[bold]{DEMO_PASSWORD}[/bold] as:", highlight=False)  # fmt: skip
    print_table(None, ["username", "role", "starts at"], logins)
