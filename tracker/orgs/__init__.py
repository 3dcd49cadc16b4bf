"""The organisation tree: units, their posts and members."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..audit import names_by_id
from ..i18n import register_labels
from ..models import OrgUnit, Post, Role, UnitKind

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from . import views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint, the timeline labels of kinds, roles and posts, and their template helpers."""
    app.register_blueprint(bp)
    register_labels(values={
        "kind": UnitKind.labels(),
        "role": Role.labels(),
        "post": Post.labels(),
    })
    app.jinja_env.globals.update(kind_label=UnitKind.label_of, role_label=Role.label_of,
                                 post_label=Post.label_of)
    hooks.register_record_kind("org_unit", _l("Unit"), "orgs.show", "unit_id", partial(names_by_id, OrgUnit.id, OrgUnit.name))
