"""The store: SQLAlchemy schema, Alembic migrations, and the SQL that reads and writes the ledger."""
