"""Lookups read from indexes (without them each reads a whole table, which grows every
cycle day):

- the queue of the day: the open call items of one cycle day in queue order (counting and
  claiming today's items read every open item of every earlier day too);
- the action a gate permit was issued for (checked before every dial and send);
- a loan's contact attempts by time (the agents report: who reached the borrower on a
  loan before its payment or promise).

Revision ID: 0010_lookups
Revises: 0009_desk
"""

from alembic import op

revision = "0010_lookups"
down_revision = "0009_desk"
branch_labels = None
depends_on = None

QUEUE_OF_THE_DAY = ["queue", "status", "as_of", "priority", "overdue_minor", "work_item_id"]


def upgrade() -> None:
    op.create_index("ix_work_item_day", "work_item", QUEUE_OF_THE_DAY)
    op.create_index("ix_action_permit", "action", ["permit_id"])
    op.create_index("ix_contact_attempt_loan", "contact_attempt", ["loan_id", "attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_contact_attempt_loan", table_name="contact_attempt")
    op.drop_index("ix_action_permit", table_name="action")
    op.drop_index("ix_work_item_day", table_name="work_item")
