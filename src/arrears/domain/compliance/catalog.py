"""Every check a policy pack's rule may name, by name."""

from __future__ import annotations

from arrears.domain.compliance import checks_content, checks_notices
from arrears.domain.compliance.rules import Check

_MODULES: tuple[object, ...] = (checks_content, checks_notices)

CHECKS: dict[str, Check] = {
    check.name: check for module in _MODULES for check in getattr(module, "CHECKS", ())
}
