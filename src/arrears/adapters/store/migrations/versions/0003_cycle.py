"""The daily cycle: loan and installment status, roll history, strategies, contacts,
promises to pay, planned actions and the gate's decisions.

Revision ID: 0003_cycle
Revises: 0002_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_cycle"
down_revision = "0002_journal"
branch_labels = None
depends_on = None

TABLES = (
    "roll_history", "promise", "loan_status", "due_status", "contact_attempt", "action",
    "contact_summary", "borrower_flag", "strategy_active", "strategy", "gate_decision",
    "cycle_dirty", "cycle_day",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "cycle_day",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("as_of"),
    )
    op.create_table(
        "cycle_dirty",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("from_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("loan_id"),
    )
    op.create_table(
        "gate_decision",
        sa.Column("decision_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("permit_id", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    op.create_index(
        "ix_gate_decision_action", "gate_decision", ["as_of", "loan_id", "step"], unique=False
    )
    op.create_table(
        "strategy",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "version"),
    )
    op.create_table(
        "strategy_active",
        sa.Column("portfolio", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("portfolio"),
    )
    op.create_table(
        "borrower_flag",
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrower.borrower_id"],
        ),
        sa.PrimaryKeyConstraint("borrower_id", "flag"),
    )
    op.create_table(
        "contact_summary",
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreached_since_reached", sa.Integer(), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lost_contact", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrower.borrower_id"],
        ),
        sa.PrimaryKeyConstraint("borrower_id"),
    )
    op.create_table(
        "action",
        sa.Column("action_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("strategy_version", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("overdue_minor", sa.BigInteger(), nullable=False),
        sa.Column("earliest_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("permit_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("action_id"),
        sa.UniqueConstraint("as_of", "loan_id", "step", name="uq_action_day_loan_step"),
    )
    op.create_index(
        "ix_action_day_channel", "action", ["as_of", "channel", "priority"], unique=False
    )
    op.create_table(
        "contact_attempt",
        sa.Column("attempt_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("arm", sa.String(length=16), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrower.borrower_id"],
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("attempt_id"),
    )
    op.create_index(
        "ix_contact_attempt_borrower",
        "contact_attempt",
        ["borrower_id", "attempted_at"],
        unique=False,
    )
    op.create_index("ix_contact_attempt_recorded", "contact_attempt", ["recorded_at"], unique=False)
    op.create_table(
        "due_status",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_fee_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("loan_id", "seq"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "loan_status",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("rounding", sa.String(length=16), nullable=False),
        sa.Column("status_day", sa.Integer(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("open_due_day", sa.Integer(), nullable=True),
        sa.Column("next_seq", sa.Integer(), nullable=True),
        sa.Column("next_due_day", sa.Integer(), nullable=True),
        sa.Column("overdue_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("overdue_interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("fees_minor", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("fees_charged_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_rate_num", sa.BigInteger(), nullable=False),
        sa.Column("penalty_rate_den", sa.BigInteger(), nullable=False),
        sa.Column("adjusted", sa.Integer(), nullable=False),
        sa.Column("arm_slot", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("loan_id"),
    )
    op.create_index("ix_loan_status_next_due", "loan_status", ["next_due_day"], unique=False)
    op.create_index("ix_loan_status_open_due", "loan_status", ["open_due_day"], unique=False)
    op.create_table(
        "promise",
        sa.Column("promise_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("paid_minor", sa.BigInteger(), nullable=True),
        sa.Column("arm", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrower.borrower_id"],
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("promise_id"),
    )
    op.create_index("ix_promise_loan", "promise", ["loan_id"], unique=False)
    op.create_index("ix_promise_status_due", "promise", ["status", "due_date"], unique=False)
    op.create_table(
        "roll_history",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("from_bucket", sa.String(length=16), nullable=True),
        sa.Column("to_bucket", sa.String(length=16), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loan.loan_id"],
        ),
        sa.PrimaryKeyConstraint("loan_id", "as_of"),
    )
    op.create_index("ix_roll_history_as_of", "roll_history", ["as_of"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
