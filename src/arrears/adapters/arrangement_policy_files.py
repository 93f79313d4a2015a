"""Arrangement policy files (YAML): one product's arrangement limits, validated whole.

A collections manager edits these by hand, so every problem is reported at once and
names its line and its path in the file::

    line 9, kinds.plan.max_instalments: must be 1 or more, got 0 [out_of_range]

Percents are exact decimals written as text (``"12.5"``) or whole numbers (``10``);
an unquoted ``12.5`` is refused with a request for quotes, so a share of money never
passes through a float. See docs/arrangement-policy.md for the format.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import ErrorDetails

from arrears.adapters.file_values import exact_decimal, name_check, problem
from arrears.adapters.pydantic_findings import finding_of
from arrears.adapters.yaml_lines import YamlPath, read_yaml
from arrears.domain.arrangement_policy import ArrangementKind, ArrangementPolicy, KindLimits, Role
from arrears.domain.findings import Finding, FindingCode

_MAX_NAME = 64  # arrangement_policy.name and arrangement.policy
_KINDS = ", ".join(kind.value for kind in ArrangementKind)
_problem = problem
_name = name_check(_MAX_NAME)


def _exact(value: object) -> Decimal:
    """A percent: an exact decimal of 0 or more with at most 2 decimals."""
    number = exact_decimal(value, FindingCode.BAD_NUMBER, 'a percent such as "12.5"')
    if number != number.quantize(Decimal("0.01")):
        shown = repr(value) if isinstance(value, str) else str(value)
        raise _problem(FindingCode.BAD_NUMBER, f"{shown} has more than 2 decimals")
    return number


def _share(value: Decimal) -> Decimal:
    if value > 100:
        raise _problem(FindingCode.OUT_OF_RANGE, f"{value} is more than 100 percent")
    return value


Name = Annotated[StrictStr, AfterValidator(_name)]
Label = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Count = Annotated[StrictInt, Field(ge=1)]
Rate = Annotated[Decimal, BeforeValidator(_exact)]  # a percent a year: may exceed 100
Share = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_share)]  # 0 to 100


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindModel(_Model):
    """One kind's limits; an absent key is the domain's default (``KindLimits``)."""

    allowed: StrictBool = True
    approver: Role = Role.MANAGER
    always_needs_approval: StrictBool = False
    max_instalments: Count | None = None
    max_days: Count | None = None
    min_down_payment_percent: Share | None = None
    max_penalty_waiver_percent: Share | None = None
    max_discount_percent_by_bucket: dict[Label, Share] = {}
    max_fee_waiver: StrictBool = True
    max_term_months: Count | None = None
    min_annual_rate_percent: Rate | None = None

    def to_limits(self) -> KindLimits:
        return KindLimits(**{name: getattr(self, name) for name in type(self).model_fields})


class KindsModel(_Model):
    """The kinds offered, by name; a kind left out is not offered."""

    promise: KindModel | None = None
    extension: KindModel | None = None
    plan: KindModel | None = None
    reage: KindModel | None = None
    settlement: KindModel | None = None
    pause: KindModel | None = None


class PolicyModel(_Model):
    name: Name
    description: StrictStr = ""
    per_year: Annotated[StrictInt, Field(ge=0)] | None = None
    per_year_approver: Role = Role.MANAGER
    kinds: KindsModel

    def to_policy(self) -> ArrangementPolicy:
        written = {kind.value: getattr(self.kinds, kind.value) for kind in ArrangementKind}
        return ArrangementPolicy(
            name=self.name,
            kinds={kind: model.to_limits() for kind, model in written.items() if model},
            per_year=self.per_year,
            per_year_approver=self.per_year_approver,
            description=self.description,
        )


_MODELS: tuple[type[BaseModel], ...] = (PolicyModel, KindsModel, KindModel)
# Every key the format has, for "did you mean" on an unknown one.
_KNOWN_KEYS = sorted({name for model in _MODELS for name in model.model_fields})


def _finding(error: ErrorDetails, lines: dict[YamlPath, int]) -> Finding:
    """Pydantic's error as a finding; an unknown kind also lists the kinds there are."""
    finding = finding_of(error, lines, _KNOWN_KEYS)
    location = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and len(location) == 2 and location[0] == "kinds":
        message = finding.message.replace("unknown key", "unknown kind", 1)
        return Finding(
            finding.code, f"{message}; the kinds are {_KINDS}", finding.line, None, "kinds"
        )
    return finding


def parse_arrangement_policy(text: str) -> tuple[ArrangementPolicy | None, list[Finding]]:
    """The policy in a YAML text, or None and every finding that stops it loading.

    >>> policy, findings = parse_arrangement_policy('''
    ... name: tiny
    ... kinds:
    ...   plan: {max_instalments: 0, max_penalty_waiver_percent: 12.505}
    ... ''')
    >>> policy, [str(f) for f in findings]  # doctest: +NORMALIZE_WHITESPACE
    (None, ['line 4, kinds.plan.max_instalments: must be 1 or more, got 0 [out_of_range]',
     'line 4, kinds.plan.max_penalty_waiver_percent: 12.505 has more than 2 decimals
     [bad_number]'])
    """
    data, lines, findings = read_yaml(text)
    if data is None and findings:
        return None, findings
    model: PolicyModel | None = None
    try:
        model = PolicyModel.model_validate(data)
    except ValidationError as error:
        findings.extend(_finding(problem, lines) for problem in error.errors())
    if findings or model is None:
        return None, sorted(findings, key=lambda f: f.line or 0)
    return model.to_policy(), []


def policy_as_data(policy: ArrangementPolicy) -> dict[str, Any]:
    """The policy as the file writes it, every key given (percents as text): what
    ``arrange policy show --format json`` prints, and parses back to the same policy."""

    def percent(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    kinds: dict[str, Any] = {}
    for kind, limits in policy.kinds.items():
        kinds[kind] = {
            "allowed": limits.allowed,
            "approver": str(limits.approver),
            "always_needs_approval": limits.always_needs_approval,
            "max_instalments": limits.max_instalments,
            "max_days": limits.max_days,
            "min_down_payment_percent": percent(limits.min_down_payment_percent),
            "max_penalty_waiver_percent": percent(limits.max_penalty_waiver_percent),
            "max_discount_percent_by_bucket": {
                bucket: str(share)
                for bucket, share in limits.max_discount_percent_by_bucket.items()
            },
            "max_fee_waiver": limits.max_fee_waiver,
            "max_term_months": limits.max_term_months,
            "min_annual_rate_percent": percent(limits.min_annual_rate_percent),
        }
    return {
        "name": policy.name,
        "description": policy.description,
        "per_year": policy.per_year,
        "per_year_approver": str(policy.per_year_approver),
        "kinds": kinds,
    }
