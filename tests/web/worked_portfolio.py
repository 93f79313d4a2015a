"""The web fixture's two loans after the real daily cycle ran over their first late
days, under the shipped strategies, arrangement policies and policy packs (as
`arrears init` stores them): a small portfolio with actions, gate decisions and an
audit log, for the pages that report on it."""

from __future__ import annotations

from datetime import date

from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies, compliance, strategies
from arrears.services.cycle import run_cycle
from tests.helpers import NOW

FIRST_DAY = date(2026, 2, 10)  # L1 falls due 2026-02-15, L2 2026-03-01
LAST_DAY = date(2026, 3, 20)


def work_the_portfolio(app: App) -> None:
    settings = app.settings
    strategies.load_default_strategies(app.uow_factory, NOW, settings.default_strategy)
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, settings.arrangement_policy)
    packs = [name.strip() for name in settings.compliance_packs.split(",") if name.strip()]
    compliance.load_shipped_packs(app.uow_factory, compliance.shipped_pack_texts(), NOW, packs)
    run_cycle(app.uow_factory, FIRST_DAY, lambda: NOW)
    run_cycle(app.uow_factory, LAST_DAY, lambda: NOW, catch_up=True)
