"""The inbox (/inbox): notifications to each person, their settings, and delivery to e-mail and group robots."""

from __future__ import annotations

from flask import Blueprint, Flask

from .. import hooks

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

from . import channels, cli, policy, views  # noqa: E402,F401  (routes attach to bp; the delivery tasks register with the worker)


def register(app: Flask) -> None:
    """The blueprint, the unread count every page's navigation shows, the robot panel on each unit's
    page, timeline labels and the robot command."""
    from . import labels, queries

    app.register_blueprint(bp)
    app.add_template_global(queries.unread_count_of_current_user, "inbox_unread_count")
    app.add_template_global(queries.record_url, "inbox_record_url")
    app.add_template_global(queries.record_label, "inbox_record_label")
    app.add_template_global(policy.can_set_robot, "inbox_can_set_robot")
    app.cli.add_command(cli.unit_robot_command)
    app.cli.add_command(cli.check_channels_command)
    labels.register()
    hooks.add_unit_panel("inbox/_unit_robot.html")
