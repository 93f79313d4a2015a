"""The double-entry journal, cached balances, and product rules.

Adds the journal bookkeeping columns to existing loans: every loan already
imported gets its disbursement entry, so an upgraded ledger balances at once.

Revision ID: 0002_journal
Revises: 0001_ledger
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_journal"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("rules_json", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "journal_entry",
        sa.Column("loan_id", sa.String(64), sa.ForeignKey("loan.loan_id"), primary_key=True),
        sa.Column("entry_seq", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("posted_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "journal_posting",
        sa.Column("loan_id", sa.String(64), primary_key=True),
        sa.Column("entry_seq", sa.Integer, primary_key=True),
        sa.Column("account", sa.String(32), primary_key=True),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id", "entry_seq"], ["journal_entry.loan_id", "journal_entry.entry_seq"]
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "loan_balance",
        sa.Column("loan_id", sa.String(64), sa.ForeignKey("loan.loan_id"), primary_key=True),
        sa.Column("account", sa.String(32), primary_key=True),
        sa.Column("balance_minor", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("loan") as batch:
        batch.add_column(sa.Column("journal_seq", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("journal_as_of", sa.Date))
    _post_disbursements_of_existing_loans()


def _post_disbursements_of_existing_loans() -> None:
    op.execute(
        "INSERT INTO journal_entry (loan_id, entry_seq, kind, source, currency, posted_on, created_at)"
        " SELECT loan_id, 1, 'disbursement', 'disbursement', currency, start_date, imported_at"
        " FROM loan"
    )
    for account, sign in (("principal_receivable", ""), ("funding", "-")):
        op.execute(
            "INSERT INTO journal_posting (loan_id, entry_seq, account, amount_minor)"
            f" SELECT loan_id, 1, '{account}', {sign}principal_minor FROM loan"
        )
        op.execute(
            "INSERT INTO loan_balance (loan_id, account, balance_minor)"
            f" SELECT loan_id, '{account}', {sign}principal_minor FROM loan"
        )
    op.execute("UPDATE loan SET journal_seq = 1")


def downgrade() -> None:
    with op.batch_alter_table("loan") as batch:
        batch.drop_column("journal_as_of")
        batch.drop_column("journal_seq")
    op.drop_table("loan_balance")
    op.drop_table("journal_posting")
    op.drop_table("journal_entry")
    op.drop_table("product")
