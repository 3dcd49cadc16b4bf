"""Ledger pages: the table, its groupings and roll-up, an item and its steps, creating and editing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..clock import local_today
from ..domain_errors import N_, NotAllowed, Reason
from ..extensions import db
from ..forms import attempt, form_status, version_of
from ..hooks import describe_origin
from ..htmx import redirect_to, render
from ..i18n import display_value
from ..models import AttachmentKind, DeadlineKind, ItemSource, LedgerItem, OrgUnit, Severity
from ..scoping import get_unit_or_404
from . import bp, operations, policy, queries, queries_rollup
from .excel import HEADERS, export_rows
from .forms import (BulkForm, CloseForm, DecideForm, EditForm, EvidenceForm, ExtensionForm, ItemForm,
                    ProgressForm, ReasonForm, SubmitForm)

#: Records a ledger item can be linked to from the page that found the problem.
ORIGIN_TYPES = {"project": ItemSource.project_check, "review_round": ItemSource.review}
#: A refusal about the item's people goes beside the verifier.
PEOPLE_FIELDS = {"verifier_is_owner": "verifier_id"}


@bp.before_request
@login_required
def _require_login():
    pass


# --- Lists -------------------------------------------------------------------------------------------

@bp.get("/")
def index():
    today = local_today()
    f = queries.LedgerFilter.from_args(request.args)
    page = queries.ledger_page(f, current_user, today, request.args.get("page", 1, type=int))
    return render("ledger/index.html", "ledger/_table.html", page=page, f=f, today=today,
                  units=lambda: queries.filter_units(current_user, f),
                  people=lambda: queries.filter_people(current_user, f),
                  can_create=policy.can_create_anywhere(current_user))


@bp.get("/rollup")
def rollup():
    f = queries.LedgerFilter.from_args(request.args)
    rows = queries_rollup.rollup(f, current_user, local_today())
    return render("ledger/rollup.html", "ledger/_rollup.html", rows=rows, groups=queries_rollup.rollup_groups(rows),
                  totals=queries_rollup.rollup_totals(rows), f=f,
                  units=lambda: queries.filter_units(current_user, f),
                  people=lambda: queries.filter_people(current_user, f),
                  unit_url=url_for("ledger.index", **f.args(unit=None)))


@bp.get("/print")
def print_view():
    today = local_today()
    f = queries.LedgerFilter.from_args(request.args)
    rows = list(export_rows(f, current_user, today, limit=2000))
    return render("ledger/print.html", rows=rows, headers=HEADERS, f=f, today=today)


# --- One item and its steps ----------------------------------------------------------------------------

def _show(item: LedgerItem, status: int = 200, **forms: Any):
    return render("ledger/show.html", status=status, **queries.item_page(item, local_today()),
                  origin_url=_origin_url(item), **_page_forms(item, forms))


def _page_forms(item: LedgerItem, given: dict[str, Any]) -> dict[str, Any]:
    """The forms of an item's page: empty ones, but for `given` (a refused step's, with its reasons)."""
    forms = {"progress_form": ProgressForm(formdata=None), "evidence_form": EvidenceForm(formdata=None),
             "submit_form": SubmitForm(formdata=None, note=item.completion_note),
             "return_form": ReasonForm(formdata=None, prefix="return"),
             "close_form": CloseForm(formdata=None), "reopen_form": ReasonForm(formdata=None, prefix="reopen"),
             "void_form": ReasonForm(formdata=None, prefix="void"), "extension_form": ExtensionForm(formdata=None),
             "decide_form": DecideForm(formdata=None), **given}
    missing = given["submit_form"].evidence.errors if "submit_form" in given else ()
    if missing:  # the evidence a submission lacks is asked for where evidence is uploaded
        forms["evidence_form"].file.errors = list(missing)
    return forms


def _origin_url(item: LedgerItem) -> str | None:
    """A link to the record the problem was found on, when its feature has a page for it."""
    endpoint = {"project": ("projects.show", "project_id"), "review_round": ("reviews.show", "round_id")}.get(
        item.origin_type or "")
    if not endpoint or not item.origin_id or endpoint[0] not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint[0], **{endpoint[1]: item.origin_id})
    except BuildError:
        return None


def _done(item: LedgerItem, message: str, anchor: str = "#item-status"):
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("ledger.show", item_id=item.id) + anchor)


def _step(item: LedgerItem, name: str, form: Any, message: str, operation: Any, *args: Any,
          default: str, **kwargs: Any):
    """Take one step of an item's page as the user (`operation(current_user, *args, **kwargs)`):
    done, or refused (422) the page again with the reasons beside the `name` form's fields."""
    if attempt(form, operation, current_user, *args, default=default, **kwargs) is None:
        db.session.rollback()
        return _show(queries.get_item_or_404(item.id, current_user), 422, **{f"{name}_form": form})
    return _done(item, message)


def _form_step(item_id: int, name: str, form: Any, message: str, operation: Any, *fields: str,
               validate: bool = False):
    """A step taking what the `fields` of `form` hold (as keywords of the same names), its refusal's
    reasons beside them (else beside the last); `validate`: only once the form is valid."""
    item = queries.get_item_or_404(item_id, current_user)
    if validate and not form.validate_on_submit():
        return _invalid(item, name, form)
    return _step(item, name, form, message, operation, item, default=fields[-1], **{f: form[f].data for f in fields})


def _invalid(item: LedgerItem, name: str, form: Any):
    """A step's form that did not validate: the page again (422), for those who work on the item."""
    _allow(policy.can_work(current_user, item), N_("You may not do this to this item."), "not_allowed")
    return _show(item, 422, **{f"{name}_form": form})


def _allow(allowed: bool, message: str, code: str) -> None:
    if not allowed:
        raise NotAllowed(Reason(message, code=code))


@bp.get("/<int:item_id>")
def show(item_id: int):
    return _show(queries.get_item_or_404(item_id, current_user))


@bp.post("/<int:item_id>/start")
def start(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    operations.start_item(current_user, item)
    return _done(item, _("Rectification started."))


@bp.post("/<int:item_id>/progress")
def progress(item_id: int):
    return _form_step(item_id, "progress", ProgressForm(), _("Progress recorded."), operations.report_progress,
                      "percent", "text", validate=True)


@bp.post("/<int:item_id>/evidence")
def evidence(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _invalid(item, "evidence", form)
    return _step(item, "evidence", form, _("Evidence uploaded."), operations.add_evidence, item,
                 request.files.get("file"), AttachmentKind(form.kind.data), default="file")


@bp.post("/<int:item_id>/submit")
def submit(item_id: int):
    return _form_step(item_id, "submit", SubmitForm(), _("Submitted for verification."), operations.submit_item,
                      "note")


@bp.post("/<int:item_id>/return")
def return_(item_id: int):
    return _form_step(item_id, "return", ReasonForm(prefix="return"), _("Returned to the owner."),
                      operations.return_item, "reason")


@bp.post("/<int:item_id>/reopen")
def reopen(item_id: int):
    return _form_step(item_id, "reopen", ReasonForm(prefix="reopen"), _("Reopened for a follow-up check."),
                      operations.reopen_item, "reason")


@bp.post("/<int:item_id>/void")
def void(item_id: int):
    return _form_step(item_id, "void", ReasonForm(prefix="void"), _("The item is void."), operations.void_item,
                      "reason")


@bp.post("/<int:item_id>/close")
def close(item_id: int):
    return _form_step(item_id, "close", CloseForm(), _("Verified and closed."), operations.close_item, "opinion")


@bp.post("/<int:item_id>/extensions")
def extend(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = ExtensionForm()
    form.validate()
    return _step(item, "extension", form, _("Extension requested."), operations.request_extension, item,
                 new_deadline=form.new_deadline.data, reason=form.reason.data, default="reason")


@bp.post("/<int:item_id>/extensions/<int:request_id>")
def decide(item_id: int, request_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    extension = queries.get_extension_or_404(item, request_id)
    form = DecideForm()
    form.validate()
    approve = form.decision.data == "approve"
    return _step(item, "decide", form, _("Extension approved.") if approve else _("Extension refused."),
                 operations.decide_extension, extension, approve=approve, note=form.note.data, default="note")


# --- Creating and editing -------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _creating(ItemForm)
    origin_type, origin_id = _origin_of_request()
    origin = describe_origin(origin_type, origin_id, current_user)
    unit = _unit_of_form(form, origin)
    form.set_people(queries.people_choices(current_user), owners=queries.unit_people(unit))
    if request.method == "GET":
        form.prefill(unit, origin_type, origin_id, origin, source=ORIGIN_TYPES.get(origin_type))
    if form.validate_on_submit():
        item = attempt(form, operations.create_item, current_user, unit=unit, origin_type=origin_type,
                       origin_id=origin_id, **_new_item_values(form), fields=PEOPLE_FIELDS, default="problem")
        if item:
            return _done(item, _("Item %(code)s recorded.", code=item.code), anchor="")
    return render("ledger/form.html", form=form, item=None, origin=origin, immediate_days=queries.immediate_days(),
                  status=form_status(form))


def _creating(form_class: type) -> Any:
    """A form recording new items, offering the units the user records problems for (403 without any)."""
    form = form_class()
    form.unit_id.choices = queries.unit_choices(current_user, creatable=True)
    if not form.unit_id.choices:
        abort(403)
    return form


def _origin_of_request() -> tuple[str | None, int | None]:
    """The record the problem was found on (its type and id), as the link to the form names it."""
    origin_type = request.values.get("origin_type")
    if origin_type not in ORIGIN_TYPES:
        return None, None
    return origin_type, request.values.get("origin_id", type=int)


def _unit_of_form(form: ItemForm, origin: Any) -> OrgUnit:
    """The unit the new item is for: as posted, else the link's (a project's unit), else the first offered."""
    offered = [unit_id for unit_id, _label in form.unit_id.choices]
    wanted = form.unit_id.data if request.method == "POST" else (
        request.args.get("unit_id", type=int) or (origin.unit_id if origin else None))
    return get_unit_or_404(wanted if wanted in offered else offered[0], current_user)


def _new_item_values(form: ItemForm) -> dict[str, Any]:
    """What the item form holds, as `operations.create_item` takes it."""
    return dict(problem=form.problem.data, source=ItemSource(form.source.data), severity=Severity(form.severity.data),
                owner=queries.person(form.owner_id.data), verifier=queries.person(form.verifier_id.data),
                responsible_leader=queries.person(form.responsible_leader_id.data),
                deadline=form.deadline.data, deadline_kind=DeadlineKind(form.deadline_kind.data),
                batch=form.batch.data, category=form.category.data, indicator=form.indicator.data,
                deduction=form.deduction.data, target=form.target.data, measures=form.measures.data,
                remark=form.remark.data)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    _allow(policy.can_edit(current_user, item), N_("Only secretaries and leaders over the unit edit its items, "
                                                   "and only while they are open."), "edit")
    form = EditForm(obj=item)
    form.set_people(queries.item_people_choices(current_user, item))
    if request.method == "GET":
        form.source.data, form.severity.data, form.version.data = item.source.value, item.severity.value, item.version
    if form.validate_on_submit() and attempt(form, operations.update_item, current_user, item,
                                             version=version_of(form), **_edited_values(form),
                                             fields=PEOPLE_FIELDS, default="problem"):
        return _done(item, _("Item %(code)s saved.", code=item.code), anchor="")
    return render("ledger/form.html", form=form, item=item, stale=_stale(form, item), status=form_status(form))


def _edited_values(form: EditForm) -> dict[str, Any]:
    """What the edit form holds, as `operations.update_item` takes it."""
    values = {name: getattr(form, name).data for name in operations.EDITABLE}
    values["source"], values["severity"] = ItemSource(values["source"]), Severity(values["severity"])
    return values


def _stale(form: EditForm, item: LedgerItem) -> SimpleNamespace | None:
    """After someone else's newer save: its notice, with the saved values as a person reads them."""
    if getattr(form, "stale", None) is None:
        return None
    values = {name: getattr(item, name) for name in operations.EDITABLE}
    for name, person in (("owner_id", item.owner), ("verifier_id", item.verifier),
                         ("responsible_leader_id", item.responsible_leader)):
        values[name] = person.display_name if person else None
    values["source"] = item.source.label
    values["severity"] = item.severity.label
    values["deduction"] = display_value(item.deduction)
    return SimpleNamespace(reasons=form.stale.reasons, current=SimpleNamespace(**values))


@bp.route("/bulk", methods=["GET", "POST"])
def bulk():
    form = _creating(BulkForm)
    form.owner_id.choices = form.verifier_id.choices = [(None, "—")] + queries.people_choices(current_user)
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        common = dict(unit=unit, source=ItemSource(form.source.data), batch=form.batch.data,
                      category=form.category.data, owner=queries.person(form.owner_id.data),
                      verifier=queries.person(form.verifier_id.data), deadline=form.deadline.data)
        items = attempt(form, operations.create_items, current_user,
                        [dict(common, problem=line) for line in form.problems()], fields=PEOPLE_FIELDS, default="lines")
        if items is not None:
            db.session.commit()
            flash(_("%(n)d items recorded.", n=len(items)), "success")
            return redirect_to(url_for("ledger.index", unit=unit.id, batch=form.batch.data or None))
    return render("ledger/bulk.html", form=form, status=form_status(form))
