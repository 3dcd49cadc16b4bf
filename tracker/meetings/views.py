"""Meeting record pages: the list, recording and editing with attendance, a record and its actions."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..clock import local_today
from ..extensions import db
from ..forms import attempt, form_status
from ..htmx import redirect_to, render
from ..models import AttachmentKind, Meeting, MeetingKind, OrgUnit
from ..orgs.labels import indented_choices
from ..uploads import attachments_of
from . import bp, operations, policy, queries
from .forms import EvidenceForm, MeetingForm, ReasonForm, attendance_from


#: The attendance table's refusals go to the form's `roll` field (shown above the table).
ROLL = {"attendance": "roll"}


@bp.before_request
@login_required
def _require_login():
    pass


def _prepare(form: MeetingForm, units: list[OrgUnit], unit: OrgUnit) -> dict:
    """Fill the unit, host and recorder choices; the page's members and their marks (as posted, or
    everyone present on a new record)."""
    form.unit_id.choices = indented_choices(units)
    members = queries.branch_members(unit)
    people = [(None, "—")] + [(u.id, u.display_name) for u in members]
    form.host_id.choices = form.recorder_id.choices = people
    return {"members": members, "unit": unit, "kinds": MeetingKind, "marks": attendance_from(request.form)}


def _saved(meeting: Meeting, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/")
def index():
    f = queries.MeetingFilter.from_args(request.args)
    page = queries.meeting_page(f, current_user, request.args.get("page", 1, type=int))
    return render("meetings/index.html", "meetings/_table.html", page=page, f=f,
                  counts=queries.head_counts([m.id for m in page.items]),
                  units=queries.filter_units(current_user, f.unit),
                  can_record=policy.records_somewhere(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    units = queries.recordable_units(current_user) or abort(403)
    form = MeetingForm(unit_id=request.args.get("unit", type=int), held_on=local_today())
    unit = next((u for u in units if u.id == form.unit_id.data), units[0])
    context = _prepare(form, units, unit)
    if form.validate_on_submit():
        meeting = attempt(form, operations.record_meeting, current_user, unit, form.fields(),
                          attendance_from(request.form), fields=ROLL, default="kind")
        if meeting:
            return _saved(meeting, _("Meeting recorded as a draft."))
    return render("meetings/form.html", form=form, meeting=None, status=form_status(form), **context)


@bp.get("/people")
def people():
    """The host, recorder and attendance of the branch chosen on the form (an htmx swap)."""
    units = queries.recordable_units(current_user) or abort(403)
    unit = next((u for u in units if u.id == request.args.get("unit_id", type=int)), None) or abort(404)
    form = MeetingForm(formdata=None)
    return render("meetings/_people.html", form=form, meeting=None, **_prepare(form, units, unit))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    if not policy.can_change(current_user, meeting):
        abort(403)
    form = MeetingForm(obj=meeting, kind=meeting.kind.value, version=meeting.version, reason="")
    context = _prepare(form, [meeting.unit], meeting.unit)
    if request.method == "GET":
        context["marks"] = {row.user_id: (row.status, row.reason) for row in queries.attendance_of(meeting)}
    if form.validate_on_submit() and attempt(
            form, operations.update_meeting, current_user, meeting, form.fields(), attendance_from(request.form),
            version=int(form.version.data or 0), reason=form.reason.data, fields=ROLL, default="kind"):
        return _saved(meeting, _("Meeting record saved."))
    return render("meetings/form.html", form=form, meeting=meeting, stale=getattr(form, "stale", None),
                  status=form_status(form), **context)


def _show(meeting: Meeting, status: int = 200, **forms):
    forms.setdefault("return_form", ReasonForm(formdata=None, prefix="return"))
    forms.setdefault("evidence_form", EvidenceForm(formdata=None))
    return render("meetings/show.html", status=status, meeting=meeting, attendance=queries.attendance_of(meeting),
                  count=queries.head_counts([meeting.id]).get(meeting.id, queries.HeadCount()),
                  evidence=attachments_of(meeting), activities=timeline(meeting),
                  **forms)


@bp.get("/<int:meeting_id>")
def show(meeting_id: int):
    return _show(queries.get_meeting_or_404(meeting_id, current_user))


@bp.get("/<int:meeting_id>/print")
def print_view(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    return render("meetings/print.html", meeting=meeting, attendance=queries.attendance_of(meeting),
                  count=queries.head_counts([meeting.id]).get(meeting.id, queries.HeadCount()))


@bp.post("/<int:meeting_id>/submit")
def submit(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    operations.submit_meeting(current_user, meeting)
    return _saved(meeting, _("Submitted to the higher unit for approval."))


@bp.post("/<int:meeting_id>/approve")
def approve(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    operations.approve_meeting(current_user, meeting)
    return _saved(meeting, _("Meeting record approved."))


@bp.post("/<int:meeting_id>/return")
def return_(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    if not policy.can_decide(current_user, meeting):
        abort(403)
    form = ReasonForm(prefix="return")
    if form.validate_on_submit() and attempt(form, operations.return_meeting, current_user, meeting,
                                             form.reason.data, default="reason"):
        return _saved(meeting, _("Meeting record returned to the branch."))
    return _show(meeting, form_status(form) if form.errors else 422, return_form=form)


@bp.post("/<int:meeting_id>/evidence")
def evidence(meeting_id: int):
    meeting = queries.get_meeting_or_404(meeting_id, current_user)
    if not policy.can_add_evidence(current_user, meeting):
        abort(403)
    form = EvidenceForm()
    if form.validate_on_submit() and attempt(form, operations.add_evidence, current_user, meeting,
                                             request.files.get("file"), AttachmentKind(form.kind.data),
                                             default="file"):
        return _saved(meeting, _("File attached."))
    return _show(meeting, form_status(form) if form.errors else 422, evidence_form=form)
