"""What arrangements set going besides the replay: a hardship pause holds the gate off the
borrower for its days, and a plan, settlement or re-age is confirmed by letter.

L1 (B1, 王芳, an address in Shanghai) and L2 (B2, Ann Lee, USD, no address) fell behind
in February; on 2026-04-01 they are two months late.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.gate import ContactProposal, Verdict
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import arrangement_effects
from arrears.services import arrangement_policies, arrangements, compliance
from arrears.services.compliance_gate import ComplianceGate
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv

AS_OF = date(2026, 4, 1)
POLICY = """
name: open
kinds:
  plan: {}
  pause: {max_days: 90}
  settlement: {max_penalty_waiver_percent: "100", max_discount_percent_by_bucket: {M2: "50"}}
"""
MORNING = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    rows = (
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,USD,1200,9.99,12,2026-01-15,equal_installment,half_even,,Ann Lee",
    )
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows))
    assert report.written == 2
    compliance.set_profile(
        app.uow_factory, "B1", {"address": {"text": "上海市浦东新区\n世纪大道200号 1201室"}}, NOW
    )
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    arrangement_policies.load_text(app.uow_factory, POLICY, "test", NOW, ["*"])
    return app


def make(app: App, loan_id: str, kind: str, request: ArrangementRequest, on: date = AS_OF):
    return arrangements.create_arrangement(
        app.uow_factory, loan_id, kind, request, on, NOW,
        effects=arrangement_effects(app.settings),
    )  # fmt: skip


def call(loan_id: str, borrower_id: str, at: datetime) -> ContactProposal:
    return ContactProposal(loan_id, borrower_id, at.date(), "m2.0", "call", at, product="default")


def test_a_hardship_pause_holds_off_every_contact_until_it_ends(loaded: App):
    made = make(loaded, "L1", "pause", ArrangementRequest(days=30))
    assert made.record.status == "active"

    profile = compliance.get_profile(loaded.uow_factory, "B1")
    with loaded.uow() as uow:
        during, after = ComplianceGate.of(uow).decide(
            [call("L1", "B1", MORNING), call("L1", "B1", datetime(2026, 5, 2, 2, tzinfo=UTC))]
        )

    assert profile["holds"] == [
        {
            "kind": "hardship", "start": "2026-04-02T00:00:00+08:00",
            "end": "2026-05-02T00:00:00+08:00",
            "debt": "L1", "note": f"hardship pause {made.record.arrangement_id}",
        }
    ]  # fmt: skip
    assert (during.rule_id, during.verdict) == ("house.hardship_hold", Verdict.DEFER)
    # the hold ends at midnight in Shanghai; calls may start at 08:00 there
    assert during.next_at == datetime(2026, 5, 2, 0, 0, tzinfo=UTC)
    assert after.verdict is Verdict.ALLOW


def test_cancelling_a_pause_ends_its_hold_at_the_next_midnight(loaded: App):
    made = make(loaded, "L1", "pause", ArrangementRequest(days=30))
    arrangements.cancel_arrangement(
        loaded.uow_factory, made.record.arrangement_id, date(2026, 4, 3), NOW,
        effects=arrangement_effects(loaded.settings),
    )  # fmt: skip

    (hold,) = compliance.get_profile(loaded.uow_factory, "B1")["holds"]
    assert hold["end"] == "2026-04-04T00:00:00+08:00"
    with loaded.uow() as uow:
        (decision,) = ComplianceGate.of(uow).decide([call("L1", "B1", MORNING)])
        (later,) = ComplianceGate.of(uow).decide(
            [call("L1", "B1", datetime(2026, 4, 4, 2, tzinfo=UTC))]
        )
    assert decision.rule_id == "house.hardship_hold"
    assert later.verdict is Verdict.ALLOW


def test_a_plan_is_confirmed_by_a_letter_listing_its_dates_and_amounts(loaded: App):
    made = make(loaded, "L1", "plan", ArrangementRequest(instalments=3))

    with loaded.uow() as uow:
        (document,) = uow.documents.listing(loan_id="L1")
        content = uow.documents.content(document.document_id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert (document.kind, document.language) == ("plan_confirmation", "zh-CN")
    for instalment in made.instalments:
        assert instalment.due_date.strftime("%Y年%-m月%-d日") in text
    assert f"{made.instalments[0].amount_minor / 100:,.2f}" in text


def test_a_borrower_with_no_address_gets_the_plan_but_no_letter(loaded: App):
    made = make(loaded, "L2", "settlement", ArrangementRequest(discount_percent=Decimal("10")))

    assert made.record.status == "active"
    with loaded.uow() as uow:
        assert uow.documents.listing(loan_id="L2") == []
