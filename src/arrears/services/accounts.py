"""Accounts: people who sign in (staff by role, borrowers to their own loans), their
sessions and API tokens, and sign-in throttling.

Passwords are hashed with argon2id (RFC 9106; OWASP's password storage advice). A
session or token is a random secret given once to its holder; the store keeps only its
SHA-256, so a copy of the database signs no one in. After ``MAX_FAILURES`` failed
sign-ins for a username (or ``MAX_FAILURES_PER_ADDRESS`` from one address) within
``THROTTLE_WINDOW``, sign-in is refused until the window passes (NIST SP 800-63B
5.2.2, rate limiting).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from arrears.domain.access import User, UserRole
from arrears.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from arrears.services.ports import UnitOfWork

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 50
MIN_PASSWORD_LENGTH = 10  # SP 800-63B asks at least 8; we ask a little more
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{2,63}")

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username does not exist, so that a wrong username takes
    as long as a wrong password and does not tell which usernames exist (made once, when
    first needed: hashing on import would slow every start of the CLI)."""
    return _hasher.hash("not a password of anyone")


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    session_token: str  # goes in the cookie, nowhere else
    csrf_token: str
    expires_at: datetime


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(
    uow_factory: Callable[[], UnitOfWork], username: str, role: str, password: str,
    now: datetime, *, display_name: str | None = None, borrower_id: str | None = None,
    language: str | None = None,
) -> User:  # fmt: skip
    """Create an account. A borrower's names their borrower id; a staff account none."""
    chosen = _role(role)
    _check_username(username)
    check_password(password)
    if chosen is UserRole.BORROWER and not borrower_id:
        raise InvalidInput("a borrower's account needs --borrower: the borrower id it is for")
    if chosen is not UserRole.BORROWER and borrower_id:
        raise InvalidInput(f"a {chosen} account is not a borrower's: leave out --borrower")
    with uow_factory() as uow:
        if uow.accounts.user_named(username) is not None:
            raise Conflict(f"the username {username!r} is taken")
        if borrower_id and not uow.contacts.has_borrower(borrower_id):
            raise NotFound(f"no borrower {borrower_id!r}")
        user_id = uow.accounts.add_user(
            username, chosen.value, _hasher.hash(password), now,
            display_name=display_name, borrower_id=borrower_id, language=language,
        )  # fmt: skip
        uow.commit()
    return User(user_id, username, chosen, display_name, borrower_id, language)


def list_users(uow_factory: Callable[[], UnitOfWork]) -> list[User]:
    with uow_factory() as uow:
        return uow.accounts.users()


def set_disabled(
    uow_factory: Callable[[], UnitOfWork], username: str, disabled: bool, now: datetime
) -> None:
    """Disable an account (its sessions end at once; its tokens stop working) or enable it."""
    with uow_factory() as uow:
        found = uow.accounts.user_named(username)
        if found is None:
            raise NotFound(f"no user {username!r}")
        uow.accounts.set_disabled(username, now if disabled else None)
        if disabled:
            uow.accounts.end_sessions_of(found[0].user_id)
        uow.commit()


def sign_in(
    uow_factory: Callable[[], UnitOfWork], username: str, password: str, address: str,
    now: datetime, lifetime: timedelta = SESSION_LIFETIME,
) -> SignedIn | None:  # fmt: skip
    """A new session for the right password; None for a wrong one (or no such user)."""
    with uow_factory() as uow:
        _throttle(uow, username, address, now)
        found = uow.accounts.user_named(username)
        user, stored = found if found is not None else (None, _dummy_hash())
        good = _verify(stored, password) and user is not None and not user.disabled
        uow.accounts.record_login(username[:64], address[:64], good, now)
        if not good or user is None:
            uow.commit()
            return None
        if _hasher.check_needs_rehash(stored):
            uow.accounts.set_password(user.user_id, _hasher.hash(password))
        session_token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + lifetime
        uow.accounts.drop_expired_sessions(now)
        uow.accounts.add_session(secret_hash(session_token), user.user_id, csrf_token, now, expires)
        uow.commit()
    return SignedIn(user, session_token, csrf_token, expires)


def session_user(
    uow_factory: Callable[[], UnitOfWork], session_token: str, now: datetime
) -> tuple[User, str] | None:
    """The signed-in user of a live session and the session's CSRF token."""
    with uow_factory() as uow:
        return uow.accounts.session_user(secret_hash(session_token), now)


def sign_out(uow_factory: Callable[[], UnitOfWork], session_token: str) -> None:
    with uow_factory() as uow:
        uow.accounts.end_session(secret_hash(session_token))
        uow.commit()


def issue_token(
    uow_factory: Callable[[], UnitOfWork], username: str, name: str, now: datetime
) -> str:
    """A new API token for ``username`` (shown once), named for the integration using it."""
    with uow_factory() as uow:
        found = uow.accounts.user_named(username)
        if found is None:
            raise NotFound(f"no user {username!r}")
        token = "arr_" + secrets.token_urlsafe(32)
        uow.accounts.add_token(secret_hash(token), found[0].user_id, name, now)
        uow.commit()
    return token


def token_user(uow_factory: Callable[[], UnitOfWork], token: str) -> User | None:
    with uow_factory() as uow:
        return uow.accounts.token_user(secret_hash(token))


def set_language(uow_factory: Callable[[], UnitOfWork], user: User, language: str) -> None:
    with uow_factory() as uow:
        uow.accounts.set_language(user.user_id, language)
        uow.commit()


def change_password(
    uow_factory: Callable[[], UnitOfWork], user: User, current: str, new: str,
    session_token: str | None = None,
) -> None:
    """A new password, given the current one; every other session of the user ends."""
    check_password(new)
    with uow_factory() as uow:
        found = uow.accounts.user_named(user.username)
        if found is None or not _verify(found[1], current):
            raise Forbidden("the current password is not right")
        uow.accounts.set_password(user.user_id, _hasher.hash(new))
        keep = secret_hash(session_token) if session_token else None
        uow.accounts.end_sessions_of(user.user_id, keep)
        uow.commit()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _throttle(uow: UnitOfWork, username: str, address: str, now: datetime) -> None:
    since = now - THROTTLE_WINDOW
    by_name = uow.accounts.failed_logins(since, username=username)
    by_address = uow.accounts.failed_logins(since, address=address)
    if by_name >= MAX_FAILURES or by_address >= MAX_FAILURES_PER_ADDRESS:
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            f"too many failed sign-ins; try again in {minutes} minutes",
            int(THROTTLE_WINDOW.total_seconds()),
        )


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _role(role: str) -> UserRole:
    try:
        return UserRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in UserRole)
        raise InvalidInput(f"no role {role!r}; the roles are {roles}") from None


def _check_username(username: str) -> None:
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "a username is 3–64 letters, digits, dots, dashes, underscores or @,"
            " starting with a letter or digit"
        )
