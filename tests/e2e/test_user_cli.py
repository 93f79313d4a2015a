"""`arrears user add|list|disable|enable|token` end to end: real process, real database."""

from __future__ import annotations

import json

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts
from arrears.settings import load_settings
from tests.e2e.test_cli import loaded, run  # noqa: F401  (a fixture)

PASSWORD = "correct horse battery"


def test_accounts_are_added_listed_disabled_and_given_tokens(loaded: str) -> None:  # noqa: F811
    assert run("user", "add", "mgr", "--role", "manager", "--password", PASSWORD,
               "--name", "Zhang Min", db=loaded).returncode == 0  # fmt: skip
    added = run("user", "add", "wangfang", "--role", "borrower", "--borrower", "B1",
                "--language", "zh-CN", db=loaded, env={"ARREARS_USER_PASSWORD": PASSWORD})  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = json.loads(run("user", "list", "--format", "json", db=loaded).stdout)
    assert [(u["username"], u["role"], u["borrower_id"], u["status"]) for u in listed] == [
        ("mgr", "manager", "", "active"),
        ("wangfang", "borrower", "B1", "active"),
    ]
    token = run("user", "token", "mgr", "--name", "core-sync", db=loaded).stdout.strip()
    assert token.startswith("arr_")
    app = App(load_settings(loaded))
    user = accounts.token_user(app.uow_factory, token)
    assert user is not None and user.username == "mgr"
    assert run("user", "disable", "mgr", db=loaded).returncode == 0
    assert accounts.token_user(app.uow_factory, token) is None
    assert run("user", "enable", "mgr", db=loaded).returncode == 0
    assert accounts.token_user(app.uow_factory, token) is not None
    app.engine.dispose()


def test_bad_accounts_are_refused_with_the_reason(loaded: str) -> None:  # noqa: F811
    short = run("user", "add", "a1x", "--role", "agent", "--password", "short", db=loaded)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    role = run("user", "add", "a1x", "--role", "boss", "--password", PASSWORD, db=loaded)
    assert role.returncode == 2 and "no role 'boss'" in role.stderr
    orphan = run("user", "add", "b9x", "--role", "borrower", "--borrower", "B9",
                 "--password", PASSWORD, db=loaded)  # fmt: skip
    assert orphan.returncode == 3 and "no borrower 'B9'" in orphan.stderr
    assert run("user", "add", "a1x", "--role", "agent", "--password", PASSWORD,
               db=loaded).returncode == 0  # fmt: skip
    again = run("user", "add", "a1x", "--role", "agent", "--password", PASSWORD, db=loaded)
    assert again.returncode == 4 and "taken" in again.stderr
    missing = run("user", "disable", "nobody", db=loaded)
    assert missing.returncode == 3 and "no user 'nobody'" in missing.stderr
