"""Rubric pages (考核细则): the list, the editor of categories and indicators, versions, Excel in and out."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..extensions import db
from ..htmx import redirect_to, render
from ..models import ItemKind, Method, Rubric, RubricItem
from ..domain_errors import N_, DomainError, Reason
from ..scoping import get_unit_or_404
from ..orgs.labels import indented_choices
from . import bp, operations
from .forms import ImportRubricForm, NewRubricForm, RubricForm, RubricItemForm
from .policy import can_create_round, can_edit_rubric, get_rubric_or_404, visible_rubrics
from .views import beside, manager_units, xlsx_response


@bp.get("/rubrics")
def rubrics():
    items = db.session.scalars(visible_rubrics(current_user).order_by(Rubric.family_id, Rubric.edition.desc())).all()
    return render("reviews/rubrics.html", rubrics=items, can_create=can_create_round(current_user),
                  new_form=_new_rubric_form(NewRubricForm()), import_form=_new_rubric_form(ImportRubricForm()))


def _new_rubric_form(form):
    form.unit_id.choices = indented_choices(u for u in manager_units() if u.kind.level < 2)
    return form


@bp.post("/rubrics")
def new_rubric():
    if not can_create_round(current_user):
        abort(403)
    form = _new_rubric_form(NewRubricForm())
    if form.validate():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        rubric = operations.create_rubric(current_user, unit, form.name.data)
        db.session.commit()
        return redirect(url_for("reviews.rubric", rubric_id=rubric.id))
    raise DomainError(*[Reason(e) for es in form.errors.values() for e in es], status=422)


@bp.post("/rubrics/import")
def import_rubric():
    if not can_create_round(current_user):
        abort(403)
    form = _new_rubric_form(ImportRubricForm())
    if form.validate():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise DomainError(Reason(N_("Choose a file to upload.")), status=422)
        rubric = operations.import_rubric(current_user, unit, form.name.data, upload.stream)
        db.session.commit()
        flash(_("Rubric imported: %(n)d indicators.", n=len(rubric.indicators)), "success")
        return redirect(url_for("reviews.rubric", rubric_id=rubric.id))
    raise DomainError(*[Reason(e) for es in form.errors.values() for e in es], status=422)


def _rubric_page(rubric: Rubric, item_form=None, settings_form=None, status=200, edit_errors=None):
    in_use = not rubric.is_frozen and operations.rubric_in_use(rubric)
    editable = can_edit_rubric(current_user, rubric) and not rubric.is_frozen and not in_use
    return render("reviews/rubric.html", "reviews/_rubric_tree.html", rubric=rubric, editable=editable,
                  can_edit=can_edit_rubric(current_user, rubric),
                  item_form=item_form or RubricItemForm(categories=rubric.categories),
                  settings_form=settings_form or RubricForm(obj=rubric),
                  edit_errors=edit_errors or {}, activities=timeline(rubric), status=status, in_use=in_use,
                  item_form_for=lambda item: RubricItemForm(obj=item, categories=rubric.categories,
                                                           kind=item.kind.value,
                                                           method=item.method.value if item.method else ""))


def _load_editable_rubric(rubric_id: int) -> Rubric:
    rubric = get_rubric_or_404(rubric_id, current_user)
    if not can_edit_rubric(current_user, rubric):
        abort(403)
    return rubric


@bp.get("/rubrics/<int:rubric_id>")
def rubric(rubric_id: int):
    return _rubric_page(get_rubric_or_404(rubric_id, current_user))


@bp.post("/rubrics/<int:rubric_id>")
def update_rubric(rubric_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    form = RubricForm()
    if not form.validate():
        return _rubric_page(rubric_, settings_form=form, status=422)
    try:
        operations.update_rubric(current_user, rubric_, version=int(form.version.data or 0), name=form.name.data,
                                 bonus_cap=form.bonus_cap.data, grade_excellent=form.grade_excellent.data,
                                 grade_good=form.grade_good.data, grade_fair=form.grade_fair.data)
    except operations.FieldErrors as error:
        db.session.rollback()
        beside(form, error)
        return _rubric_page(get_rubric_or_404(rubric_id, current_user), settings_form=form, status=422)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect_to(url_for("reviews.rubric", rubric_id=rubric_.id))


def _item_values(form: RubricItemForm) -> dict:
    return {"title": form.title.data, "points": form.points.data, "rule": form.rule.data,
            "method": Method(form.method.data) if form.method.data else None, "kind": ItemKind(form.kind.data)}


@bp.post("/rubrics/<int:rubric_id>/items")
def add_item(rubric_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    form = RubricItemForm(categories=rubric_.categories)
    if not form.validate():
        return _rubric_page(rubric_, item_form=form, status=422)
    parent = next((c for c in rubric_.categories if c.id == form.parent_id.data), None)
    operations.add_rubric_item(current_user, rubric_, parent=parent, **_item_values(form))
    db.session.commit()
    return _rubric_page(get_rubric_or_404(rubric_id, current_user))


def _rubric_item(rubric_: Rubric, item_id: int) -> RubricItem:
    item = next((i for i in rubric_.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.post("/rubrics/<int:rubric_id>/items/<int:item_id>")
def update_item(rubric_id: int, item_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    item = _rubric_item(rubric_, item_id)
    form = RubricItemForm(categories=rubric_.categories)
    if not form.validate():
        return _rubric_page(rubric_, status=422, edit_errors={item.id: [e for es in form.errors.values() for e in es]})
    operations.update_rubric_item(current_user, item, **_item_values(form))
    db.session.commit()
    return _rubric_page(get_rubric_or_404(rubric_id, current_user))


@bp.post("/rubrics/<int:rubric_id>/items/<int:item_id>/delete")
def delete_item(rubric_id: int, item_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    operations.delete_rubric_item(current_user, _rubric_item(rubric_, item_id))
    db.session.commit()
    return _rubric_page(get_rubric_or_404(rubric_id, current_user))


@bp.post("/rubrics/<int:rubric_id>/editions")
def new_edition(rubric_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    copy = operations.new_rubric_edition(current_user, rubric_)
    db.session.commit()
    flash(_("Version %(n)d created; edit it here.", n=copy.edition), "success")
    return redirect_to(url_for("reviews.rubric", rubric_id=copy.id))


@bp.get("/rubrics/<int:rubric_id>.xlsx")
def rubric_xlsx(rubric_id: int):
    from .xlsx import export_rubric

    rubric_ = get_rubric_or_404(rubric_id, current_user)
    return xlsx_response(export_rubric(rubric_), f"{rubric_.name}_考评表.xlsx")


