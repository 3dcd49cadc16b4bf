"""Organisational life (组织生活): 三会一课, 主题党日, 组织生活会 and 民主评议党员 records, their
approval by the higher unit, and the quarter's 应开 / 已开 summary."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import hooks
from ..clock import local_today
from ..i18n import register_labels
from ..models import Attendance, Cadence, MeetingKind, MeetingState

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from . import labels, policy, queries, views, views_config, views_summary  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint, timeline labels, template helpers, the files attached to records, and the home
    widget, unit panel and person panel."""
    app.register_blueprint(bp)
    hooks.register_record_kind("meeting", _l("Meeting record"), "meetings.show", "meeting_id", queries.meeting_names)
    register_labels(subjects=("meeting",), verbs=labels.VERB_LABELS, fields=labels.FIELD_LABELS,
                    values={"kind": MeetingKind.labels(), "state": MeetingState.labels()})
    register_labels(subjects=("org_unit", "meeting_exemption"), verbs=labels.UNIT_VERB_LABELS,
                    fields=labels.UNIT_FIELD_LABELS, values={"meeting_kind": MeetingKind.labels(), "cadence": Cadence.labels()})
    register_labels(subjects=("meeting_exemption",), verbs={"created": labels.VERB_LABELS["exempted"]})
    app.jinja_env.globals.update(
        meeting_policy=policy, MeetingKind=MeetingKind, MeetingState=MeetingState, Attendance=Attendance,
        meetings_my_counts=lambda: queries.my_counts(current_user),
        meetings_unit_quarter=lambda unit: queries.unit_quarter(unit, current_user, local_today()),
        meetings_person_year=lambda person: queries.person_year(person, current_user, local_today().year),
    )
    hooks.register_attachment_owner("meeting", queries.get_meeting_or_404)
    hooks.add_home_widget("meetings/_widget.html")
    hooks.add_unit_panel("meetings/_unit_panel.html")
    hooks.add_person_panel("meetings/_person_panel.html")
