"""Writing and reading the append-only activity record (全程记录)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from .extensions import db
from .models import Activity, User


def record_activity(
    actor: User | None,
    subject: Any,
    verb: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    unit_id: int | None = None,
) -> Activity:
    """Append one activity row for `subject` (any model with an `id`); the caller commits.

    `unit_id` defaults to the subject's `unit_id`, so the timeline is scoped like its record.
    """
    if subject.id is None:
        db.session.flush()
    activity = Activity(
        actor_id=actor.id if actor else None,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        unit_id=unit_id if unit_id is not None else getattr(subject, "unit_id", None),
        verb=verb,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(activity)
    return activity


def timeline(subject: Any, limit: int = 200) -> list[Activity]:
    """The newest-first activity of one record."""
    return list(
        db.session.scalars(
            sa.select(Activity)
            .where(Activity.subject_type == subject.__tablename__, Activity.subject_id == subject.id)
            .order_by(Activity.id.desc())
            .limit(limit)
        )
    )


def names_by_id(id_column: Any, name_column: Any, ids: set[int]) -> dict[int, str]:
    """{id: name} of the rows among `ids` (one query): how a timeline or the audit view names records."""
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(id_column, name_column).where(id_column.in_(ids))).tuples().all())


def apply_changes(actor: User | None, record: Any, values: dict[str, Any], verb: str, *,
                  readable: Callable[[dict[str, Any], dict[str, Any]], None] | None = None) -> bool:
    """Set `values` on `record` and append one activity row of what changed (none when nothing did).

    `readable(before, after)` may rewrite the recorded values in place (ids as names) before they are
    written. True when something changed; the caller flushes or commits.
    """
    before, after = changes(record, values)
    if readable and after:
        readable(before, after)
    for name, value in values.items():
        setattr(record, name, value)
    if after:
        record_activity(actor, record, verb, before=before, after=after)
    return bool(after)


def changes(obj: Any, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Before/after dicts of the `fields` whose new value differs from `obj`'s (JSON-safe)."""
    before, after = {}, {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            before[name], after[name] = _plain(old), _plain(value)
    return before, after


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "value"):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
