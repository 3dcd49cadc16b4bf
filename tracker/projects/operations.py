"""Creating, editing and moving projects; checklists; templates and recurring generation.

Every function takes an explicit actor, writes the activity record and only flushes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..extensions import db
from ..hooks import problem_counts
from ..models import (
    ChecklistItem, GeneratedProject, OrgUnit, Project, ProjectCategory, ProjectTemplate,
    ProjectType, Recurrence, Target, TemplateItem, TemplateSubscription, TemplateTarget, User, utcnow,
)
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit
from . import policy
from .workflow import GateFacts, Stage, ensure_transition, move_kind, next_cycle


@dataclass
class TargetInput:
    indicator: str
    measure: str = ""
    target_value: Decimal | int | float = 0
    actual_value: Decimal | int | float | None = None


def _input_error(message: str, field: str, **params) -> DomainError:
    return DomainError(Reason(message, params, code=field), status=422)


def _titled(message: str, project: Project) -> Reason:
    """The title of a refusal on `project`, naming it (`message` holds %(code)s)."""
    return Reason(message, {"code": project.code, "title": project.title})


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _check_fields(title: str, start_date: date, due_date: date, targets: Sequence[TargetInput]) -> None:
    """Refuse (422) an empty title, a due date before the start and negative targets; `code` names the field."""
    if not title.strip():
        raise _input_error(N_("Enter a title."), "title")
    if due_date < start_date:
        raise _input_error(N_("The due date cannot be before the start date."), "due_date")
    for t in targets:
        if Decimal(str(t.target_value)) < 0 or (t.actual_value is not None and Decimal(str(t.actual_value)) < 0):
            raise _input_error(N_("Targets and actual values cannot be negative."), "targets")


def _next_seq(year: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Project.seq)).where(Project.year == year)) or 0) + 1


def create_project(actor: User | None, *, title: str, unit: OrgUnit, owner: User, start_date: date,
                   due_date: date, description: str = "", category_id: int | None = None,
                   type: ProjectType = ProjectType.promotion, assigning_unit: OrgUnit | None = None,
                   year: int | None = None, quarter: int | None = None, needs_approval: bool = False,
                   participants: Iterable[User] = (), targets: Sequence[TargetInput] = (),
                   template: ProjectTemplate | None = None) -> Project:
    """Create a project in the plan stage with a code `XM-<year>-<seq>` numbered per year."""
    _check_fields(title, start_date, due_date, targets)
    year = year or start_date.year
    seq = _next_seq(year)
    project = Project(
        code=f"XM-{year}-{seq:04d}", year=year, seq=seq, title=title.strip(), description=description.strip(),
        category_id=category_id, type=type, unit=unit, unit_id=unit.id, assigning_unit_id=assigning_unit.id if assigning_unit else None,
        owner=owner, owner_id=owner.id, quarter=quarter, start_date=start_date, due_date=due_date,
        needs_approval=needs_approval, stage=Stage.plan, cycle=1,
        template_id=template.id if template else None, created_by_id=actor.id if actor else None,
    )
    project.participants = list(participants)
    project.targets = [Target(indicator=t.indicator.strip(), measure=t.measure.strip(), target_value=t.target_value,
                              actual_value=t.actual_value, position=i) for i, t in enumerate(targets)]
    project.checklist_items = []
    db.session.add(project)
    db.session.flush()
    record_activity(actor, project, "created", after={"code": project.code, "title": project.title,
                                                      "owner": owner.display_name})
    return project


def update_project(actor: User, project: Project, *, version: int, title: str, description: str,
                   category_id: int | None, type: ProjectType, owner: User, start_date: date, due_date: date,
                   quarter: int | None, needs_approval: bool, participants: Iterable[User],
                   targets: Sequence[TargetInput]) -> Project:
    """Save the edit form; refuses a stale form (StaleEdit) and bad input (422, `code` = field)."""
    if version != project.version:
        raise StaleEdit(project)
    _check_fields(title, start_date, due_date, targets)
    values = {
        "title": title.strip(), "description": description.strip(), "category_id": category_id, "type": type,
        "start_date": start_date, "due_date": due_date, "quarter": quarter, "needs_approval": needs_approval,
    }
    before, after = changes(project, values)
    for key, value in values.items():
        setattr(project, key, value)
    if project.owner_id != owner.id:
        before["owner"], after["owner"] = project.owner.display_name, owner.display_name
        project.owner, project.owner_id = owner, owner.id
    new_participants = sorted({u.id: u for u in participants}.values(), key=lambda u: u.id)
    if [u.id for u in project.participants] != [u.id for u in new_participants]:
        before["participants"] = ", ".join(u.display_name for u in project.participants)
        after["participants"] = ", ".join(u.display_name for u in new_participants)
        project.participants = new_participants
    old = [(t.indicator, t.measure, Decimal(t.target_value), t.actual_value) for t in project.targets]
    new = [(t.indicator.strip(), t.measure.strip(), Decimal(str(t.target_value)),
            None if t.actual_value is None else Decimal(str(t.actual_value))) for t in targets]
    if [(a, b, c, None if d is None else Decimal(d)) for a, b, c, d in old] != new:
        before["targets"] = "; ".join(f"{a} {c}{b}" for a, b, c, _ in old)
        after["targets"] = "; ".join(f"{a} {c}{b}" for a, b, c, _ in new)
        project.targets = [Target(indicator=a, measure=b, target_value=c, actual_value=d, position=i)
                           for i, (a, b, c, d) in enumerate(new)]
    if after:
        project.updated_at = utcnow()
        record_activity(actor, project, "updated", before=before, after=after)
    db.session.flush()
    return project


def gate_facts(project: Project) -> GateFacts:
    """Gather what the stage gates look at: checklists, targets, approval, verdict and the ledger."""
    rows = db.session.execute(
        sa.select(ChecklistItem.stage, ChecklistItem.is_required, sa.func.count())
        .where(ChecklistItem.project_id == project.id, ChecklistItem.done_at.is_(None))
        .group_by(ChecklistItem.stage, ChecklistItem.is_required)
    ).all()
    open_required: dict[Stage, int] = {}
    open_items: dict[Stage, int] = {}
    for stage, required, count in rows:
        open_items[stage] = open_items.get(stage, 0) + count
        if required:
            open_required[stage] = open_required.get(stage, 0) + count
    targets = db.session.scalar(sa.select(sa.func.count()).where(Target.project_id == project.id)) or 0
    problems = problem_counts("project", project.id)
    return GateFacts(
        open_required=open_required, open_items=open_items, targets=targets,
        needs_approval=project.needs_approval, approved=project.approved_at is not None,
        approval_refusal=project.approval_refusal,
        problems_open=problems.open, problems_closed=problems.closed,
        verdict_recorded=bool(project.verdict), verdict_by_owner=project.verdict_by_id == project.owner_id,
    )


def move_project(project: Project, to: Stage, actor: User, reason: str | None = None) -> Project:
    """Move the project to stage `to` if its gate allows (DomainError 409 with every reason otherwise).

    A move to an earlier stage (退回) needs `reason`. Back from rectify to check the cycle goes up
    and the previous verdict is cleared, since the new check needs its own.
    """
    source = project.stage
    kind = move_kind(source, to)
    facts = gate_facts(project) if kind == "forward" else GateFacts()
    try:
        ensure_transition(source, to, facts, reason)
    except DomainError as error:
        title = N_("Cannot send %(code)s “%(title)s” back yet") if kind == "back" else \
            N_("Cannot move %(code)s “%(title)s” on yet")
        raise error.titled(_titled(title, project)) from None
    before = {"stage": source.value, "cycle": project.cycle}
    project.cycle = next_cycle(source, to, project.cycle)
    project.stage = to
    if (source, to) == (Stage.rectify, Stage.check) or (kind == "back" and source is Stage.done):
        project.verdict, project.verdict_by_id, project.verdict_at = None, None, None
    project.updated_at = utcnow()
    after = {"stage": to.value, "cycle": project.cycle}
    if before["cycle"] == after["cycle"]:
        del before["cycle"], after["cycle"]
    record_activity(actor, project, "stage_moved" if kind == "forward" else "stage_returned",
                    before=before, after=after, note=(reason or "").strip() or None)
    db.session.flush()
    return project


def record_verdict(project: Project, actor: User, text: str) -> Project:
    """Record the check verdict (验收意见); the owner may not judge their own project (403)."""
    if not text.strip():
        raise _input_error(N_("Write the verdict."), "verdict")
    if actor.id == project.owner_id:
        raise NotAllowed(Reason(N_("The project owner cannot record the verdict on their own project."),
                                code="verdict_by_owner"))
    if project.stage not in (Stage.check, Stage.rectify):
        raise DomainError(Reason(N_("A verdict is recorded in the check stage."), code="stage"),
                          title=_titled(N_("Cannot record a verdict on %(code)s now"), project))
    before = {"verdict": project.verdict}
    project.verdict, project.verdict_by_id, project.verdict_at = text.strip(), actor.id, utcnow()
    record_activity(actor, project, "verdict_recorded", before=before, after={"verdict": project.verdict})
    db.session.flush()
    return project


def approve_project(project: Project, actor: User) -> Project:
    """Approve the project (立项审批); only meaningful while it waits for approval (not refused since)."""
    _ensure_waiting_for_approval(project, N_("Cannot approve %(code)s now"))
    project.approved_by_id, project.approved_at = actor.id, utcnow()
    record_activity(actor, project, "approved")
    db.session.flush()
    return project


def refuse_approval(actor: User, project: Project, reason: str | None) -> Project:
    """Refuse 立项审批 with a reason (422 without one): recorded and shown until the owner asks again.

    Raises NotAllowed unless `actor` approves for the project (a leader of the assigning unit).
    """
    if not policy.can_approve(actor, project):
        raise NotAllowed(Reason(N_("Only a leader of the assigning unit approves this project."), code="approve"))
    _ensure_waiting_for_approval(project, N_("Cannot refuse the approval of %(code)s now"))
    if not (reason or "").strip():
        raise _input_error(N_("Write why the project is not approved."), "reason")
    project.approval_refusal = reason.strip()
    project.approval_refused_by_id, project.approval_refused_at = actor.id, utcnow()
    record_activity(actor, project, "approval_refused", note=project.approval_refusal)
    db.session.flush()
    return project


def request_approval(actor: User, project: Project) -> Project:
    """Ask again for 立项审批 after a refusal (the project revised); the refusal stays in the timeline."""
    if not policy.can_edit(actor, project):
        raise NotAllowed(Reason(N_("Only the owner, or a secretary or leader over the unit, asks for approval."),
                                code="request"))
    if project.approval_refused_at is None:
        raise DomainError(Reason(N_("The approval of this project was not refused."), code="approval"),
                          title=_titled(N_("Cannot ask again for the approval of %(code)s"), project))
    before = {"approval_refusal": project.approval_refusal}
    project.approval_refusal, project.approval_refused_by_id, project.approval_refused_at = None, None, None
    record_activity(actor, project, "approval_requested", before=before)
    db.session.flush()
    return project


def _ensure_waiting_for_approval(project: Project, title: str) -> None:
    if not project.needs_approval or project.approved_at is not None:
        raise DomainError(Reason(N_("This project does not wait for approval."), code="approval"),
                          title=_titled(title, project))
    if project.approval_refused_at is not None:
        raise DomainError(Reason(N_("The approval was refused; the owner revises the project and asks again."),
                                 code="refused"), title=_titled(title, project))


# --- Checklists ------------------------------------------------------------------------------


def stage_items(project: Project, stage: Stage) -> list[ChecklistItem]:
    return list(db.session.scalars(
        sa.select(ChecklistItem).where(ChecklistItem.project_id == project.id, ChecklistItem.stage == stage)
        .order_by(ChecklistItem.position, ChecklistItem.id)))


def add_item(project: Project, actor: User, *, stage: Stage, text: str, is_required: bool = True,
             assignee: User | None = None, due_date: date | None = None) -> ChecklistItem:
    """Append an item to a stage's checklist."""
    if not text.strip():
        raise _input_error(N_("Enter the item's text."), "text")
    position = (db.session.scalar(sa.select(sa.func.max(ChecklistItem.position)).where(
        ChecklistItem.project_id == project.id, ChecklistItem.stage == stage)) or 0) + 1
    item = ChecklistItem(project_id=project.id, stage=stage, text=text.strip(), is_required=is_required,
                         assignee_id=assignee.id if assignee else None, due_date=due_date, position=position)
    db.session.add(item)
    db.session.flush()
    record_activity(actor, project, "item_added", after={"item": item.text, "stage": stage.value})
    return item


def edit_item(item: ChecklistItem, project: Project, actor: User, *, text: str, is_required: bool,
              assignee: User | None, due_date: date | None, version: int | None = None) -> ChecklistItem:
    """Save a checklist item's text, required flag, assignee and due date; the timeline names the item
    and records only what changed. A form passes the `version` it showed: StaleEdit when it is old."""
    if version is not None and version != item.version:
        raise StaleEdit(item)
    if not text.strip():
        raise _input_error(N_("Enter the item's text."), "text")
    values = {"item": text.strip(), "is_required": is_required, "due_date": due_date,
              "assignee": assignee.display_name if assignee else None}
    saved = {"item": item.text, "is_required": item.is_required, "due_date": item.due_date,
             "assignee": item.assignee.display_name if item.assignee else None}
    before, after = changes(SimpleNamespace(**saved), values)
    if not after:
        return item
    item.text, item.is_required, item.due_date = text.strip(), is_required, due_date
    item.assignee, item.assignee_id = assignee, assignee.id if assignee else None
    record_activity(actor, project, "item_edited", before=before, after={"item": item.text, **after})
    db.session.flush()
    return item


def reorder_item(item: ChecklistItem, project: Project, actor: User, direction: str) -> ChecklistItem:
    """Move an item one place up or down within its stage's checklist."""
    items = stage_items(project, item.stage)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, it in enumerate(items, start=1):
            it.position = position
        record_activity(actor, project, "item_reordered", after={"item": item.text})
    db.session.flush()
    return item


def tick_item(item: ChecklistItem, project: Project, actor: User, done: bool) -> ChecklistItem:
    """Tick (recording who and when) or untick an item."""
    if done == item.is_done:
        return item
    if done:
        item.done_by_id, item.done_at = actor.id, utcnow()
    else:
        item.done_by_id, item.done_at = None, None
    record_activity(actor, project, "item_ticked" if done else "item_unticked", after={"item": item.text})
    db.session.flush()
    return item


# --- Templates, assignment and recurrence ------------------------------------------------------


def secretary_of(unit: OrgUnit) -> User | None:
    """The unit's secretary, who owns what is assigned to it (`OrgUnit.secretary`)."""
    return unit.secretary


def instantiate(template: ProjectTemplate, unit: OrgUnit, owner: User, actor: User | None, *,
                start_date: date, due_date: date | None = None, assigning_unit: OrgUnit | None = None,
                title: str | None = None, quarter: int | None = None) -> Project:
    """One project from a template: its default targets and its checklist per stage."""
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


def assign_template(template: ProjectTemplate, units: Sequence[OrgUnit], actor: User, *, start_date: date,
                    due_date: date | None = None, assigning_unit: OrgUnit | None = None,
                    recurring: bool = False) -> list[Project]:
    """One project per unit, owned by its secretary, all or none (DomainError 422 naming units without one).

    A recurring template's project belongs to the period holding `start_date` and is titled as
    `generate_recurring` titles it; a unit that already has the template's project for that period
    (assigned before, or generated) gets none again. With `recurring`, the units are also
    subscribed to the template's recurring generation.
    """
    if not units:
        raise _input_error(N_("Choose at least one branch."), "units")
    owners = {u.id: secretary_of(u) for u in units}
    missing = [u.name for u in units if owners[u.id] is None]
    if missing:
        raise _input_error(N_("These units have no secretary to own the project: %(units)s."), "units",
                           units="、".join(missing))
    projects = []
    if template.recurrence is Recurrence.none:
        projects = [instantiate(template, u, owners[u.id], actor, start_date=start_date, due_date=due_date,
                                assigning_unit=assigning_unit) for u in units]
    else:
        label, period_start, _end, _quarter = period_of(template.recurrence, start_date)
        done = generated_units(template, label)
        for unit in units:
            if unit.id in done:
                continue
            project = instantiate(template, unit, owners[unit.id], actor, start_date=start_date, due_date=due_date,
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


def generated_units(template: ProjectTemplate, period: str) -> set[int]:
    """Ids of the units that already have `template`'s project for `period` (its label, e.g. 2026Q4)."""
    return set(db.session.scalars(sa.select(GeneratedProject.unit_id).where(
        GeneratedProject.template_id == template.id, GeneratedProject.period == period)))


_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def parse_period(period: str) -> tuple[Recurrence, date, date, int | None]:
    """'2026Q4' (quarterly), '2026-11' (monthly) or '2026' (yearly) → recurrence, first day, last day, quarter."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise _input_error(N_("Write the period as 2026Q4, 2026-11 or 2026."), "period")
    year = int(match.group(1))
    if match.group(2):
        q = int(match.group(2))
        start = date(year, 3 * q - 2, 1)
        end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
        return Recurrence.quarterly, start, end, q
    if match.group(3):
        month = int(match.group(3))
        start = date(year, month, 1)
        end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        return Recurrence.monthly, start, end, quarter_of(start)
    return Recurrence.yearly, date(year, 1, 1), date(year, 12, 31), None


def period_title(recurrence: Recurrence, start: date) -> str:
    """How a period reads in a generated project's title: 2026年第4季度, 2026年11月, 2026年度."""
    if recurrence is Recurrence.quarterly:
        return f"{start.year}年第{quarter_of(start)}季度"
    if recurrence is Recurrence.monthly:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年度"


def period_of(recurrence: Recurrence, day: date) -> tuple[str, date, date, int | None]:
    """The period of `recurrence` holding `day`: its label (2026Q4, 2026-11, 2026), first and last day, quarter."""
    if recurrence is Recurrence.quarterly:
        label = f"{day.year}Q{quarter_of(day)}"
    elif recurrence is Recurrence.monthly:
        label = f"{day.year}-{day.month:02d}"
    else:
        label = f"{day.year}"
    _recurrence, start, end, quarter = parse_period(label)
    return label, start, end, quarter


def recurring_title(unit: OrgUnit, template: ProjectTemplate, recurrence: Recurrence, start: date) -> str:
    """The one title of a recurring template's project, however it was made: 一支部主题党日（2026年12月）."""
    return f"{unit.name}{template.name}（{period_title(recurrence, start)}）"


def generate_recurring(period: str, actor: User | None = None) -> list[Project]:
    """Create the projects recurring templates owe for `period`; running it twice creates nothing new.

    A unit that already has the template's project for the period (the leader assigned it in that
    period, or an earlier run made it) gets none again: one project per template × unit × period.
    """
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
        owner = secretary_of(sub.unit)
        if done is not None or owner is None or not sub.unit.is_active:
            continue
        assigning = db.session.get(OrgUnit, sub.assigning_unit_id) if sub.assigning_unit_id else None
        project = instantiate(sub.template, sub.unit, owner, actor, start_date=start, due_date=end,
                              assigning_unit=assigning, quarter=quarter,
                              title=recurring_title(sub.unit, sub.template, recurrence, start))
        db.session.add(GeneratedProject(template_id=sub.template_id, unit_id=sub.unit_id, period=label,
                                        project_id=project.id))
        created.append(project)
    db.session.flush()
    return created


def reassign_owners(projects: Sequence[Project], owner: User, actor: User) -> int:
    """Give every project in `projects` the new owner; returns how many changed."""
    changed = 0
    for project in projects:
        if project.owner_id == owner.id:
            continue
        record_activity(actor, project, "owner_changed", before={"owner": project.owner.display_name},
                        after={"owner": owner.display_name})
        project.owner, project.owner_id = owner, owner.id
        changed += 1
    db.session.flush()
    return changed


# --- Configuration: the category list and the template editor ---------------------------------

CATEGORY_NAME_MAX = 50
TEMPLATE_NAME_MAX = 100


def _check_name(model, name: str, maximum: int, current_id: int | None = None) -> str:
    """The stripped name, refused (422, code "name") when empty, too long or taken by another row."""
    name = name.strip()
    if not name:
        raise _input_error(N_("Enter a name."), "name")
    if len(name) > maximum:
        raise _input_error(N_("A name has at most %(max)d characters."), "name", max=maximum)
    taken = db.session.scalar(sa.select(model.id).where(model.name == name, model.id != (current_id or 0)))
    if taken is not None:
        raise _input_error(N_("“%(name)s” already exists."), "name", name=name)
    return name


def add_category(actor: User, name: str) -> ProjectCategory:
    """Append a category at the end of the list (422 for an empty, too long or duplicate name)."""
    name = _check_name(ProjectCategory, name, CATEGORY_NAME_MAX)
    last = db.session.scalar(sa.select(sa.func.max(ProjectCategory.sort_order))) or 0
    category = ProjectCategory(name=name, sort_order=last + 1, is_active=True)
    db.session.add(category)
    db.session.flush()
    record_activity(actor, category, "category_added", after={"name": name})
    return category


def rename_category(category: ProjectCategory, actor: User, name: str, *, version: int) -> ProjectCategory:
    """Rename; projects keep the category and show the new name. StaleEdit when `version` is old."""
    if version != category.version:
        raise StaleEdit(category)
    name = _check_name(ProjectCategory, name, CATEGORY_NAME_MAX, category.id)
    if name != category.name:
        record_activity(actor, category, "category_renamed", before={"name": category.name}, after={"name": name})
        category.name = name
    db.session.flush()
    return category


def ordered_categories() -> list[ProjectCategory]:
    """Every category, active or not, in the order the lists show them."""
    from .queries import categories

    return categories(include_inactive=True)


def move_category(category: ProjectCategory, actor: User, direction: str) -> ProjectCategory:
    """Swap the category with its neighbour above ("up") or below ("down"); at an end nothing moves."""
    rows = ordered_categories()
    index = next(i for i, c in enumerate(rows) if c.id == category.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows, start=1):
            if row.sort_order != position:
                row.sort_order = position
        record_activity(actor, category, "category_moved", after={"name": category.name})
    db.session.flush()
    return category


def set_category_active(category: ProjectCategory, actor: User, active: bool) -> ProjectCategory:
    """Deactivate (no longer offered for new projects; existing ones keep it) or reactivate.

    Categories are never deleted: projects and the timeline refer to them.
    """
    if category.is_active != active:
        category.is_active = active
        record_activity(actor, category, "category_reactivated" if active else "category_deactivated",
                        after={"name": category.name})
    db.session.flush()
    return category


@dataclass
class TemplateFields:
    name: str
    category_id: int | None = None
    type: ProjectType = ProjectType.promotion
    recurrence: Recurrence = Recurrence.none
    duration_days: int = 90
    needs_approval: bool = False
    description: str = ""


def _check_template(fields: TemplateFields, current_id: int | None = None) -> dict:
    name = _check_name(ProjectTemplate, fields.name, TEMPLATE_NAME_MAX, current_id)
    if fields.duration_days < 1:
        raise _input_error(N_("A project lasts at least one day."), "duration_days")
    if fields.category_id is not None and db.session.get(ProjectCategory, fields.category_id) is None:
        raise _input_error(N_("Choose a category from the list."), "category_id")
    return {"name": name, "category_id": fields.category_id, "type": fields.type, "recurrence": fields.recurrence,
            "duration_days": fields.duration_days, "needs_approval": fields.needs_approval,
            "description": fields.description.strip()}


def create_template(actor: User, fields: TemplateFields) -> ProjectTemplate:
    """A new, empty template (its checklists and targets are added next); 422 for bad input."""
    values = _check_template(fields)
    template = ProjectTemplate(is_active=True, **values)
    template.items, template.targets = [], []
    db.session.add(template)
    db.session.flush()
    record_activity(actor, template, "template_created", after={"name": template.name})
    return template


def update_template(template: ProjectTemplate, actor: User, fields: TemplateFields, *,
                    version: int) -> ProjectTemplate:
    """Save the template's own fields; projects already made from it do not change. StaleEdit when old."""
    if version != template.version:
        raise StaleEdit(template)
    values = _check_template(fields, template.id)
    before, after = changes(template, values)
    if "category_id" in after:  # the timeline shows names, not ids
        def name(category_id):
            return db.session.get(ProjectCategory, category_id).name if category_id else None

        before["category"], after["category"] = name(before.pop("category_id")), name(after.pop("category_id"))
    for key, value in values.items():
        setattr(template, key, value)
    if after:
        record_activity(actor, template, "template_updated", before=before, after=after)
    db.session.flush()
    return template


def set_template_active(template: ProjectTemplate, actor: User, active: bool) -> ProjectTemplate:
    """An inactive template is not offered for assignment and generates no recurring projects."""
    if template.is_active != active:
        template.is_active = active
        record_activity(actor, template, "template_reactivated" if active else "template_deactivated",
                        after={"name": template.name})
    db.session.flush()
    return template


def _stage_template_items(template: ProjectTemplate, stage: Stage) -> list[TemplateItem]:
    return sorted((i for i in template.items if i.stage == stage), key=lambda i: (i.position, i.id or 0))


def _check_item_text(text: str) -> str:
    if not text.strip():
        raise _input_error(N_("Enter the item's text."), "text")
    if len(text.strip()) > 500:
        raise _input_error(N_("An item has at most %(max)d characters."), "text", max=500)
    return text.strip()


def add_template_item(template: ProjectTemplate, actor: User, *, stage: Stage, text: str,
                      is_required: bool = True) -> TemplateItem:
    """Append a default checklist item to `stage`; projects assigned from now on get it."""
    text = _check_item_text(text)
    items = _stage_template_items(template, stage)
    item = TemplateItem(stage=stage, text=text, is_required=is_required,
                        position=(max((i.position for i in items), default=0) + 1))
    template.items.append(item)
    db.session.flush()
    record_activity(actor, template, "template_item_added", after={"item": text, "stage": stage.value})
    return item


def edit_template_item(item: TemplateItem, template: ProjectTemplate, actor: User, *, text: str,
                       is_required: bool) -> TemplateItem:
    text = _check_item_text(text)
    before, after = changes(item, {"text": text, "is_required": is_required})
    if after:
        item.text, item.is_required = text, is_required
        record_activity(actor, template, "template_item_edited", before=before, after=after)
    db.session.flush()
    return item


def remove_template_item(item: TemplateItem, template: ProjectTemplate, actor: User) -> None:
    """Remove a default item; projects already made keep their own copy of it."""
    template.items.remove(item)
    record_activity(actor, template, "template_item_removed", before={"item": item.text, "stage": item.stage.value})
    db.session.flush()


def reorder_template_item(item: TemplateItem, template: ProjectTemplate, actor: User, direction: str) -> TemplateItem:
    """Move a default item one place up or down within its stage."""
    items = _stage_template_items(template, item.stage)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, it in enumerate(items, start=1):
            it.position = position
        record_activity(actor, template, "template_item_moved", after={"item": item.text})
    db.session.flush()
    return item


def _check_target(indicator: str, measure: str, target_value) -> tuple[str, str, Decimal]:
    if not indicator.strip():
        raise _input_error(N_("Enter the indicator."), "indicator")
    if target_value is None:
        raise _input_error(N_("Enter the target value."), "target_value")
    value = Decimal(str(target_value))
    if value < 0:
        raise _input_error(N_("Targets and actual values cannot be negative."), "target_value")
    return indicator.strip(), measure.strip(), value


def add_template_target(template: ProjectTemplate, actor: User, *, indicator: str, measure: str,
                        target_value) -> TemplateTarget:
    """Append a default target (indicator, unit of measure, target value ≥ 0)."""
    indicator, measure, value = _check_target(indicator, measure, target_value)
    target = TemplateTarget(indicator=indicator, measure=measure, target_value=value,
                            position=max((t.position for t in template.targets), default=-1) + 1)
    template.targets.append(target)
    db.session.flush()
    record_activity(actor, template, "template_target_added", after={"target": f"{indicator} {value:g}{measure}"})
    return target


def edit_template_target(target: TemplateTarget, template: ProjectTemplate, actor: User, *, indicator: str,
                         measure: str, target_value) -> TemplateTarget:
    indicator, measure, value = _check_target(indicator, measure, target_value)
    old = f"{target.indicator} {Decimal(target.target_value):g}{target.measure}"
    new = f"{indicator} {value:g}{measure}"
    if old != new:
        target.indicator, target.measure, target.target_value = indicator, measure, value
        record_activity(actor, template, "template_target_edited", before={"target": old}, after={"target": new})
    db.session.flush()
    return target


def remove_template_target(target: TemplateTarget, template: ProjectTemplate, actor: User) -> None:
    template.targets.remove(target)
    record_activity(actor, template, "template_target_removed",
                    before={"target": f"{target.indicator} {Decimal(target.target_value):g}{target.measure}"})
    db.session.flush()
