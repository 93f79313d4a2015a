"""The audit log: an append-only hash chain of entries, and its head.

Revision ID: 0004_audit
Revises: 0003_cycle
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_audit"
down_revision = "0003_cycle"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # a rowid alias on SQLite


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_log_recorded_at", "audit_log", ["recorded_at"], unique=False)
    op.create_index("ix_audit_log_kind_subject", "audit_log", ["kind", "subject"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("head_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("head_id"),
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_audit_log_kind_subject", table_name="audit_log")
    op.drop_index("ix_audit_log_recorded_at", table_name="audit_log")
    op.drop_table("audit_log")
