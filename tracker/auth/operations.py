"""Authentication and password operations (no request, no templates)."""

from __future__ import annotations

import sqlalchemy as sa

from ..audit import record_activity
from ..extensions import db
from ..models import User, utcnow
from ..reasons import N_, DomainError, Reason
from .passwords import hash_password, needs_rehash, verify_password


def find_user(username: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.username == username.strip().lower())).first()


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (never saying which part was wrong)."""
    user = find_user(username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the user's password; raises DomainError if `current` is wrong."""
    if not verify_password(user.password_hash, current):
        raise DomainError(Reason(N_("The current password is not correct."), code="wrong_password"), status=422)
    user.password_hash = hash_password(new)
    record_activity(user, user, "password_changed", unit_id=None)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
