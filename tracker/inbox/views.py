"""The inbox, its unread count, marking read, and the settings page."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..forms import attempt, form_status
from ..htmx import redirect_to, render, render_flashes, wants_fragment
from ..models import WebhookKind
from ..scoping import get_unit_or_404
from . import bp, operations, policy, queries
from .forms import RobotForm, SettingsForm


@bp.before_request
@login_required
def _require_login():
    pass


def _answer(fragment: str, **context):
    """A marking's answer: the changed part with the fresh unread count (htmx), else back to the inbox."""
    if not wants_fragment():
        return redirect_to(url_for("inbox.index"))
    body = render_template(fragment, **context) + render_template("inbox/_count.html", oob=True) + render_flashes()
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


@bp.get("/")
def index():
    page = queries.inbox_page(current_user, request.args.get("before", type=int))
    return render("inbox/index.html", "inbox/_list.html", page=page)


@bp.get("/count")
def count():
    response = make_response(render_template("inbox/_count.html"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:notification_id>/read")
def read(notification_id: int):
    notice = queries.get_notification_or_404(notification_id, current_user)
    operations.mark_read(current_user, notice)
    db.session.commit()
    return _answer("inbox/_row.html", notice=notice)


@bp.post("/read-all")
def read_all():
    marked = operations.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(count)d notices marked read.", count=marked), "success")
    return _answer("inbox/_list.html", page=queries.inbox_page(current_user))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    setting = queries.settings_of(current_user)
    form = SettingsForm(events=queries.wanted_events(setting), by_email=setting.by_email, email=current_user.email)
    if form.validate_on_submit() and attempt(form, operations.update_settings, current_user, current_user,
                                             events=form.events.data, by_email=form.by_email.data,
                                             email=form.email.data, default="email"):
        db.session.commit()
        flash(_("Notification settings saved."), "success")
        return redirect_to(url_for("inbox.settings"))
    return render("inbox/settings.html", form=form, mail_on=bool(current_app.config.get("MAIL_SERVER")),
                  status=form_status(form))


@bp.route("/units/<int:unit_id>/robot", methods=["GET", "POST"])
def robot(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not policy.can_set_robot(current_user, unit):
        abort(403)
    form = RobotForm(kind=unit.webhook_kind.value if unit.webhook_kind else "", url=unit.webhook_url)
    if form.validate_on_submit() and attempt(form, operations.set_unit_robot, current_user, unit,
                                             WebhookKind(form.kind.data) if form.kind.data else None,
                                             form.url.data or None, form.secret.data or None, default="url"):
        db.session.commit()
        flash(_("Group robot of %(name)s saved.", name=unit.name), "success")
        return redirect_to(url_for("orgs.show", unit_id=unit.id))
    return render("inbox/robot.html", form=form, unit=unit, enabled=current_app.config.get("WEBHOOKS_ENABLED"),
                  status=form_status(form))
