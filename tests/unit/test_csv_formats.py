"""The loans and payments CSV formats: every rule, the worked examples in docs/, and rejects."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.adapters.csv_formats import (
    LOAN_COLUMNS,
    PAYMENT_COLUMNS,
    ParsedRow,
    read_loans,
    read_payments,
    write_rejects,
)
from arrears.domain.findings import FindingCode as Code
from arrears.domain.money import CURRENCY_EXPONENTS, Rounding
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import RepaymentMethod

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"

GOOD_LOAN = {
    "loan_id": "L1",
    "borrower_id": "B1",
    "currency": "CNY",
    "principal": "28000.00",
    "annual_rate": "14.07",
    "term_months": "12",
    "start_date": "2026-01-05",
    "repayment_method": "equal_installment",
    "rounding": "half_up",
}
GOOD_PAYMENT = {"payment_id": "P1", "loan_id": "L1", "paid_on": "2026-02-05", "amount": "2514.96"}


def csv_text(rows: list[dict[str, str]]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.seek(0)
    return out


def one_loan(**changes: str) -> ParsedRow[LoanRecord]:
    (row,) = read_loans(csv_text([{**GOOD_LOAN, **changes}]))
    return row


def one_payment(**changes: str) -> ParsedRow[PaymentRecord]:
    (row,) = read_payments(csv_text([{**GOOD_PAYMENT, **changes}]))
    return row


def where(row: ParsedRow[object]) -> list[tuple[int, str | None, Code]]:
    return [(f.line, f.column, f.code) for f in row.findings]


def open_example(name: str) -> io.TextIOWrapper:
    return (EXAMPLES / name).open(newline="", encoding="utf-8")


# --- the worked examples in docs/examples ------------------------------------------------


def test_the_example_loans_file_parses_without_findings() -> None:
    with open_example("loans.csv") as stream:
        rows = list(read_loans(stream))

    assert [row.findings for row in rows] == [()] * 8
    loans = {row.record.loan_id: row.record for row in rows if row.record}
    assert loans["L1001"] == LoanRecord(
        loan_id="L1001",
        borrower_id="B001",
        currency="CNY",
        principal_minor=2800000,
        annual_rate_percent=Decimal("14.07"),
        term_months=12,
        start_date=date(2026, 1, 5),
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        rounding=Rounding.HALF_UP,
        product="consumer",
        borrower_name="王芳",
        phone="13800138000",
        email="wangfang@example.cn",
        timezone="Asia/Shanghai",
        language="zh-CN",
    )
    assert {loan.method for loan in loans.values()} == set(RepaymentMethod)
    assert loans["L1005"].principal_minor == 1200050
    assert loans["L1005"].first_due_date == date(2026, 1, 31)
    assert loans["L1006"].product == "default"
    assert loans["L2001"].borrower_name == "Lopez, Maria"
    assert (loans["L3001"].currency, loans["L3001"].principal_minor) == ("JPY", 500000)
    assert loans["L1004"].timezone is None


def test_the_example_payments_file_parses_without_findings() -> None:
    with open_example("payments.csv") as stream:
        rows = list(read_payments(stream))

    assert [row.findings for row in rows] == [()] * 11
    assert rows[0].record == PaymentRecord(
        "P0001", "L1001", date(2026, 2, 5), Decimal("2514.96"), "CNY", "bank_transfer"
    )
    payments = {row.record.payment_id: row.record for row in rows if row.record}
    assert payments["P0007"].currency is None
    assert payments["P0010"].amount == Decimal("51458")


def test_the_bad_example_reports_every_finding_at_its_line_and_column() -> None:
    with open_example("loans_bad.csv") as stream:
        rows = list(read_loans(stream))

    found = [(f.line, f.column, f.code) for row in rows for f in row.findings]
    assert found == [
        (3, "currency", Code.BAD_CURRENCY),
        (3, "principal", Code.BAD_AMOUNT),
        (4, "principal", Code.BAD_AMOUNT),
        (4, "annual_rate", Code.BAD_NUMBER),
        (5, "annual_rate", Code.OUT_OF_RANGE),
        (5, "term_months", Code.OUT_OF_RANGE),
        (6, "term_months", Code.BAD_NUMBER),
        (6, "start_date", Code.BAD_DATE),
        (7, "start_date", Code.BAD_DATE),
        (7, "repayment_method", Code.BAD_CHOICE),
        (7, "rounding", Code.BAD_CHOICE),
        (8, "borrower_id", Code.REQUIRED),
        (8, "currency", Code.REQUIRED),
        (8, "principal", Code.OUT_OF_RANGE),
        (9, "first_due_date", Code.OUT_OF_RANGE),
        (9, "timezone", Code.BAD_CHOICE),
        (9, "language", Code.BAD_CHOICE),
        (10, "principal", Code.BAD_AMOUNT),
        (11, "loan_id", Code.CONFLICTING_ID),
        (13, None, Code.BAD_ROW),
        (14, "first_due_date", Code.BAD_DATE),
    ]
    assert [row.line for row in rows if row.record] == [2, 12]


def test_the_import_doc_describes_every_column() -> None:
    doc = (DOCS / "import.md").read_text(encoding="utf-8")

    for column in (*LOAN_COLUMNS, *PAYMENT_COLUMNS):
        assert f"| `{column}` |" in doc, column


@pytest.mark.parametrize("name", ["loans.csv", "payments.csv", "loans_bad.csv"])
def test_the_import_doc_shows_each_example_file_as_it_is(name: str) -> None:
    doc = (DOCS / "import.md").read_text(encoding="utf-8")

    assert f"```csv\n{(EXAMPLES / name).read_text(encoding='utf-8')}```" in doc


def test_the_import_doc_shows_the_report_the_bad_example_really_gets() -> None:
    doc = (DOCS / "import.md").read_text(encoding="utf-8")
    shown = doc.split("imports nothing and reports:\n\n```text\n")[1].split("```")[0]
    with open_example("loans_bad.csv") as stream:
        report = "".join(f"{finding}\n" for row in read_loans(stream) for finding in row.findings)

    assert shown == report


def _doc_block(marker: str) -> str:
    doc = (DOCS / "import.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", doc, re.S)
    assert match, marker
    return match.group(1)


def test_the_import_doc_address_example_reads_as_the_page_says() -> None:
    # Given the page's loans with addresses
    rows = list(read_loans(io.StringIO(_doc_block("loans with addresses"), newline="")))

    # Then the first two keep their lines, and the third gets the report the page shows
    records = {row.record.loan_id: row.record for row in rows if row.record}
    assert records["L4001"].address == "上海市浦东新区张杨路1234号5栋602室"
    assert records["L4002"].address == "1234 Maple Ave Apt 5\nSpringfield, IL 62704"
    report = "".join(f"{finding}\n" for row in rows for finding in row.findings)
    assert report == _doc_block("loans with addresses report")


# --- the header --------------------------------------------------------------------------


def test_a_missing_required_column_is_reported_at_line_1_and_nothing_else_is_read() -> None:
    text = "loan_id,borrower_id,currency,principal,annual_rate,term_months,start_date,rounding\n"
    rows = list(read_loans(io.StringIO(text + "L1,B1,CNY,100,1,1,2026-01-05,up\n")))

    assert len(rows) == 1
    assert rows[0].record is None
    assert where(rows[0]) == [(1, "repayment_method", Code.MISSING_COLUMN)]


def test_an_unknown_column_is_reported_with_a_suggestion() -> None:
    rows = list(read_loans(csv_text([{**GOOD_LOAN, "borower_name": "王芳"}])))

    assert len(rows) == 1
    assert where(rows[0]) == [(1, "borower_name", Code.UNKNOWN_COLUMN)]
    assert "(did you mean 'borrower_name'?)" in rows[0].findings[0].message


def test_a_column_named_twice_is_a_header_problem() -> None:
    text = "payment_id,loan_id,paid_on,amount,amount\nP1,L1,2026-02-05,1,1\n"
    (row,) = read_payments(io.StringIO(text))

    assert where(row) == [(1, "amount", Code.BAD_ROW)]


def test_an_empty_file_misses_every_required_column() -> None:
    (row,) = read_payments(io.StringIO(""))

    assert where(row) == [
        (1, "payment_id", Code.MISSING_COLUMN),
        (1, "loan_id", Code.MISSING_COLUMN),
        (1, "paid_on", Code.MISSING_COLUMN),
        (1, "amount", Code.MISSING_COLUMN),
    ]


def test_header_order_is_free_and_optional_columns_may_be_absent() -> None:
    text = "amount,paid_on,loan_id,payment_id\n100.5,2026-02-05,L1,P1\n"
    (row,) = read_payments(io.StringIO(text))

    assert row.record == PaymentRecord("P1", "L1", date(2026, 2, 5), Decimal("100.5"))


def test_a_utf8_bom_before_the_header_is_tolerated() -> None:
    data = ("\ufeff" + csv_text([GOOD_LOAN]).getvalue()).encode("utf-8")

    (as_text,) = read_loans(io.StringIO(data.decode("utf-8")))
    (as_sig,) = read_loans(io.StringIO(data.decode("utf-8-sig")))

    assert as_text.findings == as_sig.findings == ()
    assert as_text.record == as_sig.record
    assert next(iter(as_text.raw)) == "loan_id"


def test_whitespace_around_cells_and_names_is_ignored_but_raw_keeps_it() -> None:
    text = " payment_id , loan_id,paid_on ,amount\n P1 ,L1, 2026-02-05 ,  12.30 \n"
    (row,) = read_payments(io.StringIO(text))

    assert row.record == PaymentRecord("P1", "L1", date(2026, 2, 5), Decimal("12.30"))
    assert row.raw == {
        "payment_id": " P1 ",
        "loan_id": "L1",
        "paid_on": " 2026-02-05 ",
        "amount": "  12.30 ",
    }


# --- loan cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "currency", "minor"),
    [("28000", "CNY", 2800000), ("28000.5", "CNY", 2800050), ("28000.00", "CNY", 2800000),
     ("0.01", "USD", 1), ("500000", "JPY", 500000)],
)  # fmt: skip
def test_principal_becomes_exact_minor_units(principal: str, currency: str, minor: int) -> None:
    row = one_loan(principal=principal, currency=currency)

    assert row.record is not None
    assert row.record.principal_minor == minor


@pytest.mark.parametrize(
    ("principal", "currency", "code"),
    [("0", "CNY", Code.OUT_OF_RANGE), ("0.00", "CNY", Code.OUT_OF_RANGE),
     ("-500", "CNY", Code.OUT_OF_RANGE), ("28,000", "CNY", Code.BAD_AMOUNT),
     ("1e3", "CNY", Code.BAD_AMOUNT), ("1_000", "CNY", Code.BAD_AMOUNT),
     ("NaN", "CNY", Code.BAD_AMOUNT), ("１０００", "CNY", Code.BAD_AMOUNT),
     (".5", "CNY", Code.BAD_AMOUNT), ("5.", "CNY", Code.BAD_AMOUNT),
     ("¥100", "CNY", Code.BAD_AMOUNT), ("100.001", "CNY", Code.BAD_AMOUNT),
     ("100.5", "JPY", Code.BAD_AMOUNT), ("500000.00", "JPY", Code.BAD_AMOUNT),
     ("1" * 20, "CNY", Code.OUT_OF_RANGE), ("", "CNY", Code.REQUIRED)],
)  # fmt: skip
def test_a_bad_principal_is_refused(principal: str, currency: str, code: Code) -> None:
    row = one_loan(principal=principal, currency=currency)

    assert row.record is None
    assert where(row) == [(2, "principal", code)]


@settings(max_examples=300, deadline=None)
@given(
    whole=st.text("0123456789", min_size=1, max_size=12),
    fraction=st.none() | st.text("0123456789", max_size=4),
    currency=st.sampled_from(["CNY", "JPY", "USD"]),
)
def test_a_plain_principal_is_read_exactly_or_refused(
    whole: str, fraction: str | None, currency: str
) -> None:
    text = whole if fraction is None else f"{whole}.{fraction}"
    exact = Decimal(text).scaleb(CURRENCY_EXPONENTS[currency])

    row = one_loan(principal=text, currency=currency)

    fits = len(fraction or "") <= CURRENCY_EXPONENTS[currency] and (fraction is None or fraction)
    if fits and exact > 0:
        assert row.record is not None
        assert row.record.principal_minor == exact
    else:
        assert row.record is None
        assert [column for _, column, _ in where(row)] == ["principal"]


def test_a_principal_with_an_unknown_currency_is_still_checked_for_its_form() -> None:
    assert where(one_loan(currency="RMB", principal="100.001")) == [
        (2, "currency", Code.BAD_CURRENCY)
    ]
    assert where(one_loan(currency="RMB", principal="-1")) == [
        (2, "currency", Code.BAD_CURRENCY),
        (2, "principal", Code.OUT_OF_RANGE),
    ]


@pytest.mark.parametrize("currency", ["RMB", "cny", "XXX", "元"])
def test_an_unknown_currency_is_refused(currency: str) -> None:
    assert where(one_loan(currency=currency)) == [(2, "currency", Code.BAD_CURRENCY)]


@pytest.mark.parametrize(
    ("text", "rate"), [("14.07", "14.07"), ("0", "0"), ("100", "100"), ("9.600", "9.600")]
)
def test_the_annual_rate_is_a_percent_kept_exactly(text: str, rate: str) -> None:
    row = one_loan(annual_rate=text)

    assert row.record is not None
    assert str(row.record.annual_rate_percent) == rate


@pytest.mark.parametrize(
    ("text", "code"),
    [("100.01", Code.OUT_OF_RANGE), ("-1", Code.OUT_OF_RANGE), ("-0", Code.OUT_OF_RANGE),
     ("14.07%", Code.BAD_NUMBER),
     ("0.1407e2", Code.BAD_NUMBER), ("abc", Code.BAD_NUMBER), ("", Code.REQUIRED)],
)  # fmt: skip
def test_a_bad_annual_rate_is_refused(text: str, code: Code) -> None:
    assert where(one_loan(annual_rate=text)) == [(2, "annual_rate", code)]


@pytest.mark.parametrize("text", ["1", "480", "036"])
def test_a_term_from_1_to_480_months_is_accepted(text: str) -> None:
    row = one_loan(term_months=text)

    assert row.record is not None
    assert row.record.term_months == int(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [("0", Code.OUT_OF_RANGE), ("481", Code.OUT_OF_RANGE), ("-3", Code.OUT_OF_RANGE),
     ("12.0", Code.BAD_NUMBER), ("twelve", Code.BAD_NUMBER), ("1e1", Code.BAD_NUMBER),
     ("", Code.REQUIRED)],
)  # fmt: skip
def test_a_bad_term_is_refused(text: str, code: Code) -> None:
    assert where(one_loan(term_months=text)) == [(2, "term_months", code)]


@pytest.mark.parametrize(
    "text",
    ["20260105", "2026-W02-1", "2026/01/05", "2026-1-5", "05/01/2026", "2026-01-05T00:00",
     "２０２６-01-05", "2026-02-30", "2026-13-01"],
)  # fmt: skip
def test_dates_must_be_real_and_written_yyyy_mm_dd(text: str) -> None:
    assert where(one_loan(start_date=text)) == [(2, "start_date", Code.BAD_DATE)]


def test_the_first_due_date_must_come_after_the_start_date() -> None:
    on_start = one_loan(start_date="2026-01-31", first_due_date="2026-01-31")
    after = one_loan(start_date="2026-01-31", first_due_date="2026-03-31")

    assert where(on_start) == [(2, "first_due_date", Code.OUT_OF_RANGE)]
    assert after.record is not None
    assert after.record.first_due_date == date(2026, 3, 31)


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_each_repayment_method_is_read(method: RepaymentMethod) -> None:
    row = one_loan(repayment_method=method.value)

    assert row.record is not None
    assert row.record.method is method


@pytest.mark.parametrize("rounding", list(Rounding))
def test_each_rounding_is_read(rounding: Rounding) -> None:
    row = one_loan(rounding=rounding.value)

    assert row.record is not None
    assert row.record.rounding is rounding


@pytest.mark.parametrize(
    ("column", "text"),
    [("repayment_method", "annuity"), ("repayment_method", "Bullet"), ("rounding", "nearest"),
     ("timezone", "Beijing"), ("timezone", "asia/shanghai"), ("timezone", "localtime"),
     ("timezone", "../etc/passwd"), ("language", "zh"), ("language", "EN")],
)  # fmt: skip
def test_a_value_outside_its_choices_is_refused(column: str, text: str) -> None:
    assert where(one_loan(**{column: text})) == [(2, column, Code.BAD_CHOICE)]


@pytest.mark.parametrize("column", ["loan_id", "borrower_id", "currency", "start_date", "rounding"])
def test_an_empty_required_cell_is_reported(column: str) -> None:
    assert where(one_loan(**{column: ""})) == [(2, column, Code.REQUIRED)]


def test_empty_optional_cells_become_none_and_product_defaults() -> None:
    optional = dict.fromkeys(LOAN_COLUMNS[9:], "")
    row = one_loan(**optional)

    assert row.record is not None
    assert (row.record.first_due_date, row.record.product, row.record.borrower_name) == (
        None,
        "default",
        None,
    )
    assert (row.record.phone, row.record.email, row.record.timezone, row.record.language) == (
        None,
        None,
        None,
        None,
    )
    assert row.record.address is None


@pytest.mark.parametrize(
    ("text", "address"),
    [("上海市浦东新区张杨路1234号5栋602室", "上海市浦东新区张杨路1234号5栋602室"),
     ("1234 Maple Ave Apt 5 | Springfield, IL 62704", "1234 Maple Ave Apt 5\nSpringfield, IL 62704"),
     ("  1 Main St|| Unit 2B |  Austin, TX 78701 ", "1 Main St\nUnit 2B\nAustin, TX 78701"),
     (" | ", None), ("x" * 500, "x" * 500)],
)  # fmt: skip
def test_an_address_keeps_its_lines_in_order_without_the_separators(
    text: str, address: str | None
) -> None:
    row = one_loan(address=text)

    assert row.findings == ()
    assert row.record is not None and row.record.address == address


@pytest.mark.parametrize(
    "text",
    ["x" * 501, "77 Oak St\nPortland, OR 97201", "77 Oak St\r\nPortland", "77\tOak St",
     "77 Oak St\x00", "77 Oak St\x85Portland", "77 Oak St\u2028Portland"],
)  # fmt: skip
def test_a_long_address_or_one_with_a_control_character_is_refused_at_its_row_and_column(
    text: str,
) -> None:
    row = one_loan(address=text)

    assert row.record is None
    assert where(row) == [(2, "address", Code.BAD_TEXT)]


def test_optional_cells_are_kept() -> None:
    row = one_loan(product="payday", timezone="America/New_York", language="en", phone="+1 555")

    assert row.record is not None
    assert (row.record.product, row.record.timezone, row.record.language) == (
        "payday",
        "America/New_York",
        "en",
    )


def test_every_bad_cell_of_a_row_is_reported_not_only_the_first() -> None:
    row = one_loan(
        borrower_id="",
        currency="RMB",
        principal="abc",
        annual_rate="200",
        term_months="0",
        start_date="2026/01/05",
        repayment_method="annuity",
        rounding="nearest",
    )

    assert row.record is None
    assert [column for _, column, _ in where(row)] == list(LOAN_COLUMNS[1:9])


# --- payment cells -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1550.5", "0.0001", "2514.96", "51458"])
def test_a_payment_amount_stays_an_exact_decimal(text: str) -> None:
    row = one_payment(amount=text)

    assert row.record is not None
    assert row.record.amount == Decimal(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [("0", Code.OUT_OF_RANGE), ("-10", Code.OUT_OF_RANGE), ("0.00001", Code.BAD_AMOUNT),
     ("1,000", Code.BAD_AMOUNT), ("1e2", Code.BAD_AMOUNT), ("9" * 20, Code.OUT_OF_RANGE),
     ("", Code.REQUIRED)],
)  # fmt: skip
def test_a_bad_payment_amount_is_refused(text: str, code: Code) -> None:
    assert where(one_payment(amount=text)) == [(2, "amount", code)]


def test_a_payment_currency_if_given_must_be_known() -> None:
    assert where(one_payment(currency="RMB")) == [(2, "currency", Code.BAD_CURRENCY)]
    row = one_payment(currency="", channel="")
    assert row.record is not None
    assert (row.record.currency, row.record.channel) == (None, None)


def test_a_bad_payment_reports_each_cell() -> None:
    row = one_payment(payment_id="P9", loan_id="", paid_on="05.02.2026", amount="-1")

    assert where(row) == [
        (2, "loan_id", Code.REQUIRED),
        (2, "paid_on", Code.BAD_DATE),
        (2, "amount", Code.OUT_OF_RANGE),
    ]


# --- rows, lines and duplicates ----------------------------------------------------------


def test_lines_are_physical_lines_across_blank_lines_and_multiline_cells() -> None:
    text = (
        "loan_id,borrower_id,borrower_name,currency,principal,annual_rate,term_months,"
        "start_date,repayment_method,rounding\n"
        "\n"
        'L1,B1,"Wang\nFang",CNY,100,1,1,2026-01-05,bullet,up\n'
        ",,,,,,,,,\n"
        "L2,B2,Li,CNY,100,1,1,2026-01-05,bullet,sideways\n"
    )
    rows = list(read_loans(io.StringIO(text)))

    assert [row.line for row in rows] == [3, 6]
    assert rows[0].record is not None
    assert rows[0].record.borrower_name == "Wang\nFang"
    assert where(rows[1]) == [(6, "rounding", Code.BAD_CHOICE)]


def test_a_row_with_the_wrong_number_of_cells_is_one_bad_row() -> None:
    text = "payment_id,loan_id,paid_on,amount\nP1,L1,2026-02-05\nP2,L1,2026-02-05,1,extra\n"
    rows = list(read_payments(io.StringIO(text)))

    assert [where(row) for row in rows] == [[(2, None, Code.BAD_ROW)], [(3, None, Code.BAD_ROW)]]
    assert rows[0].raw == {
        "payment_id": "P1",
        "loan_id": "L1",
        "paid_on": "2026-02-05",
        "amount": "",
    }


def test_an_identical_duplicate_row_is_read_again_without_a_finding() -> None:
    same = {**GOOD_PAYMENT}
    spaced = {**GOOD_PAYMENT, "amount": " 2514.96 "}
    rows = list(read_payments(csv_text([same, same, spaced])))

    assert [row.findings for row in rows] == [(), (), ()]
    assert rows[0].record == rows[1].record == rows[2].record


def test_the_same_id_with_other_content_is_a_conflict_on_the_later_line() -> None:
    rows = list(
        read_payments(csv_text([GOOD_PAYMENT, {**GOOD_PAYMENT, "amount": "1.00"}, GOOD_PAYMENT]))
    )

    assert [where(row) for row in rows] == [[], [(3, "payment_id", Code.CONFLICTING_ID)], []]
    assert rows[1].record is None


def test_a_conflicting_loan_id_is_reported_alongside_its_other_findings() -> None:
    rows = list(read_loans(csv_text([GOOD_LOAN, {**GOOD_LOAN, "term_months": "0"}])))

    assert where(rows[1]) == [
        (3, "term_months", Code.OUT_OF_RANGE),
        (3, "loan_id", Code.CONFLICTING_ID),
    ]


def test_a_file_that_is_not_utf8_is_one_finding_not_a_crash() -> None:
    data = "payment_id,loan_id,paid_on,amount\nP1,L1,2026-02-05,1\nP2,王芳,2026-02-05,1\n"
    stream = io.TextIOWrapper(io.BytesIO(data.encode("gbk")), encoding="utf-8", newline="")

    rows = list(read_payments(stream))

    assert rows[-1].record is None
    assert [(f.line, f.code) for f in rows[-1].findings] == [(rows[-1].line, Code.BAD_ROW)]
    assert "not UTF-8" in rows[-1].findings[0].message


def test_an_oversized_cell_is_a_bad_row_and_reading_goes_on() -> None:
    huge = "9" * 200_000  # over the csv module's field size limit
    text = f'payment_id,loan_id,paid_on,amount\nP1,L1,2026-02-05,"{huge}"\nP2,L1,2026-02-05,1\n'

    rows = list(read_payments(io.StringIO(text)))

    assert [where(row) for row in rows] == [[(2, None, Code.BAD_ROW)], []]


def test_rows_are_read_lazily() -> None:
    lines = iter(["payment_id,loan_id,paid_on,amount\n", "P1,L1,2026-02-05,1\n", "P2,"])
    rows = read_payments(lines)  # type: ignore[arg-type]  # any iterable of lines will do

    first = next(rows)

    assert first.record is not None
    assert next(lines) == "P2,"


# --- rejects -----------------------------------------------------------------------------


def test_write_rejects_writes_the_original_cells_with_line_and_every_reason() -> None:
    with open_example("loans_bad.csv") as stream:
        rows = list(read_loans(stream))
    rejected = [row for row in rows if not row.ok]
    out = io.StringIO()

    count = write_rejects(out, list(rows[0].raw), rejected)

    written = out.getvalue().splitlines()
    assert count == len(rejected) == 11
    assert written[0] == ",".join([*rows[0].raw, "line", "reason"])
    assert written[1] == (
        'L9002,B902,吴芳,RMB,"28,000.00",12,12,2026-01-05,,equal_installment,half_up,consumer,'
        ",,,,3,\"currency: unknown currency 'RMB' (known: CNY, EUR, GBP, HKD, IDR, INR, JPY,"
        " KRW, PHP, SGD, USD, VND) [bad_currency]; principal: not an amount: '28,000.00'"
        ' (write digits and a point, like 28000.00) [bad_amount]"'
    )
    assert written[10] == (
        "L9010,B910,陈晨,CNY,8000,10,12,2026-01-05,,,,,,,,,"
        '13,"the row has 8 cells, the header has 16 [bad_row]"'
    )


def test_a_reject_is_its_cells_as_read_then_line_and_reason() -> None:
    rows = list(read_payments(csv_text([{**GOOD_PAYMENT, "amount": "0"}])))
    out = io.StringIO()

    write_rejects(out, list(rows[0].raw), rows)

    assert out.getvalue() == (
        "payment_id,loan_id,paid_on,amount,line,reason\n"
        'P1,L1,2026-02-05,0,2,"amount: must be more than 0, got 0 [out_of_range]"\n'
    )
