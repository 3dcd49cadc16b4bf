"""The catalogue's pages: the category list (admins), the project templates with their editor
(leaders and admins) and assigning a template to branches (leaders)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..clock import local_today
from ..extensions import db
from ..forms import attempt, form_status, version_of
from ..htmx import render, wants_fragment
from ..models import OrgUnit, Project, ProjectTemplate
from ..scoping import get_unit_or_404
from . import bp, operations_assignment, operations_catalogue as catalogue, policy
from .forms import AssignForm, CategoryForm, TemplateForm, TemplateItemForm, TemplateTargetForm, stage_of
from .queries import (
    assignable_units, assigning_unit_for, categories as categories_list, category_choices, category_usage,
    get_category_or_404, get_template_item_or_404, get_template_or_404, get_template_target_or_404,
    project_templates, template_usage,
)
from .workflow import ORDER

#: Where a refusal of an assignment goes: beside the branches, whatever it is about.
ASSIGN_FIELDS = {"units": "unit_ids", "due_date": "unit_ids"}


def _direction() -> str:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return direction


# --- Categories (admins) ---------------------------------------------------------------------


def _require(allowed) -> None:
    if not allowed(current_user):
        abort(403)


def _categories(form: CategoryForm | None = None, *, editing: int | None = None, edit_form: CategoryForm | None = None,
                status: int = 200):
    return render("projects/categories.html", "projects/_categories.html", status=status,
                  categories=categories_list(include_inactive=True), usage=category_usage(),
                  form=form or CategoryForm(formdata=None), editing=editing, edit_form=edit_form,
                  stale=getattr(edit_form, "stale", None))


def _categories_done():
    return _categories() if wants_fragment() else redirect(url_for("projects.categories"))


@bp.route("/projects/categories", methods=["GET", "POST"])
def categories():
    _require(policy.can_configure_categories)
    if request.method == "GET":
        return _categories()
    form = CategoryForm()
    category = form.validate_on_submit() and attempt(form, catalogue.add_category, current_user, form.name.data,
                                                     default="name")
    if not category:
        return _categories(form, status=422)
    db.session.commit()
    flash(_("Category %(name)s added.", name=category.name), "success")
    return _categories_done()


@bp.route("/projects/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    _require(policy.can_configure_categories)
    category = get_category_or_404(category_id)
    if request.method == "GET":
        return _categories(editing=category.id, edit_form=CategoryForm(obj=category))
    form = CategoryForm()
    if form.validate_on_submit() and attempt(form, catalogue.rename_category, current_user, category, form.name.data,
                                             version=version_of(form), default="name"):
        db.session.commit()
        flash(_("Category renamed to %(name)s.", name=category.name), "success")
        return _categories_done()
    return _categories(editing=category.id, edit_form=form, status=409 if getattr(form, "stale", None) else 422)


@bp.post("/projects/categories/<int:category_id>/move")
def move_category(category_id: int):
    _require(policy.can_configure_categories)
    catalogue.move_category(current_user, get_category_or_404(category_id), _direction())
    db.session.commit()
    return _categories_done()


@bp.post("/projects/categories/<int:category_id>/active")
def category_active(category_id: int):
    _require(policy.can_configure_categories)
    category = get_category_or_404(category_id)
    active = request.form.get("active") == "1"
    catalogue.set_category_active(current_user, category, active)
    db.session.commit()
    flash(_("Category %(name)s is offered again.", name=category.name) if active else
          _("Category %(name)s is no longer offered for new projects.", name=category.name), "success")
    return _categories_done()


# --- Project templates: the list and assigning one (leaders) ----------------------------------


@bp.get("/projects/templates", endpoint="list_templates")
def list_templates():
    _require(policy.can_create)
    can_edit = policy.can_edit_templates(current_user)
    return render("projects/template_list.html", project_templates=project_templates(include_inactive=can_edit),
                  stages=ORDER, usage=template_usage(), can_assign=policy.can_assign_templates(current_user),
                  can_edit_templates=can_edit, can_configure_categories=policy.can_configure_categories(current_user))


@bp.route("/projects/templates/<int:template_id>/assign", methods=["GET", "POST"])
def assign(template_id: int):
    _require(policy.can_assign_templates)
    template = get_template_or_404(template_id, active=True)
    form = AssignForm()
    offered, not_offered = assignable_units(current_user)
    form.unit_ids.choices = [(u.id, u.name) for u in offered]
    if request.method == "GET":
        form.start_date.data = local_today()
    elif form.all_units.data:
        form.unit_ids.data = [u.id for u in offered]
    if form.validate_on_submit():
        units = [get_unit_or_404(uid, current_user) for uid in form.unit_ids.data]
        projects = attempt(form, operations_assignment.assign_template, current_user, template, units,
                           start_date=form.start_date.data, due_date=form.due_date.data,
                           assigning_unit=assigning_unit_for(current_user, units), recurring=form.recurring.data,
                           fields=ASSIGN_FIELDS, default="unit_ids")
        if projects is not None:
            db.session.commit()
            _flash_assigned(template, units, projects)
            return redirect(url_for("projects.board"))
    return render("projects/assign.html", form=form, project_template=template, not_offered=not_offered,
                  status=form_status(form))


def _flash_assigned(template: ProjectTemplate, units: list[OrgUnit], projects: list[Project]) -> None:
    flash(_("%(n)d projects assigned from the template %(name)s.", n=len(projects), name=template.name), "success")
    made = {p.unit_id for p in projects}
    skipped = [u.name for u in units if u.id not in made]
    if skipped:
        flash(_("%(units)s already have this period's project from the template; none was added again.",
                units="、".join(skipped)), "info")


# --- The template editor (leaders and admins) -------------------------------------------------


def _template_form(template: ProjectTemplate | None) -> TemplateForm:
    form = TemplateForm(obj=template if request.method == "GET" else None)
    form.category_id.choices = [(0, "—")] + category_choices(template.category_id if template else None)
    if request.method == "GET" and template is not None:
        form.version.data, form.type.data = template.version, template.type.value
        form.recurrence.data, form.category_id.data = template.recurrence.value, template.category_id or 0
    return form


def _editor(template: ProjectTemplate, form: TemplateForm | None = None, *, status: int = 200, **parts):
    """The template's edit page; its checklists and targets are the `_template_parts.html` fragment."""
    context = dict(project_template=template, stages=ORDER, used=template_usage().get(template.id, 0),
                   activities=timeline(template),
                   item_form=parts.pop("item_form", None) or TemplateItemForm(formdata=None),
                   target_form=parts.pop("target_form", None) or TemplateTargetForm(formdata=None),
                   form_stage=parts.pop("form_stage", None), editing_item=parts.pop("editing_item", None),
                   editing_target=parts.pop("editing_target", None), **parts)
    return render("projects/template_form.html", "projects/_template_parts.html", status=status,
                  form=form or _template_form(template), **context)


def _editable_template(template_id: int) -> ProjectTemplate:
    _require(policy.can_edit_templates)
    return get_template_or_404(template_id)


@bp.route("/projects/templates/new", methods=["GET", "POST"])
def new_template():
    _require(policy.can_edit_templates)
    form = _template_form(None)
    template = form.validate_on_submit() and attempt(form, catalogue.create_template, current_user, form.fields(),
                                                     default="name")
    if template:
        db.session.commit()
        flash(_("Template %(name)s created. Add its checklists and targets.", name=template.name), "success")
        return redirect(url_for("projects.edit_template", template_id=template.id))
    return render("projects/template_form.html", form=form, project_template=None, status=form_status(form))


@bp.route("/projects/templates/<int:template_id>/edit", methods=["GET", "POST"])
def edit_template(template_id: int):
    template = _editable_template(template_id)
    form = _template_form(template)
    if form.validate_on_submit() and attempt(form, catalogue.update_template, current_user, template, form.fields(),
                                             version=version_of(form), default="name"):
        db.session.commit()
        flash(_("Template %(name)s saved.", name=template.name), "success")
        return redirect(url_for("projects.edit_template", template_id=template.id))
    return _editor(template, form, stale=getattr(form, "stale", None), status=form_status(form))


@bp.post("/projects/templates/<int:template_id>/active")
def template_active(template_id: int):
    template = _editable_template(template_id)
    active = request.form.get("active") == "1"
    catalogue.set_template_active(current_user, template, active)
    db.session.commit()
    flash(_("Template %(name)s is offered again.", name=template.name) if active else
          _("Template %(name)s is no longer offered.", name=template.name), "success")
    return redirect(url_for("projects.list_templates"))


# --- A template's default checklist items and targets (each answers the editor's parts) --------


@dataclass(frozen=True)
class _Part:
    """A kind of part of a template the editor changes in place: its form, loader, operations and anchor."""

    form: type
    load: Callable
    add: Callable
    edit: Callable
    remove: Callable
    default: str  #: the field a refusal goes beside when its code names none
    name: str  #: "item" or "target": the editor's `<name>_form` and `editing_<name>`

    def anchor(self, record) -> str:
        return f"#template-stage-{record.stage.value}" if self.name == "item" else "#template-targets"


ITEM = _Part(TemplateItemForm, get_template_item_or_404, catalogue.add_template_item, catalogue.edit_template_item,
             catalogue.remove_template_item, "text", "item")
TARGET = _Part(TemplateTargetForm, get_template_target_or_404, catalogue.add_template_target,
               catalogue.edit_template_target, catalogue.remove_template_target, "indicator", "target")
#: The parts by their URL segment.
PARTS = {"items": ITEM, "targets": TARGET}


def _parts_done(template: ProjectTemplate, anchor: str):
    return _editor(template) if wants_fragment() else redirect(
        url_for("projects.edit_template", template_id=template.id) + anchor)


def _save_part(template: ProjectTemplate, part: _Part, form, operation, *records, anchor: str, editor: dict,
               **values):
    """Validate a part's form and run `operation(user, template, *records, **values, **form values)`:
    the editor's parts after a save, the editor with the form's errors (422) otherwise."""
    if form.validate_on_submit() and attempt(form, operation, current_user, template, *records,
                                             default=part.default, **values, **form.values()):
        db.session.commit()
        return _parts_done(template, anchor)
    return _editor(template, status=422, **{f"{part.name}_form": form}, **editor)


def _edit_part(template_id: int, part: _Part, part_id: int):
    """A part's inline edit form (GET), or saving it (POST)."""
    template = _editable_template(template_id)
    record = part.load(template, part_id)
    form = part.form(obj=record) if request.method == "GET" else part.form()
    editing = {f"editing_{part.name}": record.id}
    if request.method == "GET":
        return _editor(template, **{f"{part.name}_form": form}, **editing)
    return _save_part(template, part, form, part.edit, record, anchor=part.anchor(record), editor=editing)


def _remove_part(template_id: int, part: _Part, part_id: int):
    template = _editable_template(template_id)
    record = part.load(template, part_id)
    anchor = part.anchor(record)
    part.remove(current_user, template, record)
    db.session.commit()
    return _parts_done(template, anchor)


@bp.post("/projects/templates/<int:template_id>/items")
def add_template_item(template_id: int):
    template = _editable_template(template_id)
    form = TemplateItemForm()
    stage = stage_of(form.stage.data) or abort(400)
    return _save_part(template, ITEM, form, ITEM.add, stage=stage, anchor=f"#template-stage-{stage.value}",
                      editor=dict(form_stage=stage))


@bp.post("/projects/templates/<int:template_id>/items/<int:item_id>/reorder")
def reorder_template_item(template_id: int, item_id: int):
    template = _editable_template(template_id)
    item = get_template_item_or_404(template, item_id)
    catalogue.reorder_template_item(current_user, template, item, _direction())
    db.session.commit()
    return _parts_done(template, ITEM.anchor(item))


@bp.post("/projects/templates/<int:template_id>/targets")
def add_template_target(template_id: int):
    template = _editable_template(template_id)
    return _save_part(template, TARGET, TemplateTargetForm(), TARGET.add, anchor="#template-targets", editor={})


@bp.route("/projects/templates/<int:template_id>/<any(items, targets):parts>/<int:part_id>/edit",
          methods=["GET", "POST"])
def edit_template_part(template_id: int, parts: str, part_id: int):
    return _edit_part(template_id, PARTS[parts], part_id)


@bp.post("/projects/templates/<int:template_id>/<any(items, targets):parts>/<int:part_id>/delete")
def remove_template_part(template_id: int, parts: str, part_id: int):
    return _remove_part(template_id, PARTS[parts], part_id)
