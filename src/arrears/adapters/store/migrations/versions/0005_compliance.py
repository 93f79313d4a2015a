"""Compliance: policy packs and which are active per product, each borrower's compliance
profile, the zones each phone number is placed in, what the contact history needs for the rules (the number or address used, who
made the contact), and gate decisions moved into the audit log.

The gate's decisions were rows of ``gate_decision``; from here each is an entry of the
hash-chained audit log, and an action points at its entry (``decision_id`` is the
entry's ``seq``) and carries the deciding rule and, when deferred, the next lawful
moment. Earlier decisions are moved into the chain in their order.

Revision ID: 0005_compliance
Revises: 0004_audit
"""

import sqlalchemy as sa
from alembic import op

from arrears.adapters.store.audit_move import move_gate_decisions

revision = "0005_compliance"
down_revision = "0004_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_pack",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "version"),
    )
    op.create_table(
        "policy_active",
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=64), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product", "pack"),
    )
    op.create_table(
        "compliance_profile",
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("profile_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["borrower_id"], ["borrower.borrower_id"]),
        sa.PrimaryKeyConstraint("borrower_id"),
    )
    op.create_table(
        "phone_zone",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("zones", sa.String(length=200), nullable=False),
        sa.Column("library", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("contact_attempt") as batch:
        batch.add_column(sa.Column("address", sa.String(length=254), nullable=True))
        batch.add_column(
            sa.Column("made_by", sa.String(length=64), nullable=False, server_default="lender")
        )
    with op.batch_alter_table("action") as batch:
        batch.alter_column(
            "decision_id",
            existing_type=sa.Integer(),
            type_=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            existing_nullable=False,
        )
        batch.add_column(sa.Column("rule_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
    move_gate_decisions(op.get_bind())
    op.drop_index("ix_gate_decision_action", table_name="gate_decision")
    op.drop_table("gate_decision")


def downgrade() -> None:
    raise NotImplementedError("0005 moved gate decisions into the audit chain: no way back")
