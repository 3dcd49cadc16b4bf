"""Writing the inbox: `notify` (called by the operations that cause a notice), marking read, settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..audit import record_activity
from ..domain_errors import N_, DomainError, NotAllowed, Reason
from ..extensions import db
from ..models import Event, Notification, NotificationSetting, OrgUnit, User, WebhookKind, utcnow
from . import channels
from .policy import can_change_settings, can_read, can_set_robot
from .queries import describe, settings_by_user


def notify(actor: User | None, recipients: Iterable[User | None], event: Event | str, subject: Any, *,
           unit_id: int | None = None, params: dict[str, Any] | None = None,
           dedupe_key: str | None = None) -> list[Notification]:
    """Write `event` about `subject` (any model with `__tablename__` and `id`) into each recipient's
    inbox, and queue its delivery to e-mail and the unit's group robot once the caller commits.

    Skipped: the actor herself (nobody is told what she just did), None and inactive users, people
    repeated in `recipients`, those who muted `event`, and those who already have a notice with
    `dedupe_key` ("once per item and level": e.g. ``f"ledger_item:{id}:supervise"``). `unit_id`
    defaults to the subject's (a unit's own id). Returns the notices written; flushes, the caller commits.
    """
    event = Event(event)
    if subject.id is None:
        db.session.flush()
    people = {u.id: u for u in recipients if u is not None and u.is_active and (actor is None or u.id != actor.id)}
    if people and dedupe_key is not None:
        for user_id in db.session.scalars(sa.select(Notification.recipient_id).where(
                Notification.dedupe_key == dedupe_key, Notification.recipient_id.in_(people))):
            people.pop(user_id, None)
    settings = settings_by_user(people)
    people = {uid: u for uid, u in people.items() if event.value not in (settings[uid].muted if uid in settings else ())}
    if not people:
        return []
    if unit_id is None:  # a unit is its own unit
        unit_id = subject.id if isinstance(subject, OrgUnit) else getattr(subject, "unit_id", None)
    title = describe(subject)
    written = [Notification(recipient_id=uid, actor_id=actor.id if actor else None, event=event,
                            subject_type=subject.__tablename__, subject_id=subject.id, unit_id=unit_id, title=title,
                            params=params or None, dedupe_key=dedupe_key) for uid in sorted(people)]
    db.session.add_all(written)
    db.session.flush()
    channels.queue_deliveries(written, people, settings, unit_id)
    return written


def mark_read(actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notices read (again: no change). Raises NotAllowed for anyone else's."""
    if not can_read(actor, notification):
        raise NotAllowed(Reason(N_("This notice is someone else's."), code="not_yours"))
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()
    return notification


def mark_all_read(actor: User) -> int:
    """Mark every unread notice of the actor read; returns how many were unread."""
    result = db.session.execute(sa.update(Notification).where(
        Notification.recipient_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.flush()
    return result.rowcount or 0


def update_settings(actor: User, user: User, *, events: Iterable[Event | str], by_email: bool,
                    email: str | None) -> NotificationSetting:
    """Set which events `user` is told of (the others muted), whether by e-mail too, and her address.

    Raises NotAllowed unless the actor is that user; DomainError (422) for e-mail without an address.
    """
    if not can_change_settings(actor, user):
        raise NotAllowed(Reason(N_("People choose their own notifications."), code="not_yours"))
    email = (email or "").strip() or None
    if by_email and not email:
        raise DomainError(Reason(N_("Give an e-mail address to receive notices by e-mail."), code="email"),
                          status=422)
    wanted = {Event(e) for e in events}
    setting = db.session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id)
    setting.muted = [e.value for e in Event if e not in wanted]
    setting.by_email = by_email
    if email != user.email:
        record_activity(actor, user, "email_changed", before={"email": user.email}, after={"email": email},
                        unit_id=user.primary_unit.id if user.primary_unit else None)
        user.email = email
    db.session.add(setting)
    db.session.flush()
    return setting


def set_unit_robot(actor: User | None, unit: OrgUnit, kind: WebhookKind | None, url: str | None,
                   secret: str | None = None) -> OrgUnit:
    """Give `unit` a group robot (kind None: none) its notices are posted to when WEBHOOKS_ENABLED.

    A blank `secret` keeps the one saved for the same kind of robot. `actor` None is the system (the
    command line). Raises NotAllowed unless the actor administers the unit; DomainError (422) for a
    URL that is not on WEBHOOK_HOSTS.
    """
    if actor is not None and not can_set_robot(actor, unit):
        raise NotAllowed(Reason(N_("Only administrators of the unit change the organisation tree."), code="admin"))
    if kind is not None and not channels.robot_host_allowed(url or ""):
        raise DomainError(Reason(N_("The robot's address is https:// on %(hosts)s."),
                                 {"hosts": "、".join(current_app.config["WEBHOOK_HOSTS"])}, code="url"), status=422)
    before = {"webhook_kind": unit.webhook_kind.value if unit.webhook_kind else None}
    if not secret and kind is not None and kind == unit.webhook_kind:
        secret = unit.webhook_secret
    unit.webhook_kind = kind
    unit.webhook_url = url if kind else None
    unit.webhook_secret = (secret or None) if kind else None
    record_activity(actor, unit, "robot_changed", before=before,
                    after={"webhook_kind": kind.value if kind else None}, unit_id=unit.id)
    db.session.flush()
    return unit
