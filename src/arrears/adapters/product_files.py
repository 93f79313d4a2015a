"""Product rules files (TOML): grace, tolerance, 罚息 rate, late fees, waterfall, buckets.

One file may define several products; each is validated whole, and every problem
is reported with the product and field it concerns. The same model serialises
the rules into the store, so what is loaded is what is used.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from arrears.domain.allocation import Component, Waterfall, WaterfallMode
from arrears.domain.calendar import SUPPORTED_CALENDARS
from arrears.domain.delinquency import Bucket, Buckets, monthly_buckets
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.terms import Overpayment, ProductRules


class BucketModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    min_dpd: int
    max_dpd: int | None = None


class ProductModel(BaseModel):
    """One product's rules as written in the file; every field has a default."""

    model_config = ConfigDict(extra="forbid")

    grace_days: Annotated[int, Field(ge=0, le=60)] = 0
    tolerance_minor: Annotated[int, Field(ge=0)] = 0
    penalty_annual_rate_percent: Decimal | None = None
    penalty_rate_multiplier: Annotated[Decimal, Field(ge=0, le=10)] = Decimal("1.5")
    penalty_day_basis: int = 365
    late_fee_minor: Annotated[int, Field(ge=0)] = 0
    late_fee_cap_minor: Annotated[int, Field(ge=0)] | None = None
    waterfall: WaterfallMode = WaterfallMode.INSTALLMENT_FIRST
    allocation_order: list[Component] = Field(
        default_factory=lambda: [
            Component.PENALTY,
            Component.FEE,
            Component.INTEREST,
            Component.PRINCIPAL,
        ]
    )
    overpayment: Overpayment = Overpayment.CREDIT
    holiday_calendar: str | None = None
    buckets: list[BucketModel] | None = None

    @field_validator("penalty_day_basis")
    @classmethod
    def _basis(cls, value: int) -> int:
        if value not in (360, 365):
            raise ValueError("must be 360 or 365")
        return value

    @field_validator("holiday_calendar")
    @classmethod
    def _calendar(cls, value: str | None) -> str | None:
        if value and value.upper() not in SUPPORTED_CALENDARS:
            raise ValueError(f"unknown calendar; known: {', '.join(SUPPORTED_CALENDARS)}")
        return value.upper() if value else None

    def to_rules(self) -> ProductRules:
        buckets = (
            Buckets(tuple(Bucket(b.label, b.min_dpd, b.max_dpd) for b in self.buckets))
            if self.buckets
            else monthly_buckets()
        )
        return ProductRules(
            grace_days=self.grace_days,
            tolerance_minor=self.tolerance_minor,
            penalty_annual_rate_percent=self.penalty_annual_rate_percent,
            penalty_rate_multiplier=self.penalty_rate_multiplier,
            penalty_day_basis=self.penalty_day_basis,
            late_fee_minor=self.late_fee_minor,
            late_fee_cap_minor=self.late_fee_cap_minor,
            waterfall=Waterfall(self.waterfall, tuple(self.allocation_order)),
            overpayment=self.overpayment,
            buckets=buckets,
        )


def parse_products(text: str) -> tuple[dict[str, ProductModel], list[Finding]]:
    """Every product in a TOML text, or the findings that stop it loading."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return {}, [Finding(FindingCode.BAD_ROW, f"not valid TOML: {error}")]
    products: dict[str, Any] = document.get("products", {})
    findings: list[Finding] = []
    unknown = set(document) - {"products"}
    if unknown or not isinstance(products, dict) or not products:
        findings.append(
            Finding(
                FindingCode.BAD_ROW, "expected one or more [products.NAME] tables and nothing else"
            )
        )
        return {}, findings
    models: dict[str, ProductModel] = {}
    for name, body in products.items():
        try:
            model = ProductModel.model_validate(body)
            model.to_rules()  # buckets and waterfall are checked by the domain itself
            models[name] = model
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(p) for p in problem["loc"])
                findings.append(
                    Finding(
                        FindingCode.BAD_ROW, problem["msg"], column=field, subject=f"product {name}"
                    )
                )
        except ValueError as error:
            findings.append(Finding(FindingCode.BAD_ROW, str(error), subject=f"product {name}"))
    return models, findings


def rules_from_json(rules_json: str) -> ProductRules:
    return ProductModel.model_validate_json(rules_json).to_rules()
