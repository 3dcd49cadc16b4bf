"""Authentication and password operations (no request, no templates)."""

from __future__ import annotations

import sqlalchemy as sa

from ..audit import record_activity
from ..database import end_transaction
from ..extensions import db
from ..models import User, utcnow
from ..domain_errors import N_, DomainError, Reason
from .passwords import hash_password, needs_rehash, verify_password
from .queries import find_user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (never saying which part was wrong).

    The slow argon2 check runs outside any transaction (the read that found the user is ended
    first), so logins never hold SQLite's one write lock while hashing. The login is recorded by
    one UPDATE that leaves the user's version alone: two logins of one account at the same moment
    do not conflict.
    """
    user = find_user(username)
    user_id, stored, active = (user.id, user.password_hash, user.is_active) if user else (None, None, False)
    end_transaction()
    if not verify_password(stored, password) or not active:
        return None
    values = {"last_login_at": utcnow()}
    if needs_rehash(stored):
        values["password_hash"] = hash_password(password)
    db.session.execute(sa.update(User).where(User.id == user_id).values(**values))
    return db.session.get(User, user_id)


def change_password(user: User, current: str, new: str) -> User:
    """Replace the user's password; raises DomainError if `current` is wrong.

    Both hashes are computed outside any transaction (see `authenticate`).
    """
    stored = user.password_hash
    end_transaction()
    if not verify_password(stored, current):
        raise DomainError(Reason(N_("The current password is not correct."), code="wrong_password"), status=422)
    user.password_hash = hash_password(new)
    record_activity(user, user, "password_changed", unit_id=None)
    db.session.flush()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
