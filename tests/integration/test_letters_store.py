"""Letters on a real database: printed once per message, read from the loan as of a date,
listed for mailing and marked mailed."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from arrears.adapters.letters import render_letter
from arrears.adapters.store import tables as t
from arrears.domain.journal import Account
from arrears.domain.letters import ItemizationBasis, LetterKind
from arrears.domain.message_text import Sender
from arrears.domain.money import Money
from arrears.entrypoints.bootstrap import App
from arrears.services import compliance, letters, promises, queries
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.journal_sync import sync_journals
from arrears.services.letter_facts import letter_facts
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, import_payments_file, write_csv

SENDER = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")
ADDRESSES = {"en": ("1 Demo Plaza", "Springfield, IL 62701"), "zh-CN": ("上海市世纪大道100号",)}
AS_OF = date(2026, 4, 1)


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    rows = (
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,USD,1000,9.99,3,2026-02-01,bullet,half_even,,Ann Lee",
    )
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows))
    assert report.written == 2
    payments = write_csv(tmp_path / "p.csv", "payment_id,loan_id,paid_on,amount",
                         "P1,L1,2026-02-15,1066.19")  # fmt: skip
    assert import_payments_file(app, payments).written == 1
    compliance.set_profile(app.uow_factory, "B1",
                           {"address": {"text": "上海市浦东新区\n世纪大道200号 1201室"}}, NOW)  # fmt: skip
    return app


def _print(app: App, message_id: str, loan_id: str = "L1", kind: str = "demand_letter",
           **options: object) -> int:  # fmt: skip
    with app.uow() as uow:
        document_id = letters.print_letter(
            uow, message_id=message_id, loan_id=loan_id, kind=kind, language=None, as_of=AS_OF,
            now=NOW, sender=SENDER, render=render_letter, return_addresses=ADDRESSES,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip
        uow.commit()
    return document_id


def _text(app: App, document_id: int) -> str:
    [(_, content)] = list(letters.letter_files(app.uow_factory, letters.letters(
        app.uow_factory, document_ids=[document_id])))  # fmt: skip
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def _count(app: App) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(t.document)).scalar_one())


def test_a_printed_letter_is_stored_with_the_borrowers_address_and_the_loans_amounts(
    loaded: App,
) -> None:
    document_id = _print(loaded, "m:20260401:L1:demand")
    [stored] = letters.letters(loaded.uow_factory, loan_id="L1")
    assert (stored.document_id, stored.kind, stored.language) == (
        document_id,
        "demand_letter",
        "zh-CN",
    )
    assert stored.addressee_lines == ("王芳", "上海市浦东新区", "世纪大道200号 1201室")
    assert (stored.pages, stored.content_type, stored.mailed_at) == (1, "application/pdf", None)
    state = queries.loan_status(loaded.uow_factory, "L1", AS_OF)
    assert state.total_overdue_minor == 107418
    text = _text(loaded, document_id)
    for expected in (
        "王芳",
        "世纪大道200号1201室",
        "¥1,074.18",
        "¥955.65",
        "¥110.54",
        "已逾期17天",
        "2026年3月15日",
        "示例消费金融",
        "上海市世纪大道100号",
    ):
        assert expected in text, expected


def test_printing_the_same_message_again_returns_the_first_letter_and_stores_nothing(
    loaded: App,
) -> None:
    first = _print(loaded, "m:20260401:L1:demand")
    again = _print(loaded, "m:20260401:L1:demand")
    assert again == first
    assert _count(loaded) == 1


def test_a_message_id_printed_for_another_loan_or_kind_is_a_conflict(loaded: App) -> None:
    compliance.set_profile(loaded.uow_factory, "B2", {"address": {"text": "1 Oak St"}}, NOW)
    _print(loaded, "m:20260401:L1:demand")
    with pytest.raises(Conflict, match="printed as a demand_letter for loan L1"):
        _print(loaded, "m:20260401:L1:demand", loan_id="L2")
    with pytest.raises(Conflict):
        _print(loaded, "m:20260401:L1:demand", kind="final_demand_letter")
    assert _count(loaded) == 1


def test_a_borrower_without_a_postal_address_gets_no_letter(loaded: App) -> None:
    with pytest.raises(letters.NoPostalAddress, match="B2"):
        _print(loaded, "m:20260401:L2:demand", loan_id="L2")
    assert _count(loaded) == 0


def test_a_validation_notice_without_the_lenders_mailing_address_is_refused(
    loaded: App,
) -> None:
    with loaded.uow() as uow, pytest.raises(InvalidInput, match="mailing address"):
        letters.print_letter(
            uow, message_id="m:v", loan_id="L1", kind="validation_notice", language="en",
            as_of=AS_OF, now=NOW, sender=SENDER, render=render_letter,
        )  # fmt: skip
    assert _count(loaded) == 0
    assert _print(loaded, "m:v", kind="validation_notice") > 0


def test_unknown_loans_kinds_and_languages_are_refused(loaded: App) -> None:
    with pytest.raises(NotFound):
        _print(loaded, "m:1", loan_id="L9")
    with pytest.raises(InvalidInput, match="no letter kind"):
        _print(loaded, "m:1", kind="love_letter")
    with loaded.uow() as uow, pytest.raises(InvalidInput, match="no letters in 'fr'"):
        letter_facts(uow, loan_id="L1", kind="demand_letter", language="fr", as_of=AS_OF,
                     sender=SENDER)  # fmt: skip


def test_the_mailing_list_holds_letters_until_they_are_marked_mailed(loaded: App) -> None:
    first = _print(loaded, "m:20260401:L1:demand")
    second = _print(loaded, "m:20260401:L1:overdue", kind="overdue_letter")
    unmailed = [d.document_id for d in letters.letters(loaded.uow_factory, unmailed=True)]
    assert unmailed == [first, second]
    assert letters.mark_mailed(loaded.uow_factory, [first], NOW) == 1
    assert [d.document_id for d in letters.letters(loaded.uow_factory, unmailed=True)] == [second]
    later = NOW.replace(hour=20)
    assert letters.mark_mailed(loaded.uow_factory, [first, second], later) == 1
    mailed = {d.document_id: d.mailed_at for d in letters.letters(loaded.uow_factory)}
    assert mailed == {first: NOW, second: later}


def test_marking_an_unknown_letter_mailed_marks_nothing(loaded: App) -> None:
    first = _print(loaded, "m:20260401:L1:demand")
    with pytest.raises(NotFound, match="no letter 999"):
        letters.mark_mailed(loaded.uow_factory, [first, 999], NOW)
    assert letters.letters(loaded.uow_factory, unmailed=True)[0].mailed_at is None


@pytest.mark.parametrize("basis", list(ItemizationBasis))
def test_the_validation_notice_itemization_adds_up_to_what_the_journal_holds(
    loaded: App, basis: ItemizationBasis
) -> None:
    with loaded.uow() as uow:
        sync_journals(uow.ledger, ["L1"], NOW, AS_OF)
        receivable = sum(
            amount for account, amount in uow.ledger.balances("L1").items()
            if account not in {Account.CASH, Account.FUNDING, Account.INTEREST_INCOME,
                               Account.PENALTY_INCOME, Account.FEE_INCOME}
        )  # fmt: skip
        letter = letter_facts(uow, loan_id="L1", kind="validation_notice", language="en",
                              as_of=AS_OF, sender=SENDER, itemization_basis=basis)  # fmt: skip
    item = letter.itemization
    assert item is not None
    assert item.current_minor == receivable == letter.arrears.balance.minor
    assert (
        item.itemization_date
        == {
            ItemizationBasis.TRANSACTION: date(2026, 1, 15),
            ItemizationBasis.LAST_STATEMENT: date(2026, 3, 15),
        }[basis]
    )
    if basis is ItemizationBasis.TRANSACTION:
        assert (item.amount_minor, item.payments_minor) == (1_200_000, 106_619)
    assert letter.validation_end == date(2026, 5, 13)  # mailed by 04-06, received 04-13


def test_a_plan_confirmation_confirms_the_loans_open_promise(loaded: App) -> None:
    promises.add_promise(loaded.uow_factory, "L1", Decimal("500.00"), date(2026, 4, 10), AS_OF,
                         NOW, promise_id="PTP1")  # fmt: skip
    document_id = _print(loaded, "m:20260401:L1:plan", kind="plan_confirmation")
    assert "2026年4月10日" in _text(loaded, document_id)
    assert "¥500.00" in _text(loaded, document_id)


def test_a_plan_given_as_data_is_confirmed_instead(loaded: App) -> None:
    plan = [(date(2026, 4, 15), Money(30000, "CNY")), (date(2026, 5, 15), Money(77418, "CNY"))]
    document_id = _print(loaded, "m:plan", kind="plan_confirmation", plan=plan)
    text = _text(loaded, document_id)
    assert all(s in text for s in ("¥300.00", "¥774.18", "¥1,074.18", "2026年5月15日"))
    with pytest.raises(InvalidInput, match="the plan is in USD"):
        _print(
            loaded, "m:plan2", kind="plan_confirmation", plan=[(date(2026, 4, 15), Money(1, "USD"))]
        )


def test_a_plan_confirmation_with_nothing_to_confirm_is_refused(loaded: App) -> None:
    with pytest.raises(InvalidInput, match="nothing to confirm"):
        _print(loaded, "m:plan", kind="plan_confirmation")


def test_letters_say_they_are_from_a_debt_collector_where_reg_f_binds_the_product(
    loaded: App,
) -> None:
    compliance.load_shipped_packs(loaded.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn"])
    with loaded.uow() as uow:
        before = letter_facts(uow, loan_id="L1", kind="demand_letter", language="en",
                              as_of=AS_OF, sender=SENDER)  # fmt: skip
    compliance.activate_pack(loaded.uow_factory, "us-regf", "default", NOW)
    with loaded.uow() as uow:
        after = letter_facts(uow, loan_id="L1", kind="demand_letter", language="en",
                             as_of=AS_OF, sender=SENDER)  # fmt: skip
    assert (before.debt_collector_disclosure, after.debt_collector_disclosure) == (False, True)
    assert "debt collector" in render_letter(after).text


def test_the_borrowers_language_chooses_and_an_explicit_one_wins(loaded: App) -> None:
    with loaded.uow() as uow:
        default = letter_facts(uow, loan_id="L2", kind="overdue_letter", language=None,
                               as_of=AS_OF, sender=SENDER)  # fmt: skip
        chosen = letter_facts(uow, loan_id="L2", kind="overdue_letter", language="zh-CN",
                              as_of=AS_OF, sender=SENDER)  # fmt: skip
    assert (default.language, default.sender.name) == ("en", "Arrears Demo Finance")
    assert (chosen.language, chosen.sender.name) == ("zh-CN", "示例消费金融")
    assert default.kind is LetterKind.OVERDUE_LETTER
