"""User accounts, web sessions, API tokens and sign-in attempts in SQL (``uow.accounts``).

Sessions and tokens are looked up by the SHA-256 of their secret: the secret itself is
only ever in the user's cookie or the integration's configuration. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from arrears.adapters.store import tables as t
from arrears.domain.access import User, UserRole

_USER_COLUMNS = (
    t.app_user.c.user_id, t.app_user.c.username, t.app_user.c.role,
    t.app_user.c.display_name, t.app_user.c.borrower_id, t.app_user.c.language,
    t.app_user.c.disabled_at,
)  # fmt: skip


# Every page and API call looks up its session: one statement built once (building it per
# request cost more than running it).
_SESSION_USER = (
    select(*_USER_COLUMNS, t.web_session.c.csrf_token)
    .join(t.web_session, t.web_session.c.user_id == t.app_user.c.user_id)
    .where(
        t.web_session.c.session_hash == bindparam("hash"),
        t.web_session.c.expires_at > bindparam("now"),
    )
)


def _user(row: Any) -> User:
    return User(
        user_id=row.user_id,
        username=row.username,
        role=UserRole(row.role),
        display_name=row.display_name,
        borrower_id=row.borrower_id,
        language=row.language,
        disabled=row.disabled_at is not None,
    )


class SqlAccounts:
    def __init__(self, connection: Connection):
        self.connection = connection

    def add_user(
        self, username: str, role: str, password_hash: str, now: datetime, *,
        display_name: str | None = None, borrower_id: str | None = None,
        language: str | None = None,
    ) -> int:  # fmt: skip
        result = self.connection.execute(
            insert(t.app_user).values(
                username=username,
                role=role,
                password_hash=password_hash,
                display_name=display_name,
                borrower_id=borrower_id,
                language=language,
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    def user_named(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash."""
        row = self.connection.execute(
            select(*_USER_COLUMNS, t.app_user.c.password_hash).where(
                t.app_user.c.username == username
            )
        ).first()
        return None if row is None else (_user(row), row.password_hash)

    def users(self) -> list[User]:
        rows = self.connection.execute(select(*_USER_COLUMNS).order_by(t.app_user.c.username))
        return [_user(row) for row in rows]

    def users_of_borrower(self, borrower_id: str) -> list[User]:
        rows = self.connection.execute(
            select(*_USER_COLUMNS).where(t.app_user.c.borrower_id == borrower_id)
        )
        return [_user(row) for row in rows]

    def set_disabled(self, username: str, at: datetime | None) -> bool:
        result = self.connection.execute(
            update(t.app_user).where(t.app_user.c.username == username).values(disabled_at=at)
        )
        return bool(result.rowcount)

    def set_password(self, user_id: int, password_hash: str) -> None:
        self.connection.execute(
            update(t.app_user)
            .where(t.app_user.c.user_id == user_id)
            .values(password_hash=password_hash)
        )

    def set_language(self, user_id: int, language: str) -> None:
        self.connection.execute(
            update(t.app_user).where(t.app_user.c.user_id == user_id).values(language=language)
        )

    def add_session(
        self, session_hash: str, user_id: int, csrf_token: str, now: datetime, expires: datetime
    ) -> None:
        self.connection.execute(
            insert(t.web_session).values(
                session_hash=session_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=expires,
            )
        )

    def session_user(self, session_hash: str, now: datetime) -> tuple[User, str] | None:
        """The live session's user (not disabled) and its CSRF token."""
        row = self.connection.execute(_SESSION_USER, {"hash": session_hash, "now": now}).first()
        if row is None or row.disabled_at is not None:
            return None
        return _user(row), row.csrf_token

    def end_session(self, session_hash: str) -> None:
        self.connection.execute(
            delete(t.web_session).where(t.web_session.c.session_hash == session_hash)
        )

    def end_sessions_of(self, user_id: int, keep: str | None = None) -> None:
        """End every session of the user but ``keep`` (a session hash), if given."""
        s = t.web_session
        chosen = delete(s).where(s.c.user_id == user_id)
        if keep is not None:
            chosen = chosen.where(s.c.session_hash != keep)
        self.connection.execute(chosen)

    def drop_expired_sessions(self, now: datetime) -> int:
        result = self.connection.execute(
            delete(t.web_session).where(t.web_session.c.expires_at <= now)
        )
        return int(result.rowcount)

    def add_token(self, token_hash: str, user_id: int, name: str, now: datetime) -> None:
        self.connection.execute(
            insert(t.api_token).values(
                token_hash=token_hash, user_id=user_id, name=name, created_at=now
            )
        )

    def token_user(self, token_hash: str) -> User | None:
        k = t.api_token
        row = self.connection.execute(
            select(*_USER_COLUMNS)
            .join(k, k.c.user_id == t.app_user.c.user_id)
            .where(k.c.token_hash == token_hash, k.c.revoked_at.is_(None))
        ).first()
        return None if row is None or row.disabled_at is not None else _user(row)

    def revoke_tokens(self, user_id: int, name: str, now: datetime) -> int:
        k = t.api_token
        result = self.connection.execute(
            update(k)
            .where(k.c.user_id == user_id, k.c.name == name, k.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount)

    def record_login(self, username: str, address: str, succeeded: bool, at: datetime) -> None:
        self.connection.execute(
            insert(t.login_attempt).values(
                username=username, address=address, succeeded=int(succeeded), at=at
            )
        )

    def failed_logins(self, since: datetime, *, username: str | None = None,
                      address: str | None = None) -> int:  # fmt: skip
        """Failures since ``since`` for the username or the address, since their last success."""
        a = t.login_attempt
        key = a.c.username == username if username is not None else a.c.address == address
        last_ok = select(func.max(a.c.at)).where(key, a.c.succeeded == 1).scalar_subquery()
        count = self.connection.execute(
            select(func.count()).where(
                key,
                a.c.succeeded == 0,
                a.c.at >= since,
                or_(last_ok.is_(None), a.c.at > last_ok),
            )
        ).scalar_one()
        return int(count)

    def add_note(self, borrower_id: str, loan_id: str | None, author: str, text: str,
                 now: datetime) -> None:  # fmt: skip
        self.connection.execute(
            insert(t.account_note).values(
                borrower_id=borrower_id, loan_id=loan_id, author=author, text=text, created_at=now
            )
        )

    def notes(self, borrower_id: str) -> list[dict[str, Any]]:
        n = t.account_note
        rows = self.connection.execute(
            select(n.c.note_id, n.c.loan_id, n.c.author, n.c.text, n.c.created_at)
            .where(n.c.borrower_id == borrower_id)
            .order_by(n.c.created_at.desc(), n.c.note_id.desc())
        )
        return [dict(row._mapping) for row in rows]
