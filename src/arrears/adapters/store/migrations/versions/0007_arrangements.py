"""Repayment arrangements (plans, extensions, re-ages, settlements, hardship pauses),
their instalments, and the arrangement policy files with the one active per product.

Revision ID: 0007_arrangements
Revises: 0006_channels
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_arrangements"
down_revision = "0006_channels"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "arrangement",
        sa.Column("arrangement_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quoted_on", sa.Date(), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=True),
        sa.Column("dpd", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("waived_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("terms_json", sa.Text(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("reasons_json", sa.Text(), nullable=False),
        sa.Column("needs_approval_by", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", STAMP, nullable=True),
        sa.Column("arm", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.loan_id"]),
        sa.PrimaryKeyConstraint("arrangement_id"),
        sa.UniqueConstraint("loan_id", "number", name="uq_arrangement_loan_number"),
    )
    op.create_index("ix_arrangement_loan", "arrangement", ["loan_id"])
    op.create_index("ix_arrangement_status", "arrangement", ["status"])
    op.create_index("ix_arrangement_borrower", "arrangement", ["borrower_id", "quoted_on"])
    op.create_table(
        "arrangement_instalment",
        sa.Column("arrangement_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["arrangement_id"], ["arrangement.arrangement_id"]),
        sa.PrimaryKeyConstraint("arrangement_id", "seq"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "arrangement_policy",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("name", "version"),
    )
    op.create_table(
        "arrangement_policy_active",
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("activated_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("product"),
    )


def downgrade() -> None:
    op.drop_table("arrangement_policy_active")
    op.drop_table("arrangement_policy")
    op.drop_table("arrangement_instalment")
    op.drop_index("ix_arrangement_borrower", table_name="arrangement")
    op.drop_index("ix_arrangement_status", table_name="arrangement")
    op.drop_index("ix_arrangement_loan", table_name="arrangement")
    op.drop_table("arrangement")
