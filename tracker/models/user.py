"""Users and their roles at org units (a role at a unit covers its whole subtree)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:  # the relationship resolves "OrgUnit" by name; org.py imports this module
    from .org import OrgUnit


class Role(LabelledEnum):
    admin = "admin", _l("Administrator")  #: 系统管理员: org tree, users, templates, rubrics in the subtree
    leader = "leader", _l("Leader")  #: 上级党组织 / 考核组: assigns, reviews, verifies and closes
    secretary = "secretary", _l("Secretary")  #: 支部书记 / 党务干部: runs the branch's work
    member = "member", _l("Member")  #: 党员: owns items, reports progress, uploads evidence

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]


_ROLE_RANK = {Role.member: 1, Role.secretary: 2, Role.leader: 3, Role.admin: 4}


class Post(LabelledEnum):
    secretary = "secretary", _l("Secretary (书记)")  #: 书记
    deputy_secretary = "deputy_secretary", _l("Deputy secretary")  #: 副书记
    organization = "organization", _l("Organisation committee member")  #: 组织委员
    publicity = "publicity", _l("Publicity committee member")  #: 宣传委员
    discipline = "discipline", _l("Discipline inspection member")  #: 纪检委员


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active_flag: Mapped[bool] = mapped_column("is_active", default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))  #: where e-mail notifications go
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan",
        order_by="Membership.id",
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_flag

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def primary_unit(self) -> OrgUnit | None:
        """The unit shown beside the user's name: where they hold their highest role."""
        if not self.memberships:
            return None
        return max(self.memberships, key=lambda m: (m.role.rank, -m.id)).unit

    def roles_over(self, unit: OrgUnit) -> set[Role]:
        """Roles this user holds at `unit` or at any unit above it."""
        return {m.role for m in self.memberships if unit.path.startswith(m.unit.path)}

    def has_role_over(self, unit: OrgUnit, *roles: Role) -> bool:
        """True when the user holds one of `roles` (any role if none given) covering `unit`."""
        held = self.roles_over(unit)
        return bool(held & set(roles)) if roles else bool(held)

    def scope_paths(self, *roles: Role) -> list[str]:
        """Paths of the units whose subtrees this user covers (with one of `roles`, if given)."""
        paths = sorted(
            {m.unit.path for m in self.memberships if not roles or m.role in roles}
        )
        # Drop paths already covered by a shorter one.
        minimal: list[str] = []
        for path in paths:
            if not any(path.startswith(p) for p in minimal):
                minimal.append(path)
        return minimal

    @property
    def is_admin(self) -> bool:
        return any(m.role is Role.admin for m in self.memberships)

    @property
    def is_leader(self) -> bool:
        return any(m.role in (Role.leader, Role.admin) for m in self.memberships)


class Membership(db.Model):
    """A role a user holds at a unit, with the branch committee post if any."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "unit_id", "role", name="uq_membership_user_unit_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    post: Mapped[Post | None] = mapped_column(str_enum(Post))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    unit: Mapped[OrgUnit] = relationship(lazy="joined")
