"""Demo step: the organisation tree and its users."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import OrgUnit, Post, Role, UnitKind, User
from ..orgs.operations import create_unit
from ..users.operations import create_user

ROOT_NAME = "示范市直机关党委"
GENERAL_BRANCHES = ["机关第一党总支", "机关第二党总支"]
BRANCHES = ["办公室党支部", "组织人事党支部", "综合业务党支部", "规划管理党支部", "执法监察党支部", "信息中心党支部"]
MEMBER_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐明", "孙丽"]
SECRETARY_NAMES = ["王建国", "李红梅", "张志强", "刘晓燕", "陈国华", "杨秀英"]
#: Every demo login, so a database that already uses one of them can be told before anything is added.
USERNAMES = ["admin", "leader", *(f"sec{i + 1}" for i in range(len(BRANCHES))),
             *(f"member{i + 1}" for i in range(len(MEMBER_NAMES)))]


@dataclass
class DemoOrg:
    root: OrgUnit
    general_branches: list[OrgUnit]
    branches: list[OrgUnit]
    admin: User
    leader: User
    secretaries: list[User]
    members: list[User] = field(default_factory=list)


def seed(password: str) -> DemoOrg:
    root = create_unit(None, ROOT_NAME, UnitKind.organ_committee)
    generals = [create_unit(None, name, UnitKind.general_branch, root, i) for i, name in enumerate(GENERAL_BRANCHES)]
    branches = [
        create_unit(None, name, UnitKind.branch, generals[i // 3], i % 3) for i, name in enumerate(BRANCHES)
    ]
    admin = create_user(None, username="admin", full_name="系统管理员", password=password, unit=root, role=Role.admin)
    leader = create_user(None, username="leader", full_name="周书记", password=password, unit=root, role=Role.leader)
    secretaries = [
        create_user(None, username=f"sec{i + 1}", full_name=SECRETARY_NAMES[i], password=password,
                    unit=branch, role=Role.secretary, post=Post.secretary)
        for i, branch in enumerate(branches)
    ]
    members = [
        create_user(None, username=f"member{i + 1}", full_name=MEMBER_NAMES[i], password=password,
                    unit=branches[i // 2], role=Role.member)
        for i in range(12)
    ]
    return DemoOrg(root, generals, branches, admin, leader, secretaries, members)


def describe(ctx: DemoOrg, password: str) -> str:
    lines = [f"Demo organisation: {ctx.root.name}", f"All demo users have the password {password}:",
             f"  admin    系统管理员 at {ctx.root.name}", f"  leader   上级党组织 at {ctx.root.name}"]
    lines += [f"  sec{i + 1:<5}  书记 of {b.name}" for i, b in enumerate(ctx.branches)]
    lines.append("  member1 … member12  党员, two in each branch")
    return "\n".join(lines)
