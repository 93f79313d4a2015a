"""Borrowers, loans, their schedules and payments.

Revision ID: 0001_ledger
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "borrower",
        sa.Column("borrower_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200)),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(254)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("language", sa.String(16)),
    )
    op.create_table(
        "loan",
        sa.Column("loan_id", sa.String(64), primary_key=True),
        sa.Column(
            "borrower_id", sa.String(64), sa.ForeignKey("borrower.borrower_id"), nullable=False
        ),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("principal_minor", sa.BigInteger, nullable=False),
        sa.Column("annual_rate_ppm", sa.BigInteger, nullable=False),
        sa.Column("term_months", sa.Integer, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("first_due_date", sa.Date),
        sa.Column("repayment_method", sa.String(32), nullable=False),
        sa.Column("rounding", sa.String(16), nullable=False),
        sa.Column("holiday_calendar", sa.String(8)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_loan_borrower", "loan", ["borrower_id"])
    op.create_table(
        "installment",
        sa.Column("loan_id", sa.String(64), sa.ForeignKey("loan.loan_id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("principal_minor", sa.BigInteger, nullable=False),
        sa.Column("interest_minor", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "payment",
        sa.Column("payment_id", sa.String(64), primary_key=True),
        sa.Column("loan_id", sa.String(64), sa.ForeignKey("loan.loan_id"), nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("channel", sa.String(32)),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payment_loan", "payment", ["loan_id", "paid_on"])
    op.create_table(
        "payment_reversal",
        sa.Column(
            "payment_id", sa.String(64), sa.ForeignKey("payment.payment_id"), primary_key=True
        ),
        sa.Column("reversed_on", sa.Date, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("payment_reversal")
    op.drop_table("payment")
    op.drop_table("installment")
    op.drop_table("loan")
    op.drop_table("borrower")
