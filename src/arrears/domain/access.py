"""Who may do what in the web app and its API: the roles, the areas each role works in,
and which personal data each role sees only masked.

Access is decided twice: by area (an agent never opens the compliance view) and by
object (a borrower sees only their own loans; an agent only accounts in their queue or
assigned to them) — the object checks live with the services that read the objects.

>>> may_enter(UserRole.AGENT, Area.DESK), may_enter(UserRole.BORROWER, Area.DESK)
(True, False)
>>> mask_phone("+8613812345678")
'+86*******5678'

"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UserRole(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    FIELD_AGENT = "field_agent"
    LEGAL = "legal"
    COMPLIANCE = "compliance"
    BORROWER = "borrower"


class Area(StrEnum):
    """The parts of the app, each a set of pages and API endpoints."""

    DESK = "desk"  # the agent's call queue and account view
    FIELD = "field"  # visit assignments
    LEGAL = "legal"  # legal cases and case files
    DASHBOARD = "dashboard"  # reports, strategies, packs, policies, approvals
    COMPLIANCE = "compliance"  # what-if evaluator, audit log, exports
    PORTAL = "portal"  # the borrower's own loans
    ADMIN = "admin"  # users and API tokens
    OPERATIONS = "operations"  # imports, the cycle, status of any loan (integrations)


AREAS: dict[UserRole, frozenset[Area]] = {
    UserRole.ADMIN: frozenset(Area) - {Area.PORTAL},
    UserRole.MANAGER: frozenset({Area.DASHBOARD, Area.DESK, Area.FIELD, Area.LEGAL,
                                 Area.OPERATIONS}),
    UserRole.AGENT: frozenset({Area.DESK}),
    UserRole.FIELD_AGENT: frozenset({Area.FIELD}),
    UserRole.LEGAL: frozenset({Area.LEGAL}),
    UserRole.COMPLIANCE: frozenset({Area.COMPLIANCE, Area.DASHBOARD}),
    UserRole.BORROWER: frozenset({Area.PORTAL}),
}  # fmt: skip

# Whose screens show phone numbers, ID numbers and addresses in full: those who must
# dial, visit or file them (PIPL art. 6, minimum necessary; GDPR art. 5(1)(c)). Agents
# dial through the desk's call button, which uses the stored number, so they see it
# masked; field agents need the address; legal needs everything for the case file.
SEES_PII: frozenset[UserRole] = frozenset(
    {UserRole.ADMIN, UserRole.FIELD_AGENT, UserRole.LEGAL, UserRole.BORROWER}
)

# The landing page of each role.
HOME: dict[UserRole, str] = {
    UserRole.ADMIN: "/dashboard",
    UserRole.MANAGER: "/dashboard",
    UserRole.AGENT: "/desk",
    UserRole.FIELD_AGENT: "/field",
    UserRole.LEGAL: "/legal",
    UserRole.COMPLIANCE: "/compliance",
    UserRole.BORROWER: "/portal",
}


def may_enter(role: UserRole, area: Area) -> bool:
    return area in AREAS[role]


def sees_pii(role: UserRole) -> bool:
    return role in SEES_PII


def mask_phone(phone: str | None) -> str | None:
    """Keep a leading + and two digits (the country code, mostly) and the last 4 digits."""
    if not phone:
        return phone
    digits = phone.strip()
    prefix = ""
    if digits.startswith("+"):
        prefix, digits = digits[:3], digits[3:]
    if len(digits) <= 4:
        return prefix + "*" * len(digits)
    return prefix + "*" * (len(digits) - 4) + digits[-4:]


def mask_address(address: str | None) -> str | None:
    """Keep only the last line (city, postcode): enough to know the area, not the door.

    >>> mask_address("12 Long Road\\nSpringfield IL 62704")
    '… Springfield IL 62704'
    """
    if not address:
        return address
    lines = [line for line in address.splitlines() if line.strip()]
    return "… " + lines[-1] if len(lines) > 1 else "…"


def mask_email(email: str | None) -> str | None:
    """Keep the first letter of the name and the whole domain.

    >>> mask_email("li.wei@example.cn")
    'l***@example.cn'
    """
    if not email or "@" not in email:
        return email
    user, domain = email.split("@", 1)
    return user[:1] + "***@" + domain


@dataclass(frozen=True, slots=True)
class User:
    """Someone who signs in. A borrower's account names their borrower id."""

    user_id: int
    username: str
    role: UserRole
    display_name: str | None = None
    borrower_id: str | None = None
    language: str | None = None
    disabled: bool = False

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username
