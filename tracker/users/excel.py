"""Bulk user import from Excel: the template, and the dry run that checks every cell.

The sheet has the columns 姓名 / 用户名 / 单位 / 角色 / 职务 / 手机 (any order; English headers
too). Nothing is written here: `plan_user_import` names every bad cell by row, column and value
with what would be accepted, and lists the users to create; `operations.import_users` creates
them, all or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from ..extensions import db
from ..models import OrgUnit, Post, Role, User
from ..domain_errors import N_, DomainError, Reason
from ..scoping import scoped_units
from ..sheets import cell_text, read_first_sheet, workbook_bytes
from .operations import PHONE_REASON, TAKEN_REASON, USERNAME_RE, USERNAME_REASON, NewAccount, normalise_phone

HEADERS = ("姓名", "用户名", "单位", "角色", "职务", "手机")
REQUIRED = ("姓名", "用户名", "单位", "角色")
MAX_ROWS = 5000
_ALIASES = {
    "name": "姓名", "fullname": "姓名", "username": "用户名", "登录名": "用户名", "账号": "用户名",
    "unit": "单位", "党组织": "单位", "所在党组织": "单位", "所在支部": "单位", "role": "角色",
    "post": "职务", "党内职务": "职务", "phone": "手机", "手机号": "手机", "手机号码": "手机", "联系电话": "手机",
}
#: How a role may be written: the Chinese words of the interface, or the stored key.
ROLE_WORDS = {
    "系统管理员": Role.admin, "管理员": Role.admin,
    "上级党组织": Role.leader, "考核组": Role.leader, "上级党组织/考核组": Role.leader,
    "支部书记": Role.secretary, "党务干部": Role.secretary, "支部书记/党务干部": Role.secretary,
    "党员": Role.member,
    **{role.value: role for role in Role},
}
POST_WORDS = {
    "书记": Post.secretary, "副书记": Post.deputy_secretary, "组织委员": Post.organization,
    "宣传委员": Post.publicity, "纪检委员": Post.discipline, "纪律检查委员": Post.discipline,
    **{post.value: post for post in Post},
}
ROLE_CHOICES = "系统管理员、上级党组织、支部书记、党员 (admin, leader, secretary, member)"
POST_CHOICES = ("书记、副书记、组织委员、宣传委员、纪检委员 (secretary, deputy_secretary, organization, "
                "publicity, discipline)")


@dataclass
class Problem:
    """One bad cell: where it is, what it holds and what would be accepted."""

    row: int
    column: str
    value: str
    reason: Reason


@dataclass
class NewUser(NewAccount):
    row: int = 0  #: the sheet's row number


@dataclass
class UserImportPlan:
    users: list[NewUser] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when the sheet can be imported as it is: users to create and no problem."""
        return bool(self.users) and not self.problems


def _header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    return _ALIASES.get(text.lower(), text)


def admin_units(actor: User) -> list[OrgUnit]:
    """The active units the actor administers: where imported users may be placed."""
    return scoped_units(actor, Role.admin, active_only=True)


def unit_label(unit: OrgUnit, units_by_id: dict[int, OrgUnit]) -> str:
    """How a unit is written in the sheet: its name, after its parent's when the name is not unique."""
    parent = units_by_id.get(unit.parent_id) if unit.parent_id else None
    return f"{parent.name}/{unit.name}" if parent else unit.name


def plan_user_import(actor: User, stream: IO[bytes]) -> UserImportPlan:
    """Read a user sheet and check every row (a dry run: nothing is written).

    Raises SheetError when the file is no readable sheet with the required columns.
    """
    headers, data = read_first_sheet(stream, required=REQUIRED, header=_header, max_rows=MAX_ROWS)
    units = admin_units(actor)
    by_name: dict[str, list[OrgUnit]] = {}
    by_id = {u.id: u for u in units}
    for unit in units:
        by_name.setdefault(unit.name, []).append(unit)
        if unit.parent_id in by_id:
            by_name.setdefault(f"{by_id[unit.parent_id].name}/{unit.name}", []).append(unit)
    names = [(cell_text(v[headers["用户名"]]) or "").lower() for _, v in data if headers["用户名"] < len(v)]
    taken = set(db.session.scalars(sa.select(User.username).where(User.username.in_(names)))) if names else set()
    first_row_of: dict[str, int] = {}
    plan = UserImportPlan()
    for number, values in data:
        text = {h: cell_text(values[headers[h]]) if h in headers and headers[h] < len(values) else None
                for h in HEADERS}
        problems = [Problem(number, h, "", Reason(N_("This column must be filled in."), code="missing"))
                    for h in REQUIRED if not text[h]]

        def bad(column: str, reason: Reason) -> None:
            problems.append(Problem(number, column, text[column] or "", reason))  # noqa: B023

        full_name, username = text["姓名"] or "", (text["用户名"] or "").lower()
        if len(full_name) > 100:
            bad("姓名", Reason(N_("At most %(max)d characters."), {"max": 100}, code="long"))
        if username and not USERNAME_RE.match(username):
            bad("用户名", USERNAME_REASON)
        elif username in taken:
            bad("用户名", TAKEN_REASON)
        elif username in first_row_of:
            bad("用户名", Reason(N_("Row %(row)d has this username too: each username once."),
                                {"row": first_row_of[username]}, code="duplicate"))
        first_row_of.setdefault(username, number)
        found = by_name.get((text["单位"] or "").replace("／", "/").strip(), [])
        if text["单位"] and not found:
            bad("单位", Reason(N_("No unit you administer is called this: write a unit's name as the template's "
                                "list of units shows it."), code="unit"))
        elif len(found) > 1:
            bad("单位", Reason(N_("Several of your units have this name: write it with its parent, e.g. %(example)s."),
                               {"example": unit_label(found[0], by_id)}, code="unit_ambiguous"))
        role = ROLE_WORDS.get(text["角色"] or "")
        if text["角色"] and role is None:
            bad("角色", Reason(N_("Write one of: %(choices)s."), {"choices": ROLE_CHOICES}, code="role"))
        post = POST_WORDS.get(text["职务"] or "")
        if text["职务"] and post is None:
            bad("职务", Reason(N_("Write one of: %(choices)s, or leave it empty."), {"choices": POST_CHOICES},
                               code="post"))
        phone = None
        try:
            phone = normalise_phone(text["手机"])
        except DomainError:
            bad("手机", PHONE_REASON)
        if problems:
            plan.problems.extend(problems)
        else:
            plan.users.append(NewUser(username, full_name, found[0], role, post, phone, row=number))  # type: ignore[arg-type]
    return plan


def template_workbook(actor: User) -> bytes:
    """The import template: the header row to fill in, and a sheet explaining each column with the
    units the actor may place users in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "用户"
    sheet.append(list(HEADERS))
    for cell, width in zip(sheet[1], (12, 16, 30, 14, 12, 18), strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "必填", "填写方法"])
    notes.append(["姓名", "是", "真实姓名，如 张伟"])
    notes.append(["用户名", "是", "登录名：2–64 位小写字母、数字、点、横线或下划线，如 zhangwei"])
    notes.append(["单位", "是", "下列单位之一；重名的单位写成 上级单位/单位"])
    notes.append(["角色", "是", ROLE_CHOICES])
    notes.append(["职务", "否", POST_CHOICES])
    notes.append(["手机", "否", "手机号码（11 位）或带区号的固定电话，如 13812345678、010-12345678"])
    notes.append([])
    notes.append(["可填写的单位"])
    units = admin_units(actor)
    by_id = {u.id: u for u in units}
    names = [u.name for u in units]
    for unit in units:
        notes.append([unit_label(unit, by_id) if names.count(unit.name) > 1 else unit.name])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width, notes.column_dimensions["C"].width = 30, 80
    return workbook_bytes(workbook)
