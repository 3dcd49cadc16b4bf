"""The organisation tree: units, their posts and members."""

from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from . import views  # noqa: E402,F401


@bp.record_once
def _timeline_labels(_state):
    from ..i18n import register_labels
    from .labels import KIND_LABELS, POST_LABELS, ROLE_LABELS

    register_labels(values={
        "kind": {k.value: v for k, v in KIND_LABELS.items()},
        "role": {k.value: v for k, v in ROLE_LABELS.items()},
        "post": {k.value: v for k, v in POST_LABELS.items()},
    })


@bp.app_context_processor
def _labels():
    from .labels import KIND_LABELS, POST_LABELS, ROLE_LABELS

    return {
        "kind_label": KIND_LABELS.get,
        "role_label": ROLE_LABELS.get,
        "post_label": POST_LABELS.get,
    }
