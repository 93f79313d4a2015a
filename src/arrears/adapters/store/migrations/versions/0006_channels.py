"""Outbound channels: the outbox of messages, letters stored as documents, the work
queues that calls, field visits and legal referrals go to, and borrowers' postal
addresses from the loans file.

Revision ID: 0006_channels
Revises: 0005_compliance
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_channels"
down_revision = "0005_compliance"
branch_labels = None
depends_on = None

AUDIT_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # A borrower's postal address from the loans file, for letters (lines separated by \n).
    with op.batch_alter_table("borrower") as batch:
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))
    op.create_table(
        "message",
        sa.Column("message_id", sa.String(length=160), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("arm", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", STAMP, nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=False),
        sa.Column("lease_until", STAMP, nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("headers_json", sa.Text(), nullable=True),
        sa.Column("encoding", sa.String(length=8), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("provider_id", sa.String(length=128), nullable=True),
        sa.Column("decision_id", AUDIT_SEQ, nullable=True),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("final_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["action.action_id"]),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.loan_id"]),
        sa.PrimaryKeyConstraint("message_id"),
        sa.UniqueConstraint("action_id"),
    )
    op.create_index("ix_message_due", "message", ["status", "next_attempt_at"])
    op.create_index("ix_message_loan", "message", ["loan_id"])
    op.create_index("ix_message_provider_id", "message", ["provider_id"])
    op.create_index("ix_message_day", "message", ["as_of", "channel"])
    op.create_table(
        "document",
        sa.Column("document_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=160), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("mailed_at", STAMP, nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.loan_id"]),
        sa.PrimaryKeyConstraint("document_id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_document_loan", "document", ["loan_id"])
    op.create_table(
        "work_item",
        sa.Column("work_item_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("overdue_minor", sa.BigInteger(), nullable=False),
        sa.Column("permit_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_to", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", STAMP, nullable=True),
        sa.Column("closed_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.action_id"]),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.loan_id"]),
        sa.PrimaryKeyConstraint("work_item_id"),
        sa.UniqueConstraint("action_id"),
    )
    op.create_index(
        "ix_work_item_queue", "work_item", ["queue", "status", "priority", "overdue_minor"]
    )

    # the dispatcher settles a message's contact attempt by its action
    op.create_index("ix_contact_attempt_action", "contact_attempt", ["action_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_attempt_action", table_name="contact_attempt")
    op.drop_table("work_item")
    op.drop_table("document")
    op.drop_table("message")
    with op.batch_alter_table("borrower") as batch:
        batch.drop_column("address")
