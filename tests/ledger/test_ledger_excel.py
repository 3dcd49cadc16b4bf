"""Excel: the export read back with openpyxl, and the import's dry run, all-or-nothing and no duplicates."""

import io
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
from openpyxl import Workbook, load_workbook

from tracker.extensions import db
from tracker.ledger.excel import HEADERS
from tracker.clock import local_today
from tracker.models import LedgerItem


def test_export_reads_back_with_the_office_headers_and_rows(client, login, world, new_item):
    new_item(problem="=HYPERLINK(\"http://evil\",\"点我\")", batch="2026年第四季度互查", category="组织建设",
             indicator="三会一课", deduction=__import__("decimal").Decimal("0.5"))
    new_item(problem="+宣传栏未更新", deadline=date(2026, 12, 31))
    login(world.leader)
    response = client.get("/ledger/export.xlsx?sort=code&dir=asc")
    assert response.status_code == 200
    stamp = local_today().strftime("%Y%m%d")
    assert f"filename*=UTF-8''{quote(f'整改台账_{stamp}.xlsx')}" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[0].startswith("ZG-") and first[1] == "自查" and first[2] == "2026年第四季度互查"
    assert first[4] == "办公室党支部" and first[13] == "待整改" and first[6] == "三会一课（扣0.5分）"
    assert first[5].startswith("'=")  # the formula is neutralised: plain text
    assert second[5] == "'+宣传栏未更新"
    assert isinstance(second[11], datetime) and second[11].date() == date(2026, 12, 31)  # a real date cell
    assert sheet.cell(row=3, column=12).number_format == "yyyy-mm-dd"


def test_export_keeps_markup_like_text_as_plain_text_with_a_styled_header(client, login, world, new_item):
    lookalike = '<r><t>x</t></r></is></c><c r="B2"><f>HYPERLINK("http://evil")</f></c><c><is><r><t>y</t></r>'
    new_item(problem=lookalike, measures="<r></r>", target="a < b & c > d")
    login(world.leader)
    sheet = load_workbook(io.BytesIO(client.get("/ledger/export.xlsx").get_data())).active
    row = [cell.value for cell in sheet[2]]
    assert (row[5], row[7], row[8]) == (lookalike, "a < b & c > d", "<r></r>")  # text, not XML
    assert sheet.max_row == 2 and all(cell.data_type != "f" for cell in sheet[2])
    assert all(cell.font.b for cell in sheet[1])  # a bold header row, frozen above the rows
    assert sheet.freeze_panes == "A2"
    assert abs(sheet.column_dimensions["F"].width - 50) < 1  # 问题描述 is wide


def test_export_follows_the_filter(client, login, world, new_item):
    new_item(problem="已超期的问题", deadline=local_today() - timedelta(days=1))
    new_item(problem="还早的问题", deadline=local_today() + timedelta(days=60))
    login(world.leader)
    sheet = load_workbook(io.BytesIO(client.get("/ledger/export.xlsx?countdown=overdue").get_data())).active
    problems = [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert problems == ["已超期的问题"]


def _sheet(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


GOOD = [
    {"序号": 1, "问题来源": "季度互查", "检查批次/轮次": "2026年第四季度互查", "责任单位(被检查单位)": "办公室党支部",
     "问题描述": "党课开展次数不足", "对应指标/扣分": "三会一课（扣0.5分）", "整改时限": datetime(2026, 12, 31),
     "责任人": "lw_owner", "整改状态": "待整改"},
    {"序号": 2, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "宣传栏未更新",
     "整改时限": "立行立改", "整改状态": "整改中"},
    {"序号": 3, "问题来源": "巡察督查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "谈心谈话记录简单",
     "整改时限": "2027年1月15日"},
]
BAD = [
    {"序号": 4, "问题来源": "自查", "责任单位(被检查单位)": "不存在的支部", "问题描述": "某问题", "整改时限": "2026-12-31"},
    {"序号": 5, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": None, "整改时限": "2026-12-31"},
    {"序号": 6, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "日期错", "整改时限": "明年"},
    {"序号": 7, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "状态错", "整改时限": "2026-12-31",
     "整改状态": "差不多了"},
]


def _count(in_db):
    return in_db(lambda: db.session.scalar(db.select(db.func.count(LedgerItem.id))))


def test_import_previews_every_bad_row_and_records_nothing(client, login, world, in_db):
    login(world.leader)
    response = client.post("/ledger/import", data={"file": (_sheet(GOOD + BAD), "台账.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for number, text in [(5, "不存在的支部"), (6, "缺少问题描述"), (7, "明年"), (8, "差不多了")]:
        assert f"第{number}行" in page and text in page
    assert "确认登记" not in page
    assert _count(in_db) == 0


def test_import_good_rows_all_at_once_and_not_twice(client, login, world, in_db):
    login(world.leader)
    response = client.post("/ledger/import", data={"file": (_sheet(GOOD), "台账.xlsx")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "确认登记这3条" in page
    assert _count(in_db) == 0  # a dry run
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/ledger/import/confirm", data={"token": token}).status_code == 302
    items = in_db(lambda: {i.problem: (i.status.value, i.deadline_kind.value, i.deduction, i.owner_id)
                           for i in db.session.scalars(db.select(LedgerItem))})
    assert items["党课开展次数不足"] == ("open", "date", __import__("decimal").Decimal("0.50"), world.owner.id)
    assert items["宣传栏未更新"][:2] == ("in_progress", "immediate")
    assert len(items) == 3

    again = client.post("/ledger/import", data={"file": (_sheet(GOOD), "台账.xlsx")}, content_type="multipart/form-data")
    assert "3行已在台账中" in again.get_data(as_text=True)
    token = again.get_data(as_text=True).split('name="token" type="hidden" value="')
    assert len(token) == 1  # nothing new to confirm
    assert _count(in_db) == 3


def test_an_exported_sheet_imports_without_duplicates(client, login, world, new_item, in_db):
    new_item(problem="导出后再导入")
    login(world.leader)
    exported = client.get("/ledger/export.xlsx").get_data()
    page = client.post("/ledger/import", data={"file": (io.BytesIO(exported), "整改台账.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1行已在台账中" in page
    assert _count(in_db) == 1


def test_a_non_xlsx_file_is_a_clear_error(client, login, world, in_db):
    login(world.leader)
    for data, name in [(b"\xd0\xcf\x11\xe0 old excel", "台账.xls"), (b"PK\x03\x04broken zip", "台账.xlsx"),
                       ("序号,问题描述\n1,问题".encode(), "台账.csv")]:
        response = client.post("/ledger/import", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="file-error"' in page and ("不是Excel" in page or "无法作为Excel" in page)
    assert _count(in_db) == 0


def test_confirm_with_an_unknown_token_imports_nothing(client, login, world, in_db):
    login(world.leader)
    response = client.post("/ledger/import/confirm", data={"token": "deadbeef"})
    assert response.status_code == 302 and _count(in_db) == 0


def test_immediate_and_ongoing_items_export_with_their_kind_and_read_back(client, login, world, new_item, in_db):
    from tracker.models import DeadlineKind

    immediate = new_item(problem="立即整改的问题", deadline=None, deadline_kind=DeadlineKind.immediate)
    new_item(problem="长期坚持的问题", deadline=None, deadline_kind=DeadlineKind.ongoing)
    due = in_db(lambda: db.session.get(LedgerItem, immediate).deadline)
    login(world.leader)
    sheet = load_workbook(io.BytesIO(client.get("/ledger/export.xlsx?sort=code&dir=asc").get_data())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[11] for r in rows] == [f"立行立改（截止{due.isoformat()}）", "长期坚持"]
    page = client.post("/ledger/import", data={"file": (_sheet([
        {"序号": 1, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "纸质台账里的立行立改",
         "整改时限": "立行立改（截止2026年12月20日）"}]), "台账.xlsx")}, content_type="multipart/form-data")
    token = page.get_data(as_text=True).split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/ledger/import/confirm", data={"token": token}).status_code == 302
    imported = in_db(lambda: db.session.scalars(db.select(LedgerItem).where(
        LedgerItem.problem == "纸质台账里的立行立改")).one())
    assert (imported.deadline_kind.value, imported.deadline) == ("immediate", date(2026, 12, 20))


@pytest.fixture
def own_places(app, tmp_path):
    """TEMP_DIR and UPLOAD_DIR of this test's own, so leftovers can be counted."""
    saved = {k: app.config[k] for k in ("TEMP_DIR", "UPLOAD_DIR")}
    app.config.update(TEMP_DIR=str(tmp_path / "tmp"), UPLOAD_DIR=str(tmp_path / "uploads"))
    yield tmp_path / "tmp", tmp_path / "uploads" / "imports"
    app.config.update(saved)


def _listing(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_export_leaves_no_file_whether_read_or_not(client, login, world, new_item, own_places):
    temp, _ = own_places
    new_item()
    login(world.leader)
    read = client.get("/ledger/export.xlsx")
    assert read.status_code == 200 and load_workbook(io.BytesIO(read.data)).active.max_row == 2
    read.close()
    unread = client.get("/ledger/export.xlsx", buffered=False)
    assert unread.status_code == 200 and len(_listing(temp)) == 1  # written, not yet sent
    unread.close()  # the client went away before the body was sent
    assert _listing(temp) == []


def test_a_new_import_sweeps_stale_sheets_and_replaces_its_own_earlier_one(client, login, world, own_places):
    _, imports = own_places
    imports.mkdir(parents=True)
    stale = imports / ("ab" * 16)
    stale.write_bytes(b"an unconfirmed sheet from yesterday")
    old = __import__("time").time() - 25 * 3600
    __import__("os").utime(stale, (old, old))
    login(world.leader)
    first = client.post("/ledger/import", data={"file": (_sheet(GOOD), "台账.xlsx")}, content_type="multipart/form-data")
    assert first.status_code == 200 and not stale.exists()
    (kept,) = _listing(imports)
    client.post("/ledger/import", data={"file": (_sheet(GOOD[:1]), "台账.xlsx")}, content_type="multipart/form-data")
    assert len(_listing(imports)) == 1 and _listing(imports) != [kept]
    # A sheet with a bad row, or nothing new, cannot be confirmed: it is not kept at all.
    client.post("/ledger/import", data={"file": (_sheet(GOOD + BAD), "台账.xlsx")}, content_type="multipart/form-data")
    assert _listing(imports) == []


def test_the_sheet_goes_once_the_import_is_confirmed_or_refused(client, login, world, own_places, monkeypatch):
    _, imports = own_places
    login(world.leader)
    page = client.post("/ledger/import", data={"file": (_sheet(GOOD), "台账.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert _listing(imports) == [token]
    assert client.post("/ledger/import/confirm", data={"token": token}).status_code == 302
    assert _listing(imports) == []

    fresh = [{**GOOD[0], "问题描述": "另一个问题"}]
    page = client.post("/ledger/import", data={"file": (_sheet(fresh), "台账.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    from tracker.ledger import views_excel
    from tracker.domain_errors import DomainError

    def refuse(*_args):
        raise DomainError("someone changed the ledger meanwhile")

    monkeypatch.setattr(views_excel, "import_plan", refuse)
    assert client.post("/ledger/import/confirm", data={"token": token}).status_code == 302
    assert _listing(imports) == []


def test_export_keeps_every_formula_like_text_as_text(client, login, world, new_item):
    from reviews.test_export_safety import HOSTILE, assert_no_formula

    for text in HOSTILE:
        new_item(problem=text, measures=text, category=text, remark=text)
    login(world.leader)
    assert_no_formula(client.get("/ledger/export.xlsx").get_data(), *HOSTILE)
