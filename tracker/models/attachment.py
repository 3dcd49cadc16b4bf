"""Uploaded files (佐证材料, project attachments) attached to any record, stored outside static/."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow
from .user import User


class AttachmentKind(LabelledEnum):
    regulation = "regulation", _l("Regulation document")  #: 制度文件
    minutes = "minutes", _l("Meeting minutes")  #: 会议记录
    photo = "photo", _l("Photo")  #: 照片
    before_after = "before_after", _l("Before-and-after comparison")  #: 整改前后对比
    other = "other", _l("Other")  #: 其他


class Attachment(db.Model):
    """One stored file. `owner_type`/`owner_id` name the record it belongs to (like activity)."""

    __tablename__ = "attachment"
    __table_args__ = (
        sa.Index("ix_attachment_owner", "owner_type", "owner_id"),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(40))
    owner_id: Mapped[int]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind), default=AttachmentKind.other)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")
