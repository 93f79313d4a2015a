"""The manager's reports, assembled from the store's set-based rows.

The store groups and sums in SQL (``ReportStore``, adapters.store.report_sql); this
module only orders the lines, adds the totals and computes the rates, so that every
figure of a report can be checked by hand from a few rows.

The arrangements report (docs/arrangements.md, "Reports") has three tables:

- **made**: arrangements quoted in the period by kind and the loan's bucket when
  quoted, counted by status, and the kept rate: kept / (kept + broken);
- **money**: per kind and currency, what the arrangements that took effect asked for,
  what was paid under them, and what their journal entries waived and charged as fees;
- **cure**: per kind, among arrangements that ended at least ``CURE_AFTER_DAYS`` days
  before the last cycle day, the share whose loan was current that many days after
  the end (its product's bucket of DPD 0, from the roll history).

Promises to pay keep their own table and are not in it (``arrears arrange list --kind
promise`` lists them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.services.errors import InvalidInput
from arrears.services.ports import (
    ArrangementCountRow,
    ArrangementCureRow,
    ArrangementMoneyRow,
    UnitOfWork,
)

CURE_AFTER_DAYS = 30  # the loan's bucket is looked at this many days after the end
TOTAL = "total"  # the kind of a table's last line, over every kind
KINDS = tuple(str(k) for k in ArrangementKind if k is not ArrangementKind.PROMISE)


def rate_percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` in percent, rounded half up to one decimal; None when ``whole``
    is 0 (no rate: nothing to count over). Integer arithmetic, so exact.

    >>> rate_percent(2, 3)
    Decimal('66.7')
    >>> rate_percent(1, 16)  # 6.25: half up, not half to even
    Decimal('6.3')
    >>> rate_percent(3, 3), rate_percent(0, 4), rate_percent(0, 0)
    (Decimal('100.0'), Decimal('0.0'), None)
    """
    if whole == 0:
        return None
    tenths, rest = divmod(1000 * part, whole)
    if 2 * rest >= whole:
        tenths += 1
    return Decimal(tenths).scaleb(-1)


# -- the lines of the report ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MadeLine:
    """Arrangements of a kind quoted in a bucket (``kind`` "total": every kind, ``bucket``
    None). ``made`` took effect: active + kept + broken + cancelled."""

    kind: str
    bucket: str | None  # None: not recorded (made before buckets were), or the total
    made: int
    active: int
    kept: int
    broken: int
    cancelled: int  # after taking effect
    pending: int
    withdrawn: int  # cancelled while pending: never took effect
    rejected: int
    kept_rate_percent: Decimal | None  # kept / (kept + broken); None when none ended so


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """The arrangements of a kind (or every kind: "total") and currency that took
    effect; amounts in minor units of ``currency``."""

    kind: str
    currency: str
    made: int
    to_pay_minor: int
    recovered_minor: int
    waived_minor: int
    fees_minor: int


@dataclass(frozen=True, slots=True)
class CureLine:
    """Of ``ended`` arrangements of a kind (or "total"), ``current`` found their loan
    current ``CURE_AFTER_DAYS`` days after they ended."""

    kind: str
    ended: int
    current: int
    cure_rate_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class ArrangementsReport:
    quoted_from: date | None  # the period (None: open on that side)
    quoted_to: date | None
    last_cycle_day: date | None  # None: the cycle never ran, so no cure lines
    ended_by: date | None  # the cure lines count arrangements ended on or before this
    made: tuple[MadeLine, ...]
    money: tuple[MoneyLine, ...]
    cure: tuple[CureLine, ...]


# -- reading ------------------------------------------------------------------------------------
def arrangements_report(
    uow_factory: Callable[[], UnitOfWork],
    quoted_from: date | None,
    quoted_to: date | None,
    product: str | None = None,
) -> ArrangementsReport:
    """The arrangements report over arrangements quoted from ``quoted_from`` through
    ``quoted_to`` (both included; None: no bound), on loans of ``product`` only, when
    given."""
    if quoted_from is not None and quoted_to is not None and quoted_from > quoted_to:
        raise InvalidInput(f"the period starts on {quoted_from}, after its end {quoted_to}")
    with uow_factory() as uow:
        counts = uow.reports.arrangement_counts(quoted_from, quoted_to, product)
        money = uow.reports.arrangement_money(quoted_from, quoted_to, product)
        last_day = uow.cycle.last_day()
        ended_by = None if last_day is None else last_day - timedelta(days=CURE_AFTER_DAYS)
        cures = (
            []
            if ended_by is None
            else uow.reports.arrangement_cures(
                quoted_from, quoted_to, ended_by, CURE_AFTER_DAYS, product
            )
        )
        current = {
            product: uow.ledger.product_rules(product).buckets.label_for(0)
            for product in {row.product for row in cures}
        }
    return ArrangementsReport(
        quoted_from, quoted_to, last_day, ended_by,
        made_lines(counts), money_lines(money), cure_lines(cures, current),
    )  # fmt: skip


# -- assembling (pure) ----------------------------------------------------------------------------
def made_lines(rows: Iterable[ArrangementCountRow]) -> tuple[MadeLine, ...]:
    """A line per kind and bucket, in kind then bucket order, and the total.

    >>> rows = [ArrangementCountRow("plan", "M2", 1, 2, 1, 0, 0, 0, 1)]
    >>> [(line.kind, line.made, line.kept_rate_percent) for line in made_lines(rows)]
    [('plan', 4, Decimal('66.7')), ('total', 4, Decimal('66.7'))]
    """
    ordered = sorted(rows, key=lambda r: (_kind_order(r.kind), bucket_order(r.bucket)))
    lines = [_made_line(r.kind, r.bucket, (r,)) for r in ordered]
    return (*lines, _made_line(TOTAL, None, ordered))


def _made_line(kind: str, bucket: str | None, rows: Sequence[ArrangementCountRow]) -> MadeLine:
    def total(field: str) -> int:
        return sum(getattr(r, field) for r in rows)

    active, kept, broken, cancelled = (total(f) for f in ("active", "kept", "broken", "cancelled"))
    return MadeLine(
        kind, bucket, active + kept + broken + cancelled, active, kept, broken, cancelled,
        total("pending"), total("withdrawn"), total("rejected"), rate_percent(kept, kept + broken),
    )  # fmt: skip


def money_lines(rows: Iterable[ArrangementMoneyRow]) -> tuple[MoneyLine, ...]:
    """Per currency (in code order): a line per kind, then the currency's total."""
    lines: list[MoneyLine] = []
    by_currency: dict[str, list[ArrangementMoneyRow]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row)
    for currency in sorted(by_currency):
        kinds = sorted(by_currency[currency], key=lambda r: _kind_order(r.kind))
        lines += [MoneyLine(*r) for r in kinds]
        lines.append(
            MoneyLine(
                TOTAL, currency, sum(r.made for r in kinds),
                sum(r.to_pay_minor for r in kinds), sum(r.recovered_minor for r in kinds),
                sum(r.waived_minor for r in kinds), sum(r.fees_minor for r in kinds),
            )
        )  # fmt: skip
    return tuple(lines)


def cure_lines(
    rows: Iterable[ArrangementCureRow], current: Mapping[str, str]
) -> tuple[CureLine, ...]:
    """A line per kind, then the total: how many ended, how many of their loans were in
    their product's current bucket (``current``: product → its label for DPD 0).

    >>> rows = [ArrangementCureRow("plan", "cash", "M0", 2), ArrangementCureRow("plan", "cash", "M2", 1)]
    >>> [(line.kind, line.ended, line.current, line.cure_rate_percent)
    ...  for line in cure_lines(rows, {"cash": "M0"})]
    [('plan', 3, 2, Decimal('66.7')), ('total', 3, 2, Decimal('66.7'))]
    """
    ended: dict[str, int] = {}
    cured: dict[str, int] = {}
    for row in rows:
        ended[row.kind] = ended.get(row.kind, 0) + row.count
        if row.bucket_after == current[row.product]:
            cured[row.kind] = cured.get(row.kind, 0) + row.count
    lines = [
        CureLine(
            kind, ended[kind], cured.get(kind, 0), rate_percent(cured.get(kind, 0), ended[kind])
        )
        for kind in sorted(ended, key=_kind_order)
    ]
    all_ended, all_cured = sum(ended.values()), sum(cured.values())
    return (*lines, CureLine(TOTAL, all_ended, all_cured, rate_percent(all_cured, all_ended)))


def _kind_order(kind: str) -> tuple[int, str]:
    """The kinds as docs/arrangements.md lists them; any other after, by name."""
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)


def bucket_order(bucket: str | None) -> list[tuple[int, int | str]]:
    """Labels in natural order (M2 before M10); not recorded last.

    >>> sorted(["M10", "M2", "early", None], key=bucket_order)
    ['M2', 'M10', 'early', None]
    """
    if bucket is None:
        return [(2, "")]
    parts = re.split(r"(\d+)", bucket)
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts]
