"""Project pages: the board, the list, a project with its approval and verdict, the project form."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..audit import timeline
from ..clock import local_today
from ..domain_errors import DomainError
from ..extensions import db
from ..forms import attempt, form_status
from ..hooks import problem_counts
from ..htmx import redirect_to, render, wants_fragment
from ..i18n import reason_text
from ..models import Project
from ..pagination import paginate
from ..scoping import get_unit_or_404
from ..uploads import ACCEPT_ATTRIBUTE, attachments_of, store_upload
from . import bp, operations, policy
from .forms import (
    ItemForm, MoveForm, ProjectForm, ReassignForm, RefuseApprovalForm, VerdictForm, form_version, saved_project,
    stage_of, stale_notice,
)
from .queries import (
    SORTS, BoardFilters, board as build_board, categories, checklist_progress, get_project_or_404, items_by_stage,
    people_by_ids, people_in_scope, people_of_unit, person, project_choices, projects_list, unit_choices,
)
from .workflow import FORWARD, ORDER, move_kind

@bp.before_request
@login_required
def _require_login():
    pass


def safe_next(default: str) -> str:
    """The `next` URL the request carries when it stays on this site, else `default`."""
    target = request.values.get("next") or ""
    parsed = urlparse(target)
    return target if target.startswith("/") and not parsed.netloc and not target.startswith("//") else default


# --- Board -----------------------------------------------------------------------------------

_ID_SLOT = 987654321  # an id no URL carries, replaced by each card's id


def card_context() -> dict:
    """What every board card shows that does not depend on the card, built once per request."""
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


def _board_filters() -> BoardFilters:
    args = request.args
    unit = get_unit_or_404(args["unit"], current_user) if args.get("unit", type=int) else None
    return BoardFilters(unit=unit, owner_id=args.get("owner", type=int), category_id=args.get("category", type=int),
                        year=args.get("year", type=int), quarter=args.get("quarter", type=int),
                        overdue=args.get("overdue") == "1",
                        lanes=args.get("lanes") if args.get("lanes") in ("unit", "owner") else "")


@bp.get("/board")
def board():
    filters, today = _board_filters(), local_today()
    board_ = build_board(current_user._get_current_object(), filters, today)
    return render("projects/board.html", board=board_, filters=filters,
                  today=today, stages=ORDER, units=unit_choices(current_user), owners=people_in_scope(current_user),
                  categories=categories(include_inactive=True), card=card_context(), next=request.full_path)


# --- List, bulk reassignment -----------------------------------------------------------------


@bp.get("/projects")
def index():
    q = request.args.get("q", "").strip()
    stage = stage_of(request.args.get("stage"))
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "due"
    page = paginate(projects_list(current_user, q, stage, sort), request.args.get("page", 1, type=int),
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
    projects = [get_project_or_404(pid, current_user) for pid in form.project_ids.data]
    if not all(policy.can_reassign(current_user, p) for p in projects):
        abort(403)
    owner = person(form.owner_id.data)
    changed = operations.reassign_owners(current_user, projects, owner)
    db.session.commit()
    flash(_("%(n)d projects now belong to %(name)s.", n=changed, name=owner.display_name), "success")
    return redirect(safe_next(url_for("projects.index")))


# --- Create and edit -------------------------------------------------------------------------


def _values(form: ProjectForm) -> dict:
    return form.values(person(form.owner_id.data), people_by_ids(form.participant_ids.data))


@bp.route("/projects/new", methods=["GET", "POST"])
def new():
    if not policy.can_create(current_user):
        abort(403)
    form = ProjectForm()
    form.set_choices(project_choices(current_user))
    if request.method == "GET":
        form.owner_id.data, form.start_date.data = current_user.id, local_today()
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        if not policy.can_create_in(current_user, unit):
            abort(403)
        assigning = get_unit_or_404(form.assigning_unit_id.data, current_user) if form.assigning_unit_id.data else None
        project = attempt(form, operations.create_project, current_user, unit=unit, assigning_unit=assigning,
                          **_values(form), default="title")
        if project:
            return _created(project)
    return render("projects/form.html", form=form, project=None, status=form_status(form))


def _created(project: Project):
    """Commit a new project and open its page, saying so."""
    db.session.commit()
    flash(_("Project %(code)s created.", code=project.code), "success")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = get_project_or_404(project_id, current_user, full=True)
    if not policy.can_edit(current_user, project):
        abort(403)
    form = ProjectForm(obj=project)
    form.set_choices(project_choices(current_user, project), project)
    if request.method == "GET":
        form.load(project)
    if form.validate_on_submit() and attempt(
            form, operations.update_project, current_user, project, version=form_version(form.version.data) or 0,
            **_values(form), default="title"):
        db.session.commit()
        flash(_("Project %(code)s saved.", code=project.code), "success")
        return redirect(url_for("projects.show", project_id=project.id))
    return render("projects/form.html", form=form, project=project, stale=stale_notice(form, saved_project),
                  status=form_status(form))


# --- One project -----------------------------------------------------------------------------


def show_context(project: Project, **extra) -> dict:
    """What the project page shows; `extra` holds forms refused on it and other additions."""
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
    project = get_project_or_404(project_id, current_user, full=True)
    return render("projects/show.html", **show_context(project))


@bp.post("/projects/<int:project_id>/move")
def move(project_id: int):
    project = get_project_or_404(project_id, current_user)
    if not policy.can_move(current_user, project):
        abort(403)
    form = MoveForm()
    to = stage_of(form.to.data) or abort(400)
    try:
        operations.move_project(current_user, project, to, reason=form.reason.data)
    except DomainError as error:
        if wants_fragment():
            raise  # the flash area shows it; the board puts a dragged card back
        return _refused_move(project, error)
    db.session.commit()
    flash(_("%(code)s moved to %(stage)s.", code=project.code, stage=str(to.label)), "success")
    if request.form.get("view") == "card" and wants_fragment():
        return render("projects/_card.html", "projects/_card.html", project=project, today=local_today(),
                      progress=checklist_progress(project), movable={project.id}, card=card_context(),
                      next=safe_next(url_for("projects.board")))
    return redirect_to(safe_next(url_for("projects.show", project_id=project.id)))


def _refused_move(project: Project, error: DomainError):
    """Without JavaScript, a refused move goes back where it came from with the reasons in the flash."""
    db.session.rollback()
    flash(_("%(title)s: %(reasons)s", title=reason_text(error.title),
            reasons=" ".join(reason_text(r) for r in error.reasons)), "error")
    return redirect(safe_next(url_for("projects.show", project_id=project.id)))


def _decide(project_id: int, allowed, operation, done, form=None, field: str = "", form_key: str = "",
            valid: bool = True):
    """One decision on the project page (approve, ask again for approval, refuse it, record the verdict):
    403 unless `allowed(user, project)`; `operation(user, project[, the form's field])`, commit and the
    project page flashing `done(project)`; a refused form (422) is shown on the project page again."""
    project = get_project_or_404(project_id, current_user, full=form is not None)
    if not allowed(current_user, project):
        abort(403)
    if form is None:
        operation(current_user, project)
    elif not (valid and attempt(form, operation, current_user, project, form[field].data, default=field)):
        return render("projects/show.html", status=422, **show_context(project, **{form_key: form}))
    db.session.commit()
    flash(done(project), "success")
    return redirect_to(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/approve")
def approve(project_id: int):
    return _decide(project_id, policy.can_approve, operations.approve_project,
                   lambda p: _("Project %(code)s approved.", code=p.code))


@bp.post("/projects/<int:project_id>/approval/request")
def request_approval(project_id: int):
    return _decide(project_id, policy.can_edit, operations.request_approval,
                   lambda p: _("Approval of %(code)s asked for again.", code=p.code))


@bp.post("/projects/<int:project_id>/approval/refuse")
def refuse_approval(project_id: int):
    return _decide(project_id, policy.can_approve, operations.refuse_approval,
                   lambda p: _("The approval of %(code)s is refused; the owner is told why.", code=p.code),
                   RefuseApprovalForm(), "reason", "refuse_form")


@bp.post("/projects/<int:project_id>/verdict")
def verdict(project_id: int):
    form = VerdictForm()
    return _decide(project_id, policy.can_record_verdict, operations.record_verdict,
                   lambda p: _("The check verdict is recorded."), form, "verdict", "verdict_form",
                   form.validate_on_submit())


@bp.post("/projects/<int:project_id>/attachments")
def upload(project_id: int):
    project = get_project_or_404(project_id, current_user)
    if not policy.can_edit(current_user, project):
        abort(403)
    try:
        store_upload(current_user, request.files.get("file"), owner=project, unit_id=project.unit_id)
    except DomainError as error:
        db.session.rollback()
        project = get_project_or_404(project_id, current_user, full=True)
        return render("projects/show.html", status=error.status, **show_context(
            project, upload_error=" ".join(reason_text(r) for r in error.reasons)))
    db.session.commit()
    flash(_("File attached."), "success")
    return redirect(url_for("projects.show", project_id=project.id))
