"""Loading product rules: each product stored as a new version when it changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from arrears.services.ports import UnitOfWork


def load_products(
    uow_factory: Callable[[], UnitOfWork], models: Mapping[str, Any], now: datetime
) -> dict[str, int]:
    """Store validated product models; returns each product's version after loading."""
    with uow_factory() as uow:
        versions = {
            name: uow.ledger.save_product(name, model, now) for name, model in models.items()
        }
        uow.commit()
    return versions
