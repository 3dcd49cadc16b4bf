"""Project pages: the board, the list, a project with its checklists, forms and templates."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..clock import local_today
from ..extensions import db
from ..htmx import redirect_to, render, wants_fragment
from ..i18n import reason_text
from ..hooks import problem_counts
from ..models import OrgUnit, Project, ProjectTemplate, ProjectType, Role, User
from ..pagination import paginate
from ..people import sort_people
from ..domain_errors import DomainError, StaleEdit
from ..scoping import get_unit_or_404, visible
from ..uploads import ACCEPT_ATTRIBUTE, attachments_of, store_upload
from . import bp, operations, policy
from .forms import (
    AssignForm, ItemForm, MoveForm, ProjectForm, ReassignForm, RefuseApprovalForm, VerdictForm, stage_of,
)
from .operations import TargetInput
from .queries import (
    BoardFilters, assignable_units, board as build_board, categories, category_choices, items_by_stage,
    load_item_or_404, load_project_or_404, people_in_scope, people_of_unit, unit_choices,
)
from .workflow import ORDER, Stage, move_kind

_RUNNERS = (Role.admin, Role.leader, Role.secretary)


@bp.before_request
@login_required
def _require_login():
    pass


def _safe_next(default: str) -> str:
    target = request.values.get("next") or ""
    parsed = urlparse(target)
    return target if target.startswith("/") and not parsed.netloc and not target.startswith("//") else default


# --- Board -----------------------------------------------------------------------------------

_ID_SLOT = 987654321  # an id no URL carries, replaced by each card's id


def card_context() -> dict:
    """What every board card shows that does not depend on the card, built once per request."""
    from flask_wtf.csrf import generate_csrf

    from .workflow import FORWARD

    return {
        "id_slot": str(_ID_SLOT),
        "move_url": url_for("projects.move", project_id=_ID_SLOT),
        "show_url": url_for("projects.show", project_id=_ID_SLOT),
        "csrf": generate_csrf(),
        "stages": {s: str(s.label) for s in ORDER},
        "forward": {s: [t for t in ORDER if t in FORWARD[s]] for s in ORDER},
        "due": _("Due date"), "overdue": _("overdue"), "progress": _("Checklist progress"),
        "cycle": _("Cycle %(n)d").replace("%(n)d", "%d"), "move": _("Move the project"),
        "move_label": _("Move %(title)s to").replace("%(title)s", "%s"),
    }



@bp.get("/board")
def board():
    args = request.args
    unit = get_unit_or_404(args["unit"], current_user) if args.get("unit", type=int) else None
    filters = BoardFilters(unit=unit, owner_id=args.get("owner", type=int), category_id=args.get("category", type=int),
                           year=args.get("year", type=int), quarter=args.get("quarter", type=int),
                           overdue=args.get("overdue") == "1",
                           lanes=args.get("lanes") if args.get("lanes") in ("unit", "owner") else "")
    today = local_today()
    board_ = build_board(current_user._get_current_object(), filters, today)
    return render("projects/board.html", board=board_, filters=filters,
                  today=today, stages=ORDER, units=unit_choices(current_user), owners=people_in_scope(current_user),
                  categories=categories(include_inactive=True), card=card_context(), next=request.full_path)


# --- List, bulk reassignment -----------------------------------------------------------------

SORTS = {
    "due": (Project.due_date, Project.id),
    "code": (Project.year.desc(), Project.seq.desc()),
    "updated": (Project.updated_at.desc(), Project.id.desc()),
    "title": (Project.title, Project.id),
}


@bp.get("/projects")
def index():
    q = request.args.get("q", "").strip()
    stage = stage_of(request.args.get("stage"))
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "due"
    stmt = visible(sa.select(Project), Project, current_user)
    if q:
        stmt = stmt.where(sa.or_(Project.title.contains(q, autoescape=True), Project.code.contains(q, autoescape=True)))
    if stage:
        stmt = stmt.where(Project.stage == stage)
    page = paginate(stmt.order_by(*SORTS[sort]), request.args.get("page", 1, type=int),
                    current_app.config["PAGE_SIZE"])
    can_reassign = policy.can_create(current_user)
    return render("projects/index.html", "projects/_table.html", page=page, q=q, stage=stage, sort=sort,
                  today=local_today(), stages=ORDER, can_reassign=can_reassign,
                  can_create=policy.can_create(current_user), can_edit=policy.can_edit,
                  owners=people_in_scope(current_user) if can_reassign else [],
                  form=ReassignForm())


@bp.post("/projects/reassign")
def reassign():
    if not policy.can_create(current_user):
        abort(403)
    form = ReassignForm()
    form.owner_id.choices = [(u.id, u.display_name) for u in people_in_scope(current_user)]
    form.project_ids.choices = [(i, str(i)) for i in request.form.getlist("project_ids", type=int)]
    if not form.validate_on_submit():
        for error in form.errors.values():
            flash(" ".join(str(e) for e in error), "error")
        return redirect(url_for("projects.index"))
    projects = [load_project_or_404(pid, current_user) for pid in form.project_ids.data]
    if not all(policy.can_edit(current_user, p) and current_user.has_role_over(p.unit, *_RUNNERS) for p in projects):
        abort(403)
    owner = db.session.get(User, form.owner_id.data)
    changed = operations.reassign_owners(projects, owner, current_user)
    db.session.commit()
    flash(_("%(n)d projects now belong to %(name)s.", n=changed, name=owner.display_name), "success")
    return redirect(_safe_next(url_for("projects.index")))


# --- Create and edit -------------------------------------------------------------------------


def _fill_choices(form: ProjectForm, project: Project | None = None) -> None:
    """The form's choices; editing, also the project's own units and people even when outside the
    editor's scope (an assigned project's 下达单位 sits above its owner's branch), so a save keeps them."""
    form.unit_id.choices = unit_choices(current_user, *_RUNNERS)
    form.assigning_unit_id.choices = [(0, "—")] + unit_choices(current_user)
    form.category_id.choices = [(0, "—")] + [(c.id, c.name) for c in categories()]
    people = people_in_scope(current_user)
    if project is not None:
        # Neither unit is edited here: the choices hold exactly the saved ones.
        form.unit_id.choices = [(project.unit_id, project.unit.name)]
        form.assigning_unit_id.choices = [(project.assigning_unit_id or 0, project.assigning_unit.name
                                           if project.assigning_unit else "—")]
        form.unit_id.data, form.assigning_unit_id.data = project.unit_id, project.assigning_unit_id or 0
        # A deactivated category stays on the projects that have it.
        form.category_id.choices = [(0, "—")] + category_choices(project.category_id)
        people = sort_people({u.id: u for u in [*people, project.owner, *project.participants]}.values())
    form.owner_id.choices = [(u.id, u.display_name) for u in people]
    form.participant_ids.choices = [(u.id, u.display_name) for u in people]


def _targets_of(form: ProjectForm) -> list[TargetInput]:
    return [TargetInput(t.indicator.data, t.measure.data or "", t.target_value.data, t.actual_value.data)
            for t in form.target_rows if (t.indicator.data or "").strip()]


def _field_errors(form: ProjectForm, error: DomainError) -> None:
    for reason in error.reasons:
        field = {"title": form.title, "due_date": form.due_date}.get(reason.code)
        if reason.code == "targets":
            field = form.target_rows.entries[0].target_value if form.target_rows.entries else form.title
        (field or form.title).errors.append(reason_text(reason))


def _person(form: ProjectForm) -> User | None:
    """The owner chosen in `form` (its choices were checked by the form: in scope, or the saved one)."""
    return db.session.get(User, form.owner_id.data) if form.owner_id.data else None


def _people(form: ProjectForm) -> list[User]:
    ids = form.participant_ids.data or []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)))) if ids else []


def _assignee(form: ItemForm) -> User | None:
    """The assignee chosen in `form` (one of the people of the project's unit, checked by the form)."""
    return db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None


@bp.route("/projects/new", methods=["GET", "POST"])
def new():
    if not policy.can_create(current_user):
        abort(403)
    form = ProjectForm()
    _fill_choices(form)
    if request.method == "GET":
        form.owner_id.data = current_user.id
        form.start_date.data = local_today()
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        if not policy.can_create_in(current_user, unit):
            abort(403)
        assigning = get_unit_or_404(form.assigning_unit_id.data, current_user) if form.assigning_unit_id.data else None
        try:
            project = operations.create_project(
                current_user, title=form.title.data, unit=unit, owner=_person(form),
                start_date=form.start_date.data, due_date=form.due_date.data, description=form.description.data or "",
                category_id=form.category_id.data or None, type=ProjectType(form.type.data),
                assigning_unit=assigning, quarter=form.quarter.data or None, needs_approval=form.needs_approval.data,
                participants=_people(form), targets=_targets_of(form))
        except DomainError as error:
            _field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Project %(code)s created.", code=project.code), "success")
            return redirect(url_for("projects.show", project_id=project.id))
    return render("projects/form.html", form=form, project=None, status=422 if form.errors else 200)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = load_project_or_404(project_id, current_user, full=True)
    if not policy.can_edit(current_user, project):
        abort(403)
    form = ProjectForm(obj=project)
    _fill_choices(form, project)
    if request.method == "GET":
        form.load(project)
    stale = None
    if form.validate_on_submit():
        try:
            operations.update_project(
                current_user, project, version=_version(form.version.data) or 0, title=form.title.data,
                description=form.description.data or "", category_id=form.category_id.data or None,
                type=ProjectType(form.type.data), owner=_person(form),
                start_date=form.start_date.data, due_date=form.due_date.data, quarter=form.quarter.data or None,
                needs_approval=form.needs_approval.data, participants=_people(form),
                targets=_targets_of(form))
        except StaleEdit as error:
            stale = SimpleNamespace(reasons=error.reasons, current=_saved_values(project))
            form.version.data = project.version
        except DomainError as error:
            _field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Project %(code)s saved.", code=project.code), "success")
            return redirect(url_for("projects.show", project_id=project.id))
    status = 409 if stale else 422 if form.errors else 200
    return render("projects/form.html", form=form, project=project, stale=stale, status=status)


def _version(value) -> int | None:
    """The version a form showed, None when it sent none; anything but a number reads as an old form (0)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _number(value) -> str:
    return format(Decimal(value).normalize(), "f")


def _saved_values(project: Project) -> SimpleNamespace:
    """The saved project as a person reads it, field by field of the form (for the stale-edit notice)."""
    def actual(t) -> str:
        return _number(t.actual_value) + t.measure if t.actual_value is not None else "—"

    targets = [_("%(indicator)s: target %(target)s%(measure)s, actual %(actual)s", indicator=t.indicator,
                 target=_number(t.target_value), measure=t.measure, actual=actual(t)) for t in project.targets]
    return SimpleNamespace(
        title=project.title, description=project.description, category_id=project.category_id or 0,
        type=project.type.value, owner_id=project.owner_id, start_date=project.start_date,
        due_date=project.due_date, quarter=project.quarter or 0, needs_approval=project.needs_approval,
        participant_ids="、".join(u.display_name for u in project.participants) or None,
        target_rows="；".join(targets) or None)


# --- One project -----------------------------------------------------------------------------


def _show_context(project: Project, **extra) -> dict:
    return dict(project=project, items=items_by_stage(project), stages=ORDER, today=local_today(),
                activities=timeline(project), attachments=attachments_of(project),
                problems=problem_counts("project", project.id), accept=ACCEPT_ATTRIBUTE,
                can_edit=policy.can_edit(current_user, project),
                can_approve=policy.can_approve(current_user, project),
                can_record_verdict=policy.can_record_verdict(current_user, project),
                can_edit_item=policy.can_edit_item, move_kind=move_kind,
                verdict_form=extra.pop("verdict_form", None) or VerdictForm(verdict=project.verdict),
                refuse_form=extra.pop("refuse_form", None) or RefuseApprovalForm(formdata=None),
                item_form=ItemForm(), people=people_of_unit(project.unit), **extra)


@bp.get("/projects/<int:project_id>")
def show(project_id: int):
    project = load_project_or_404(project_id, current_user, full=True)
    return render("projects/show.html", **_show_context(project))


@bp.post("/projects/<int:project_id>/move")
def move(project_id: int):
    project = load_project_or_404(project_id, current_user)
    if not policy.can_move(current_user, project):
        abort(403)
    form = MoveForm()
    to = stage_of(form.to.data)
    if to is None:
        abort(400)
    try:
        operations.move_project(project, to, current_user, reason=form.reason.data)
    except DomainError as error:
        if wants_fragment():
            raise  # the flash area shows it; the board puts a dragged card back
        return _refused_move(project, error)
    db.session.commit()
    flash(_("%(code)s moved to %(stage)s.", code=project.code, stage=_stage_name(to)), "success")
    if request.form.get("view") == "card" and wants_fragment():
        return render("projects/_card.html", "projects/_card.html", project=project, today=local_today(),
                      progress=_progress(project), movable={project.id}, card=card_context(),
                      next=_safe_next(url_for("projects.board")))
    return redirect_to(_safe_next(url_for("projects.show", project_id=project.id)))


def _refused_move(project: Project, error: DomainError):
    """Without JavaScript, a refused move goes back where it came from with the reasons in the flash."""
    db.session.rollback()
    flash(_("%(title)s: %(reasons)s", title=reason_text(error.title),
            reasons=" ".join(reason_text(r) for r in error.reasons)), "error")
    return redirect(_safe_next(url_for("projects.show", project_id=project.id)))


def _stage_name(stage: Stage) -> str:
    return str(stage.label)


def _progress(project: Project) -> tuple[int, int]:
    from ..models import ChecklistItem

    done, total = db.session.execute(sa.select(sa.func.count(ChecklistItem.done_at), sa.func.count())
                                     .where(ChecklistItem.project_id == project.id)).one()
    return done, total


@bp.post("/projects/<int:project_id>/approve")
def approve(project_id: int):
    project = load_project_or_404(project_id, current_user)
    if not policy.can_approve(current_user, project):
        abort(403)
    operations.approve_project(project, current_user)
    db.session.commit()
    flash(_("Project %(code)s approved.", code=project.code), "success")
    return redirect_to(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/approval/refuse")
def refuse_approval(project_id: int):
    project = load_project_or_404(project_id, current_user, full=True)
    if not policy.can_approve(current_user, project):
        abort(403)
    form = RefuseApprovalForm()
    try:
        operations.refuse_approval(current_user, project, form.reason.data)
    except DomainError as error:
        if error.status != 422:
            raise
        form.reason.errors = [reason_text(r) for r in error.reasons]
        return render("projects/show.html", status=422, **_show_context(project, refuse_form=form))
    db.session.commit()
    flash(_("The approval of %(code)s is refused; the owner is told why.", code=project.code), "success")
    return redirect_to(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/approval/request")
def request_approval(project_id: int):
    project = load_project_or_404(project_id, current_user)
    if not policy.can_edit(current_user, project):
        abort(403)
    operations.request_approval(current_user, project)
    db.session.commit()
    flash(_("Approval of %(code)s asked for again.", code=project.code), "success")
    return redirect_to(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/verdict")
def verdict(project_id: int):
    project = load_project_or_404(project_id, current_user, full=True)
    if not policy.can_record_verdict(current_user, project):
        abort(403)
    form = VerdictForm()
    if form.validate_on_submit():
        try:
            operations.record_verdict(project, current_user, form.verdict.data)
        except DomainError as error:
            if error.status != 422:
                raise
            form.verdict.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("The check verdict is recorded."), "success")
            return redirect_to(url_for("projects.show", project_id=project.id))
    return render("projects/show.html", status=422, **_show_context(project, verdict_form=form))


@bp.post("/projects/<int:project_id>/attachments")
def upload(project_id: int):
    project = load_project_or_404(project_id, current_user)
    if not policy.can_edit(current_user, project):
        abort(403)
    try:
        store_upload(current_user, request.files.get("file"), owner=project, unit_id=project.unit_id)
    except DomainError as error:
        db.session.rollback()
        project = load_project_or_404(project_id, current_user, full=True)
        return render("projects/show.html", status=error.status, **_show_context(
            project, upload_error=" ".join(reason_text(r) for r in error.reasons)))
    db.session.commit()
    flash(_("File attached."), "success")
    return redirect(url_for("projects.show", project_id=project.id))


# --- Checklists (inline with htmx; each answers the stage's checklist fragment) ----------------


def _checklist(project: Project, stage: Stage, form: ItemForm | None = None, editing: int | None = None,
               status: int = 200, stale=None):
    if not wants_fragment():
        if status >= 400 and form is not None:
            return render("projects/show.html", status=status, **_show_context(
                load_project_or_404(project.id, current_user, full=True), item_form=form, form_stage=stage))
        return redirect(url_for("projects.show", project_id=project.id) + f"#checklist-{stage.value}")
    items = items_by_stage(project)[stage]
    return render("projects/_checklist.html", "projects/_checklist.html", status=status, project=project,
                  stage=stage, stage_items=items, item_form=form or ItemForm(), form_stage=stage, editing=editing,
                  people=people_of_unit(project.unit), can_edit=policy.can_edit(current_user, project),
                  can_edit_item=policy.can_edit_item, today=local_today(), stale=stale)


def _item_fields(form: ItemForm, project: Project) -> None:
    form.assignee_id.choices = [(0, "—")] + [(u.id, u.display_name) for u in people_of_unit(project.unit)]


@bp.post("/projects/<int:project_id>/items")
def add_item(project_id: int):
    project = load_project_or_404(project_id, current_user)
    if not policy.can_edit(current_user, project):
        abort(403)
    form = ItemForm()
    _item_fields(form, project)
    stage = stage_of(form.stage.data)
    if stage is None:
        abort(400)
    if not form.validate_on_submit():
        return _checklist(project, stage, form, status=422)
    operations.add_item(project, current_user, stage=stage, text=form.text.data, is_required=form.is_required.data,
                        assignee=_assignee(form), due_date=form.due_date.data)
    db.session.commit()
    return _checklist(project, stage)


@bp.route("/projects/<int:project_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(project_id: int, item_id: int):
    project = load_project_or_404(project_id, current_user)
    item = load_item_or_404(project, item_id)
    if not policy.can_edit_item(current_user, project, item):
        abort(403)
    form = ItemForm(obj=item if request.method == "GET" else None)
    _item_fields(form, project)
    if request.method == "GET":
        form.assignee_id.data, form.version.data = item.assignee_id or 0, item.version
        return _item_editor(project, item, form)
    if not form.validate_on_submit():
        return _item_editor(project, item, form, status=422)
    try:
        operations.edit_item(item, project, current_user, text=form.text.data, is_required=form.is_required.data,
                             assignee=_assignee(form), due_date=form.due_date.data,
                             version=_version(form.version.data))
    except StaleEdit as error:
        form.version.data = item.version
        stale = SimpleNamespace(reasons=error.reasons, current=SimpleNamespace(
            text=item.text, is_required=item.is_required, assignee_id=item.assignee_id or 0, due_date=item.due_date))
        return _item_editor(project, item, form, status=409, stale=stale)
    db.session.commit()
    return _checklist(project, item.stage)


def _item_editor(project: Project, item, form: ItemForm, status: int = 200, stale=None):
    """The item's edit form: its own page without JavaScript, inline in its checklist with htmx."""
    if not wants_fragment():
        return render("projects/item_form.html", form=form, project=project, item=item, stale=stale, status=status)
    return _checklist(project, item.stage, form, editing=item.id, status=status, stale=stale)


@bp.post("/projects/<int:project_id>/items/<int:item_id>/reorder")
def reorder_item(project_id: int, item_id: int):
    project = load_project_or_404(project_id, current_user)
    item = load_item_or_404(project, item_id)
    if not policy.can_edit(current_user, project):
        abort(403)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    operations.reorder_item(item, project, current_user, direction)
    db.session.commit()
    return _checklist(project, item.stage)


@bp.post("/projects/<int:project_id>/items/<int:item_id>/tick")
def tick_item(project_id: int, item_id: int):
    project = load_project_or_404(project_id, current_user)
    item = load_item_or_404(project, item_id)
    if not policy.can_edit_item(current_user, project, item):
        abort(403)
    operations.tick_item(item, project, current_user, request.form.get("done") == "1")
    db.session.commit()
    return _checklist(project, item.stage)


# --- Templates -------------------------------------------------------------------------------


@bp.get("/projects/templates")
def templates():
    if not policy.can_create(current_user):
        abort(403)
    from .queries import template_usage

    can_edit = policy.can_edit_templates(current_user)
    stmt = sa.select(ProjectTemplate).order_by(ProjectTemplate.is_active.desc(), ProjectTemplate.id)
    rows = db.session.scalars(stmt if can_edit else stmt.where(ProjectTemplate.is_active.is_(True))).all()
    return render("projects/templates.html", templates=rows, stages=ORDER, usage=template_usage(),
                  can_assign=policy.can_assign_templates(current_user), can_edit_templates=can_edit,
                  can_configure_categories=policy.can_configure_categories(current_user))


def _assigning_unit_for(units: list[OrgUnit]) -> OrgUnit | None:
    """The leader's unit covering all the chosen branches (the 下达单位)."""
    held = sorted((m.unit for m in current_user.memberships if m.role in (Role.leader, Role.admin)),
                  key=lambda u: -len(u.path))
    return next((u for u in held if all(x.is_within(u) for x in units)), None)


@bp.route("/projects/templates/<int:template_id>/assign", methods=["GET", "POST"])
def assign(template_id: int):
    if not policy.can_assign_templates(current_user):
        abort(403)
    template = db.session.get(ProjectTemplate, template_id)
    if template is None or not template.is_active:
        abort(404)
    form = AssignForm()
    offered, not_offered = assignable_units(current_user)
    form.unit_ids.choices = [(u.id, u.name) for u in offered]
    if request.method == "GET":
        form.start_date.data = local_today()
    elif form.all_units.data:
        form.unit_ids.data = [u.id for u in offered]
    if form.validate_on_submit():
        units = [get_unit_or_404(uid, current_user) for uid in form.unit_ids.data]
        try:
            projects = operations.assign_template(
                template, units, current_user, start_date=form.start_date.data, due_date=form.due_date.data,
                assigning_unit=_assigning_unit_for(units), recurring=form.recurring.data)
        except DomainError as error:
            form.unit_ids.errors = list(form.unit_ids.errors) + [reason_text(r) for r in error.reasons]
        else:
            db.session.commit()
            _flash_assigned(template, units, projects)
            return redirect(url_for("projects.board"))
    return render("projects/assign.html", form=form, tpl=template, not_offered=not_offered,
                  status=422 if form.errors else 200)


def _flash_assigned(template: ProjectTemplate, units: list[OrgUnit], projects: list[Project]) -> None:
    flash(_("%(n)d projects assigned from the template %(name)s.", n=len(projects), name=template.name), "success")
    made = {p.unit_id for p in projects}
    skipped = [u.name for u in units if u.id not in made]
    if skipped:
        flash(_("%(units)s already have this period's project from the template; none was added again.",
                units="、".join(skipped)), "info")

