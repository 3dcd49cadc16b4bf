"""The rectification ledger (整改台账): every problem found, tracked to a verified closure."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import hooks
from ..clock import local_today
from ..deadlines import DueLight
from ..i18n import register_labels
from ..models import AttachmentKind, ItemSource, ItemStatus, Severity
from .workflow import Countdown, Escalation

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

# The routes attach to bp when views and views_excel are imported.
from . import cli, labels, policy, queries, queries_rollup, views, views_excel  # noqa: E402,F401


def register(app: Flask) -> None:
    """The blueprint, the `remind` command, timeline labels, template helpers and the ledger's hooks."""
    app.register_blueprint(bp)
    app.cli.add_command(cli.remind_command)
    register_labels(
        subjects=("ledger_item",),
        verbs=labels.VERB_LABELS,
        fields=labels.FIELD_LABELS,
        values={
            "status": ItemStatus.labels(),
            "source": ItemSource.labels(),
            "severity": Severity.labels(),
            "kind": AttachmentKind.labels(),
            "level": Escalation.labels(),
        },
    )
    app.jinja_env.globals.update(
        ledger_labels=labels,
        ItemSource=ItemSource,
        ItemStatus=ItemStatus,
        Severity=Severity,
        DueLight=DueLight,
        Escalation=Escalation,
        Countdown=Countdown,
        ledger_policy=policy,
        ledger_my_counts=lambda: queries.my_open_counts(current_user, local_today()),
        ledger_supervised_count=lambda: queries.supervised_count(current_user, local_today()),
        ledger_unit_summary=lambda unit: queries_rollup.unit_summary(unit, current_user, local_today()),
    )
    hooks.register_problem_counter(queries.count_problems)
    hooks.register_attachment_owner("ledger_item", queries.get_item_or_404)
    hooks.add_home_widget("ledger/_widget.html")
    hooks.add_work_source(queries.my_work)
    hooks.register_record_kind("ledger_item", _l("Rectification item"), "ledger.show", "item_id", queries.item_names)
    hooks.add_unit_panel("ledger/_unit_panel.html")
