"""`GET /files/<id>`: a stored file, for whoever sees the record it is attached to."""

from __future__ import annotations

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Attachment
from ..scoping import get_unit_or_404, int_or_404
from ..uploads import send_attachment
from ..hooks import attachment_owner_loader
from . import bp


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = db.session.get(Attachment, int_or_404(attachment_id))
    if attachment is None:
        abort(404)
    loader = attachment_owner_loader(attachment.owner_type)
    if loader is None:  # a record kind without parts: its unit's scope decides
        get_unit_or_404(attachment.unit_id, current_user)
    else:
        loader(attachment.owner_id, current_user)  # 404 unless the user sees the record
    return send_attachment(attachment)
