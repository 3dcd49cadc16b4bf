"""Assigning project templates to branches and generating the projects recurring templates owe.

Every function takes the actor first (None is the system: the `generate-recurring` command), checks
the policy (NotAllowed) and only flushes; each project is made by `operations.create_project`, which
records it. One project per template × unit × period, however it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa

from ..audit import record_activity
from ..domain_errors import N_, refuse
from ..extensions import db
from ..models import (
    ChecklistItem, GeneratedProject, OrgUnit, Project, ProjectTemplate, Recurrence, TemplateSubscription, User,
)
from . import policy
from .operations import TargetInput, create_project
from .periods import parse_period, period_of, quarter_of, recurring_title
from .policy import authorise
from .queries import generated_units
from .workflow import Stage


def _authorise_units(actor: User | None, units: Sequence[OrgUnit]) -> None:
    """NotAllowed unless `actor` assigns templates, and to each of `units`."""
    authorise(actor, policy.can_assign_templates)
    for unit in units:
        authorise(actor, policy.can_assign_to, unit)


def instantiate(actor: User | None, template: ProjectTemplate, unit: OrgUnit, owner: User, *,
                start_date: date, due_date: date | None = None, assigning_unit: OrgUnit | None = None,
                title: str | None = None, quarter: int | None = None) -> Project:
    """One project from a template: its default targets and its checklist per stage.

    Raises NotAllowed unless `actor` assigns templates to `unit` (a leader or admin over it).
    """
    _authorise_units(actor, [unit])
    due_date = due_date or start_date + timedelta(days=template.duration_days)
    project = create_project(
        actor, title=title or f"{unit.name}{template.name}", unit=unit, owner=owner, start_date=start_date,
        due_date=due_date, description=template.description, category_id=template.category_id,
        type=template.type, assigning_unit=assigning_unit, quarter=quarter or quarter_of(start_date),
        needs_approval=template.needs_approval, template=template,
        targets=[TargetInput(t.indicator, t.measure, t.target_value)
                 for t in sorted(template.targets, key=lambda t: (t.position, t.id or 0))],
    )
    positions: dict[Stage, int] = {}
    # Sorted here, not trusted from the loaded collection: an edit in this session may have reordered it.
    for t_item in sorted(template.items, key=lambda i: (i.position, i.id or 0)):
        positions[t_item.stage] = positions.get(t_item.stage, 0) + 1
        db.session.add(ChecklistItem(project_id=project.id, stage=t_item.stage, text=t_item.text,
                                     is_required=t_item.is_required, position=positions[t_item.stage]))
    record_activity(actor, project, "created", after={"template": template.name})
    db.session.flush()
    return project


def assign_template(actor: User, template: ProjectTemplate, units: Sequence[OrgUnit], *, start_date: date,
                    due_date: date | None = None, assigning_unit: OrgUnit | None = None,
                    recurring: bool = False) -> list[Project]:
    """One project per unit, owned by its secretary, all or none (DomainError 422 naming units without one).

    A recurring template's project belongs to the period holding `start_date` and is titled as
    `generate_recurring` titles it; a unit that already has the template's project for that period
    (assigned before, or generated) gets none again. With `recurring`, the units are also
    subscribed to the template's recurring generation. Raises NotAllowed unless `actor` assigns
    templates to every one of `units` (a leader or admin over it).
    """
    _authorise_units(actor, units)
    if not units:
        raise refuse(N_("Choose at least one branch."), "units")
    owners = {u.id: u.secretary for u in units}
    missing = [u.name for u in units if owners[u.id] is None]
    if missing:
        raise refuse(N_("These units have no secretary to own the project: %(units)s."), "units",
                     units="、".join(missing))
    projects = []
    if template.recurrence is Recurrence.none:
        projects = [instantiate(actor, template, u, owners[u.id], start_date=start_date, due_date=due_date,
                                assigning_unit=assigning_unit) for u in units]
    else:
        label, period_start, _end, _quarter = period_of(template.recurrence, start_date)
        done = generated_units(template, label)
        for unit in units:
            if unit.id in done:
                continue
            project = instantiate(actor, template, unit, owners[unit.id], start_date=start_date, due_date=due_date,
                                  assigning_unit=assigning_unit,
                                  title=recurring_title(unit, template, template.recurrence, period_start))
            db.session.add(GeneratedProject(template_id=template.id, unit_id=unit.id, period=label,
                                            project_id=project.id))
            projects.append(project)
    if recurring and template.recurrence is not Recurrence.none:
        for unit in units:
            exists = db.session.scalar(sa.select(TemplateSubscription.id).where(
                TemplateSubscription.template_id == template.id, TemplateSubscription.unit_id == unit.id))
            if exists is None:
                db.session.add(TemplateSubscription(template_id=template.id, unit_id=unit.id,
                                                    assigning_unit_id=assigning_unit.id if assigning_unit else None))
    db.session.flush()
    return projects


def generate_recurring(actor: User | None, period: str) -> list[Project]:
    """Create the projects recurring templates owe for `period`; running it twice creates nothing new.

    A unit that already has the template's project for the period (the leader assigned it in that
    period, or an earlier run made it) gets none again: one project per template × unit × period.
    `actor` None is the system (the command); a person must assign templates to each unit owed one
    (NotAllowed otherwise).
    """
    authorise(actor, policy.can_assign_templates)
    recurrence, start, end, quarter = parse_period(period)
    label = period_of(recurrence, start)[0]
    created: list[Project] = []
    subscriptions = db.session.scalars(
        sa.select(TemplateSubscription).join(ProjectTemplate)
        .where(ProjectTemplate.recurrence == recurrence, ProjectTemplate.is_active.is_(True))
        .order_by(TemplateSubscription.template_id, TemplateSubscription.unit_id)
    ).all()
    for sub in subscriptions:
        done = db.session.scalar(sa.select(GeneratedProject.id).where(
            GeneratedProject.template_id == sub.template_id, GeneratedProject.unit_id == sub.unit_id,
            GeneratedProject.period == label))
        owner = sub.unit.secretary
        if done is not None or owner is None or not sub.unit.is_active:
            continue
        assigning = db.session.get(OrgUnit, sub.assigning_unit_id) if sub.assigning_unit_id else None
        project = instantiate(actor, sub.template, sub.unit, owner, start_date=start, due_date=end,
                              assigning_unit=assigning, quarter=quarter,
                              title=recurring_title(sub.unit, sub.template, recurrence, start))
        db.session.add(GeneratedProject(template_id=sub.template_id, unit_id=sub.unit_id, period=label,
                                        project_id=project.id))
        created.append(project)
    db.session.flush()
    return created
