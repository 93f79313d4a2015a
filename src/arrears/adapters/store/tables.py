"""The schema as SQLAlchemy Core tables. Alembic migrations create it; a test holds them equal.

Money is BIGINT minor units plus a currency; rates are integer parts per million
(14.07 % a year is 140700), never Numeric, which SQLite would store as a float.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

borrower = Table(
    "borrower",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("name", String(200)),
    Column("phone", String(32)),
    Column("email", String(254)),
    Column("timezone", String(64)),
    Column("language", String(16)),
)

loan = Table(
    "loan",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), nullable=False),
    Column("product", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("annual_rate_ppm", BigInteger, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("first_due_date", Date),
    Column("repayment_method", String(32), nullable=False),
    Column("rounding", String(16), nullable=False),
    Column("holiday_calendar", String(8)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # The journal's bookkeeping: the last entry number, and the date through which
    # interest, 罚息 and fees are recognised in the journal.
    Column("journal_seq", Integer, nullable=False, server_default="0"),
    Column("journal_as_of", Date),
    Index("ix_loan_borrower", "borrower_id"),
)

installment = Table(
    "installment",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

payment = Table(
    "payment",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("channel", String(32)),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Index("ix_payment_loan", "loan_id", "paid_on"),
)

product = Table(
    "product",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("rules_json", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

journal_entry = Table(
    "journal_entry",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("entry_seq", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("source", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("posted_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    sqlite_with_rowid=False,
)

journal_posting = Table(
    "journal_posting",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("entry_seq", Integer, primary_key=True),
    Column("account", String(32), primary_key=True),
    Column("amount_minor", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["loan_id", "entry_seq"], ["journal_entry.loan_id", "journal_entry.entry_seq"]
    ),
    sqlite_with_rowid=False,
)

loan_balance = Table(
    "loan_balance",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("account", String(32), primary_key=True),
    Column("balance_minor", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

payment_reversal = Table(
    "payment_reversal",
    metadata,
    Column("payment_id", String(64), ForeignKey("payment.payment_id"), primary_key=True),
    Column("reversed_on", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)
