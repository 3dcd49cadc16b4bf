"""A 考评表 as an office writes it goes in: a title row, its own headers, a category merged over its rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tracker.domain_errors import DomainError
from tracker.extensions import db
from tracker.models import ItemKind, Method, OrgUnit
from tracker.reviews import operations as ops


def office_rubric(points_of_second="5分") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年度党支部工作考评细则"])
    sheet.merge_cells("A1:E1")
    sheet.append(["考评项目", "考核内容", "标准分", "评分细则", "考核方式"])
    sheet.append(["组织建设（10分）", "按期换届", 5, "未按期换届扣5分", "查阅资料"])
    sheet.append([None, "三会一课", points_of_second, "少一次扣0.5分", "查阅资料、现场查看"])
    sheet.merge_cells("A3:A4")
    sheet.append(["加分项（5分）", "工作经验被上级推广", 2, "每项加1分", "查阅资料"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_office_rubric_with_its_own_headers_imports(app, world):
    with app.app_context():
        rubric = ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "考评细则",
                                   office_rubric())
        assert [(c.title, [(i.title, i.points) for i in c.children]) for c in rubric.categories] == [
            ("组织建设", [("按期换届", Decimal(5)), ("三会一课", Decimal(5))]),
            ("加分项", [("工作经验被上级推广", Decimal(2))])]
        assert rubric.indicators[1].method is Method.documents and rubric.indicators[2].kind is ItemKind.bonus


def test_a_bad_cell_is_named_by_row_header_and_value(app, world):
    with app.app_context():
        with pytest.raises(DomainError) as caught:
            ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "考评细则",
                              office_rubric("五分"))
        [reason] = caught.value.reasons
        assert reason.params == {"row": 4, "column": "标准分", "value": "五分"}
