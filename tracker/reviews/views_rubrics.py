"""Rubric pages (考核细则): the list, the editor of categories and indicators, versions, Excel in and out."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..domain_errors import N_, DomainError, Reason, refuse
from ..extensions import db
from ..forms import attempt, form_status, version_of
from ..htmx import redirect_to, render
from ..models import ItemKind, Method, OrgUnit, Rubric
from ..scoping import get_unit_or_404
from . import bp, excel, operations, queries
from .forms import ImportRubricForm, NewRubricForm, RubricForm, RubricItemForm
from .policy import can_create_round, can_edit_rubric
from .queries import get_rubric_item_or_404, get_rubric_or_404
from .views import xlsx_response


@bp.get("/rubrics")
def rubrics():
    return render("reviews/rubrics.html", rubrics=queries.rubrics_of(current_user),
                  can_create=can_create_round(current_user), new_form=_new_rubric_form(NewRubricForm()),
                  import_form=_new_rubric_form(ImportRubricForm()))


def _new_rubric_form(form):
    form.unit_id.choices = queries.running_unit_choices(current_user)
    return form




def _keeping_unit(form) -> OrgUnit:
    """The unit a new or imported rubric is to be kept by; a form with errors is refused (422)."""
    if not form.validate():
        raise DomainError(*[Reason(e) for es in form.errors.values() for e in es], status=422)
    return get_unit_or_404(form.unit_id.data, current_user)


@bp.post("/rubrics")
def new_rubric():
    if not can_create_round(current_user):
        abort(403)
    form = _new_rubric_form(NewRubricForm())
    rubric = operations.create_rubric(current_user, _keeping_unit(form), form.name.data)
    db.session.commit()
    return redirect(url_for("reviews.rubric", rubric_id=rubric.id))


@bp.post("/rubrics/import")
def import_rubric():
    if not can_create_round(current_user):
        abort(403)
    form = _new_rubric_form(ImportRubricForm())
    unit = _keeping_unit(form)
    if form.file.data is None or not getattr(form.file.data, "filename", ""):
        raise refuse(N_("Choose a file to upload."), "file")
    rubric = operations.import_rubric(current_user, unit, form.name.data, form.file.data.stream)
    db.session.commit()
    flash(_("Rubric imported: %(n)d indicators.", n=len(rubric.indicators)), "success")
    return redirect(url_for("reviews.rubric", rubric_id=rubric.id))


def _rubric_page(rubric: Rubric, item_form=None, settings_form=None, status=200, edit_errors=None):
    in_use = not rubric.is_frozen and queries.rubric_in_use(rubric)
    editable = can_edit_rubric(current_user, rubric) and not rubric.is_frozen and not in_use
    return render("reviews/rubric.html", "reviews/_rubric_tree.html", rubric=rubric, editable=editable,
                  can_edit=can_edit_rubric(current_user, rubric),
                  item_form=item_form or RubricItemForm(categories=rubric.categories),
                  settings_form=settings_form or RubricForm(obj=rubric), stale=getattr(settings_form, "stale", None),
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
    if form.validate() and attempt(form, operations.update_rubric, current_user, rubric_, default="name",
                                   version=version_of(form), name=form.name.data,
                                   bonus_cap=form.bonus_cap.data, grade_excellent=form.grade_excellent.data,
                                   grade_good=form.grade_good.data, grade_fair=form.grade_fair.data):
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect_to(url_for("reviews.rubric", rubric_id=rubric_.id))
    db.session.rollback()
    return _rubric_page(get_rubric_or_404(rubric_id, current_user), settings_form=form, status=form_status(form))


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


@bp.post("/rubrics/<int:rubric_id>/items/<int:item_id>")
def update_item(rubric_id: int, item_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    item = get_rubric_item_or_404(rubric_, item_id)
    form = RubricItemForm(categories=rubric_.categories)
    if not form.validate():
        return _rubric_page(rubric_, status=422, edit_errors={item.id: [e for es in form.errors.values() for e in es]})
    operations.update_rubric_item(current_user, item, **_item_values(form))
    db.session.commit()
    return _rubric_page(get_rubric_or_404(rubric_id, current_user))


@bp.post("/rubrics/<int:rubric_id>/items/<int:item_id>/delete")
def delete_item(rubric_id: int, item_id: int):
    rubric_ = _load_editable_rubric(rubric_id)
    operations.delete_rubric_item(current_user, get_rubric_item_or_404(rubric_, item_id))
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
    rubric_ = get_rubric_or_404(rubric_id, current_user)
    return xlsx_response(excel.export_rubric(rubric_), f"{rubric_.name}_考评表.xlsx")


