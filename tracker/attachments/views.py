"""`GET /files/<id>`: a stored file, for users whose scope covers its unit."""

from __future__ import annotations

from flask_login import current_user, login_required

from ..models import Attachment
from ..scoping import get_scoped_or_404
from ..uploads import send_attachment
from . import bp


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = get_scoped_or_404(Attachment, attachment_id, current_user)
    return send_attachment(attachment)
