"""The organisation tree (党组织): units with a materialised path for subtree queries."""

from __future__ import annotations


import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, str_enum
from .user import Membership, Post, Role, User


class UnitKind(LabelledEnum):
    committee = "committee", _l("Party committee")  #: 党委
    work_committee = "work_committee", _l("Working committee")  #: 工委
    organ_committee = "organ_committee", _l("Organ party committee")  #: 机关党委
    general_branch = "general_branch", _l("General branch")  #: 党总支
    branch = "branch", _l("Party branch")  #: 党支部
    group = "group", _l("Party group")  #: 党小组

    @property
    def level(self) -> int:
        """How deep this kind sits: committees 0, general branches 1, branches 2, groups 3."""
        return _KIND_LEVEL[self]

    @property
    def is_committee(self) -> bool:
        return self.level == 0


_KIND_LEVEL = {
    UnitKind.committee: 0,
    UnitKind.work_committee: 0,
    UnitKind.organ_committee: 0,
    UnitKind.general_branch: 1,
    UnitKind.branch: 2,
    UnitKind.group: 3,
}


class WebhookKind(LabelledEnum):
    """The group robots a unit's notices may be posted to."""

    wecom = "wecom", _l("WeCom group robot (企业微信)")  #: 企业微信群机器人
    dingtalk = "dingtalk", _l("DingTalk group robot (钉钉)")  #: 钉钉群机器人 (signed with its secret)


class OrgUnit(db.Model):
    """A party organisation. `path` is `/<root id>/…/<own id>/`, so a subtree is one LIKE prefix."""

    __tablename__ = "org_unit"
    __table_args__ = (
        sa.Index(
            "ix_org_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}
        ),
        sa.UniqueConstraint("parent_id", "name", name="uq_org_unit_parent_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    path: Mapped[str] = mapped_column(sa.String(255), default="")
    version: Mapped[int] = mapped_column(default=1)
    # The unit's group robot, where its notices are posted when WEBHOOKS_ENABLED (tracker/inbox/channels.py).
    webhook_kind: Mapped[WebhookKind | None] = mapped_column(str_enum(WebhookKind, length=16))
    webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    webhook_secret: Mapped[str | None] = mapped_column(sa.String(200))  #: 钉钉's 加签 secret

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], lazy="joined", innerjoin=False)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name}>"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (not this unit)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1]]

    @property
    def secretary(self):
        """The unit's secretary (an active user): the one holding the 书记 post first, else any
        secretary role held at this very unit; None when there is none."""
        return db.session.scalars(
            sa.select(User).join(Membership).where(Membership.unit_id == self.id, Membership.role == Role.secretary,
                                                   User.is_active_flag.is_(True))
            .order_by((Membership.post == Post.secretary).desc(), Membership.id)
        ).first()

    def nearest_holders(self, role) -> list:
        """The active users holding `role` at this unit, or else at the nearest unit above it that has
        any: who is told when "the secretary" or "the leader above" must hear of something here."""
        chain = [*self.ancestor_ids, self.id]
        rows = db.session.execute(
            sa.select(Membership.unit_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.unit_id.in_(chain), Membership.role == role, User.is_active_flag.is_(True))
            .order_by(User.id)
        ).all()
        for unit_id in reversed(chain):
            found = list({user.id: user for holder_unit, user in rows if holder_unit == unit_id}.values())
            if found:
                return found
        return []

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is `other` or sits anywhere below it."""
        return self.path.startswith(other.path)

    def same_line(self, other: OrgUnit) -> bool:
        """True when one unit is the other's ancestor or descendant (or they are one unit)."""
        return self.is_within(other) or other.is_within(self)

    @staticmethod
    def subtree_ids(*paths: str) -> sa.Select:
        """SELECT the ids of every unit under any of `paths` (each included)."""
        if not paths:
            return sa.select(OrgUnit.id).where(sa.false())
        return sa.select(OrgUnit.id).where(sa.or_(*(OrgUnit.path.startswith(p) for p in paths)))
