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
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# audit_log.seq and what points at it: BIGINT (a decision per contact adds up), an alias
# of the rowid on SQLite.
AUDIT_SEQ = BigInteger().with_variant(Integer(), "sqlite")

borrower = Table(
    "borrower",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("name", String(200)),
    Column("phone", String(32)),
    Column("email", String(254)),
    Column("timezone", String(64)),
    Column("language", String(16)),
    Column("address", Text),  # postal, from the loans file: lines separated by \n
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

# -- the daily cycle -------------------------------------------------------------------
# Days inside the cycle's working tables are day numbers (days since 1970-01-01), so
# that date arithmetic is plain integer SQL on both stores.

cycle_day = Table(
    "cycle_day",
    metadata,
    Column("as_of", Date, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("summary_json", Text, nullable=False),
)

loan_status = Table(
    "loan_status",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("product", String(64), nullable=False),
    Column("rounding", String(16), nullable=False),
    Column("status_day", Integer, nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(16), nullable=False),
    # the oldest fallen installment (due on or before the status day) unpaid beyond tolerance
    Column("open_due_day", Integer),
    # the first installment not yet fallen due
    Column("next_seq", Integer),
    Column("next_due_day", Integer),
    Column("overdue_principal_minor", BigInteger, nullable=False),
    Column("overdue_interest_minor", BigInteger, nullable=False),
    Column("penalty_minor", BigInteger, nullable=False),
    Column("fees_minor", BigInteger, nullable=False),
    Column("outstanding_principal_minor", BigInteger, nullable=False),
    Column("credit_minor", BigInteger, nullable=False),
    Column("fees_charged_minor", BigInteger, nullable=False),
    # the daily 罚息 rate as an exact fraction
    Column("penalty_rate_num", BigInteger, nullable=False),
    Column("penalty_rate_den", BigInteger, nullable=False),
    # 1 when installments not yet due differ from the stored schedule (prepaid, paid off)
    Column("adjusted", Integer, nullable=False),
    Column("arm_slot", Integer, nullable=False),
    Index("ix_loan_status_next_due", "next_due_day"),
    Index("ix_loan_status_open_due", "open_due_day"),
)

due_status = Table(
    "due_status",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("due_day", Integer, nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    Column("penalty_minor", BigInteger, nullable=False),
    Column("fee_minor", BigInteger, nullable=False),
    Column("paid_principal_minor", BigInteger, nullable=False),
    Column("paid_interest_minor", BigInteger, nullable=False),
    Column("paid_penalty_minor", BigInteger, nullable=False),
    Column("paid_fee_minor", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

cycle_dirty = Table(
    "cycle_dirty",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("from_day", Integer, nullable=False),
)

roll_history = Table(
    "roll_history",
    metadata,
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("from_bucket", String(16)),
    Column("to_bucket", String(16), nullable=False),
    Column("dpd", Integer, nullable=False),
    Index("ix_roll_history_as_of", "as_of"),
)

# -- strategies ------------------------------------------------------------------------
strategy = Table(
    "strategy",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("source_text", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("author", String(100), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

strategy_active = Table(
    "strategy_active",
    metadata,
    Column("portfolio", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)

# -- contacts, flags, promises ---------------------------------------------------------
contact_attempt = Table(
    "contact_attempt",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), nullable=False),
    Column("loan_id", String(64), ForeignKey("loan.loan_id")),
    Column("channel", String(16), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("party", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("action_id", Integer),
    Column("arm", String(16)),
    Column("agent", String(64)),
    Column("note", Text),
    Column("address", String(254)),  # the number or address used
    Column("made_by", String(64), nullable=False, server_default="lender"),  # or an agency
    Index("ix_contact_attempt_borrower", "borrower_id", "attempted_at"),
    Index("ix_contact_attempt_loan", "loan_id", "attempted_at"),  # by loan (0010_lookups)
    Index("ix_contact_attempt_recorded", "recorded_at"),
    Index("ix_contact_attempt_action", "action_id"),
)

contact_summary = Table(
    "contact_summary",
    metadata,
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_reached_at", DateTime(timezone=True)),
    Column("unreached_since_reached", Integer, nullable=False),
    Column("refused_at", DateTime(timezone=True)),
    Column("lost_contact", Integer, nullable=False),
)

borrower_flag = Table(
    "borrower_flag",
    metadata,
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), primary_key=True),
    Column("flag", String(32), primary_key=True),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
)

promise = Table(
    "promise",
    metadata,
    Column("promise_id", String(64), primary_key=True),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("made_on", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("settled_on", Date),
    Column("paid_minor", BigInteger),
    Column("arm", String(16)),
    Column("source", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_promise_status_due", "status", "due_date"),
    Index("ix_promise_loan", "loan_id"),
)

# -- actions: each points at the gate decision (an audit_log entry) it was made under --
action = Table(
    "action",
    metadata,
    Column("action_id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("step", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("template", String(64)),
    Column("strategy", String(64), nullable=False),
    Column("strategy_version", Integer, nullable=False),
    Column("segment", String(64), nullable=False),
    Column("arm", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("overdue_minor", BigInteger, nullable=False),
    Column("earliest_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decision_id", AUDIT_SEQ, nullable=False),  # the audit_log entry of the decision
    Column("permit_id", String(64)),
    Column("rule_id", String(64)),  # the deciding rule
    Column("not_before", DateTime(timezone=True)),  # deferred: the next lawful moment
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("as_of", "loan_id", "step", name="uq_action_day_loan_step"),
    Index("ix_action_day_channel", "as_of", "channel", "priority"),
    Index("ix_action_permit", "permit_id"),  # a permit's action, before each send (0010_lookups)
)

# -- the audit log: a hash chain (domain.audit), and its head ------------------------------
# seq is BIGINT (a decision per contact adds up), an alias of the rowid on SQLite. Entries
# are only ever inserted; the head (one row) is moved by every append in the same
# transaction, so that an entry cut off the end shows.

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", AUDIT_SEQ, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("payload_json", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Index("ix_audit_log_recorded_at", "recorded_at"),
    Index("ix_audit_log_kind_subject", "kind", "subject"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("head_id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("seq", AUDIT_SEQ, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)


# -- compliance: policy packs, the packs active per product ("*": every product), and
# each borrower's compliance profile (holds, consents, opt-outs, preferences, third
# parties: the scenario format's "borrower" object, docs/compliance.md) ----------------
policy_pack = Table(
    "policy_pack",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("source_text", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("author", String(100), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

policy_active = Table(
    "policy_active",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("pack", String(64), primary_key=True),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)

compliance_profile = Table(
    "compliance_profile",
    metadata,
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id"), primary_key=True),
    Column("profile_json", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Where phonenumbers placed each number (comma-joined zones, "" if nowhere), with the
# library version that placed it: placing costs more than deciding, so it is done once.
phone_zone = Table(
    "phone_zone",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("zones", String(200), nullable=False),
    Column("library", String(32), nullable=False),
)


# -- outbound channels: the outbox, stored letters, the work queues ---------------------
# A permitted sms, email or letter action becomes a message in the transaction that
# permits it (the outbox); the dispatcher claims due messages under a lease, renders
# them, has the gate judge them at the moment of sending, and records each outcome.
message = Table(
    "message",
    metadata,
    # "m:" + day:loan:step, the idempotency key toward the provider
    Column("message_id", String(160), primary_key=True),
    Column("action_id", Integer, ForeignKey("action.action_id"), nullable=False, unique=True),
    Column("as_of", Date, nullable=False),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("template", String(64)),
    Column("arm", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("not_before", DateTime(timezone=True), nullable=False),  # the permit's moment
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),  # while 'sending'
    Column("language", String(16)),
    Column("recipient", String(254)),
    Column("subject", Text),
    Column("body", Text),
    Column("html", Text),
    Column("headers_json", Text),  # e-mail headers such as List-Unsubscribe
    Column("encoding", String(8)),  # sms: GSM-7 or UCS-2
    Column("segments", Integer),  # sms: parts on the wire
    Column("provider", String(64)),
    Column("provider_id", String(128)),
    Column("decision_id", AUDIT_SEQ),  # the gate's decision at the moment of sending
    Column("rule_id", String(64)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("final_at", DateTime(timezone=True)),
    Index("ix_message_due", "status", "next_attempt_at"),
    Index("ix_message_loan", "loan_id"),
    Index("ix_message_provider_id", "provider_id"),
    Index("ix_message_day", "as_of", "channel"),
)

# Letters as printed (PDF), attached to the account and listed for mailing.
document = Table(
    "document",
    metadata,
    Column("document_id", Integer, primary_key=True, autoincrement=True),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Column("message_id", String(160), unique=True),
    Column("content_type", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("pages", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("mailed_at", DateTime(timezone=True)),
    Column("address", Text),
    Index("ix_document_loan", "loan_id"),
)

# Work that people do: calls for agents, visits for field agents, referrals for legal.
work_item = Table(
    "work_item",
    metadata,
    Column("work_item_id", Integer, primary_key=True, autoincrement=True),
    Column("action_id", Integer, ForeignKey("action.action_id"), nullable=False, unique=True),
    Column("queue", String(16), nullable=False),  # agent | field | legal
    Column("as_of", Date, nullable=False),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("step", String(64), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("overdue_minor", BigInteger, nullable=False),
    Column("permit_id", String(64)),
    Column("status", String(16), nullable=False),  # open | claimed | done | cancelled
    Column("assigned_to", String(64)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("callback_at", DateTime(timezone=True)),  # the desk: call back then (0009_desk)
    Column("call_decision_id", BigInteger),  # the audit entry that cleared the call now
    Index("ix_work_item_queue", "queue", "status", "priority", "overdue_minor"),
    Index("ix_work_item_assigned", "assigned_to", "status"),
    Index(
        "ix_work_item_day", "queue", "status", "as_of", "priority", "overdue_minor", "work_item_id"
    ),  # today's queue in its order (0010_lookups)
)


# -- repayment arrangements: plans, extensions, re-ages, settlements, hardship pauses ----
# (promises to pay keep their own table above). An arrangement takes effect at the end
# of the day it is approved (``starts_on``); the per-loan reference replays it, and the
# cycle records what the replay finds: kept, or broken on a day.
arrangement = Table(
    "arrangement",
    metadata,
    Column("arrangement_id", String(64), primary_key=True),
    Column("loan_id", String(64), ForeignKey("loan.loan_id"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, … per loan
    Column("kind", String(16), nullable=False),
    # pending (awaiting approval) | active | kept | broken | cancelled | rejected
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("quoted_on", Date, nullable=False),
    Column("bucket", String(16)),  # the loan's bucket and DPD when quoted (for reports)
    Column("dpd", Integer),
    Column("starts_on", Date),  # the day it took effect (at the end of that day)
    Column("ends_on", Date),  # kept, broken, cancelled or rejected on
    Column("total_minor", BigInteger, nullable=False),  # to pay under it
    Column("waived_minor", BigInteger, nullable=False),  # 罚息 waived or settlement discount
    Column("fee_minor", BigInteger, nullable=False),
    Column("paid_minor", BigInteger, nullable=False, server_default="0"),
    Column("terms_json", Text, nullable=False),  # the kind's own terms
    Column("policy", String(64)),
    Column("policy_version", Integer),
    Column("reasons_json", Text, nullable=False),  # limits passed, in plain words
    Column("needs_approval_by", String(16)),
    Column("decided_by", String(64)),  # who approved or rejected
    Column("decided_at", DateTime(timezone=True)),
    Column("arm", String(16)),
    Column("source", String(16), nullable=False),  # cli | desk | portal | simulator
    Column("created_by", String(64)),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("loan_id", "number", name="uq_arrangement_loan_number"),
    Index("ix_arrangement_loan", "loan_id"),
    Index("ix_arrangement_status", "status"),
    Index("ix_arrangement_borrower", "borrower_id", "quoted_on"),
)

arrangement_instalment = Table(
    "arrangement_instalment",
    metadata,
    Column(
        "arrangement_id", String(64), ForeignKey("arrangement.arrangement_id"), primary_key=True
    ),
    Column("seq", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # open | kept | broken
    Column("paid_minor", BigInteger, nullable=False, server_default="0"),
    sqlite_with_rowid=False,
)

# Arrangement policy files, every version as loaded, and the one active per product
# ("*": every product without its own).
arrangement_policy = Table(
    "arrangement_policy",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("source_text", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("author", String(100), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

arrangement_policy_active = Table(
    "arrangement_policy_active",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)


# -- the web app: people who sign in, their sessions and API tokens, and the desk's notes
# A borrower's account names their borrower id; staff accounts name none.
app_user = Table(
    "app_user",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, PHC string
    Column("borrower_id", String(64), ForeignKey("borrower.borrower_id")),
    Column("language", String(16)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A session is kept by the SHA-256 of its cookie value: a copy of this table lets no one
# sign in. Each carries its CSRF token, which every form posts back.
web_session = Table(
    "web_session",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.user_id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_session_user", "user_id"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.user_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Every sign-in attempt, for throttling (failures per username and per address in a
# window) and for the record.
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("succeeded", Integer, nullable=False),  # 1 or 0
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_attempt_username", "username", "at"),
    Index("ix_login_attempt_address", "address", "at"),
)

account_note = Table(
    "account_note",
    metadata,
    Column("note_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(64), nullable=False),
    Column("loan_id", String(64)),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_account_note_borrower", "borrower_id", "created_at"),
)
