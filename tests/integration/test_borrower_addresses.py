"""Borrowers' postal addresses from the loans file: stored by the import (SQLite and
PostgreSQL), refused when unprintable, and printed on letters when the compliance profile
gives none."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from arrears.adapters.letters import render_letter
from arrears.adapters.store import tables as t
from arrears.domain.findings import FindingCode
from arrears.domain.message_text import Sender
from arrears.entrypoints.bootstrap import App
from arrears.services import compliance, letters
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

HEADER = LOANS_HEADER + ",address"
SENDER = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")
RETURN_ADDRESSES = {
    "en": ("1 Demo Plaza", "Springfield, IL 62701"),
    "zh-CN": ("上海市世纪大道100号",),
}
AS_OF = date(2026, 4, 1)
CN_ROW = "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,黄磊,上海市浦东新区张杨路1234号5栋602室"
US_ROW = (
    "L2,U1,USD,1000,9.99,3,2026-02-01,bullet,half_even,,Emily Clark,"
    '"1234 Maple Ave Apt 5 | Springfield, IL 62704"'
)


def _import(app: App, folder: Path, name: str, *rows: str) -> None:
    report = import_loans_file(app, write_csv(folder / name, HEADER, *rows))
    assert report.findings == []


def _addresses(app: App) -> dict[str, str | None]:
    b = t.borrower
    with app.engine.connect() as connection:
        return dict(connection.execute(select(b.c.borrower_id, b.c.address)).all())


def _print(app: App, loan_id: str) -> tuple[tuple[str, ...], list[str]]:
    """A demand letter for the loan: the addressee as stored, and the PDF's text lines."""
    with app.uow() as uow:
        document_id = letters.print_letter(
            uow, message_id=f"m:20260401:{loan_id}:d35.letter", loan_id=loan_id,
            kind="demand_letter", language=None, as_of=AS_OF, now=NOW, sender=SENDER,
            render=render_letter, return_addresses=RETURN_ADDRESSES,
        )  # fmt: skip
        uow.commit()
    [stored] = letters.letters(app.uow_factory, document_ids=[document_id])
    [(_, content)] = list(letters.letter_files(app.uow_factory, [stored]))
    pages = PdfReader(io.BytesIO(content)).pages
    lines = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    return stored.addressee_lines, lines


def test_the_import_stores_each_borrower_s_address_with_its_lines(app: App, tmp_path: Path) -> None:
    _import(app, tmp_path, "loans.csv", CN_ROW, US_ROW,
            "L3,B3,CNY,5000,12,6,2026-01-15,equal_installment,half_up,,李伟,")  # fmt: skip

    assert _addresses(app) == {
        "B1": "上海市浦东新区张杨路1234号5栋602室",
        "U1": "1234 Maple Ave Apt 5\nSpringfield, IL 62704",
        "B3": None,
    }


def test_a_new_loan_of_the_borrower_replaces_the_address_and_a_stored_loan_changes_nothing(
    app: App, tmp_path: Path
) -> None:
    # Given B1's address from their first loan
    _import(app, tmp_path, "first.csv", CN_ROW)

    # When a later file repeats that loan with another address: nothing changes
    _import(app, tmp_path, "again.csv", CN_ROW.replace("张杨路1234号", "世纪大道8号"))
    assert _addresses(app)["B1"] == "上海市浦东新区张杨路1234号5栋602室"

    # When a new loan of B1 gives another address: it is theirs from now on, as name and
    # phone would be
    _import(app, tmp_path, "new.csv",
            "L9,B1,CNY,3000,12,3,2026-03-01,bullet,half_up,,黄磊,北京市朝阳区建国路88号")  # fmt: skip
    assert _addresses(app)["B1"] == "北京市朝阳区建国路88号"


def test_a_bad_address_is_refused_with_its_line_and_column_and_nothing_is_stored(
    app: App, tmp_path: Path
) -> None:
    rows = (
        CN_ROW,
        'L2,U1,USD,1000,9.99,3,2026-02-01,bullet,half_even,,Emily Clark,"1234 Maple Ave\tApt 5"',
        f"L4,B4,CNY,5000,12,6,2026-01-15,equal_installment,half_up,,李伟,{'路' * 501}",
    )
    report = import_loans_file(app, write_csv(tmp_path / "bad.csv", HEADER, *rows))

    assert [(f.line, f.column, f.code) for f in report.findings] == [
        (3, "address", FindingCode.BAD_TEXT),
        (4, "address", FindingCode.BAD_TEXT),
    ]
    assert "501 characters, at most 500" in report.findings[1].message
    assert report.written == 0 and _addresses(app) == {}


def test_a_letter_to_a_borrower_known_only_from_the_loans_file_goes_to_the_imported_address(
    app: App, tmp_path: Path
) -> None:
    _import(app, tmp_path, "loans.csv", CN_ROW, US_ROW)

    addressee, lines = _print(app, "L2")

    assert addressee == ("Emily Clark", "1234 Maple Ave Apt 5", "Springfield, IL 62704")
    at = lines.index("Emily Clark")
    assert lines[at + 1 : at + 3] == ["1234 Maple Ave Apt 5", "Springfield, IL 62704"]
    cn_addressee, cn_lines = _print(app, "L1")
    assert cn_addressee == ("黄磊", "上海市浦东新区张杨路1234号5栋602室")
    assert "上海市浦东新区张杨路1234号5栋602室" in cn_lines


def test_the_compliance_profile_s_address_wins_over_the_imported_one(
    app: App, tmp_path: Path
) -> None:
    _import(app, tmp_path, "loans.csv", US_ROW)
    compliance.set_profile(
        app.uow_factory, "U1", {"address": {"text": "PO Box 77\nAustin, TX 78701"}}, NOW
    )

    addressee, lines = _print(app, "L2")

    assert addressee == ("Emily Clark", "PO Box 77", "Austin, TX 78701")
    assert "1234 Maple Ave Apt 5" not in lines


def test_the_gate_s_person_from_the_loans_file_has_no_address(app: App, tmp_path: Path) -> None:
    # The gate shares one decision among borrowers known only from the loans file; an
    # address would make each of them a person of their own.
    _import(app, tmp_path, "loans.csv", US_ROW)

    with app.uow() as uow:
        person = uow.compliance.people(["U1"])["U1"]

    assert person.address is None
