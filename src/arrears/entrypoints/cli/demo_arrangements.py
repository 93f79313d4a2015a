"""The demo's borrowers who ask for a way out: repayment plans (most kept, some broken),
a few extensions, settlements of long-late debts and hardship pauses a manager approves.

Made through the same services as ``arrears arrange``, on simulated days before that
day's cycle, from the loans the cycle found late. Whether a borrower keeps a plan is
decided by the seed (a settlement is always paid: its borrower came with the money):
keepers pay what has fallen due on each instalment date, the others pay nothing more
and break it once the grace ends.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.money import format_major
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import arrangement_effects
from arrears.entrypoints.cli.output import print_table
from arrears.services import arrangements, payments, queries
from arrears.services.errors import ArrearsError

MAKING_DAYS = (20, 40, 60)  # days of the simulation when borrowers ask
SHARE = 0.06  # of the late loans, each time
KEEP_SHARE = 0.65  # of those with a plan, who keep to it
MANAGER = "demo.manager"


@dataclass(slots=True)
class DemoArrangements:
    app: App
    seed: int
    # the arrangements whose borrower pays: id → (loan, currency, instalment dates)
    keepers: dict[str, tuple[str, str, frozenset[date]]] = field(default_factory=dict)
    made: Counter[str] = field(default_factory=Counter)

    def before_cycle(self, index: int, day: date) -> None:
        """Borrowers keeping to their arrangements pay on its dates; on a few days, some
        late borrowers ask for one."""
        self._pay_instalments(day)
        if index in MAKING_DAYS:
            self._ask(day)

    def _ask(self, day: date) -> None:
        with self.app.uow() as uow:
            late = uow.cycle.late_loans(5, 120)
        for loan_id, dpd, _ in late:
            if self._draw(loan_id, f"ask{day}") >= SHARE:
                continue
            kind, request, approve = self._choice(loan_id, dpd, day)
            try:
                made = arrangements.create_arrangement(
                    self.app.uow_factory, loan_id, kind, request, day, self.app.now(),
                    source="simulator", created_by="demo.agent",
                    effects=arrangement_effects(self.app.settings),
                )  # fmt: skip
                record = made.record
                if record.status == "pending" and approve:
                    record = arrangements.approve_arrangement(
                        self.app.uow_factory, record.arrangement_id, MANAGER, "manager", day,
                        self.app.now(), effects=arrangement_effects(self.app.settings),
                    )  # fmt: skip
            except ArrearsError:
                continue  # one in force already, beyond the yearly limit, nothing owed…
            self.made[kind] += 1
            if kind == "settlement" or self._draw(loan_id, f"keep{day}") < KEEP_SHARE:
                dates = frozenset(row.due_date for row in made.instalments)
                self.keepers[record.arrangement_id] = (loan_id, record.currency, dates)

    def _choice(self, loan_id: str, dpd: int, day: date) -> tuple[str, ArrangementRequest, bool]:
        """What a late borrower asks for: a pause (hardship), a settlement of a debt long
        late, an extension of a few days when barely late, most often a plan."""
        draw = self._draw(loan_id, "kind")
        if draw < 0.06:
            return "pause", ArrangementRequest(days=30), True
        if dpd > 60 and draw < 0.3:
            return "settlement", ArrangementRequest(
                discount_percent=Decimal("10"), first_date=day + timedelta(days=7)
            ), True  # fmt: skip
        if dpd < 15 and draw < 0.3:
            return "extension", ArrangementRequest(days=10, fee_major=Decimal("20")), False
        return "plan", ArrangementRequest(
            instalments=3, first_date=day + timedelta(days=5), waive_penalty_percent=Decimal("50")
        ), False  # fmt: skip

    def _pay_instalments(self, day: date) -> None:
        """Keepers pay all that has fallen due, on each date of their arrangement."""
        for arrangement_id, (loan_id, currency, dates) in sorted(self.keepers.items()):
            if day not in dates:
                continue
            state = queries.loan_status(self.app.uow_factory, loan_id, day)
            owed = sum(i.unpaid_minor for i in state.installments if i.due_date <= day)
            owed -= state.credit_minor
            if owed <= 0:
                continue
            amount = Decimal(format_major(owed, currency))
            record = PaymentRecord(f"{arrangement_id}:{day}", loan_id, day, amount, currency)
            payments.post_payment(self.app.uow_factory, record, self.app.now())

    def _draw(self, key: str, salt: str) -> float:
        digest = hashlib.sha256(f"{self.seed}:{salt}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64


def show_arrangements(app: App) -> str | None:
    """Arrangements by kind and what became of them; returns one id to try commands on."""
    made = [r for r in arrangements.list_arrangements(app.uow_factory) if r.kind != "promise"]
    statuses = ["active", "kept", "broken", "cancelled", "pending"]
    counts = Counter((r.kind, r.status) for r in made)
    kinds = sorted({r.kind for r in made})
    rows = [[kind, *[counts[(kind, s)] for s in statuses]] for kind in kinds]
    print_table("repayment arrangements made in the demo", ["kind", *statuses], rows)
    kept = [r for r in made if r.status == "kept" and r.kind == "plan"]
    return kept[0].arrangement_id if kept else (made[0].arrangement_id if made else None)
