"""The activity reports as sections: arms, agents, intensity, denials (no charts)."""

from __future__ import annotations

from datetime import date

from arrears.domain.money import format_major as money
from arrears.entrypoints.report_views import (
    Section,
    UowFactory,
    View,
    period_meta,
    period_words,
    text,
)


def arms_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_activity
    from arrears.services.reports_activity import CHANNELS

    report = reports_activity.arms_report(uow_factory, first, last, product)
    section = Section(
        "arms", f"Champion vs challenger, {period_words(report.period)}",
        ["arm", "currency", "loans", "delinquent", "overdue", "recovered",
         "delinquent_in_period", "cured", "cure_rate_percent", "contacts", *CHANNELS,
         "contacts_per_1000", "promises", "kept", "kept_rate_percent"],
        [[a.arm, a.currency, a.loans, a.delinquent, money(a.overdue_minor, a.currency),
          money(a.recovered_minor, a.currency), a.delinquent_in_period, a.cured,
          text(a.cure_rate_percent), a.all_contacts, *(a.contacts[c] for c in CHANNELS),
          text(a.contacts_per_1000), a.promises, a.kept, text(a.kept_rate_percent)]
         for a in report.lines],
        frozenset({"arm", "currency"}),
    )  # fmt: skip
    return View(period_meta(report.period), [section])


def agents_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_activity

    report = reports_activity.agents_report(uow_factory, first, last, product)
    agents = Section(
        "agents", f"Agents, {period_words(report.period)}",
        ["agent", "attempts", "reached", "reach_rate_percent", "promises", "kept",
         "kept_rate_percent"],
        [[a.agent, a.attempts, a.reached, text(a.reach_rate_percent), a.promises, a.kept,
          text(a.kept_rate_percent)] for a in report.lines],
        frozenset({"agent"}),
    )  # fmt: skip
    collected = Section(
        "collected",
        f"Paid within {reports_activity.COLLECTED_WITHIN_DAYS} days after an agent reached"
        " the borrower",
        ["agent", "currency", "collected"],
        [[c.agent, c.currency, money(c.collected_minor, c.currency)] for c in report.collected],
        frozenset({"agent", "currency"}),
    )
    meta = period_meta(report.period) | {
        "collected_within_days": reports_activity.COLLECTED_WITHIN_DAYS
    }
    return View(meta, [agents, collected])


def intensity_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_activity

    report = reports_activity.intensity_report(uow_factory, first, last, product)
    columns = ["bucket", "loan_days", "contacts", "per_account_week"]
    buckets = Section(
        "buckets", f"Contacts per account per week by bucket, {period_words(report.period)}",
        columns,
        [[i.bucket, i.loan_days, i.contacts, text(i.per_account_week)] for i in report.buckets],
        frozenset({"bucket"}),
    )  # fmt: skip
    weeks = Section(
        "weeks", "By week (from its first day)", ["week", *columns],
        [[text(i.week), i.bucket, i.loan_days, i.contacts, text(i.per_account_week)]
         for i in report.weeks],
        frozenset({"week", "bucket"}),
    )  # fmt: skip
    return View(period_meta(report.period), [buckets, weeks])


def denials_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_activity

    report = reports_activity.denials_report(uow_factory, first, last, product)
    rules = Section(
        "rules", f"Actions the compliance gate denied or deferred, by rule, {period_words(report.period)}"
        f" ({report.decided} decided)",
        ["status", "rule", "actions", "share_percent"],
        [[d.status, d.rule, d.actions, text(d.share_percent)] for d in report.rules],
        frozenset({"status", "rule"}),
    )  # fmt: skip
    days = Section(
        "days", "By day and channel (share of the day's decisions)",
        ["day", "status", "rule", "channel", "actions", "share_percent"],
        [[text(d.day), d.status, d.rule, d.channel, d.actions, text(d.share_percent)]
         for d in report.days],
        frozenset({"day", "status", "rule", "channel"}),
    )  # fmt: skip
    return View(period_meta(report.period) | {"decided": report.decided}, [rules, days])
