"""Reading the activity record for the audit view: scoped to the auditor's units, filtered, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from .. import hooks
from ..audit import names_by_id
from ..clock import local_zone
from ..extensions import db
from ..models import Activity, OrgUnit, User
from ..orgs.labels import indented_choices
from ..scoping import scoped_units, units_in_scope
from ..search.queries import matching
from .forms import ActivityFilter
from .policy import AUDITORS

#: Rows on one page of the audit view; older ones follow through `before`.
PAGE = 50


@dataclass
class Page:
    rows: list[Activity]
    units: dict[int, str]  #: unit id → name, for the rows' units
    records: dict[tuple[str, int], str]  #: (kind, id) → how the record reads, where its feature names it
    older: int | None  #: the `before` of the next (older) page, None on the last


def filter_form(user: User, args: Any) -> ActivityFilter:
    """The filter form read from `args`, its unit and kind choices those `user` may audit."""
    form = ActivityFilter(args)
    form.unit.choices = [(None, gettext("All units"))] + indented_choices(scoped_units(user, *AUDITORS))
    form.kind.choices = [("", gettext("All records"))] + sorted(
        ((name, str(kind.label)) for name, kind in hooks.record_kinds().items()), key=lambda choice: choice[1])
    return form


def in_audit_scope(user: User) -> sa.ColumnElement[bool]:
    """Activity in a unit the user leads or administers; an admin also sees records of no unit
    (the shared project templates and categories, accounts)."""
    in_units = Activity.unit_id.in_(units_in_scope(user, *AUDITORS))
    return sa.or_(in_units, Activity.unit_id.is_(None)) if user.is_admin else in_units


def filtered(user: User, form: ActivityFilter) -> sa.Select:
    """SELECT the activity the (validated) filters pick, newest first."""
    stmt = sa.select(Activity).where(in_audit_scope(user)).order_by(Activity.id.desc())
    if form.person.data:
        stmt = stmt.where(Activity.actor_id.in_(sa.select(User.id).where(
            matching(form.person.data, User.full_name, User.username))))
    if form.unit.data:
        unit = db.session.get(OrgUnit, form.unit.data)
        stmt = stmt.where(Activity.unit_id.in_(OrgUnit.subtree_ids(unit.path)))
    if form.kind.data:
        stmt = stmt.where(Activity.subject_type == form.kind.data)
    if form.since.data:
        stmt = stmt.where(Activity.created_at >= local_midnight(form.since.data))
    if form.until.data:
        stmt = stmt.where(Activity.created_at < local_midnight(form.until.data + timedelta(days=1)))
    return stmt


def activity_page(user: User, form: ActivityFilter, size: int = PAGE) -> Page:
    """One page of the filtered activity, older than `form.before` if given."""
    stmt = filtered(user, form)
    if form.before.data:
        stmt = stmt.where(Activity.id < form.before.data)
    rows = list(db.session.scalars(stmt.limit(size + 1)))
    older = rows[size - 1].id if len(rows) > size else None
    rows = rows[:size]
    return Page(rows, names_by_id(OrgUnit.id, OrgUnit.name, {a.unit_id for a in rows if a.unit_id}),
                record_names(rows), older)


def record_names(rows: list[Activity]) -> dict[tuple[str, int], str]:
    """How each row's record reads, one query per kind of record."""
    by_kind: dict[str, set[int]] = {}
    for activity in rows:
        by_kind.setdefault(activity.subject_type, set()).add(activity.subject_id)
    names = {}
    for subject_type, ids in by_kind.items():
        kind = hooks.record_kinds().get(subject_type)
        for record_id, name in (kind.names(ids) if kind else {}).items():
            names[subject_type, record_id] = name
    return names


def local_midnight(day: date) -> datetime:
    """The start of `day` in the local zone (Asia/Shanghai), as an aware timestamp."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def record_label(activity: Activity) -> str:
    """What kind of record an activity is about, in the reader's language."""
    kind = hooks.record_kinds().get(activity.subject_type)
    return str(kind.label) if kind else activity.subject_type


def record_url(activity: Activity) -> str | None:
    """The page of the record an activity is about, when its feature names one."""
    kind = hooks.record_kinds().get(activity.subject_type)
    return url_for(kind.endpoint, **{kind.id_arg: activity.subject_id}) if kind else None
