"""Who may do what to a project and to the catalogue: pure predicates used by templates, views and operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain_errors import N_, NotAllowed, Reason
from ..models import ChecklistItem, OrgUnit, Project, Role, User

#: The roles that run a unit's projects.
RUNNERS = (Role.admin, Role.leader, Role.secretary)


def can_edit(user: User, project: Project) -> bool:
    """Secretaries and leaders over the carrying unit edit it; a member only a project they own."""
    return user.has_role_over(project.unit, *RUNNERS) or project.owner_id == user.id


can_move = can_edit


def can_edit_item(user: User, project: Project, item: ChecklistItem) -> bool:
    """Whoever may edit the project, and the member the item is assigned to."""
    return can_edit(user, project) or item.assignee_id == user.id


def can_approve(user: User, project: Project) -> bool:
    """A leader of the assigning unit (of the carrying unit when none is set) approves (立项审批)."""
    unit = project.assigning_unit if project.assigning_unit_id else project.unit
    return user.has_role_over(unit, Role.leader, Role.admin)


def can_record_verdict(user: User, project: Project) -> bool:
    """Leaders and secretaries over the unit record the 验收意见, never the project's own owner."""
    return user.id != project.owner_id and user.has_role_over(project.unit, *RUNNERS)


def can_create_in(user: User, unit: OrgUnit) -> bool:
    """Secretaries, leaders and admins over a unit start its projects."""
    return user.has_role_over(unit, *RUNNERS)


def can_create(user: User) -> bool:
    """Whoever runs some unit (secretary, leader, admin) starts projects and reassigns their owners."""
    return bool(user.scope_paths(*RUNNERS))


def can_reassign(user: User, project: Project) -> bool:
    """Secretaries, leaders and admins over the carrying unit give a project another owner (not its owner alone)."""
    return user.has_role_over(project.unit, *RUNNERS)


def can_assign_templates(user: User) -> bool:
    """Leaders (and admins) assign templates down to many branches."""
    return bool(user.scope_paths(Role.leader, Role.admin))


def can_assign_to(user: User, unit: OrgUnit) -> bool:
    """A leader (or admin) assigns a template's project to the units of their subtree."""
    return user.has_role_over(unit, Role.leader, Role.admin)


def can_configure_categories(user: User) -> bool:
    """Admins (over any unit) keep the category list."""
    return bool(user.scope_paths(Role.admin))


def can_edit_templates(user: User) -> bool:
    """Leaders and admins create and edit project templates (templates are shared by the whole tracker)."""
    return can_assign_templates(user)


def authorise(actor: User | None, allowed: Callable[..., bool], *records: Any,
              message: str = N_("You do not have permission to do this."), code: str = "not_allowed") -> None:
    """Raise NotAllowed (403) with `message` unless `allowed(actor, *records)`; `actor` None is the system
    (a command, the demo), which may do everything. Operations call it before they change anything."""
    if actor is not None and not allowed(actor, *records):
        raise NotAllowed(Reason(message, code=code))
