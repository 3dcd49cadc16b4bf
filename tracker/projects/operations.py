"""Writing projects: creating, editing and moving them, approval and verdict, checklists, owners.

Every function takes the actor first (None is the system: a command, the demo), checks the policy
(NotAllowed) and the workflow, writes the activity record and only flushes; the caller commits.
The catalogue (categories, project templates) is written in `operations_catalogue`, assignment and
recurring generation in `operations_assignment`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit, refuse
from ..extensions import db
from ..inbox.operations import notify
from ..models import ChecklistItem, Event, OrgUnit, Project, ProjectTemplate, ProjectType, Target, User, utcnow
from . import policy
from .ordering import move_one_place
from .policy import authorise
from .queries import approvers, due_checklist_items, due_projects, gate_facts, stage_items
from .workflow import GateFacts, Stage, ensure_transition, move_kind, next_cycle


@dataclass
class TargetInput:
    """One quantified target as a form or a template gives it."""

    indicator: str
    measure: str = ""
    target_value: Decimal | int | float = 0
    actual_value: Decimal | int | float | None = None


def _titled(message: str, project: Project) -> Reason:
    """The title of a refusal on `project`, naming it (`message` holds %(code)s)."""
    return Reason(message, {"code": project.code, "title": project.title})


def _check_fields(title: str, start_date: date, due_date: date, targets: Sequence[TargetInput]) -> None:
    """Refuse (422) an empty title, a due date before the start and negative targets; `code` names the field."""
    if not title.strip():
        raise refuse(N_("Enter a title."), "title")
    if due_date < start_date:
        raise refuse(N_("The due date cannot be before the start date."), "due_date")
    for t in targets:
        if Decimal(str(t.target_value)) < 0 or (t.actual_value is not None and Decimal(str(t.actual_value)) < 0):
            raise refuse(N_("Targets and actual values cannot be negative."), "targets")


def _next_seq(year: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Project.seq)).where(Project.year == year)) or 0) + 1


def create_project(actor: User | None, *, title: str, unit: OrgUnit, owner: User, start_date: date,
                   due_date: date, description: str = "", category_id: int | None = None,
                   type: ProjectType = ProjectType.promotion, assigning_unit: OrgUnit | None = None,
                   year: int | None = None, quarter: int | None = None, needs_approval: bool = False,
                   participants: Iterable[User] = (), targets: Sequence[TargetInput] = (),
                   template: ProjectTemplate | None = None) -> Project:
    """Create a project in the plan stage with a code `XM-<year>-<seq>` numbered per year.

    Raises NotAllowed unless `actor` runs `unit` (secretary, leader, admin over it); DomainError (422,
    `code` = field) for bad input.
    """
    authorise(actor, policy.can_create_in, unit)
    _check_fields(title, start_date, due_date, targets)
    year = year or start_date.year
    seq = _next_seq(year)
    project = Project(
        code=f"XM-{year}-{seq:04d}", year=year, seq=seq, title=title.strip(), description=description.strip(),
        category_id=category_id, type=type, unit=unit, unit_id=unit.id,
        assigning_unit_id=assigning_unit.id if assigning_unit else None,
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
    notify(actor, [owner, *project.participants], Event.assigned, project)
    if needs_approval:
        notify(actor, approvers(project), Event.approval_asked, project)
    return project


def update_project(actor: User, project: Project, *, version: int, title: str, description: str,
                   category_id: int | None, type: ProjectType, owner: User, start_date: date, due_date: date,
                   quarter: int | None, needs_approval: bool, participants: Iterable[User],
                   targets: Sequence[TargetInput]) -> Project:
    """Save the edit form; refuses a stale form (StaleEdit) and bad input (422, `code` = field).

    Raises NotAllowed unless `actor` may edit the project.
    """
    authorise(actor, policy.can_edit, project)
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
    told = []
    if project.owner_id != owner.id:
        before["owner"], after["owner"] = project.owner.display_name, owner.display_name
        project.owner, project.owner_id = owner, owner.id
        told.append(owner)
    new_participants = sorted({u.id: u for u in participants}.values(), key=lambda u: u.id)
    if [u.id for u in project.participants] != [u.id for u in new_participants]:
        told += [u for u in new_participants if u not in project.participants]
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
    notify(actor, told, Event.assigned, project)
    db.session.flush()
    return project


def move_project(actor: User | None, project: Project, to: Stage, reason: str | None = None) -> Project:
    """Move the project to stage `to` if its gate allows (DomainError 409 with every reason otherwise).

    A move to an earlier stage (退回) needs `reason`. Back from rectify to check the cycle goes up
    and the previous verdict is cleared, since the new check needs its own. Raises NotAllowed unless
    `actor` may move the project.
    """
    authorise(actor, policy.can_move, project)
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
    if kind == "back":
        notify(actor, [project.owner], Event.returned, project, params={"note": reason.strip(), "stage": to.value})
    elif to is Stage.done:
        notify(actor, [project.owner], Event.closed, project)
    db.session.flush()
    return project


def record_verdict(actor: User, project: Project, text: str) -> Project:
    """Record the check verdict (验收意见); the owner may not judge their own project, nor anyone but a
    secretary or leader over the unit (NotAllowed, 403); 422 without a text, 409 outside the check stage."""
    if not text.strip():
        raise refuse(N_("Write the verdict."), "verdict")
    if actor.id == project.owner_id:
        raise NotAllowed(Reason(N_("The project owner cannot record the verdict on their own project."),
                                code="verdict_by_owner"))
    authorise(actor, policy.can_record_verdict, project)
    if project.stage not in (Stage.check, Stage.rectify):
        raise DomainError(Reason(N_("A verdict is recorded in the check stage."), code="stage"),
                          title=_titled(N_("Cannot record a verdict on %(code)s now"), project))
    before = {"verdict": project.verdict}
    project.verdict, project.verdict_by_id, project.verdict_at = text.strip(), actor.id, utcnow()
    record_activity(actor, project, "verdict_recorded", before=before, after={"verdict": project.verdict})
    notify(actor, [project.owner], Event.verdict, project, params={"note": project.verdict})
    db.session.flush()
    return project


def approve_project(actor: User, project: Project) -> Project:
    """Approve the project (立项审批); only meaningful while it waits for approval (not refused since).

    Raises NotAllowed unless `actor` approves for the project (a leader of the assigning unit).
    """
    authorise(actor, policy.can_approve, project, code="approve",
              message=N_("Only a leader of the assigning unit approves this project."))
    _ensure_waiting_for_approval(project, N_("Cannot approve %(code)s now"))
    project.approved_by_id, project.approved_at = actor.id, utcnow()
    record_activity(actor, project, "approved")
    notify(actor, [project.owner], Event.approval_decided, project, params={"approved": True})
    db.session.flush()
    return project


def refuse_approval(actor: User, project: Project, reason: str | None) -> Project:
    """Refuse 立项审批 with a reason (422 without one): recorded and shown until the owner asks again.

    Raises NotAllowed unless `actor` approves for the project (a leader of the assigning unit).
    """
    authorise(actor, policy.can_approve, project, code="approve",
              message=N_("Only a leader of the assigning unit approves this project."))
    _ensure_waiting_for_approval(project, N_("Cannot refuse the approval of %(code)s now"))
    if not (reason or "").strip():
        raise refuse(N_("Write why the project is not approved."), "reason")
    project.approval_refusal = reason.strip()
    project.approval_refused_by_id, project.approval_refused_at = actor.id, utcnow()
    record_activity(actor, project, "approval_refused", note=project.approval_refusal)
    notify(actor, [project.owner], Event.approval_decided, project,
           params={"approved": False, "note": project.approval_refusal})
    db.session.flush()
    return project


def request_approval(actor: User, project: Project) -> Project:
    """Ask again for 立项审批 after a refusal (the project revised); the refusal stays in the timeline."""
    authorise(actor, policy.can_edit, project, code="request",
              message=N_("Only the owner, or a secretary or leader over the unit, asks for approval."))
    if project.approval_refused_at is None:
        raise DomainError(Reason(N_("The approval of this project was not refused."), code="approval"),
                          title=_titled(N_("Cannot ask again for the approval of %(code)s"), project))
    before = {"approval_refusal": project.approval_refusal}
    project.approval_refusal, project.approval_refused_by_id, project.approval_refused_at = None, None, None
    record_activity(actor, project, "approval_requested", before=before)
    notify(actor, approvers(project), Event.approval_asked, project)
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


def add_item(actor: User | None, project: Project, *, stage: Stage, text: str, is_required: bool = True,
             assignee: User | None = None, due_date: date | None = None) -> ChecklistItem:
    """Append an item to a stage's checklist (NotAllowed unless `actor` may edit the project)."""
    authorise(actor, policy.can_edit, project)
    if not text.strip():
        raise refuse(N_("Enter the item's text."), "text")
    position = (db.session.scalar(sa.select(sa.func.max(ChecklistItem.position)).where(
        ChecklistItem.project_id == project.id, ChecklistItem.stage == stage)) or 0) + 1
    item = ChecklistItem(project_id=project.id, stage=stage, text=text.strip(), is_required=is_required,
                         assignee_id=assignee.id if assignee else None, due_date=due_date, position=position)
    db.session.add(item)
    db.session.flush()
    record_activity(actor, project, "item_added", after={"item": item.text, "stage": stage.value})
    notify(actor, [assignee], Event.assigned, project, params={"item": item.text})
    return item


def edit_item(actor: User, project: Project, item: ChecklistItem, *, text: str, is_required: bool,
              assignee: User | None, due_date: date | None, version: int | None = None) -> ChecklistItem:
    """Save a checklist item's text, required flag, assignee and due date; the timeline names the item
    and records only what changed. A form passes the `version` it showed: StaleEdit when it is old.
    NotAllowed unless `actor` may edit the item (the project's editors, its assignee)."""
    authorise(actor, policy.can_edit_item, project, item)
    if version is not None and version != item.version:
        raise StaleEdit(item)
    if not text.strip():
        raise refuse(N_("Enter the item's text."), "text")
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
    if "assignee" in after:
        notify(actor, [assignee], Event.assigned, project, params={"item": item.text})
    db.session.flush()
    return item


def reorder_item(actor: User, project: Project, item: ChecklistItem, direction: str) -> ChecklistItem:
    """Move an item one place up or down within its stage's checklist (NotAllowed unless `actor` may
    edit the project)."""
    authorise(actor, policy.can_edit, project)
    if move_one_place(stage_items(project, item.stage), item, direction):
        record_activity(actor, project, "item_reordered", after={"item": item.text})
    db.session.flush()
    return item


def tick_item(actor: User, project: Project, item: ChecklistItem, done: bool) -> ChecklistItem:
    """Tick (recording who and when) or untick an item (NotAllowed unless `actor` may edit the item)."""
    authorise(actor, policy.can_edit_item, project, item)
    if done == item.is_done:
        return item
    if done:
        item.done_by_id, item.done_at = actor.id, utcnow()
    else:
        item.done_by_id, item.done_at = None, None
    record_activity(actor, project, "item_ticked" if done else "item_unticked", after={"item": item.text})
    db.session.flush()
    return item


def reassign_owners(actor: User, projects: Sequence[Project], owner: User) -> int:
    """Give every project in `projects` the new owner; returns how many changed.

    All or none: NotAllowed unless `actor` runs the carrying unit of every one (its owner alone may not).
    """
    for project in projects:
        authorise(actor, policy.can_reassign, project)
    changed = 0
    for project in projects:
        if project.owner_id == owner.id:
            continue
        record_activity(actor, project, "owner_changed", before={"owner": project.owner.display_name},
                        after={"owner": owner.display_name})
        project.owner, project.owner_id = owner, owner.id
        notify(actor, [owner], Event.assigned, project)
        changed += 1
    db.session.flush()
    return changed


# --- Deadlines: the daily notices ---------------------------------------------------------------


def send_due_notices(actor: User | None, today: date) -> int:
    """Tell the owner of every unfinished project, and the assignee of every open checklist item, that
    its due date is near (once within 7 days of it, once more within 3) or passed (once): each once per
    due date, however often this runs. `actor` None is the system (the daily task). Returns how many
    notices were written."""
    written = 0
    for project, days in due_projects(today):
        written += _due_notice(actor, project.owner, project, f"project:{project.id}:{project.due_date}", days,
                               project.due_date)
    for item, project, days in due_checklist_items(today):
        written += _due_notice(actor, item.assignee, project, f"checklist_item:{item.id}:{item.due_date}", days,
                               item.due_date, item=item.text)
    db.session.flush()
    return written


def _due_notice(actor: User | None, person: User | None, project: Project, key: str, days: int, due: date,
                **params: str) -> int:
    event, mark = (Event.overdue, "overdue") if days < 0 else (Event.due_soon, "due3" if days <= 3 else "due7")
    return len(notify(actor, [person], event, project, params={"days": days, "deadline": due.isoformat(), **params},
                      dedupe_key=f"{key}:{mark}"))
