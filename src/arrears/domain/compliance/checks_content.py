"""Content checks: what the rendered text or script of a contact must say and must not say.

They read ``Proposal.text``. When it is None (the sender has not rendered a text yet) a
content check cannot judge and does not block; the channels render the text before they
ask the gate for the permit that sends it, so a text is always judged before it leaves.
Word lists are the packs' parameters (defaults in ``wording``), matched
case-insensitively and compiled once.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Proposal, Scenario
>>> sms = Proposal(Channel.SMS, datetime(2025, 6, 2, 15, tzinfo=UTC), text="Payment due today.")
>>> print(optout_text(Scenario(Person("B1"), sms), OptOutTextParams()).reason)
an sms must carry a clear way to opt out (such as 'Reply STOP'); the text has none of the pack's opt-out phrases
>>> sms = Proposal(Channel.SMS, sms.at, text="Payment due today. Reply STOP to opt out.")
>>> optout_text(Scenario(Person("B1"), sms), OptOutTextParams()) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from arrears.domain.compliance import wording
from arrears.domain.compliance.facts import Channel, Debt, Purpose, Role, Scenario
from arrears.domain.compliance.rules import Block, Check, Phase

ALL_CHANNELS: tuple[Channel, ...] = tuple(Channel)
THIRD_PARTY_ROLES: tuple[Role, ...] = (
    Role.EMERGENCY_CONTACT,
    Role.EMPLOYER,
    Role.FAMILY,
    Role.OTHER,
)
DEBT_PATTERNS: tuple[str, ...] = wording.AMOUNT_PATTERNS + wording.OVERDUE_PATTERNS


def _valid(*pattern_lists: tuple[str, ...]) -> None:
    for patterns in pattern_lists:
        problem = wording.bad_pattern(patterns)
        if problem:
            raise ValueError(problem)


# -- opt-out element: us.regf.electronic_optout_notice -----------------------------------
@dataclass(frozen=True, slots=True)
class OptOutTextParams:
    phrases: tuple[str, ...] = wording.OPTOUT_PHRASES  # any one of them is enough
    channels: tuple[Channel, ...] = (Channel.SMS, Channel.EMAIL)
    # The sentence the templates append to every message in ``channels``, per language
    # (adapters.templates); "" = the pack gives none. Each must hold one of ``phrases``.
    sentence_en: str = ""
    sentence_zh: str = ""

    def __post_init__(self) -> None:
        for name in ("sentence_en", "sentence_zh"):
            sentence = getattr(self, name)
            if sentence and wording.first_match(sentence, self.phrases) is None:
                raise ValueError(f"{name} {sentence!r} holds none of the opt-out phrases")

    def sentence_for(self, language: str) -> str:
        """The sentence to append in ``language`` (zh-CN: sentence_zh, else sentence_en);
        "" when the pack gives none."""
        return self.sentence_zh if language.lower().startswith("zh") else self.sentence_en


def optout_text(scenario: Scenario, params: OptOutTextParams) -> Block | None:
    """Every SMS and email carries a clear, simple way to opt out (Reg F 1006.6(e)).
    Waiting never adds the words, so the block does not lift."""
    proposal = scenario.proposal
    if proposal.text is None or proposal.channel not in params.channels:
        return None
    if wording.first_match(proposal.text, params.phrases) is not None:
        return None
    return Block(
        f"an {proposal.channel.value} must carry a clear way to opt out (such as 'Reply STOP'); "
        "the text has none of the pack's opt-out phrases"
    )


# -- mini-Miranda: us.regf.mini_miranda --------------------------------------------------
@dataclass(frozen=True, slots=True)
class MiniMirandaParams:
    initial: tuple[str, ...] = wording.MINI_MIRANDA_INITIAL  # regular expressions, all needed
    subsequent: tuple[str, ...] = wording.MINI_MIRANDA_SUBSEQUENT
    # A limited-content voicemail is not a communication (1006.2(j)): not listed.
    channels: tuple[Channel, ...] = (
        Channel.CALL,
        Channel.SMS,
        Channel.EMAIL,
        Channel.LETTER,
        Channel.FIELD_VISIT,
    )
    # Location contacts with third parties must not mention a debt at all (1006.10).
    roles: tuple[Role, ...] = (Role.BORROWER, Role.GUARANTOR, Role.SPOUSE)

    def __post_init__(self) -> None:
        _valid(self.initial, self.subsequent)


def mini_miranda(scenario: Scenario, params: MiniMirandaParams) -> Block | None:
    """The initial communication says the collector is attempting to collect a debt and
    information obtained will be used for that purpose; later ones that they are from a
    debt collector (FDCPA 1692e(11), Reg F 1006.18(e))."""
    proposal = scenario.proposal
    if (
        proposal.text is None
        or proposal.channel not in params.channels
        or proposal.role not in params.roles
        or proposal.purpose is Purpose.LOCATION
    ):
        return None
    if proposal.initial:
        absent = wording.missing(proposal.text, params.initial)
        needed = (
            "the initial communication must say it is an attempt to collect a debt and that "
            "any information obtained will be used for that purpose"
        )
    else:
        absent = wording.missing(proposal.text, params.subsequent)
        needed = "every later communication must say it is from a debt collector"
    return None if absent is None else Block(f"{needed}; the text does not match {absent!r}")


# -- limited-content voicemail: us.regf.limited_content_message --------------------------
@dataclass(frozen=True, slots=True)
class LimitedContentParams:
    words: tuple[str, ...] = wording.DEBT_WORDS
    patterns: tuple[str, ...] = DEBT_PATTERNS

    def __post_init__(self) -> None:
        _valid(self.patterns)


def limited_content_message(scenario: Scenario, params: LimitedContentParams) -> Block | None:
    """A voicemail holds only a limited-content message (Reg F 1006.2(j)): a business name
    not suggesting debt collection, a request to reply, names and callback numbers (and
    optionally a salutation, the date and time, that it relates to an account, suggested
    reply times). Modelled as: no debt word and no amount — anything more makes it a
    communication that anyone near the machine may hear."""
    proposal = scenario.proposal
    if proposal.text is None or proposal.channel is not Channel.VOICEMAIL:
        return None
    found = wording.first_match(proposal.text, params.words, params.patterns)
    if found is None:
        return None
    return Block(
        "a voicemail may hold only a limited-content message (business name, a request to "
        f"reply, names and callback numbers); this one says {found!r}"
    )


# -- forbidden wording: cn.prohibited_conduct (and FDCPA 1692d–f) -------------------------
@dataclass(frozen=True, slots=True)
class ForbiddenWordingParams:
    words: tuple[str, ...] = wording.FORBIDDEN_WORDS
    patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _valid(self.patterns)


def forbidden_wording(scenario: Scenario, params: ForbiddenWordingParams) -> Block | None:
    """No threats, insults, violence, impersonating courts or police, fake legal documents,
    extra fees, pushing to borrow to repay (以贷养贷) or paying to personal accounts, in any
    channel and to anyone (CBA 2026 guideline; NIFA 2018 Art. 16, 19; FDCPA 1692d–f)."""
    text = scenario.proposal.text
    if text is None:
        return None
    found = wording.first_match(text, params.words, params.patterns)
    return None if found is None else Block(f"the text holds forbidden wording: {found!r}")


# -- third-party scripts: cn.contact_script_limits, us.regf.location_info, uk.conc.third_party_privacy
@dataclass(frozen=True, slots=True)
class ThirdPartyScriptParams:
    roles: tuple[Role, ...] = THIRD_PARTY_ROLES  # who must not learn of the debt
    # Channels judged whoever is addressed (UK: a voicemail others may hear).
    always_channels: tuple[Channel, ...] = ()
    words: tuple[str, ...] = wording.DEBT_WORDS
    patterns: tuple[str, ...] = DEBT_PATTERNS  # amounts, days overdue

    def __post_init__(self) -> None:
        _valid(self.patterns)


def third_party_script(scenario: Scenario, params: ThirdPartyScriptParams) -> Block | None:
    """A text to a third party never mentions the debt, an amount or days overdue: with a
    contact only ask for the debtor's contact details or pass on a message (GB/T
    45251—2025; CBA 2026; NIFA Art. 18); a location contact never mentions a debt (Reg F
    1006.10); third parties must not learn of the debt (CONC 7.9.10)."""
    proposal = scenario.proposal
    if proposal.text is None or (
        proposal.role not in params.roles and proposal.channel not in params.always_channels
    ):
        return None
    found = wording.first_match(proposal.text, params.words, params.patterns)
    if found is None:
        return None
    if proposal.role in params.roles:
        who = f"a text to a third party ({proposal.role.value})"
    else:
        who = f"a {proposal.channel.value} others may hear or read"
    return Block(
        f"{who} must not mention a debt, an amount or days overdue; this one says {found!r}"
    )


# -- identify the institution: cn.identify_institution ------------------------------------
@dataclass(frozen=True, slots=True)
class IdentifyInstitutionParams:
    # The lender's names as texts write them (any one is enough); empty: the names the
    # lender is set up with (Scenario.lender_names), else its group name.
    names: tuple[str, ...] = ()
    initial_only: bool = False  # judge only the first communication about the debt
    channels: tuple[Channel, ...] = ALL_CHANNELS


def identify_institution(scenario: Scenario, params: IdentifyInstitutionParams) -> Block | None:
    """The collector names the institution — and an agency also the entrusting lender —
    so the debtor knows who is collecting (NIFA 2018 Art. 15; CBA 2026 guideline). An
    agency is a proposal ``by`` someone other than the lender; its name is ``by``."""
    proposal = scenario.proposal
    if (
        proposal.text is None
        or proposal.channel not in params.channels
        or (params.initial_only and not proposal.initial)
    ):
        return None
    lender_names = params.names or scenario.lender_names or (scenario.lender,)
    if wording.first_match(proposal.text, lender_names) is None:
        return Block(
            f"the text must name the lender ({' / '.join(lender_names)}) so the debtor knows "
            "who is collecting"
        )
    agency = proposal.by not in ("lender", scenario.lender, *lender_names)
    if agency and wording.first_match(proposal.text, (proposal.by,)) is None:
        return Block(f"an agency's text must name the agency ({proposal.by}) as well as the lender")
    return None


# -- no threat of suit on a time-barred debt: us.regf.time_barred (wording) ---------------
@dataclass(frozen=True, slots=True)
class TimeBarredThreatParams:
    words: tuple[str, ...] = wording.SUIT_WORDS
    patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _valid(self.patterns)


def time_barred_threat(scenario: Scenario, params: TimeBarredThreatParams) -> Block | None:
    """No wording that threatens suit about a debt past its statute of limitations (Reg F
    1006.26(b)); the legal step itself is blocked by the legal-action rule."""
    proposal = scenario.proposal
    if proposal.text is None:
        return None
    barred = [debt.id for debt in debts_in_scope(scenario) if _barred(debt, proposal.at)]
    if not barred:
        return None
    found = wording.first_match(proposal.text, params.words, params.patterns)
    if found is None:
        return None
    return Block(
        f"debt {', '.join(barred)} is time-barred: no wording that threatens suit ({found!r})"
    )


def debts_in_scope(scenario: Scenario) -> tuple[Debt, ...]:
    """The debts the proposal is about (all the person's when it names none)."""
    wanted = scenario.proposal.debts
    if not wanted:
        return scenario.debts
    return tuple(debt for debt in scenario.debts if debt.id in wanted)


def _barred(debt: Debt, at: datetime) -> bool:
    # The latest calendar date ``at`` falls on anywhere (UTC+14): a debt is treated as
    # time-barred as soon as its expiry date has begun somewhere — the cautious reading.
    return debt.time_barred_on is not None and debt.time_barred_on <= _latest_date(at)


def _latest_date(at: datetime) -> date:
    return (at.astimezone(UTC) + timedelta(hours=14)).date()


CHECKS = (
    Check(
        "optout_text",
        Phase.CONTENT,
        OptOutTextParams,
        optout_text,
        "an SMS or email carries one of the pack's opt-out phrases",
    ),
    Check(
        "mini_miranda",
        Phase.CONTENT,
        MiniMirandaParams,
        mini_miranda,
        "the text carries the initial or the subsequent debt-collector disclosure",
    ),
    Check(
        "limited_content_message",
        Phase.CONTENT,
        LimitedContentParams,
        limited_content_message,
        "a voicemail names no debt and no amount",
    ),
    Check(
        "forbidden_wording",
        Phase.CONTENT,
        ForbiddenWordingParams,
        forbidden_wording,
        "the text holds none of the pack's forbidden words",
    ),
    Check(
        "third_party_script",
        Phase.CONTENT,
        ThirdPartyScriptParams,
        third_party_script,
        "a text to a third party names no debt, amount or days overdue",
    ),
    Check(
        "identify_institution",
        Phase.CONTENT,
        IdentifyInstitutionParams,
        identify_institution,
        "the text names the lender (and an agency also itself)",
    ),
    Check(
        "time_barred_threat",
        Phase.CONTENT,
        TimeBarredThreatParams,
        time_barred_threat,
        "no wording threatening suit about a time-barred debt",
    ),
)
