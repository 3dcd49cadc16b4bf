"""The audit view (/activity): every activity record in a leader's or admin's scope, filtered and exported."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("activity", __name__, url_prefix="/activity")

from . import queries, views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint and the template helpers naming and linking the records of every feature."""
    app.register_blueprint(bp)
    app.add_template_global(queries.record_label, "activity_record_label")
    app.add_template_global(queries.record_url, "activity_record_url")
