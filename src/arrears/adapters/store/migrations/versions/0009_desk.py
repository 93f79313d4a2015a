"""The agent desk: a claimed call item keeps the time the borrower asked to be called
back, and the audit entry of the gate's decision that cleared the call now.

Revision ID: 0009_desk
Revises: 0008_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_desk"
down_revision = "0008_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_item") as batch:
        batch.add_column(sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("call_decision_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_work_item_assigned", "work_item", ["assigned_to", "status"])


def downgrade() -> None:
    op.drop_index("ix_work_item_assigned", table_name="work_item")
    with op.batch_alter_table("work_item") as batch:
        batch.drop_column("call_decision_id")
        batch.drop_column("callback_at")
