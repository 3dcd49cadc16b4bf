"""Timeline labels of the inbox's changes: a person's e-mail address, a unit's group robot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import register_labels
from ..models import WebhookKind


def register() -> None:
    register_labels(
        verbs={"email_changed": _l("changed the e-mail address"), "robot_changed": _l("changed the group robot")},
        fields={"email": _l("E-mail address"), "webhook_kind": _l("Group robot")},
        values={"webhook_kind": WebhookKind.labels()},
    )
