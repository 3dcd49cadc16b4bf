"""Creating, editing, moving and deactivating org units."""

from __future__ import annotations

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit
from ..extensions import db
from ..models import OrgUnit, UnitKind, User
from .policy import can_admin_unit, can_create_root


def _ensure_admin(actor: User | None, unit: OrgUnit | None) -> None:
    """Only admins over `unit` (for a new top-level unit: a system administrator) change the tree;
    `actor` None is the system (the first administrator, the demo)."""
    if actor is None:
        return
    if not (can_admin_unit(actor, unit) if unit is not None else can_create_root(actor)):
        raise NotAllowed(Reason(N_("Only administrators of the unit change the organisation tree."), code="admin"))


def _check_kind_under(kind: UnitKind, parent: OrgUnit | None) -> None:
    if parent is not None and kind.level <= parent.kind.level:
        raise DomainError(
            Reason(N_("A unit of this kind cannot sit under %(parent)s."), {"parent": parent.name},
                   code="kind_order"),
            status=422,
        )


def _check_name_free(name: str, parent: OrgUnit | None, exclude_id: int | None = None) -> None:
    stmt = sa.select(OrgUnit.id).where(
        OrgUnit.name == name,
        OrgUnit.parent_id == parent.id if parent else OrgUnit.parent_id.is_(None),
    )
    if exclude_id is not None:
        stmt = stmt.where(OrgUnit.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise DomainError(Reason(N_("Another unit here already has this name."), code="name_taken"), status=422)


def create_unit(actor: User | None, name: str, kind: UnitKind, parent: OrgUnit | None = None,
                sort_order: int = 0) -> OrgUnit:
    """Add a unit under `parent` (None: a top-level unit) and set its materialised path.

    Raises NotAllowed unless `actor` administers `parent`; DomainError (422) for a kind that cannot
    sit there or a name its siblings already use.
    """
    _ensure_admin(actor, parent)
    name = name.strip()
    _check_kind_under(kind, parent)
    _check_name_free(name, parent)
    unit = OrgUnit(name=name, kind=kind, parent=parent, sort_order=sort_order, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    record_activity(actor, unit, "created", after={"name": name, "kind": kind.value,
                                                   "parent": parent.name if parent else None},
                    unit_id=unit.id)
    db.session.flush()
    return unit


def update_unit(actor: User, unit: OrgUnit, *, version: int, name: str, kind: UnitKind,
                sort_order: int) -> OrgUnit:
    """Rename or re-sort a unit; refuses a stale form (StaleEdit) and a kind that breaks the tree."""
    _ensure_admin(actor, unit)
    if version != unit.version:
        raise StaleEdit(unit)
    name = name.strip()
    _check_kind_under(kind, unit.parent)
    _check_name_free(name, unit.parent, exclude_id=unit.id)
    child_levels = db.session.scalars(
        sa.select(OrgUnit.kind).where(OrgUnit.parent_id == unit.id).distinct()
    ).all()
    if any(k.level <= kind.level for k in child_levels):
        raise DomainError(Reason(N_("Its sub-units cannot sit under a unit of this kind."),
                                 code="kind_order"), status=422)
    before, after = changes(unit, {"name": name, "kind": kind, "sort_order": sort_order})
    unit.name, unit.kind, unit.sort_order = name, kind, sort_order
    if after:
        record_activity(actor, unit, "updated", before=before, after=after, unit_id=unit.id)
    db.session.flush()
    return unit


def move_unit(actor: User, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Put `unit` (with its subtree) under `new_parent`, rewriting the paths below it.

    Raises NotAllowed unless `actor` administers both; DomainError when the new parent is the unit
    itself or one of its descendants, or a top-level unit is to be moved.
    """
    _ensure_admin(actor, unit)
    _ensure_admin(actor, new_parent)
    if unit.parent_id is None:
        raise DomainError(Reason(N_("A top-level unit stays at the top."), code="root"), status=422)
    if new_parent.is_within(unit):
        raise DomainError(Reason(N_("A unit cannot be moved under itself or one of its own sub-units."),
                                 code="cycle"), status=422)
    if new_parent.id == unit.parent_id:
        return unit
    _check_kind_under(unit.kind, new_parent)
    _check_name_free(unit.name, new_parent, exclude_id=unit.id)
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.id}/"
    old_parent_name = unit.parent.name if unit.parent else None
    db.session.execute(
        sa.update(OrgUnit)
        .where(OrgUnit.path.startswith(old_prefix))
        .values(path=sa.literal(new_prefix) + sa.func.substr(OrgUnit.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    db.session.flush()
    db.session.expire_all()
    record_activity(actor, unit, "moved", before={"parent": old_parent_name},
                    after={"parent": new_parent.name}, unit_id=unit.id)
    db.session.flush()
    return unit


def set_unit_active(actor: User, unit: OrgUnit, active: bool) -> OrgUnit:
    """Deactivate or reactivate a unit; a unit with active sub-units cannot be deactivated."""
    _ensure_admin(actor, unit)
    if unit.is_active == active:
        return unit
    if not active:
        active_children = db.session.scalar(
            sa.select(sa.func.count()).where(OrgUnit.parent_id == unit.id, OrgUnit.is_active.is_(True))
        )
        if active_children:
            raise DomainError(Reason(N_("Deactivate its %(count)d active sub-units first."),
                                     {"count": active_children}, code="active_children"))
    elif unit.parent is not None and not unit.parent.is_active:
        raise DomainError(Reason(N_("Reactivate the parent unit first."), code="inactive_parent"))
    unit.is_active = active
    record_activity(actor, unit, "activated" if active else "deactivated",
                    before={"is_active": not active}, after={"is_active": active}, unit_id=unit.id)
    db.session.flush()
    return unit
