"""The synthetic portfolio: deterministic, realistic, and the same whichever way it is read."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

import pytest

from arrears.adapters.csv_formats import LOAN_COLUMNS, PAYMENT_COLUMNS, read_loans, read_payments
from arrears.domain.money import Rounding, format_major
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import Installment, RepaymentMethod
from arrears.domain.terms import LoanTerms
from arrears.services import synthetic_loans
from arrears.services.synthetic_loans import draw_loans, loan_record, plan_of
from arrears.services.synthetic_portfolio import (
    LOAN_HEADERS,
    PAYMENT_HEADERS,
    Portfolio,
    generate_portfolio,
    iter_loan_rows,
    iter_payment_rows,
    iter_portfolio_rows,
    write_portfolio_csv,
)

AS_OF = date(2026, 6, 30)
COUNT = 3000
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
CN_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")
US_PHONE = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
PRODUCT_RANGES = {  # product: (lowest, highest principal in yuan, terms offered)
    "phone_installment": (1000, 8000, {6, 12, 24}),
    "cash_loan": (500, 20_000, {3, 6, 9, 12}),
    "bnpl": (200, 3000, {3, 6}),
    "credit_card_installment": (2000, 30_000, {3, 6, 12, 24}),
}


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return generate_portfolio(COUNT, AS_OF, seed=7)


@pytest.fixture(scope="module")
def schedules(portfolio: Portfolio) -> dict[str, tuple[Installment, ...]]:
    return {loan.loan_id: schedule_of(loan) for loan in portfolio.loans}


def schedule_of(loan: LoanRecord) -> tuple[Installment, ...]:
    return LoanTerms(
        loan.loan_id,
        loan.currency,
        loan.principal_minor,
        loan.annual_rate_percent,
        loan.term_months,
        loan.start_date,
        loan.method,
        loan.rounding,
        loan.first_due_date,
        loan.product,
    ).schedule()


def payments_by_loan(portfolio: Portfolio) -> dict[str, list[PaymentRecord]]:
    by_loan: dict[str, list[PaymentRecord]] = defaultdict(list)
    for payment in portfolio.payments:
        by_loan[payment.loan_id].append(payment)
    return by_loan


def minor(payment: PaymentRecord) -> int:
    return int(payment.amount * 100)


# -- determinism ----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_portfolio_and_another_seed_another() -> None:
    # Given two runs with seed 11 and one with seed 12
    first = generate_portfolio(300, AS_OF, seed=11)
    second = generate_portfolio(300, AS_OF, seed=11)
    other = generate_portfolio(300, AS_OF, seed=12)

    # Then the same seed repeats everything, and another seed changes loans and payments
    assert first == second
    assert first.loans != other.loans
    assert first.payments != other.payments


def test_a_smaller_portfolio_is_the_start_of_a_larger_one() -> None:
    small = generate_portfolio(50, AS_OF, seed=3)
    large = generate_portfolio(200, AS_OF, seed=3)

    assert large.loans[:50] == small.loans
    first_fifty = {loan.loan_id for loan in small.loans}
    assert [p for p in large.payments if p.loan_id in first_fifty] == small.payments


# -- loans ----------------------------------------------------------------------------------


def test_every_loan_record_holds_valid_chinese_consumer_terms(portfolio: Portfolio) -> None:
    earliest_start = AS_OF - timedelta(days=548)
    for loan in portfolio.loans:
        low, high, terms = PRODUCT_RANGES[loan.product]
        assert loan.currency == "CNY"
        assert low * 100 <= loan.principal_minor <= high * 100, loan
        assert loan.term_months in terms, loan
        assert Decimal("7.20") <= loan.annual_rate_percent <= Decimal("24.00"), loan
        assert loan.annual_rate_percent.as_tuple().exponent == -2, loan
        assert earliest_start <= loan.start_date <= AS_OF, loan
        assert loan.rounding in (Rounding.HALF_UP, Rounding.UP)
        assert loan.first_due_date is None or loan.first_due_date >= loan.start_date + timedelta(
            days=20
        )
        assert loan.borrower_name is not None and CHINESE_NAME.match(loan.borrower_name), loan
        assert loan.phone is not None and CN_MOBILE.match(loan.phone), loan
        assert loan.email is None or re.match(r"^[a-z0-9]+@example\.(com|net)$", loan.email)
        assert loan.timezone == "Asia/Shanghai"
        assert loan.language in ("zh-CN", "en")
    assert len({loan.loan_id for loan in portfolio.loans}) == COUNT


def test_the_book_mixes_products_methods_roundings_and_languages_like_a_real_one(
    portfolio: Portfolio,
) -> None:
    share = Counter[str]()
    for loan in portfolio.loans:
        share[loan.method] += 1
        share[loan.rounding] += 1
        share[loan.product] += 1
        share[loan.language or ""] += 1

    assert all(share[method] > 0 for method in RepaymentMethod)
    assert share[RepaymentMethod.EQUAL_INSTALLMENT] > COUNT * 0.6
    assert share[Rounding.HALF_UP] > COUNT * 0.75
    assert all(share[product] > COUNT * 0.1 for product in PRODUCT_RANGES)
    assert 0.07 < share["en"] / COUNT < 0.13
    bullets = [loan for loan in portfolio.loans if loan.method is RepaymentMethod.BULLET]
    assert all(loan.product == "cash_loan" for loan in bullets)
    assert sum(loan.term_months == 3 for loan in bullets) > len(bullets) * 0.7


def test_loans_stand_at_every_stage_of_their_life(
    portfolio: Portfolio, schedules: dict[str, tuple[Installment, ...]]
) -> None:
    stages = Counter[str]()
    for loan in portfolio.loans:
        schedule = schedules[loan.loan_id]
        if schedule[0].due_date > AS_OF:
            stages["nothing due yet"] += 1
        elif schedule[-1].due_date < AS_OF:
            stages["term over"] += 1
        else:
            stages["repaying"] += 1

    assert min(stages.values()) > COUNT * 0.05, stages


def test_a_borrower_with_two_loans_keeps_one_name_and_phone(portfolio: Portfolio) -> None:
    borrowers: dict[str, set[tuple[str | None, str | None]]] = defaultdict(set)
    for loan in portfolio.loans:
        borrowers[loan.borrower_id].add((loan.borrower_name, loan.phone))

    assert all(len(details) == 1 for details in borrowers.values())
    assert COUNT * 0.85 < len(borrowers) < COUNT * 0.97  # some borrowers took a second loan
    phones = [next(iter(details))[1] for details in borrowers.values()]
    assert len(set(phones)) == len(phones)


# -- payments -------------------------------------------------------------------------------


def test_payments_are_made_by_as_of_after_the_start_in_date_order(portfolio: Portfolio) -> None:
    starts = {loan.loan_id: loan.start_date for loan in portfolio.loans}
    for payment in portfolio.payments:
        assert starts[payment.loan_id] < payment.paid_on <= AS_OF, payment
        assert payment.amount > 0 and payment.amount.as_tuple().exponent == -2, payment
        assert payment.currency == "CNY"
        assert payment.channel in ("alipay", "wechat_pay", "bank_transfer", "unionpay")
    keys = [(payment.paid_on, payment.payment_id) for payment in portfolio.payments]
    assert keys == sorted(keys)
    assert len({payment.payment_id for payment in portfolio.payments}) == len(keys)
    assert all(re.match(r"^P\d{8}-\d+$", payment.payment_id) for payment in portfolio.payments)


def test_behaviour_shares_are_close_to_the_brief(portfolio: Portfolio) -> None:
    counts = portfolio.behaviour_counts
    expected = {"on_time": 65, "late": 15, "partial": 8, "defaulting": 8, "early_payoff": 4}

    assert set(counts) == set(expected) and sum(counts.values()) == COUNT
    for behaviour, percent in expected.items():
        assert abs(counts[behaviour] / COUNT * 100 - percent) < 3, counts


def test_most_payments_are_one_scheduled_installment(
    portfolio: Portfolio, schedules: dict[str, tuple[Installment, ...]]
) -> None:
    # Given each loan's schedule from the domain
    by_loan = payments_by_loan(portfolio)
    exact = total = 0
    for loan in portfolio.loans:
        due = {installment.installment_minor for installment in schedules[loan.loan_id]}
        for payment in by_loan[loan.loan_id]:
            total += 1
            exact += minor(payment) in due

    # Then on-time payers (two in three) make most payments match an installment exactly
    assert exact / total > 0.75


def test_an_early_payoff_is_the_remaining_principal_and_a_month_of_interest(
    portfolio: Portfolio, schedules: dict[str, tuple[Installment, ...]]
) -> None:
    # Given loans paid installment by installment, then in one last larger payment
    by_loan = payments_by_loan(portfolio)
    payoffs = 0
    for loan in portfolio.loans:
        paid, schedule = by_loan[loan.loan_id], schedules[loan.loan_id]
        if not 2 <= len(paid) < len(schedule):
            continue
        before = list(zip(paid[:-1], schedule, strict=False))
        if any(minor(payment) != due.installment_minor for payment, due in before):
            continue
        # When that last payment is the principal left plus the next installment's interest
        remaining = schedule[len(paid) - 2].remaining_principal_minor
        if minor(paid[-1]) == remaining + schedule[len(paid) - 1].interest_minor:
            payoffs += 1
            # Then the installments before it were paid on or before their due dates
            assert all(payment.paid_on <= due.due_date for payment, due in before)

    # Then the early payers whose payoff day has come are found
    assert portfolio.behaviour_counts["early_payoff"] * 0.3 < payoffs


def test_no_loan_is_paid_more_than_its_schedule_plus_a_month_of_interest(
    portfolio: Portfolio, schedules: dict[str, tuple[Installment, ...]]
) -> None:
    by_loan = payments_by_loan(portfolio)
    for loan in portfolio.loans:
        schedule = schedules[loan.loan_id]
        owed = sum(installment.installment_minor for installment in schedule)
        paid = sum(minor(payment) for payment in by_loan[loan.loan_id])
        assert paid <= owed + schedule[0].interest_minor, loan


def test_a_forced_term_applies_to_every_loan() -> None:
    portfolio = generate_portfolio(200, AS_OF, seed=5, term_months=12)

    assert {loan.term_months for loan in portfolio.loans} == {12}


def test_the_us_region_speaks_english_in_dollars() -> None:
    portfolio = generate_portfolio(400, AS_OF, seed=7, region="us")

    for loan in portfolio.loans:
        assert loan.currency == "USD" and loan.language == "en"
        assert loan.phone is not None and US_PHONE.match(loan.phone), loan
        assert loan.timezone is not None and loan.timezone.startswith("America/")
        assert loan.borrower_name is not None and loan.borrower_name.isascii()
    assert {payment.channel for payment in portfolio.payments} == {"ach", "card"}
    assert all(payment.paid_on <= AS_OF for payment in portfolio.payments)


# -- addresses ------------------------------------------------------------------------------

HAN = "[\u4e00-\u9fff]"
CN_ADDRESS = re.compile(  # 省 (not for the four municipalities) 市 区 路 号 (小区) 栋 室
    rf"^({HAN}{{2,3}}省)?{HAN}{{2,3}}市{HAN}{{2,5}}区{HAN}{{2}}(路|街|大道)[1-9]\d{{0,3}}号"
    rf"({HAN}{{2}}(花园|小区|家园|里|湾|苑))?[1-9]\d?栋[1-9]\d?0[1-4]室$"
)
US_ADDRESS = re.compile(
    r"^\d{3,4} [A-Z][a-z]+ (St|Ave|Rd|Dr|Ln|Blvd)( Apt \d{1,2}| Unit \d[A-D])?"
    r"\n[A-Z][A-Za-z. ]+, [A-Z]{2} \d{5}$"
)


def test_every_borrower_has_a_postal_address_of_their_region_and_keeps_it(
    portfolio: Portfolio,
) -> None:
    us = generate_portfolio(400, AS_OF, seed=7, region="us")

    addresses: dict[str, set[str | None]] = defaultdict(set)
    for loan in portfolio.loans + us.loans:
        addresses[loan.borrower_id + loan.currency].add(loan.address)
        pattern = CN_ADDRESS if loan.currency == "CNY" else US_ADDRESS
        assert loan.address is not None and pattern.match(loan.address), loan.address
    assert all(len(each) == 1 for each in addresses.values())
    assert len({loan.address for loan in portfolio.loans}) > COUNT * 0.8  # not a few repeated


def test_a_us_address_lies_in_the_time_zone_of_the_borrower_s_area_code() -> None:
    states = {"America/New_York": {"NY", "MA", "FL", "GA", "PA", "DC", "NC", "MI"},
              "America/Chicago": {"IL", "TX", "MN", "MO"}, "America/Denver": {"CO", "UT", "NM"},
              "America/Phoenix": {"AZ"}, "America/Los_Angeles": {"CA", "WA", "OR", "NV"}}  # fmt: skip
    for loan in generate_portfolio(400, AS_OF, seed=3, region="us").loans:
        assert loan.timezone and loan.address
        assert loan.address[-8:-6] in states[loan.timezone], (loan.timezone, loan.address)


@pytest.mark.parametrize("region", ["cn", "us"])
def test_drawing_addresses_leaves_every_other_field_of_a_seed_as_it_was(
    region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the loans of a seed, and the same seed drawn with no addresses at all
    drawn = list(draw_loans(500, AS_OF, 21, region, None))
    monkeypatch.setitem(synthetic_loans.ADDRESS_MAKERS, region, lambda rng, zone: None)
    bare = list(draw_loans(500, AS_OF, 21, region, None))

    # Then only the address differs: the loan stream never paid for the addresses
    assert all(loan.borrower.address for loan in drawn)
    assert [loan._replace(borrower=loan.borrower._replace(address=None)) for loan in drawn] == bare


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region 'mars'"):
        generate_portfolio(1, AS_OF, region="mars")


# -- rows -----------------------------------------------------------------------------------


def as_loan_row(loan: LoanRecord) -> dict[str, str]:
    return {
        "loan_id": loan.loan_id,
        "borrower_id": loan.borrower_id,
        "currency": loan.currency,
        "principal": format_major(loan.principal_minor, loan.currency),
        "annual_rate": str(loan.annual_rate_percent),
        "term_months": str(loan.term_months),
        "start_date": loan.start_date.isoformat(),
        "repayment_method": loan.method.value,
        "rounding": loan.rounding.value,
        "first_due_date": loan.first_due_date.isoformat() if loan.first_due_date else "",
        "product": loan.product,
        "borrower_name": loan.borrower_name or "",
        "phone": loan.phone or "",
        "email": loan.email or "",
        "timezone": loan.timezone or "",
        "language": loan.language or "",
        "address": (loan.address or "").replace("\n", " | "),
    }


def as_payment_row(payment: PaymentRecord) -> dict[str, str]:
    return {
        "payment_id": payment.payment_id,
        "loan_id": payment.loan_id,
        "paid_on": payment.paid_on.isoformat(),
        "amount": str(payment.amount),
        "currency": payment.currency or "",
        "channel": payment.channel or "",
    }


def test_rows_carry_the_same_data_as_the_records_for_the_same_seed() -> None:
    # Given the records and the rows of one seed with product terms
    records = generate_portfolio(400, AS_OF, seed=9)
    rows = list(iter_portfolio_rows(400, AS_OF, seed=9, term_months=None))

    # Then loans match one for one, and payments match once sorted like the records
    assert [loan for loan, _ in rows] == [as_loan_row(loan) for loan in records.loans]
    payment_rows = sorted(
        (payment for _, payments in rows for payment in payments),
        key=lambda row: (row["paid_on"], row["payment_id"]),
    )
    assert payment_rows == [as_payment_row(payment) for payment in records.payments]


def test_rows_use_exactly_the_import_headers_in_order() -> None:
    rows = list(iter_portfolio_rows(100, AS_OF, seed=4))

    assert all(list(loan) == list(LOAN_HEADERS) for loan, _ in rows)
    assert all(list(payment) == list(PAYMENT_HEADERS) for _, ps in rows for payment in ps)
    assert all(isinstance(value, str) for loan, _ in rows for value in loan.values())


def test_the_loan_and_payment_iterators_split_the_portfolio_rows() -> None:
    rows = list(iter_portfolio_rows(300, AS_OF, seed=8))

    assert list(iter_loan_rows(300, AS_OF, seed=8)) == [loan for loan, _ in rows]
    assert list(iter_payment_rows(300, AS_OF, seed=8)) == [p for _, ps in rows for p in ps]


def test_the_csv_writer_writes_what_csv_writes_from_the_rows() -> None:
    # Given the fast writer's files and the csv module writing the same rows
    loans_file, payments_file = io.StringIO(), io.StringIO()
    counts = write_portfolio_csv(loans_file, payments_file, 500, AS_OF, seed=2)
    expected_loans, expected_payments = io.StringIO(), io.StringIO()
    loan_writer = csv.DictWriter(expected_loans, LOAN_HEADERS, lineterminator="\n")
    payment_writer = csv.DictWriter(expected_payments, PAYMENT_HEADERS, lineterminator="\n")
    loan_writer.writeheader()
    payment_writer.writeheader()
    rows = list(iter_portfolio_rows(500, AS_OF, seed=2))
    for loan, payments in rows:
        loan_writer.writerow(loan)
        payment_writer.writerows(payments)

    # Then the text is identical (no field ever needed quoting) and the counts are right
    assert loans_file.getvalue() == expected_loans.getvalue()
    assert payments_file.getvalue() == expected_payments.getvalue()
    assert counts == (500, sum(len(payments) for _, payments in rows))
    assert not re.search(r'[",\r]', "".join("".join(loan.values()) for loan, _ in rows))


def test_the_csv_writer_quotes_a_us_address_as_csv_does_and_reads_back_the_records() -> None:
    # Given a US portfolio (city lines hold a comma) written by the fast writer
    loans_file, payments_file = io.StringIO(), io.StringIO()
    write_portfolio_csv(
        loans_file, payments_file, 300, AS_OF, seed=5, term_months=None, region="us"
    )
    expected = io.StringIO()
    writer = csv.DictWriter(expected, LOAN_HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(iter_loan_rows(300, AS_OF, seed=5, term_months=None, region="us"))

    # Then it wrote what the csv module writes, and the importer reads the records back
    assert loans_file.getvalue() == expected.getvalue()
    assert ", IL " in loans_file.getvalue() or ", TX " in loans_file.getvalue()
    loans_file.seek(0)
    rows = list(read_loans(loans_file))
    assert all(row.ok for row in rows)
    assert [row.record for row in rows] == generate_portfolio(300, AS_OF, seed=5, region="us").loans


def test_the_cached_schedules_are_the_domain_schedules() -> None:
    # The generator memoises amounts and due dates for speed; they must stay the domain's.
    for loan in draw_loans(1000, AS_OF, 13, "cn", None):
        plan, schedule = plan_of(loan), schedule_of(loan_record(loan))
        assert plan.due_days == tuple(i.due_date.toordinal() for i in schedule)
        assert plan.amounts_minor == tuple(i.installment_minor for i in schedule)
        assert plan.remaining_minor == tuple(i.remaining_principal_minor for i in schedule)


def test_the_importer_reads_the_csv_back_into_the_same_records() -> None:
    # Given the portfolio written as CSV, with product terms like generate_portfolio
    loans_file, payments_file = io.StringIO(), io.StringIO()
    write_portfolio_csv(loans_file, payments_file, 300, AS_OF, seed=6, term_months=None)
    loans_file.seek(0)
    payments_file.seek(0)

    # When the import formats read it
    loans = list(read_loans(loans_file))
    payments = list(read_payments(payments_file))

    # Then every row is clean and is the record generate_portfolio made
    records = generate_portfolio(300, AS_OF, seed=6)
    assert LOAN_HEADERS == LOAN_COLUMNS and PAYMENT_HEADERS == PAYMENT_COLUMNS
    assert all(row.ok for row in loans) and all(row.ok for row in payments)
    assert [row.record for row in loans] == records.loans
    assert (
        sorted(
            (row.record for row in payments if row.record), key=attrgetter("paid_on", "payment_id")
        )
        == records.payments
    )
