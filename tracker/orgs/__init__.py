"""The organisation tree: units, their posts and members."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..i18n import register_labels

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from . import labels, views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint, the timeline labels of kinds, roles and posts, and their template helpers."""
    app.register_blueprint(bp)
    register_labels(values={
        "kind": {k.value: v for k, v in labels.KIND_LABELS.items()},
        "role": {k.value: v for k, v in labels.ROLE_LABELS.items()},
        "post": {k.value: v for k, v in labels.POST_LABELS.items()},
    })
    app.jinja_env.globals.update(kind_label=labels.KIND_LABELS.get, role_label=labels.ROLE_LABELS.get,
                                 post_label=labels.POST_LABELS.get)
