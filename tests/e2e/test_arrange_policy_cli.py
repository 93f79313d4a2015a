"""`arrears arrange policy` end to end: a real process, a real database, exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from arrears.adapters.arrangement_policy_files import parse_arrangement_policy
from arrears.adapters.store.database import make_engine
from tests.e2e.test_cli import run
from tests.helpers import initialise

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/arrangement-policy.yaml"

BAD = """\
name: broken
kinds:
  plan:
    max_instalments: 0
    max_penalty_waiver_percent: 12.555
  pasue: {max_days: 30}
"""


@pytest.fixture
def initialised(database_url: str) -> str:
    initialise(database_url)
    return database_url


def test_validate_names_the_line_of_every_problem_and_exits_2(tmp_path: Path, database_url: str):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")

    result = run("arrange", "policy", "validate", str(bad), db=database_url)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{bad}: line 4, kinds.plan.max_instalments: must be 1 or more, got 0 [out_of_range]",
        f"{bad}: line 5, kinds.plan.max_penalty_waiver_percent: 12.555 has more than 2 decimals"
        " [bad_number]",
        f"{bad}: line 6, kinds: unknown kind 'pasue' (did you mean 'pause'?); the kinds are"
        " promise, extension, plan, reage, settlement, pause [unknown_key]",
        f"{bad}: 3 problem(s); nothing was stored",
    ]
    assert result.stdout == ""


def test_validate_says_valid_for_a_good_file_without_a_database(tmp_path: Path):
    result = run(
        "arrange", "policy", "validate", str(EXAMPLE), db=f"sqlite:///{tmp_path / 'none.db'}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"{EXAMPLE}: valid (arrangement policy short-term-plans;"
        " offers promise, extension, plan, settlement)\n"
    )
    assert not (tmp_path / "none.db").exists()


def test_init_loads_the_shipped_policies_and_show_prints_cn_standard_for_every_product(
    initialised: str,
):
    result = run("arrange", "policy", "show", db=initialised)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cn-standard version 1, loaded ")
    assert lines[0].endswith(" by arrears; active for *")
    assert "per year: 3 arrangements a borrower in 365 days; beyond that: manager" in lines
    table = " ".join(result.stdout.split())
    assert "plan │ yes │ ≤ 12 instalments; ≤ 365 days; down payment ≥ 10%;" in table
    assert "reage │ yes │ term ≤ 60 months │ manager (always)" in table


def test_init_twice_keeps_one_version_of_each_shipped_policy(initialised: str):
    again = run("init", db=initialised)
    assert again.returncode == 0, again.stderr
    assert (
        "arrangement policies: cn-standard v1, us-standard v1; active: cn-standard for *"
        in again.stdout.splitlines()
    )


def test_init_activates_the_policy_the_settings_name(database_url: str):
    result = run("init", db=database_url, env={"ARREARS_ARRANGEMENT_POLICY": "us-standard"})
    assert result.returncode == 0, result.stderr
    assert "; active: us-standard for *" in result.stdout


def test_load_activates_for_each_product_named_and_list_shows_where(initialised: str):
    # when the example is loaded for two products
    loaded = run(
        "arrange", "policy", "load", str(EXAMPLE), "--activate", "short", "--activate", "cash",
        "--author", "wang.fang", db=initialised,
    )  # fmt: skip
    listed = run("arrange", "policy", "list", "--format", "json", db=initialised)

    # then it is stored and active there, and cn-standard stays the policy for the rest
    assert loaded.returncode == 0, loaded.stderr
    assert (
        loaded.stdout == "arrangement policy short-term-plans: version 1, active for short, cash\n"
    )
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert {name: row["active_for"] for name, row in rows.items()} == {
        "cn-standard": ["*"],
        "short-term-plans": ["cash", "short"],
        "us-standard": [],
    }
    assert (rows["short-term-plans"]["version"], rows["short-term-plans"]["author"]) == (
        1,
        "wang.fang",
    )
    table = run("arrange", "policy", "list", db=initialised)
    assert "short-term-plans │       1 │ wang.fang" in table.stdout
    assert "us-standard" in table.stdout


def test_show_as_json_is_the_policy_and_reads_back_as_the_same_policy(initialised: str):
    result = run("arrange", "policy", "show", "us-standard", "--format", "json", db=initialised)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert {k: shown[k] for k in ("name", "version", "author", "active_for")} == {
        "name": "us-standard",
        "version": 1,
        "author": "arrears",
        "active_for": [],
    }
    assert shown["kinds"]["settlement"]["max_discount_percent_by_bucket"]["M6"] == "50"
    assert shown["kinds"]["plan"]["min_down_payment_percent"] is None
    written = {k: shown[k] for k in ("name", "description", "per_year", "per_year_approver")}
    again, findings = parse_arrangement_policy(yaml.safe_dump(written | {"kinds": shown["kinds"]}))
    shipped = Path(__file__).resolve().parents[2] / "src/arrears/arrangements/us-standard.yaml"
    assert findings == [] and again == parse_arrangement_policy(shipped.read_text("utf-8"))[0]


def test_show_of_a_version_or_name_that_is_not_stored_exits_3(initialised: str):
    missing_version = run(
        "arrange", "policy", "show", "cn-standard", "--version", "2", db=initialised
    )
    missing_name = run("arrange", "policy", "show", "nope", db=initialised)

    assert missing_version.returncode == 3
    assert "arrangement policy cn-standard has no version 2 (latest: 1)" in missing_version.stderr
    assert missing_name.returncode == 3
    assert "no arrangement policy named 'nope' is stored" in missing_name.stderr
    assert "Traceback" not in missing_version.stderr + missing_name.stderr


def test_load_of_a_bad_file_exits_2_and_stores_nothing(initialised: str, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")

    result = run("arrange", "policy", "load", str(bad), "--activate", "*", db=initialised)
    listed = run("arrange", "policy", "list", "--format", "json", db=initialised)

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"{bad}: 3 problem(s); nothing was stored"
    assert [row["name"] for row in json.loads(listed.stdout)] == ["cn-standard", "us-standard"]


def test_show_without_an_active_policy_says_how_to_get_one(initialised: str):
    # given a database where no policy is active for every product
    engine = make_engine(initialised)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM arrangement_policy_active"))
    engine.dispose()

    result = run("arrange", "policy", "show", db=initialised)

    assert result.returncode == 3
    assert "no arrangement policy is active for every product (*)" in result.stderr
