"""The what-if evaluator over the stored policy packs: how the gate would decide one
proposed contact (a scenario), without recording anything.

``arrears compliance evaluate`` decides a scenario file under shipped packs or pack
files; the web's evaluator decides under packs stored in the database (the ones the gate
can run). Both call ``domain.compliance.evaluate.decide`` on the packs' rules in order,
so the strictest rule wins the same way the gate's does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from arrears.domain.compliance.evaluate import Decision, decide, in_order
from arrears.domain.compliance.facts import Scenario
from arrears.services import compliance
from arrears.services.errors import InvalidInput
from arrears.services.ports import UnitOfWork


def evaluate_scenario(
    uow_factory: Callable[[], UnitOfWork], scenario: Scenario, packs: Sequence[str]
) -> Decision:
    """The decision on ``scenario`` under the latest versions of the stored ``packs``."""
    if not packs:
        raise InvalidInput("choose at least one policy pack")
    rules = [rule for name in packs for rule in compliance.stored_pack(uow_factory, name)[0].rules]
    return decide(scenario, in_order(rules))
