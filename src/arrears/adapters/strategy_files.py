"""Strategy files (YAML): read with the line of every key, validated whole.

A collections manager edits these files by hand, so every problem is reported
at once and names its line and its path in the file::

    line 14, segments[2].steps[0].action: 'smss' is not one of sms, email, ... [bad_choice]

The YAML is read with the line of every value (``yaml_lines``); pydantic then
checks the shape (no unknown keys) and the rules that span keys, and each of its
errors becomes a finding at the line of the value it concerns. See
docs/strategies.md for the format.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    ValidationInfo,
    field_validator,
    model_validator,
)

from arrears.adapters.file_values import exact_decimal, name_check, problem
from arrears.adapters.pydantic_findings import finding_of
from arrears.adapters.yaml_lines import YamlPath, line_of, read_yaml, render_path
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.strategy import (
    ARRANGEMENT_REMINDER,
    PROMISE_REMINDER,
    TEMPLATED_ACTIONS,
    ActionKind,
    AmountRange,
    ArrangementState,
    Challenger,
    Conditions,
    DayRange,
    OffsetDays,
    PromiseState,
    Segment,
    Step,
    Strategy,
)

_MAX_NAME = 60  # a step id "<segment>.<index>" must fit the 64 characters of action.step
_problem = problem
_name = name_check(_MAX_NAME)


def _exact(value: object) -> Decimal:
    return exact_decimal(value, FindingCode.BAD_AMOUNT, "a decimal such as '500.00'")


Name = Annotated[StrictStr, AfterValidator(_name)]
Text = Annotated[StrictStr, Field(max_length=64, min_length=1)]
Major = Annotated[Decimal, BeforeValidator(_exact)]
Labels = Annotated[list[Text], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayRangeModel(_Model):
    min: StrictInt | None = None
    max: StrictInt | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DayRangeModel:
        _check_range(self.min, self.max)
        return self


class AmountRangeModel(_Model):
    """Major units of the loan's currency, e.g. ``{min: "500.00"}``."""

    min: Major | None = None
    max: Major | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AmountRangeModel:
        _check_range(self.min, self.max)
        return self


def _check_range(low: int | Decimal | None, high: int | Decimal | None) -> None:
    if low is None and high is None:
        raise _problem(FindingCode.REQUIRED, "give min, max or both")
    if low is not None and high is not None and low > high:
        raise _problem(FindingCode.OUT_OF_RANGE, f"min {low} is greater than max {high}")


class ConditionsModel(_Model):
    """A segment's ``when``: every condition given must hold; an absent one is any."""

    bucket: Labels | None = None
    dpd: DayRangeModel | None = None
    days_to_next_due: DayRangeModel | None = None
    overdue: AmountRangeModel | None = None
    outstanding_principal: AmountRangeModel | None = None
    product: Labels | None = None
    flags_any: Labels | None = None
    flags_none: Labels | None = None
    reached_within_days: Annotated[StrictInt, Field(ge=0)] | None = None
    unreached_at_least: Annotated[StrictInt, Field(ge=1)] | None = None
    lost_contact: StrictBool | None = None
    refused_to_pay: StrictBool | None = None
    promise: PromiseState | None = None
    score_band: Labels | None = None
    arrangement: ArrangementState | None = None

    @field_validator("arrangement")
    @classmethod
    def _arranged(cls, state: ArrangementState | None) -> ArrangementState | None:
        if state is ArrangementState.ACTIVE:
            raise _problem(
                FindingCode.BAD_CHOICE,
                "active never matches: the treatment pauses while an arrangement is in force"
                " (use arrangement_reminder)",
            )
        return state

    @field_validator("promise")
    @classmethod
    def _reachable(cls, promise: PromiseState | None) -> PromiseState | None:
        if promise is PromiseState.OPEN:
            raise _problem(
                FindingCode.BAD_CHOICE,
                "open never matches: the treatment pauses while a promise is open"
                " (use promise_reminder)",
            )
        return promise

    def to_conditions(self) -> Conditions:
        def labels(values: list[str] | None) -> tuple[str, ...] | None:
            return tuple(values) if values is not None else None

        def days(r: DayRangeModel | None) -> DayRange | None:
            return DayRange(r.min, r.max) if r else None

        def amounts(r: AmountRangeModel | None) -> AmountRange | None:
            return AmountRange(r.min, r.max) if r else None

        return Conditions(
            bucket=labels(self.bucket),
            dpd=days(self.dpd),
            days_to_next_due=days(self.days_to_next_due),
            overdue=amounts(self.overdue),
            outstanding_principal=amounts(self.outstanding_principal),
            product=labels(self.product),
            flags_any=labels(self.flags_any),
            flags_none=labels(self.flags_none),
            reached_within_days=self.reached_within_days,
            unreached_at_least=self.unreached_at_least,
            lost_contact=self.lost_contact,
            refused_to_pay=self.refused_to_pay,
            promise=self.promise,
            score_band=labels(self.score_band),
            arrangement=self.arrangement,
        )


class DaysModel(_Model):
    """``{from: 1, to: 30, every: 3}``: days 1, 4, …, 28; without ``to`` it goes on."""

    first: StrictInt = Field(alias="from")
    to: StrictInt | None = None
    every: Annotated[StrictInt, Field(ge=1)] = 1

    @field_validator("to")
    @classmethod
    def _ordered(cls, to: int | None, info: ValidationInfo) -> int | None:
        first = info.data.get("first")
        if to is not None and first is not None and first > to:
            raise _problem(FindingCode.OUT_OF_RANGE, f"to {to} is before from {first}")
        return to


def _check_template(action: ActionKind, template: str | None) -> None:
    if action in TEMPLATED_ACTIONS and template is None:
        raise _problem(FindingCode.REQUIRED, f"action {action.value} needs a template")


class ReminderModel(_Model):
    """The promise reminder: sent the day before a promised date; it has no day of its own."""

    action: ActionKind
    template: Text | None = None
    priority: StrictInt = 0

    @model_validator(mode="after")
    def _templated(self) -> ReminderModel:
        _check_template(self.action, self.template)
        return self

    def to_step(self) -> Step:
        return Step(self.action, self.template, self.priority)


class ArrangementReminderModel(ReminderModel):
    """The arrangement reminder: sent ``days_before`` each instalment of an arrangement."""

    days_before: Annotated[StrictInt, Field(ge=1, le=30)] = 2


class StepModel(ReminderModel):
    day: StrictInt | None = None
    days: DaysModel | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> StepModel:
        if (self.day is None) == (self.days is None):
            raise _problem(
                FindingCode.REQUIRED,
                "give either day (one offset) or days (from, to, every), not both"
                if self.day is not None
                else "missing key 'day' or 'days': when the step fires",
            )
        return self

    def to_step(self) -> Step:
        if self.days is not None:
            days = OffsetDays(self.days.first, self.days.to, self.days.every)
        else:
            assert self.day is not None
            days = OffsetDays.single(self.day)
        return Step(self.action, self.template, self.priority, days)


class SegmentModel(_Model):
    name: Name
    description: StrictStr = ""
    when: ConditionsModel = ConditionsModel()
    steps: list[StepModel]

    @model_validator(mode="after")
    def _not_reserved(self) -> SegmentModel:
        if self.name in (PROMISE_REMINDER, ARRANGEMENT_REMINDER):
            raise _problem(FindingCode.BAD_CHOICE, f"the segment name {self.name} is reserved")
        return self

    def to_segment(self) -> Segment:
        steps = tuple(step.to_step() for step in self.steps)
        return Segment(self.name, self.when.to_conditions(), steps, self.description)


class ChallengerModel(_Model):
    strategy: Name
    share_percent: Major

    @field_validator("share_percent")
    @classmethod
    def _share(cls, share: Decimal) -> Decimal:
        if not Decimal(0) < share < Decimal(100):
            raise _problem(FindingCode.OUT_OF_RANGE, f"{share} is not above 0 and below 100")
        if share != share.quantize(Decimal("0.01")):
            raise _problem(FindingCode.BAD_NUMBER, f"{share} has more than 2 decimals")
        return share


class StrategyModel(_Model):
    name: Name
    description: StrictStr = ""
    promise_reminder: ReminderModel | None = None
    arrangement_reminder: ArrangementReminderModel | None = None
    challenger: ChallengerModel | None = None
    segments: Annotated[list[SegmentModel], Field(min_length=1)]

    def to_strategy(self) -> Strategy:
        return Strategy(
            name=self.name,
            description=self.description,
            segments=tuple(s.to_segment() for s in self.segments),
            promise_reminder=self.promise_reminder.to_step() if self.promise_reminder else None,
            challenger=(
                Challenger(self.challenger.strategy, self.challenger.share_percent)
                if self.challenger
                else None
            ),
            arrangement_reminder=(
                self.arrangement_reminder.to_step() if self.arrangement_reminder else None
            ),
            arrangement_reminder_days=(
                self.arrangement_reminder.days_before if self.arrangement_reminder else 2
            ),
        )


_MODELS: tuple[type[BaseModel], ...] = (
    StrategyModel, SegmentModel, ConditionsModel, StepModel, DaysModel, DayRangeModel, ChallengerModel,
    ArrangementReminderModel,
)  # fmt: skip
# Every key the format has, for "did you mean" on an unknown one.
_KNOWN_KEYS = sorted({f.alias or name for m in _MODELS for name, f in m.model_fields.items()})


def _cross_checks(data: Any, lines: Mapping[YamlPath, int]) -> list[Finding]:
    """Rules across the file, on the raw values so they are found alongside any other."""
    if not isinstance(data, dict):
        return []
    findings: list[Finding] = []
    segments = data.get("segments")
    first_index: dict[str, int] = {}
    for index, segment in enumerate(segments if isinstance(segments, list) else []):
        name = segment.get("name") if isinstance(segment, dict) else None
        if not isinstance(name, str):
            continue
        if name in first_index:
            path: YamlPath = ("segments", index, "name")
            earlier = first_index[name]
            where = f"segments[{earlier}], line {line_of(lines, ('segments', earlier))}"
            message = f"segment name {name!r} is already used by {where}"
            findings.append(
                Finding(
                    FindingCode.DUPLICATE_ID, message, line_of(lines, path), None, render_path(path)
                )
            )
        first_index.setdefault(name, index)
    challenger = data.get("challenger")
    if isinstance(challenger, dict) and challenger.get("strategy") == data.get("name"):
        path = ("challenger", "strategy")
        message = f"strategy {data.get('name')!r} cannot be its own challenger"
        findings.append(
            Finding(FindingCode.BAD_CHOICE, message, line_of(lines, path), None, render_path(path))
        )
    return findings


def parse_strategy(text: str) -> tuple[Strategy | None, list[Finding]]:
    """The strategy in a YAML text, or None and every finding that stops it loading.

    >>> strategy, findings = parse_strategy('''
    ... name: tiny
    ... segments:
    ...   - name: m1
    ...     when: {dpd: {min: 1, max: 30}}
    ...     steps:
    ...       - {day: 1, action: smss, template: overdue_notice}
    ... ''')
    >>> strategy, [str(f) for f in findings]
    (None, ["line 7, segments[0].steps[0].action: 'smss' is not one of sms, email, call, field_visit, letter, legal_review, agency_placement, write_off_review, none [bad_choice]"])
    """
    data, lines, findings = read_yaml(text)
    if data is None and findings:
        return None, findings
    findings.extend(_cross_checks(data, lines))
    model: StrategyModel | None = None
    try:
        model = StrategyModel.model_validate(data)
    except ValidationError as error:
        findings.extend(finding_of(problem, lines, _KNOWN_KEYS) for problem in error.errors())
    if findings or model is None:
        return None, sorted(findings, key=lambda f: f.line or 0)
    return model.to_strategy(), []
