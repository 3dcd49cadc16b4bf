"""Reading the inbox: a person's own notices (anyone else's is a 404), the unread count, the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_login import current_user

from .. import hooks
from ..extensions import db
from ..models import Event, Notification, NotificationSetting, User

#: Notices on one page of the inbox; older ones follow through `before`.
PAGE = 50


@dataclass
class Page:
    rows: list[Notification]
    older: int | None  #: the `before` of the next (older) page, None on the last


def get_notification_or_404(notification_id: int, user: User) -> Notification:
    """One of `user`'s own notices; anyone else's, like a missing one, is a 404."""
    notice = db.session.scalar(sa.select(Notification).where(
        Notification.id == notification_id, Notification.recipient_id == user.id))
    if notice is None:
        abort(404)
    return notice


def inbox_page(user: User, before: int | None = None, size: int = PAGE) -> Page:
    """`user`'s notices newest first, older than `before` if given."""
    stmt = sa.select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id.desc())
    if before:
        stmt = stmt.where(Notification.id < before)
    rows = list(db.session.scalars(stmt.limit(size + 1)))
    return Page(rows[:size], rows[size - 1].id if len(rows) > size else None)


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0


def unread_count_of_current_user() -> int:
    """The navigation's badge: the signed-in person's unread notices (0 when nobody is signed in)."""
    return unread_count(current_user) if current_user.is_authenticated else 0


def settings_of(user: User) -> NotificationSetting:
    """`user`'s choices; everything on, no e-mail, until she saves her own."""
    return db.session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id, muted=[], by_email=False)


def wanted_events(setting: NotificationSetting) -> list[str]:
    return [e.value for e in Event if e.value not in (setting.muted or [])]


def record_url(notice: Notification) -> str | None:
    """The page of the record a notice is about, when its feature names one."""
    kind = hooks.record_kinds().get(notice.subject_type)
    return url_for(kind.endpoint, **{kind.id_arg: notice.subject_id}) if kind else None


def record_label(notice: Notification) -> str:
    """What kind of record a notice is about, in the reader's language."""
    kind = hooks.record_kinds().get(notice.subject_type)
    return str(kind.label) if kind else ""


def describe(subject: Any) -> str:
    """How a record reads in a notice, kept as it was: its feature's name for it (a code and a title),
    else its code, title or name."""
    kind = hooks.record_kinds().get(subject.__tablename__)
    name = kind.names({subject.id}).get(subject.id) if kind else None
    if not name:
        parts = [getattr(subject, a, None) for a in ("code", "title")] if hasattr(subject, "title") else []
        name = " ".join(str(p) for p in parts if p) or getattr(subject, "name", None) or f"#{subject.id}"
    return str(name)[:300]


def settings_by_user(people: dict[int, User]) -> dict[int, NotificationSetting]:
    """The saved settings of the people among `people` who have saved theirs, by user id."""
    if not people:
        return {}
    return {s.user_id: s for s in db.session.scalars(
        sa.select(NotificationSetting).where(NotificationSetting.user_id.in_(people)))}
