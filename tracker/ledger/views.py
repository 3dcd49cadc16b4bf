"""Ledger pages: the table, its groupings and roll-up, an item and its actions, Excel in and out."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..audit import timeline
from ..clock import local_today
from ..extensions import db
from ..htmx import redirect_to, render
from ..i18n import display_value, reason_text
from ..hooks import describe_origin
from ..people import sort_people
from ..models import (AttachmentKind, DeadlineKind, ExtensionRequest, ItemSource, LedgerItem, Membership, OrgUnit,
                      ProgressEntry, Severity, UnitKind, User)
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit
from ..scoping import get_unit_or_404, scoped_units, units_in_scope
from ..uploads import attachments_of
from ..orgs.labels import indented_choices
from . import bp, operations, policy, queries
from .forms import (BulkForm, CloseForm, DecideForm, EditForm, EvidenceForm, ExtensionForm, ItemForm,
                    ProgressForm, ReasonForm, SubmitForm)
from .workflow import escalation, item_light

#: Records a ledger item can be linked to from the page that found the problem.
ORIGIN_TYPES = {"project": ItemSource.project_check, "review_round": ItemSource.review}


@bp.before_request
@login_required
def _require_login():
    pass








def people_choices(user: User, *, limit: int | None = None, only: set | None = None) -> list[tuple[int, str]]:
    """Active users of the units `user` covers and of the units above them (leaders verify), in
    natural order of their usernames (member2 before member10)."""
    above = {int(part) for path in user.scope_paths() for part in path.strip("/").split("/")}
    stmt = (sa.select(User.id, User.full_name, User.username)
            .where(User.is_active_flag.is_(True), User.id.in_(
                sa.select(Membership.user_id).where(sa.or_(Membership.unit_id.in_(units_in_scope(user)),
                                                           Membership.unit_id.in_(above)))))
            .order_by(User.username))
    if only is not None:
        stmt = stmt.where(User.id.in_([i for i in only if i]))
    rows = sort_people(db.session.execute(stmt.limit(limit)).all())
    return [(r.id, f"{r.full_name}（{r.username}）") for r in rows]


#: Past this many, the filter's lists keep only the larger units / the user and the chosen one
#: (a branch is then chosen from the roll-up, which links every unit).
FILTER_LIST_LIMIT = 300


def filter_units(user: User, f: queries.LedgerFilter) -> list[tuple[int, str]]:
    """The unit filter's choices: the units in scope in tree order (only the committees and
    general branches when there are very many), plus the chosen one."""
    stmt = sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.path, OrgUnit.kind).where(
        OrgUnit.id.in_(units_in_scope(user)))
    rows = db.session.execute(stmt.limit(FILTER_LIST_LIMIT + 1)).all()
    if len(rows) > FILTER_LIST_LIMIT:
        rows = db.session.execute(stmt.where(sa.or_(
            OrgUnit.kind.in_([k for k in UnitKind if k.level < UnitKind.branch.level]), OrgUnit.id == f.unit))).all()
    rows.sort(key=lambda r: [int(p) for p in r.path.strip("/").split("/")])
    return indented_choices(rows)


def filter_people(user: User, f: queries.LedgerFilter) -> list[tuple[int, str]]:
    """The owner filter's choices: the people in scope (only the user and the chosen one when many)."""
    people = people_choices(user, limit=FILTER_LIST_LIMIT + 1)
    if len(people) > FILTER_LIST_LIMIT:
        wanted = {user.id, f.owner}
        people = [(i, name) for i, name in people_choices(user, only=wanted)]
    return people


def unit_choices(user: User, *, creatable: bool = False) -> list[tuple[int, str]]:
    units = scoped_units(user, active_only=creatable)
    return indented_choices(u for u in units if not creatable or policy.can_create_in(user, u))


# --- Lists -------------------------------------------------------------------------------------------

@bp.get("/")
def index():
    today = local_today()
    f = queries.LedgerFilter.from_args(request.args)
    page = queries.ledger_page(f, current_user, today, request.args.get("page", 1, type=int))
    return render("ledger/index.html", "ledger/_table.html", page=page, f=f, today=today,
                  units=lambda: filter_units(current_user, f), people=lambda: filter_people(current_user, f),
                  can_create=any(policy.can_create_in(current_user, m.unit) for m in current_user.memberships))


@bp.get("/rollup")
def rollup():
    today = local_today()
    f = queries.LedgerFilter.from_args(request.args)
    rows = queries.rollup(f, current_user, today)
    return render("ledger/rollup.html", "ledger/_rollup.html", rows=rows, groups=queries.rollup_groups(rows),
                  totals=queries.rollup_totals(rows), f=f,
                  units=lambda: filter_units(current_user, f), people=lambda: filter_people(current_user, f),
                  unit_url=url_for("ledger.index", **f.args(unit=None)))


@bp.get("/print")
def print_view():
    from .excel import HEADERS, export_rows

    today = local_today()
    f = queries.LedgerFilter.from_args(request.args)
    rows = list(export_rows(f, current_user, today, limit=2000))
    return render("ledger/print.html", rows=rows, headers=HEADERS, f=f, today=today)


# --- One item ------------------------------------------------------------------------------------------

def _show_context(item: LedgerItem, **forms) -> dict:
    today = local_today()
    defaults = {"progress_form": ProgressForm(formdata=None), "evidence_form": EvidenceForm(formdata=None),
                "submit_form": SubmitForm(formdata=None, note=item.completion_note),
                "return_form": ReasonForm(formdata=None, prefix="return"),
                "close_form": CloseForm(formdata=None), "reopen_form": ReasonForm(formdata=None, prefix="reopen"),
                "void_form": ReasonForm(formdata=None, prefix="void"), "extension_form": ExtensionForm(formdata=None),
                "decide_form": DecideForm(formdata=None)}
    defaults.update(forms)
    progress = db.session.scalars(sa.select(ProgressEntry).where(ProgressEntry.item_id == item.id)
                                  .order_by(ProgressEntry.on_date.desc(), ProgressEntry.id.desc())).all()
    extensions = db.session.scalars(sa.select(ExtensionRequest).where(ExtensionRequest.item_id == item.id)
                                    .order_by(ExtensionRequest.id.desc())).all()
    return dict(item=item, today=today, light=item_light(item.status, item.deadline, today),
                escalation=escalation(item.status, item.deadline, today),
                days_left=(item.deadline - today).days if item.deadline else None,
                progress=progress, extensions=extensions, evidence=attachments_of(item),
                activities=timeline(item), origin_url=_origin_url(item), **defaults)


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


def _show(item: LedgerItem, status: int = 200, **forms):
    return render("ledger/show.html", status=status, **_show_context(item, **forms))


@bp.get("/<int:item_id>")
def show(item_id: int):
    return _show(queries.get_item_or_404(item_id, current_user))


def _done(item: LedgerItem, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("ledger.show", item_id=item.id) + "#item-status")


def _refused(item: LedgerItem, error: DomainError, form_name: str, form, fields: dict[str, str]):
    """Answer a 422 refusal with each reason beside its field; other refusals go to the error page."""
    if error.status != 422:
        raise error
    db.session.rollback()
    item = queries.get_item_or_404(item.id, current_user)
    extra = {}
    for reason in error.reasons:
        target = fields.get(reason.code, fields.get("*"))
        if target == "evidence.file":
            add_error(extra.setdefault("evidence_form", EvidenceForm(formdata=None)).file, reason)
        else:
            add_error(getattr(form, target), reason)
    return _show(item, status=422, **{form_name: form}, **extra)


@bp.post("/<int:item_id>/start")
def start(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    operations.start_item(current_user, item)
    return _done(item, _("Rectification started."))


@bp.post("/<int:item_id>/progress")
def progress(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = ProgressForm()
    if not form.validate_on_submit():
        _require(policy.can_work(current_user, item))
        return _show(item, 422, progress_form=form)
    try:
        operations.report_progress(current_user, item, percent=form.percent.data, text=form.text.data)
    except DomainError as error:
        return _refused(item, error, "progress_form", form, {"percent": "percent", "*": "text"})
    return _done(item, _("Progress recorded."))


@bp.post("/<int:item_id>/evidence")
def evidence(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = EvidenceForm()
    if not form.validate_on_submit():
        _require(policy.can_work(current_user, item))
        return _show(item, 422, evidence_form=form)
    try:
        operations.add_evidence(current_user, item, request.files.get("file"), AttachmentKind(form.kind.data))
    except DomainError as error:
        return _refused(item, error, "evidence_form", form, {"*": "file"})
    return _done(item, _("Evidence uploaded."))


@bp.post("/<int:item_id>/submit")
def submit(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = SubmitForm()
    try:
        operations.submit_item(current_user, item, note=form.note.data)
    except DomainError as error:
        return _refused(item, error, "submit_form", form, {"evidence": "evidence.file", "*": "note"})
    return _done(item, _("Submitted for verification."))


def _reason_step(item_id: int, prefix: str, operation, message: str):
    item = queries.get_item_or_404(item_id, current_user)
    form = ReasonForm(prefix=prefix)
    try:
        operation(current_user, item, reason=form.reason.data)
    except DomainError as error:
        return _refused(item, error, f"{prefix}_form", form, {"*": "reason"})
    return _done(item, message)


@bp.post("/<int:item_id>/return")
def return_(item_id: int):
    return _reason_step(item_id, "return", operations.return_item, _("Returned to the owner."))


@bp.post("/<int:item_id>/reopen")
def reopen(item_id: int):
    return _reason_step(item_id, "reopen", operations.reopen_item, _("Reopened for a follow-up check."))


@bp.post("/<int:item_id>/void")
def void(item_id: int):
    return _reason_step(item_id, "void", operations.void_item, _("The item is void."))


@bp.post("/<int:item_id>/close")
def close(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = CloseForm()
    try:
        operations.close_item(current_user, item, opinion=form.opinion.data)
    except DomainError as error:
        return _refused(item, error, "close_form", form, {"*": "opinion"})
    return _done(item, _("Verified and closed."))


@bp.post("/<int:item_id>/extensions")
def extend(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    form = ExtensionForm()
    form.validate()
    try:
        operations.request_extension(current_user, item, new_deadline=form.new_deadline.data,
                                     reason=form.reason.data)
    except DomainError as error:
        return _refused(item, error, "extension_form", form, {"new_deadline": "new_deadline", "*": "reason"})
    return _done(item, _("Extension requested."))


@bp.post("/<int:item_id>/extensions/<int:request_id>")
def decide(item_id: int, request_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    ext = db.session.scalars(sa.select(ExtensionRequest).where(ExtensionRequest.id == request_id,
                                                               ExtensionRequest.item_id == item.id)).first()
    if ext is None:
        abort(404)
    form = DecideForm()
    form.validate()
    try:
        operations.decide_extension(current_user, ext, approve=form.decision.data == "approve", note=form.note.data)
    except DomainError as error:
        return _refused(item, error, "decide_form", form, {"*": "note"})
    return _done(item, _("Extension approved.") if form.decision.data == "approve" else _("Extension refused."))


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(Reason(N_("You may not do this to this item."), code="not_allowed"))


# --- Creating and editing -------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ItemForm()
    form.unit_id.choices = unit_choices(current_user, creatable=True)
    if not form.unit_id.choices:
        abort(403)
    origin_type = request.values.get("origin_type") if request.values.get("origin_type") in ORIGIN_TYPES else None
    origin_id = request.values.get("origin_id", type=int) if origin_type else None
    origin = describe_origin(origin_type, origin_id, current_user)
    unit = _unit_of_form(form, origin)
    form.set_people(people_choices(current_user), owners=queries.unit_people(unit))
    if request.method == "GET":
        form.prefill(unit, origin_type, origin_id, origin, source=ORIGIN_TYPES.get(origin_type))
    if form.validate_on_submit():
        try:
            item = operations.create_item(
                current_user, unit=unit, problem=form.problem.data, source=ItemSource(form.source.data),
                owner=_person(form.owner_id.data), verifier=_person(form.verifier_id.data),
                responsible_leader=_person(form.responsible_leader_id.data),
                deadline=form.deadline.data, deadline_kind=DeadlineKind(form.deadline_kind.data),
                batch=form.batch.data, category=form.category.data, indicator=form.indicator.data,
                deduction=form.deduction.data, target=form.target.data, measures=form.measures.data,
                severity=Severity(form.severity.data), remark=form.remark.data,
                origin_type=origin_type, origin_id=origin_id)
        except DomainError as error:
            _beside(form, error, {"deadline": "deadline", "verifier_is_owner": "verifier_id", "*": "problem"})
        else:
            db.session.commit()
            flash(_("Item %(code)s recorded.", code=item.code), "success")
            return redirect_to(url_for("ledger.show", item_id=item.id))
    return render("ledger/form.html", form=form, item=None, origin=origin, immediate_days=operations.immediate_days(),
                  status=422 if form.errors else 200)


def _unit_of_form(form: ItemForm, origin) -> OrgUnit:
    """The unit the new item is for: as posted, else the link's (a project's unit), else the first offered."""
    offered = [unit_id for unit_id, _label in form.unit_id.choices]
    wanted = form.unit_id.data if request.method == "POST" else (
        request.args.get("unit_id", type=int) or (origin.unit_id if origin else None))
    return db.session.get(OrgUnit, wanted if wanted in offered else offered[0])


def _person(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _beside(form, error: DomainError, fields: dict[str, str]) -> None:
    if error.status != 422:
        raise error
    for reason in error.reasons:
        add_error(getattr(form, fields.get(reason.code, fields["*"])), reason)


def add_error(field, reason: Reason) -> None:
    """Put a refusal beside `field` (its errors are a tuple until the form has been validated)."""
    field.errors = [*field.errors, reason_text(reason)]


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    item = queries.get_item_or_404(item_id, current_user)
    if not policy.can_edit(current_user, item):
        raise NotAllowed(Reason(N_("Only secretaries and leaders over the unit edit its items, "
                                   "and only while they are open."), code="edit"))
    form = EditForm(obj=item)
    people = people_choices(current_user)
    known = {user_id for user_id, _ in people}
    people += [(u.id, f"{u.full_name}（{u.username}）") for u in (item.owner, item.verifier, item.responsible_leader)
               if u is not None and u.id not in known]
    form.set_people(people)
    if request.method == "GET":
        form.source.data, form.severity.data, form.version.data = item.source.value, item.severity.value, item.version
    stale = None
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in operations.EDITABLE}
        values["source"], values["severity"] = ItemSource(values["source"]), Severity(values["severity"])
        try:
            operations.update_item(current_user, item, version=int(form.version.data or 0), **values)
        except StaleEdit:
            stale = SimpleNamespace(reasons=StaleEdit(item).reasons, current=_readable(item))
            form.version.data = item.version
        except DomainError as error:
            _beside(form, error, {"verifier_is_owner": "verifier_id", "*": "problem"})
        else:
            db.session.commit()
            flash(_("Item %(code)s saved.", code=item.code), "success")
            return redirect_to(url_for("ledger.show", item_id=item.id))
    status = 409 if stale else 422 if form.errors else 200
    return render("ledger/form.html", form=form, item=item, stale=stale, status=status)


def _readable(item: LedgerItem) -> SimpleNamespace:
    """The saved values of an item as a person reads them (for the stale-edit notice)."""
    values = {name: getattr(item, name) for name in operations.EDITABLE}
    for name, rel in (("owner_id", item.owner), ("verifier_id", item.verifier),
                      ("responsible_leader_id", item.responsible_leader)):
        values[name] = rel.display_name if rel else None
    values["source"] = item.source.label
    values["severity"] = item.severity.label
    values["deduction"] = display_value(item.deduction)
    return SimpleNamespace(**values)


@bp.route("/bulk", methods=["GET", "POST"])
def bulk():
    form = BulkForm()
    form.unit_id.choices = unit_choices(current_user, creatable=True)
    if not form.unit_id.choices:
        abort(403)
    people = [(None, "—")] + people_choices(current_user)
    form.owner_id.choices = form.verifier_id.choices = people
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        lines = [line.strip(" \t-•·") for line in form.lines.data.splitlines()]
        lines = [line for line in lines if line]
        try:
            items = [operations.create_item(
                current_user, unit=unit, problem=line, source=ItemSource(form.source.data), batch=form.batch.data,
                category=form.category.data, owner=_person(form.owner_id.data),
                verifier=_person(form.verifier_id.data), deadline=form.deadline.data) for line in lines]
        except DomainError as error:
            db.session.rollback()
            _beside(form, error, {"verifier_is_owner": "verifier_id", "*": "lines"})
        else:
            db.session.commit()
            flash(_("%(n)d items recorded.", n=len(items)), "success")
            return redirect_to(url_for("ledger.index", unit=unit.id, batch=form.batch.data or None))
    return render("ledger/bulk.html", form=form, status=422 if form.errors else 200)

