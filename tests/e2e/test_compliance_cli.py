"""`arrears compliance` through the CLI: packs stored by init, shown, activated per
product; profiles set; the evaluator prints its decision and checks an expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, initialise, write_csv

SCENARIO = {
    "borrower": {"id": "B1", "zones": ["Asia/Shanghai"], "phones": [{"number": "+8613812345678"}]},
    "proposal": {"channel": "call", "at": "2025-08-01T22:00:00+08:00", "to": "+8613812345678"},
}


@pytest.fixture
def ready(database_url: str) -> str:
    printed = initialise(database_url)
    assert "policy packs: us-regf v1, cn v1, uk-conc v1, house v1; active: cn,house" in printed
    return database_url


def pack_rows(db: str) -> dict[str, list[str]]:
    """`compliance packs` as pack → its cells."""
    listed = run("compliance", "packs", db=db).stdout
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in listed.splitlines()]
    return {row[0]: row for row in cells if row and row[0] not in ("", "pack")}


def test_init_stores_the_packs_and_activates_the_default_ones(ready: str) -> None:
    rows = pack_rows(ready)
    assert {name: row[-1] for name, row in rows.items()} == {
        "cn": "*", "house": "*", "uk-conc": "-", "us-regf": "-",
    }  # fmt: skip


def test_show_prints_each_rule_with_its_source(ready: str) -> None:
    shown = run("compliance", "show", "cn", db=ready).stdout
    assert "cn.contact_hours" in shown and "cn.voice_connected_cap" in shown


def test_a_pack_activated_for_one_product_binds_only_it(ready: str) -> None:
    assert run("compliance", "activate", "us-regf", "--product", "bnpl", db=ready).returncode == 0
    assert pack_rows(ready)["us-regf"][-1] == "bnpl"
    assert run("compliance", "deactivate", "us-regf", "--product", "bnpl", db=ready).returncode == 0
    gone = run("compliance", "deactivate", "us-regf", "--product", "bnpl", db=ready)
    assert gone.returncode == 3 and "not active" in gone.stderr


def test_a_broken_pack_file_is_refused_with_its_line(ready: str, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text("pack: mine\nversion: 1\ntitle: Mine\nzone: Asia/Shanghai\nrules:\n"
                    "  - {id: mine.x, check: chanel_cap, says: x, source: y, confidence: P}\n")  # fmt: skip
    result = run("compliance", "load", str(pack), db=ready)
    assert result.returncode == 2
    assert (
        "line 6, rules[0].check: 'chanel_cap' is not a check (did you mean 'channel_cap'?)"
        in result.stderr
    )


def test_the_evaluator_prints_the_decision_and_checks_what_the_file_expects(
    database_url: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "night.json"
    scenario.write_text(json.dumps(SCENARIO), encoding="utf-8")
    result = run("compliance", "evaluate", "--pack", "cn", str(scenario), db=database_url)
    printed = json.loads(result.stdout)
    assert (printed["decision"], printed["rule"], printed["not_before"]) == (
        "deny", "cn.contact_hours", "2025-08-02T00:00:00Z",
    )  # fmt: skip
    scenario.write_text(json.dumps({**SCENARIO, "expect": {"decision": "allow"}}), "utf-8")
    result = run("compliance", "evaluate", "--pack", "cn", "--pack", "house", str(scenario),
                 db=database_url)  # fmt: skip
    assert result.returncode == 1
    assert "expected decision 'allow', got 'deny'" in result.stderr


def test_a_profile_is_stored_and_a_bad_one_refused(ready: str, tmp_path: Path) -> None:
    loans = tmp_path / "loans.csv"
    write_csv(
        loans, LOANS_HEADER, "L1,B1,CNY,1200,12,12,2026-01-15,equal_installment,half_up,,王芳"
    )
    assert run("import", "loans", str(loans), db=ready).returncode == 0
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"opt_outs": [{"channel": "sms", "at": "2026-01-20T08:00:00Z"}]}))
    assert run("compliance", "profile", "set", "B1", str(profile), db=ready).returncode == 0
    shown = json.loads(run("compliance", "profile", "show", "B1", db=ready).stdout)
    assert shown["opt_outs"][0]["channel"] == "sms"
    profile.write_text(json.dumps({"opt_outs": [{"channel": "fax", "at": "2026-01-20T08:00:00Z"}]}))
    bad = run("compliance", "profile", "set", "B1", str(profile), db=ready)
    assert bad.returncode == 2 and "borrower.opt_outs[0].channel" in bad.stderr


def test_pack_and_profile_changes_are_on_the_audit_log(ready: str, tmp_path: Path) -> None:
    assert run("compliance", "activate", "uk-conc", "--product", "card", db=ready).returncode == 0
    exported = run("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01",
                   "--format", "jsonl", db=ready)  # fmt: skip
    entries = [json.loads(line) for line in exported.stdout.splitlines()]
    kinds = [(e["kind"], e["subject"]) for e in entries]
    assert kinds[:4] == [("pack_loaded", n) for n in ("us-regf", "cn", "uk-conc", "house")]
    assert ("pack_activated", "uk-conc") in kinds
    assert run("audit", "verify", db=ready).returncode == 0
