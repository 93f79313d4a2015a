"""The case file a legal officer hands to counsel: one ZIP with everything the claim
rests on, read in one transaction so its parts agree with each other.

- ``summary.txt``: the borrower, the loan, what is owed as of the day, by component;
- ``schedule.csv``, ``payments.csv``, ``journal.csv``: the ledger extract, every amount
  in exact minor units and as a major-unit decimal (never a float);
- ``contacts.csv``: every contact attempt, with the gate's decision that permitted it;
- ``gate_decisions.csv``: every action the strategy planned and what the gate decided;
- ``arrangements.csv``: repayment arrangements and promises to pay, kept or broken;
- ``letters/``: the letters as printed and stored (PDFs), byte for byte.

Its making is written to the audit log (who took personal data out, of which loan,
when, and the file's SHA-256): a case file leaves the system (PIPL art. 23 records
of provision to a third party).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arrears.domain.access import User
from arrears.domain.audit import AuditRecord
from arrears.domain.contacts import AttemptRecord
from arrears.domain.loan_state import LoanState
from arrears.domain.money import format_major
from arrears.services import casework, queries
from arrears.services.arrangement_views import list_arrangements
from arrears.services.casework import CaseItem
from arrears.services.errors import NotFound
from arrears.services.legal_cases import QUEUE
from arrears.services.ports import ArrangementRecord, UnitOfWork

EXTENSIONS = {"application/pdf": "pdf", "text/plain": "txt"}


@dataclass(frozen=True, slots=True)
class CaseFile:
    filename: str
    content: bytes  # the ZIP
    sha256: str
    members: tuple[str, ...]


def case_file(
    uow_factory: Callable[[], UnitOfWork],
    work_item_id: int,
    user: User,
    as_of: date,
    now: datetime,
) -> CaseFile:
    """The case file of a legal case ``user`` may see, as of ``as_of``."""
    item = casework.get_item(uow_factory, QUEUE, work_item_id, user)
    state = queries.loan_status(uow_factory, item.loan_id, as_of)
    arrangements = list_arrangements(uow_factory, item.loan_id)
    _, installments = queries.loan_schedule(uow_factory, item.loan_id)
    members: dict[str, bytes] = {}
    with uow_factory() as uow:
        attempts = uow.contacts.attempts(item.borrower_id, item.loan_id)
        decisions = uow.casework.decisions(item.loan_id)
        payments = uow.casework.payments(item.loan_id)
        journal = uow.casework.journal_lines(item.loan_id)
        for document in uow.documents.listing(loan_id=item.loan_id):
            content = uow.documents.content(document.document_id)
            if content is None:
                raise NotFound(f"letter {document.document_id} has no stored file")
            extension = EXTENSIONS.get(document.content_type, "bin")
            members[f"letters/{document.document_id:05d}-{document.kind}.{extension}"] = content
    cur = item.currency
    members["summary.txt"] = _summary(item, state, len(attempts), len(arrangements), now)
    members["schedule.csv"] = _csv(
        ["seq", "due_date", "principal_minor", "interest_minor", "installment_minor",
         "installment", "remaining_principal_minor", "currency"],
        ([i.seq, i.due_date, i.principal_minor, i.interest_minor, i.installment_minor,
          format_major(i.installment_minor, cur), i.remaining_principal_minor, cur]
         for i in installments),
    )  # fmt: skip
    members["payments.csv"] = _csv(
        ["payment_id", "paid_on", "amount_minor", "amount", "currency", "channel", "reversed_on"],
        ([p["payment_id"], p["paid_on"], p["amount_minor"],
          format_major(p["amount_minor"], p["currency"]), p["currency"], p["channel"],
          p["reversed_on"]] for p in payments),
    )  # fmt: skip
    members["journal.csv"] = _csv(
        ["entry_seq", "posted_on", "kind", "source", "account", "amount_minor", "amount",
         "currency"],
        ([j["entry_seq"], j["posted_on"], j["kind"], j["source"], j["account"],
          j["amount_minor"], format_major(j["amount_minor"], j["currency"]), j["currency"]]
         for j in journal),
    )  # fmt: skip
    members["contacts.csv"] = _contacts(attempts, decisions)
    members["gate_decisions.csv"] = _csv(
        ["action_id", "as_of", "step", "channel", "template", "status", "verdict", "rule_id",
         "reason", "permit_id", "decision_id", "decided_at"],
        ([d["action_id"], d["as_of"], d["step"], d["channel"], d["template"], d["status"],
          d["verdict"], d["rule_id"], d["reason"], d["permit_id"], d["decision_id"],
          d["recorded_at"].isoformat()] for d in decisions),
    )  # fmt: skip
    members["arrangements.csv"] = _arrangements(arrangements)
    return _zipped(item, as_of, members, user, now, uow_factory)


def _zipped(
    item: CaseItem,
    as_of: date,
    members: dict[str, bytes],
    user: User,
    now: datetime,
    uow_factory: Callable[[], UnitOfWork],
) -> CaseFile:
    """The ZIP (members in name order, stamped with ``now``), its making audited."""
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), members[name])
    content = buffer.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    record = AuditRecord(
        "case_file", item.loan_id,
        {"work_item_id": item.work_item_id, "by": user.username, "as_of": as_of.isoformat(),
         "sha256": digest, "members": sorted(members)},
        now,
    )  # fmt: skip
    with uow_factory() as uow:
        uow.audit.append([record])
        uow.commit()
    filename = f"case-{item.loan_id}-{as_of.isoformat()}.zip"
    return CaseFile(filename, content, digest, tuple(sorted(members)))


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese names right."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _contacts(attempts: Sequence[AttemptRecord], decisions: Sequence[dict[str, Any]]) -> bytes:
    """Each attempt beside the decision that permitted it (none for an inbound contact)."""
    by_action = {d["action_id"]: d for d in decisions}
    rows = []
    for a in attempts:
        d = by_action.get(a.action_id, {})
        rows.append([
            a.attempt_id, a.attempted_at.isoformat(), a.channel, a.direction, a.party,
            a.outcome, a.agent, a.note, a.action_id, d.get("decision_id"), d.get("verdict"),
            d.get("rule_id"), d.get("reason"), d.get("permit_id"),
        ])  # fmt: skip
    return _csv(
        ["attempt_id", "attempted_at", "channel", "direction", "party", "outcome", "agent",
         "note", "action_id", "decision_id", "verdict", "rule_id", "reason", "permit_id"],
        rows,
    )  # fmt: skip


def _arrangements(records: Sequence[ArrangementRecord]) -> bytes:
    return _csv(
        ["arrangement_id", "kind", "status", "quoted_on", "starts_on", "ends_on", "total_minor",
         "total", "paid_minor", "waived_minor", "fee_minor", "currency", "source", "decided_by"],
        ([r.arrangement_id, r.kind, r.status, r.quoted_on, r.starts_on, r.ends_on,
          r.total_minor, format_major(r.total_minor, r.currency), r.paid_minor,
          r.waived_minor, r.fee_minor, r.currency, r.source, r.decided_by] for r in records),
    )  # fmt: skip


def _summary(
    item: CaseItem, state: LoanState, attempts: int, arrangements: int, now: datetime
) -> bytes:
    cur = state.currency
    overdue = (
        state.overdue_principal_minor + state.overdue_interest_minor + state.penalty_minor
        + state.fees_minor
    )  # fmt: skip
    lines = [
        f"Case file: loan {item.loan_id}, legal case {item.work_item_id}",
        f"Made: {now.isoformat()}",
        "",
        f"Borrower: {item.borrower_name or ''} ({item.borrower_id})",
        f"Phone: {item.phone or ''}",
        "Address: " + " / ".join(item.address_lines),
        f"Product: {item.product}",
        "",
        f"As of {state.as_of.isoformat()}: {state.dpd} days past due, bucket {state.bucket}",
        f"Oldest unpaid due date: {state.oldest_unpaid_due_date or '-'}",
        f"Overdue principal: {format_major(state.overdue_principal_minor, cur)} {cur}",
        f"Overdue interest: {format_major(state.overdue_interest_minor, cur)} {cur}",
        f"Penalty interest: {format_major(state.penalty_minor, cur)} {cur}",
        f"Fees: {format_major(state.fees_minor, cur)} {cur}",
        f"Total overdue: {format_major(overdue, cur)} {cur}",
        f"Outstanding principal: {format_major(state.outstanding_principal_minor, cur)} {cur}",
        f"Payoff: {format_major(state.payoff_minor, cur)} {cur}",
        "",
        f"Contact attempts: {attempts}; arrangements and promises: {arrangements}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
