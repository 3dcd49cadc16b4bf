"""A real office's 整改台账 goes in whole: title row, synonyms, text dates, merged category, closed rows."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from tracker.clock import to_local
from tracker.extensions import db
from tracker.ledger.excel import TEMPLATE_HEADERS
from tracker.models import DeadlineKind, ItemSource, LedgerItem, OrgUnit, ProgressEntry, Role
from tracker.ledger.workflow import ItemStatus

OFFICE_HEADERS = ["序号", "问题类别", "具体问题", "整改措施", "整改责任人", "整改完成时限", "完成情况", "是否销号", "销号时间",
                  "问题来源"]


def office_sheet(rows=None) -> io.BytesIO:
    """The 巡察反馈问题整改台账 of issue 10, as an office keeps it: a merged title row, its own headers,
    a category merged over the first two problems, dates as text, 立行立改 and 长期坚持."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["机关党委巡察反馈问题整改台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(OFFICE_HEADERS)
    for row in rows or [
        [1, "组织建设", "“三会一课”记录不规范", "完善会议记录", "张伟", "2026年12月31日", "整改中", "否", None, "巡察反馈"],
        [2, None, "党费收缴台账不全", "补齐党费台账", "lw_owner", "2026.11.30", "已完成", "是", "2026年11月28日", "巡察反馈"],
        [3, "作风建设", "谈心谈话记录简单", "逐人补谈", "张伟", "立行立改", "未启动", "否", None, "督查"],
        [4, "宣传工作", "宣传栏未及时更新", "每月更新", None, "长期坚持", "持续推进，已更新两期", None, None, "督查"],
        [5, "制度建设", "制度汇编多年未修订", "修订汇编", "lw_owner", datetime(2027, 1, 15), "已完成", "否", None, "巡察反馈"],
    ]:
        sheet.append(row)
    sheet.merge_cells("B3:B4")  # 组织建设 over problems 1 and 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _zhang(in_db, world):
    from tracker.users.operations import create_user

    in_db(lambda: create_user(None, username="zhangwei", full_name="张伟", password="secret-pass-1",
                              unit=db.session.get(OrgUnit, world.branch.id), role=Role.member))


def _preview(client, world, sheet):
    return client.post("/ledger/import", data={"file": (sheet, "巡察反馈问题整改台账.xlsx"), "unit_id": str(world.branch.id)},
                       content_type="multipart/form-data")


def test_the_office_sheet_imports_whole(client, login, world, in_db):
    _zhang(in_db, world)
    login(world.leader)
    response = _preview(client, world, office_sheet())
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "确认登记这5条" in page
    columns = page.split('id="import-columns"')[1].split("</table>")[0]
    for written, understood in [("具体问题", "问题描述"), ("整改责任人", "责任人"), ("整改完成时限", "整改时限"),
                                ("完成情况", "整改状态 + 整改进展"), ("是否销号", "整改状态（已销号）"), ("销号时间", "销号时间")]:
        assert f"<bdi>{written}</bdi>" in columns and f">{understood}</td>" in columns
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/ledger/import/confirm", data={"token": token, "unit_id": str(world.branch.id)}).status_code == 302

    def read():
        items = {i.problem: i for i in db.session.scalars(db.select(LedgerItem))}
        notes = {e.item_id: e.text for e in db.session.scalars(db.select(ProgressEntry))}
        return {problem: dict(status=i.status, category=i.category, source=i.source, kind=i.deadline_kind,
                              deadline=i.deadline, owner=i.owner.username if i.owner else None, unit=i.unit_id,
                              closed=to_local(i.closed_at).date() if i.closed_at else None,
                              note=i.completion_note or notes.get(i.id))
                for problem, i in items.items()}

    items = in_db(read)
    assert len(items) == 5
    first, second = items["“三会一课”记录不规范"], items["党费收缴台账不全"]
    assert first["category"] == second["category"] == "组织建设"  # the merged category, on both rows
    assert first["status"] is ItemStatus.in_progress and first["owner"] == "zhangwei"
    assert first["deadline"] == date(2026, 12, 31) and first["source"] is ItemSource.inspection
    assert second["status"] is ItemStatus.closed and second["closed"] == date(2026, 11, 28)
    assert second["deadline"] == date(2026, 11, 30) and second["owner"] == "lw_owner"
    third = items["谈心谈话记录简单"]
    assert third["status"] is ItemStatus.open and third["kind"] is DeadlineKind.immediate
    assert third["source"] is ItemSource.inspection and third["deadline"] is not None
    fourth = items["宣传栏未及时更新"]
    assert fourth["status"] is ItemStatus.in_progress and fourth["kind"] is DeadlineKind.ongoing
    assert fourth["note"] == "持续推进，已更新两期"
    fifth = items["制度汇编多年未修订"]
    assert fifth["status"] is ItemStatus.submitted and fifth["deadline"] == date(2027, 1, 15)  # 已完成, not 销号
    assert {i["unit"] for i in items.values()} == {world.branch.id}
    closed_id = in_db(lambda: db.session.scalar(db.select(LedgerItem.id).where(LedgerItem.problem == "党费收缴台账不全")))
    timeline = client.get(f"/ledger/{closed_id}").get_data(as_text=True).split('id="timeline"')[1]
    assert "从Excel导入" in timeline and "销号时间" in timeline and "2026-11-28" in timeline  # marked as imported


def test_a_secretary_cannot_bring_in_closed_problems_and_errors_name_the_cell(client, login, world, in_db):
    _zhang(in_db, world)
    login(world.secretary)
    sheet = office_sheet([
        [1, "组织建设", "党费收缴台账不全", "补齐", "lw_owner", "2026.11.30", "已完成", "是", "2026年11月28日", "巡察反馈"],
        [2, "组织建设", "某问题", "某措施", "张伟", "明年底", "整改中", "否", None, "领导交办"],
    ])
    response = _preview(client, world, sheet)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第3行" in page and "是否销号" in page and "“是”" in page
    assert "第4行" in page and "整改完成时限" in page and "明年底" in page and "2026年12月31日" in page
    assert "问题来源" in page and "领导交办" in page and "巡察督查" in page
    assert "确认登记" not in page
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(LedgerItem.id)))) == 0


def test_a_sheet_without_a_unit_column_needs_a_unit(client, login, world):
    login(world.leader)
    response = client.post("/ledger/import", data={"file": (office_sheet(), "台账.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "责任单位" in response.get_data(as_text=True)


def test_the_template_downloads_and_reads_back(client, login, world, in_db):
    login(world.leader)
    page = client.get("/ledger/import").get_data(as_text=True)
    assert "/ledger/import/template.xlsx" in page
    response = client.get("/ledger/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]] == TEMPLATE_HEADERS and "A1:L1" in str(sheet.merged_cells)
    preview = _preview(client, world, io.BytesIO(response.data))
    assert preview.status_code == 200 and "确认登记这2条" in preview.get_data(as_text=True)


def test_what_the_ledger_cannot_hold_is_named_not_a_500(client, login, world, in_db):
    login(world.leader)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["存在问题", "问题类型", "对应指标", "整改期限", "是否销号", "销号时间", "责任单位", "佐证"])
    sheet.append(["类别过长", "类" * 101, None, "2026/12/31", None, None, "办公室党支部", "照片"])
    sheet.append(["扣分过大", None, "三会一课（扣99999分）", "2026/12/31", None, None, "办公室党支部", None])
    sheet.append(["将来销号", None, None, "2026/12/31", "是", "2999年1月1日", "办公室党支部", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = client.post("/ledger/import", data={"file": (buffer, "台账.xlsx")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第2行" in page and "问题类型" in page and "100" in page
    assert "第3行" in page and "999" in page
    assert "第4行" in page and "2999年1月1日" in page
    assert "<bdi>佐证</bdi>" in page  # shown as ignored
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(LedgerItem.id)))) == 0


def test_an_unknown_deadline_header_is_named_once_with_what_was_not_read(client, login, world):
    login(world.leader)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["具体问题", "责任单位", "办结时限"])
    sheet.append(["某问题", "办公室党支部", "2026年12月31日"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = client.post("/ledger/import", data={"file": (buffer, "台账.xlsx")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "整改时限" in page and "办结时限" in page and "第2行" not in page
