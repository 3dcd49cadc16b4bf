"""Reading accounts for logging in."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import User


def find_user(username: str) -> User | None:
    """The account with this username (any case, surrounding spaces ignored), or None."""
    return db.session.scalars(sa.select(User).where(User.username == username.strip().lower())).first()
