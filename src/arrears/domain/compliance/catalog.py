"""Every check a policy pack's rule may name, by name."""

from __future__ import annotations

from arrears.domain.compliance import (
    checks_blackout,
    checks_caps,
    checks_consent,
    checks_content,
    checks_frequency,
    checks_holds,
    checks_notices,
    checks_parties,
    checks_place,
    checks_time,
)
from arrears.domain.compliance.rules import Check

_MODULES: tuple[object, ...] = (
    checks_content,
    checks_notices,
    checks_time,
    checks_place,
    checks_blackout,
    checks_frequency,
    checks_caps,
    checks_holds,
    checks_consent,
    checks_parties,
)

CHECKS: dict[str, Check] = {
    check.name: check for module in _MODULES for check in getattr(module, "CHECKS", ())
}
