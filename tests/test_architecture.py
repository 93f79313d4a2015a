"""The folders are the architecture: the domain imports no framework, layers point inward."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(
        [lint_imports, str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_money_column_is_a_float_or_numeric() -> None:
    from sqlalchemy import Float, Numeric

    from arrears.adapters.store.tables import metadata

    offenders = [
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Float | Numeric)
    ]
    assert offenders == []


# The gate is the only maker of decisions: only these modules may call ``decide_as_gate``
# or touch the seal, so no sender, store or service can permit a contact by itself.
GATE_MODULES = {"domain/gate.py", "services/compliance_gate.py"}


def test_only_the_gate_modules_make_gate_decisions() -> None:
    package = ROOT / "src" / "arrears"
    makers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "decide_as_gate(" in (text := path.read_text(encoding="utf-8")) or "_SEAL" in text
    }
    assert makers == GATE_MODULES


def test_a_decision_built_without_the_gate_is_refused() -> None:
    import pytest

    from arrears.domain.gate import GateBypassError, GateDecision, Verdict

    with pytest.raises(GateBypassError):
        GateDecision(Verdict.ALLOW, "forged", "no gate", None, "20260305:L1:m1.0")
    with pytest.raises(GateBypassError):
        GateDecision(Verdict.ALLOW, "forged", "no gate", None, "x", seal=object())
