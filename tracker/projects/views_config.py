"""Configuration pages of projects: the category list (admins) and the template editor (leaders)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..extensions import db
from ..htmx import render, wants_fragment
from ..i18n import reason_text
from ..models import ProjectCategory, ProjectTemplate, ProjectType, Recurrence, TemplateItem, TemplateTarget
from ..domain_errors import DomainError, StaleEdit
from . import bp, operations, policy
from .forms import CategoryForm, TemplateForm, TemplateItemForm, TemplateTargetForm, stage_of
from .operations import TemplateFields
from .queries import categories as categories_list, category_choices, category_usage, template_usage
from .workflow import ORDER


def _field_errors(form, error: DomainError, default: str) -> None:
    """Put each refusal beside the field its `code` names (422 reasons only; others propagate)."""
    if error.status != 422:
        raise error
    for reason in error.reasons:
        field = form[reason.code] if reason.code in form else form[default]
        field.errors = list(field.errors) + [reason_text(reason)]


def _direction() -> str:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return direction


# --- Categories (admins) ---------------------------------------------------------------------


def _require_admin() -> None:
    if not policy.can_configure_categories(current_user):
        abort(403)


def _category_or_404(category_id: int) -> ProjectCategory:
    category = db.session.get(ProjectCategory, category_id)
    if category is None:
        abort(404)
    return category


def _categories(form: CategoryForm | None = None, *, editing: int | None = None, edit_form: CategoryForm | None = None,
                stale: StaleEdit | None = None, status: int = 200):
    return render("projects/categories.html", "projects/_categories.html", status=status,
                  categories=categories_list(include_inactive=True), usage=category_usage(),
                  form=form or CategoryForm(formdata=None), editing=editing, edit_form=edit_form, stale=stale)


@bp.route("/projects/categories", methods=["GET", "POST"])
def categories():
    _require_admin()
    if request.method == "GET":
        return _categories()
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = operations.add_category(current_user, form.name.data)
        except DomainError as error:
            _field_errors(form, error, "name")
        else:
            db.session.commit()
            flash(_("Category %(name)s added.", name=category.name), "success")
            return _categories() if wants_fragment() else redirect(url_for("projects.categories"))
    return _categories(form, status=422)


@bp.route("/projects/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    _require_admin()
    category = _category_or_404(category_id)
    if request.method == "GET":
        return _categories(editing=category.id, edit_form=CategoryForm(obj=category))
    form = CategoryForm()
    stale = None
    if form.validate_on_submit():
        try:
            operations.rename_category(category, current_user, form.name.data, version=int(form.version.data or 0))
        except StaleEdit as error:
            stale, form.version.data = error, category.version
        except DomainError as error:
            _field_errors(form, error, "name")
        else:
            db.session.commit()
            flash(_("Category renamed to %(name)s.", name=category.name), "success")
            return _categories() if wants_fragment() else redirect(url_for("projects.categories"))
    return _categories(editing=category.id, edit_form=form, stale=stale, status=409 if stale else 422)


@bp.post("/projects/categories/<int:category_id>/move")
def move_category(category_id: int):
    _require_admin()
    category = _category_or_404(category_id)
    operations.move_category(category, current_user, _direction())
    db.session.commit()
    return _categories() if wants_fragment() else redirect(url_for("projects.categories"))


@bp.post("/projects/categories/<int:category_id>/active")
def category_active(category_id: int):
    _require_admin()
    category = _category_or_404(category_id)
    active = request.form.get("active") == "1"
    operations.set_category_active(category, current_user, active)
    db.session.commit()
    flash(_("Category %(name)s is offered again.", name=category.name) if active else
          _("Category %(name)s is no longer offered for new projects.", name=category.name), "success")
    return _categories() if wants_fragment() else redirect(url_for("projects.categories"))


# --- Templates (leaders and admins) ----------------------------------------------------------


def _require_editor() -> None:
    if not policy.can_edit_templates(current_user):
        abort(403)


def _template_or_404(template_id: int) -> ProjectTemplate:
    template = db.session.get(ProjectTemplate, template_id)
    if template is None:
        abort(404)
    return template


def _fields(form: TemplateForm) -> TemplateFields:
    return TemplateFields(name=form.name.data or "", category_id=form.category_id.data or None,
                          type=ProjectType(form.type.data), recurrence=Recurrence(form.recurrence.data),
                          duration_days=form.duration_days.data, needs_approval=form.needs_approval.data,
                          description=form.description.data or "")


def _template_form(template: ProjectTemplate | None) -> TemplateForm:
    form = TemplateForm(obj=template if request.method == "GET" else None)
    form.category_id.choices = [(0, "—")] + category_choices(template.category_id if template else None)
    if request.method == "GET" and template is not None:
        form.version.data, form.type.data = template.version, template.type.value
        form.recurrence.data, form.category_id.data = template.recurrence.value, template.category_id or 0
    return form


def _editor(template: ProjectTemplate, form: TemplateForm | None = None, *, status: int = 200, **parts):
    """The template's edit page; its checklists and targets are the `_template_parts.html` fragment."""
    context = dict(tpl=template, stages=ORDER, used=template_usage().get(template.id, 0), activities=timeline(template),
                   item_form=parts.pop("item_form", None) or TemplateItemForm(formdata=None),
                   target_form=parts.pop("target_form", None) or TemplateTargetForm(formdata=None),
                   form_stage=parts.pop("form_stage", None), editing_item=parts.pop("editing_item", None),
                   editing_target=parts.pop("editing_target", None), **parts)
    return render("projects/template_form.html", "projects/_template_parts.html", status=status,
                  form=form or _template_form(template), **context)


@bp.route("/projects/templates/new", methods=["GET", "POST"])
def new_template():
    _require_editor()
    form = _template_form(None)
    if form.validate_on_submit():
        try:
            template = operations.create_template(current_user, _fields(form))
        except DomainError as error:
            _field_errors(form, error, "name")
        else:
            db.session.commit()
            flash(_("Template %(name)s created. Add its checklists and targets.", name=template.name), "success")
            return redirect(url_for("projects.edit_template", template_id=template.id))
    return render("projects/template_form.html", form=form, tpl=None, status=422 if form.errors else 200)


@bp.route("/projects/templates/<int:template_id>/edit", methods=["GET", "POST"])
def edit_template(template_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    form = _template_form(template)
    stale = None
    if form.validate_on_submit():
        try:
            operations.update_template(template, current_user, _fields(form), version=int(form.version.data or 0))
        except StaleEdit as error:
            stale, form.version.data = error, template.version
        except DomainError as error:
            _field_errors(form, error, "name")
        else:
            db.session.commit()
            flash(_("Template %(name)s saved.", name=template.name), "success")
            return redirect(url_for("projects.edit_template", template_id=template.id))
    status = 409 if stale else 422 if form.errors else 200
    return _editor(template, form, stale=stale, status=status)


@bp.post("/projects/templates/<int:template_id>/active")
def template_active(template_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    active = request.form.get("active") == "1"
    operations.set_template_active(template, current_user, active)
    db.session.commit()
    flash(_("Template %(name)s is offered again.", name=template.name) if active else
          _("Template %(name)s is no longer offered.", name=template.name), "success")
    return redirect(url_for("projects.templates"))


def _parts_done(template: ProjectTemplate, anchor: str):
    return _editor(template) if wants_fragment() else redirect(
        url_for("projects.edit_template", template_id=template.id) + anchor)


def _item_or_404(template: ProjectTemplate, item_id: int) -> TemplateItem:
    item = db.session.get(TemplateItem, item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return item


def _target_or_404(template: ProjectTemplate, target_id: int) -> TemplateTarget:
    target = db.session.get(TemplateTarget, target_id)
    if target is None or target.template_id != template.id:
        abort(404)
    return target


@bp.post("/projects/templates/<int:template_id>/items")
def add_template_item(template_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    form = TemplateItemForm()
    stage = stage_of(form.stage.data)
    if stage is None:
        abort(400)
    if form.validate_on_submit():
        try:
            operations.add_template_item(template, current_user, stage=stage, text=form.text.data,
                                         is_required=form.is_required.data)
        except DomainError as error:
            _field_errors(form, error, "text")
        else:
            db.session.commit()
            return _parts_done(template, f"#template-stage-{stage.value}")
    return _editor(template, item_form=form, form_stage=stage, status=422)


@bp.route("/projects/templates/<int:template_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_template_item(template_id: int, item_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    item = _item_or_404(template, item_id)
    if request.method == "GET":
        return _editor(template, item_form=TemplateItemForm(obj=item), editing_item=item.id)
    form = TemplateItemForm()
    if form.validate_on_submit():
        try:
            operations.edit_template_item(item, template, current_user, text=form.text.data,
                                          is_required=form.is_required.data)
        except DomainError as error:
            _field_errors(form, error, "text")
        else:
            db.session.commit()
            return _parts_done(template, f"#template-stage-{item.stage.value}")
    return _editor(template, item_form=form, editing_item=item.id, status=422)


@bp.post("/projects/templates/<int:template_id>/items/<int:item_id>/delete")
def remove_template_item(template_id: int, item_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    item = _item_or_404(template, item_id)
    stage = item.stage
    operations.remove_template_item(item, template, current_user)
    db.session.commit()
    return _parts_done(template, f"#template-stage-{stage.value}")


@bp.post("/projects/templates/<int:template_id>/items/<int:item_id>/reorder")
def reorder_template_item(template_id: int, item_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    item = _item_or_404(template, item_id)
    operations.reorder_template_item(item, template, current_user, _direction())
    db.session.commit()
    return _parts_done(template, f"#template-stage-{item.stage.value}")


@bp.post("/projects/templates/<int:template_id>/targets")
def add_template_target(template_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    form = TemplateTargetForm()
    if form.validate_on_submit():
        try:
            operations.add_template_target(template, current_user, indicator=form.indicator.data,
                                           measure=form.measure.data or "", target_value=form.target_value.data)
        except DomainError as error:
            _field_errors(form, error, "indicator")
        else:
            db.session.commit()
            return _parts_done(template, "#template-targets")
    return _editor(template, target_form=form, status=422)


@bp.route("/projects/templates/<int:template_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
def edit_template_target(template_id: int, target_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    target = _target_or_404(template, target_id)
    if request.method == "GET":
        return _editor(template, target_form=TemplateTargetForm(obj=target), editing_target=target.id)
    form = TemplateTargetForm()
    if form.validate_on_submit():
        try:
            operations.edit_template_target(target, template, current_user, indicator=form.indicator.data,
                                            measure=form.measure.data or "", target_value=form.target_value.data)
        except DomainError as error:
            _field_errors(form, error, "indicator")
        else:
            db.session.commit()
            return _parts_done(template, "#template-targets")
    return _editor(template, target_form=form, editing_target=target.id, status=422)


@bp.post("/projects/templates/<int:template_id>/targets/<int:target_id>/delete")
def remove_template_target(template_id: int, target_id: int):
    _require_editor()
    template = _template_or_404(template_id)
    target = _target_or_404(template, target_id)
    operations.remove_template_target(target, template, current_user)
    db.session.commit()
    return _parts_done(template, "#template-targets")
