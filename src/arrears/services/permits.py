"""What a sender (SMS, e-mail, letters, the dialer, the agent desk) must do before it
acts: present the permit the gate issued, and have it honoured.

A permit is honoured when the action it was issued for is permitted, is for the same
loan and channel, and its moment has come. Anything else is refused with the reason, so
no message leaves and no number is dialled without the gate's allow on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arrears.services.errors import Conflict
from arrears.services.ports import UnitOfWork


class PermitRefused(Conflict):
    """A permit that does not allow what is asked."""


@dataclass(frozen=True, slots=True)
class Permit:
    permit_id: str
    action_id: int
    as_of: date
    loan_id: str
    channel: str
    template: str | None
    decision_id: int  # the audit entry of the gate's decision
    arm: str | None = None  # champion or challenger: the strategy that planned it


def honour_permit(
    uow: UnitOfWork, permit_id: str, loan_id: str, channel: str, now: datetime
) -> Permit:
    """The permit, if it allows ``channel`` to contact about ``loan_id`` at ``now``."""
    return permit_of(uow.actions.by_permit(permit_id), permit_id, loan_id, channel, now)


def permit_of(
    action: dict[str, Any] | None, permit_id: str, loan_id: str, channel: str, now: datetime
) -> Permit:
    """``honour_permit`` over the action already read (None: no action holds the permit);
    a caller honouring a batch of permits reads their actions at once."""
    if action is None:
        raise PermitRefused(f"no action holds permit {permit_id!r}: the gate did not allow it")
    if action["status"] != "permitted":
        raise PermitRefused(f"permit {permit_id!r}: the action is {action['status']}")
    if (action["loan_id"], action["channel"]) != (loan_id, channel):
        raise PermitRefused(
            f"permit {permit_id!r} is for a {action['channel']} about {action['loan_id']},"
            f" not a {channel} about {loan_id}"
        )
    if now < action["earliest_at"]:
        raise PermitRefused(
            f"permit {permit_id!r} allows this from {action['earliest_at']:%Y-%m-%d %H:%M} UTC"
        )
    return Permit(
        permit_id, action["action_id"], action["as_of"], loan_id, channel, action["template"],
        action["decision_id"], action.get("arm"),
    )  # fmt: skip
