"""A project's checklists, inline with htmx: each action answers its stage's checklist fragment."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..clock import local_today
from ..extensions import db
from ..forms import attempt, form_status
from ..htmx import render, wants_fragment
from ..models import ChecklistItem, Project
from . import bp, operations, policy
from .forms import ItemForm, form_version, saved_item, stage_of, stale_notice
from .queries import get_item_or_404, get_project_or_404, items_by_stage, people_of_unit, person
from .views import show_context
from .workflow import Stage


def _checklist(project: Project, stage: Stage, form: ItemForm | None = None, editing: int | None = None,
               status: int = 200, stale=None):
    if not wants_fragment():
        if status >= 400 and form is not None:
            return render("projects/show.html", status=status, **show_context(
                get_project_or_404(project.id, current_user, full=True), item_form=form, form_stage=stage))
        return redirect(url_for("projects.show", project_id=project.id) + f"#checklist-{stage.value}")
    items = items_by_stage(project)[stage]
    return render("projects/_checklist.html", "projects/_checklist.html", status=status, project=project,
                  stage=stage, stage_items=items, item_form=form or ItemForm(), form_stage=stage, editing=editing,
                  people=people_of_unit(project.unit), can_edit=policy.can_edit(current_user, project),
                  can_edit_item=policy.can_edit_item, today=local_today(), stale=stale)


def _item_editor(project: Project, item: ChecklistItem, form: ItemForm, status: int = 200, stale=None):
    """The item's edit form: its own page without JavaScript, inline in its checklist with htmx."""
    if not wants_fragment():
        return render("projects/item_form.html", form=form, project=project, item=item, stale=stale, status=status)
    return _checklist(project, item.stage, form, editing=item.id, status=status, stale=stale)


def _item_form(project: Project, **kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    form.assignee_id.choices = [(0, "—")] + [(u.id, u.display_name) for u in people_of_unit(project.unit)]
    return form


def _loaded(project_id: int, item_id: int, allowed) -> tuple[Project, ChecklistItem]:
    """The project and its item, 404 unless the user sees them, 403 unless `allowed(user, project, item)`."""
    project = get_project_or_404(project_id, current_user)
    item = get_item_or_404(project, item_id)
    if not allowed(current_user, project, item):
        abort(403)
    return project, item


@bp.post("/projects/<int:project_id>/items")
def add_item(project_id: int):
    project = get_project_or_404(project_id, current_user)
    if not policy.can_edit(current_user, project):
        abort(403)
    form = _item_form(project)
    stage = stage_of(form.stage.data) or abort(400)
    if not form.validate_on_submit():
        return _checklist(project, stage, form, status=422)
    operations.add_item(current_user, project, stage=stage, **form.values(person(form.assignee_id.data)))
    db.session.commit()
    return _checklist(project, stage)


@bp.route("/projects/<int:project_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(project_id: int, item_id: int):
    project, item = _loaded(project_id, item_id, policy.can_edit_item)
    form = _item_form(project, obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.assignee_id.data, form.version.data = item.assignee_id or 0, item.version
        return _item_editor(project, item, form)
    if not form.validate_on_submit():
        return _item_editor(project, item, form, status=422)
    if not attempt(form, operations.edit_item, current_user, project, item, version=form_version(form.version.data),
                   **form.values(person(form.assignee_id.data))):
        return _item_editor(project, item, form, status=form_status(form), stale=stale_notice(form, saved_item))
    db.session.commit()
    return _checklist(project, item.stage)


@bp.post("/projects/<int:project_id>/items/<int:item_id>/reorder")
def reorder_item(project_id: int, item_id: int):
    project, item = _loaded(project_id, item_id, lambda user, project, _item: policy.can_edit(user, project))
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    operations.reorder_item(current_user, project, item, direction)
    db.session.commit()
    return _checklist(project, item.stage)


@bp.post("/projects/<int:project_id>/items/<int:item_id>/tick")
def tick_item(project_id: int, item_id: int):
    project, item = _loaded(project_id, item_id, policy.can_edit_item)
    operations.tick_item(current_user, project, item, request.form.get("done") == "1")
    db.session.commit()
    return _checklist(project, item.stage)
