"""`arrears letters` end to end: letters printed as the dispatcher prints them, then listed,
exported for the mail house, marked mailed, and previewed — through the real command."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from arrears.adapters.letters import render_letter
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import return_addresses, sender_of
from arrears.services import compliance, letters
from arrears.settings import load_settings
from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, NOW, PAYMENTS_HEADER, import_files, write_csv

AS_OF = date(2026, 5, 20)  # L1 66 days past due, L2 19


def pdf_text(path: Path) -> str:
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in pages))


@pytest.fixture
def printed(database_url: str, tmp_path: Path) -> tuple[str, list[int]]:
    """Two loans with postal addresses, and three letters printed for them."""
    loans = write_csv(
        tmp_path / "loans.csv", LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,USD,1000,9.99,3,2026-02-01,bullet,half_even,,Ann Lee",
    )  # fmt: skip
    payments = write_csv(tmp_path / "payments.csv", PAYMENTS_HEADER, "P1,L1,2026-02-15,1066.19")
    profiles = {
        "B1": {"address": {"text": "上海市浦东新区\n世纪大道200号 1201室", "country": "CN"}},
        "B2": {"address": {"text": "250 Broadway, Apt 4B\nNew York, NY 10007", "country": "US"}},
    }
    import_files(database_url, loans, payments)
    app = App(load_settings(database_url))
    for borrower_id, profile in profiles.items():  # as `arrears compliance profile set` does
        compliance.set_profile(app.uow_factory, borrower_id, profile, app.now())
    ids = []
    for message_id, loan_id, kind in (
        ("m:20260520:L1:d66.letter", "L1", "demand_letter"),
        ("m:20260520:L2:d1.letter", "L2", "validation_notice"),
        ("m:20260520:L2:d19.letter", "L2", "overdue_letter"),
    ):
        with app.uow() as uow:
            ids.append(letters.print_letter(
                uow, message_id=message_id, loan_id=loan_id, kind=kind, language=None,
                as_of=AS_OF, now=NOW, sender=sender_of(app.settings), render=render_letter,
                return_addresses=return_addresses(app.settings),
            ))  # fmt: skip
            uow.commit()
    app.engine.dispose()
    return database_url, ids


def test_list_shows_each_letter_with_its_addressee_as_json(printed: tuple[str, list[int]]) -> None:
    db, ids = printed
    result = run("letters", "list", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["document_id"] for r in rows] == ids
    assert [(r["loan_id"], r["kind"], r["language"]) for r in rows] == [
        ("L1", "demand_letter", "zh-CN"),
        ("L2", "validation_notice", "en"),
        ("L2", "overdue_letter", "en"),
    ]
    assert rows[1]["name"] == "Ann Lee"
    assert rows[1]["address_lines"] == ["250 Broadway, Apt 4B", "New York, NY 10007"]
    assert rows[1]["mailed_at"] is None
    one_loan = json.loads(run("letters", "list", "--loan", "L1", "--format", "json", db=db).stdout)
    assert [r["document_id"] for r in one_loan] == ids[:1]
    table = run("letters", "list", db=db)
    assert table.returncode == 0 and "validation_notice" in table.stdout


def test_export_writes_the_pdfs_and_a_manifest_for_the_mail_house(
    printed: tuple[str, list[int]], tmp_path: Path
) -> None:
    db, ids = printed
    out = tmp_path / "mail"
    result = run("letters", "export", "--unmailed", "--out", str(out), db=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "manifest.csv").open(encoding="utf-8")))
    assert [int(r["document_id"]) for r in rows] == ids
    notice = rows[1]
    assert (notice["loan_id"], notice["name"], notice["address_line_1"],
            notice["address_line_2"], notice["address_line_3"]) == (
        "L2", "Ann Lee", "250 Broadway, Apt 4B", "New York, NY 10007", "")  # fmt: skip
    assert int(notice["pages"]) == len(PdfReader(out / notice["file"]).pages) == 2
    text = pdf_text(out / notice["file"])
    assert "Arrears Demo Finance is a debt collector." in text
    assert "You were charged this amount in interest: + $32.77" in text
    assert "Total amount of the debt now: $1,032.77" in text
    assert "www.cfpb.gov/debt-collection" in text
    assert "¥3,248.79" in pdf_text(out / rows[0]["file"]).replace(" ", "")


def test_marked_letters_leave_the_mailing_list(printed: tuple[str, list[int]]) -> None:
    db, ids = printed
    result = run("letters", "mark-mailed", str(ids[0]), str(ids[1]), db=db)
    assert result.returncode == 0, result.stderr
    assert "2 letters marked mailed" in result.stdout
    again = run("letters", "mark-mailed", str(ids[0]), db=db)
    assert "0 letters marked mailed (1 already were)" in again.stdout
    left = json.loads(run("letters", "list", "--unmailed", "--format", "json", db=db).stdout)
    assert [r["document_id"] for r in left] == ids[2:]


def test_mistakes_exit_with_their_codes_and_change_nothing(
    printed: tuple[str, list[int]], tmp_path: Path
) -> None:
    db, ids = printed
    unknown = run("letters", "mark-mailed", str(ids[0]), "999", db=db)
    assert unknown.returncode == 3 and "no letter 999" in unknown.stderr
    neither = run("letters", "export", "--out", str(tmp_path / "x"), db=db)
    assert neither.returncode == 2
    left = json.loads(run("letters", "list", "--unmailed", "--format", "json", db=db).stdout)
    assert len(left) == 3


def test_preview_writes_any_kind_without_storing_it(
    printed: tuple[str, list[int]], tmp_path: Path
) -> None:
    db, _ = printed
    out = tmp_path / "plan.pdf"
    result = run("letters", "preview", "plan_confirmation", "--loan", "L1", "--lang", "en",
                 "--as-of", "2026-04-01", "--plan", "2026-04-10=500", "--plan",
                 "2026-05-10=574.18", "--out", str(out), db=db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    for expected in (
        "Confirmation of your repayment plan",
        "Apr 10, 2026",
        "CN¥500.00",
        "May 10, 2026",
        "CN¥574.18",
        "CN¥1,074.18",
        "王芳",
    ):
        assert expected in text, expected
    listed = json.loads(run("letters", "list", "--format", "json", db=db).stdout)
    assert len(listed) == 3
    missing = run("letters", "preview", "demand_letter", "--loan", "L9", "--out",
                  str(tmp_path / "x.pdf"), db=db)  # fmt: skip
    assert missing.returncode == 3 and "no loan L9" in missing.stderr
    bad_plan = run("letters", "preview", "plan_confirmation", "--loan", "L1", "--plan", "soon",
                   "--out", str(tmp_path / "y.pdf"), db=db)  # fmt: skip
    assert bad_plan.returncode == 2 and "DATE=AMOUNT" in bad_plan.stderr
