"""The ledger in Excel: a streamed export in the offices' layout, and an all-or-nothing import."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
import xlsxwriter
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..clock import local_today, local_zone, to_local
from ..domain_errors import N_, Reason
from ..extensions import db
from ..models import Attachment, DeadlineKind, ItemSource, LedgerItem, Membership, OrgUnit, ProgressEntry, User
from ..scoping import scoped_units
from ..sheets import SheetError, SheetTable, cell_text, neutralise, read_sheet_table, workbook_bytes
from ..tempfiles import temp_dir
from . import policy
from .queries import LedgerFilter, apply_filter, existing_codes, existing_dedupe_keys, ordered, people_rows
from .workflow import ItemStatus, people_reasons


#: The columns offices expect, in their order (domain.md §2); the export keeps these headers.
HEADERS = ["序号", "问题来源", "检查批次/轮次", "问题类别", "责任单位(被检查单位)", "问题描述", "对应指标/扣分",
           "整改目标/验收标准", "整改措施", "责任领导", "责任人", "整改时限", "整改进展", "整改状态", "佐证材料",
           "验收人", "验收意见", "完成时间", "销号时间", "建章立制/举一反三", "备注"]
WIDTHS = [14, 12, 18, 12, 20, 50, 20, 30, 30, 10, 10, 12, 30, 10, 10, 10, 30, 16, 16, 30, 20]

# The sheet speaks the offices' Chinese whatever the user's language, so a sheet reads back.
SOURCE_ZH = {ItemSource.project_check: "项目检查", ItemSource.review: "季度互查", ItemSource.inspection: "巡察督查",
             ItemSource.self_check: "自查", ItemSource.org_life: "组织生活会查摆", ItemSource.report: "述职评议",
             ItemSource.other: "其他"}
STATUS_ZH = {ItemStatus.open: "待整改", ItemStatus.in_progress: "整改中", ItemStatus.submitted: "待验收",
             ItemStatus.returned: "退回", ItemStatus.closed: "已销号", ItemStatus.reopened: "回头看",
             ItemStatus.void: "作废"}
DEADLINE_ZH = {DeadlineKind.immediate: "立行立改", DeadlineKind.ongoing: "长期坚持"}


def _local(value: datetime | None) -> datetime | None:
    return to_local(value).replace(tzinfo=None, microsecond=0) if value else None


# --- Export ---------------------------------------------------------------------------------------

def export_rows(f: LedgerFilter, user: User, today: date, limit: int | None = None) -> Iterator[list[Any]]:
    """The rows of the filtered ledger as the 21 columns (Python values: dates stay dates)."""
    owner, verifier, leader = (sa.orm.aliased(User) for _ in range(3))
    latest_progress = (sa.select(ProgressEntry.text).where(ProgressEntry.item_id == LedgerItem.id)
                       .order_by(ProgressEntry.id.desc()).limit(1).scalar_subquery())
    evidence = (sa.select(sa.func.count(Attachment.id)).where(Attachment.owner_type == LedgerItem.__tablename__,
                                                               Attachment.owner_id == LedgerItem.id)
                .scalar_subquery())
    stmt = (sa.select(LedgerItem.code, LedgerItem.source, LedgerItem.batch, LedgerItem.category, OrgUnit.name,
                      LedgerItem.problem, LedgerItem.indicator, LedgerItem.deduction, LedgerItem.target,
                      LedgerItem.measures, leader.full_name, owner.full_name, LedgerItem.deadline_kind,
                      LedgerItem.deadline, LedgerItem.progress, latest_progress, LedgerItem.status, evidence,
                      verifier.full_name, LedgerItem.verification_opinion, LedgerItem.completed_at,
                      LedgerItem.closed_at, LedgerItem.lessons, LedgerItem.remark)
            .select_from(LedgerItem).join(OrgUnit, OrgUnit.id == LedgerItem.unit_id)
            .outerjoin(owner, owner.id == LedgerItem.owner_id)
            .outerjoin(verifier, verifier.id == LedgerItem.verifier_id)
            .outerjoin(leader, leader.id == LedgerItem.responsible_leader_id))
    stmt = ordered(apply_filter(stmt, f, user, today), f)
    if limit:
        stmt = stmt.limit(limit)
    # Plain Core rows streamed from the session's connection (a server-side cursor on PostgreSQL):
    # no ORM processing per row, at most 2,000 rows held at a time.
    result = db.session.connection().execute(stmt.execution_options(yield_per=2000))
    for r in result:
        indicator = r[6] or ""
        if r[7] is not None:
            indicator = f"{indicator}（扣{r[7].normalize():f}分）" if indicator else f"扣{r[7].normalize():f}分"
        deadline: Any = r[13]
        if r[12] is DeadlineKind.immediate and r[13] is not None:
            deadline = f"立行立改（截止{r[13].isoformat()}）"
        elif r[12] is not DeadlineKind.date:
            deadline = DEADLINE_ZH.get(r[12], "")  # 长期坚持: its date is when the next progress is due
        progress = f"{r[14]}%" + (f" {r[15]}" if r[15] else "")
        yield [r[0], SOURCE_ZH[r[1]], r[2], r[3], r[4], r[5], indicator or None, r[8], r[9], r[10], r[11], deadline,
               progress, STATUS_ZH[r[16]], f"{r[17]}份" if r[17] else "无", r[18], r[19], _local(r[20]),
               _local(r[21]), r[22], r[23]]


def _write_markup_lookalike(sheet: Any, row: int, col: int, text: str) -> None:
    """Write a text that looks like XlsxWriter's rich-text markup (``<r>…</r>``) as plain text.

    In constant-memory mode XlsxWriter copies such a string into the sheet's XML unescaped (it
    takes it for a rich string it made itself), so a cell text could inject XML, formulas
    included. A rich string of three plain fragments is escaped and reads back as the same text.
    """
    sheet.write_rich_string(row, col, text[:1], text[1:-1], text[-1:])


def write_workbook(rows: Iterator[list[Any]], target: str) -> int:
    """Write the ledger sheet with XlsxWriter in constant-memory mode (one row held at a time).

    Returns the row count. Text cells are neutralised and written with `write_string`, which
    never makes a formula; dates and datetimes are real date cells with a date number format.
    """
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "tmpdir": str(Path(target).parent)})
    try:
        sheet = workbook.add_worksheet("整改台账")
        header = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                      "bg_color": "#F2F2F2", "border": 1})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        for col, title in enumerate(HEADERS):
            sheet.write_string(0, col, title, header)
        write_string, write_datetime = sheet.write_string, sheet.write_datetime
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue  # an empty cell
                if isinstance(value, str):
                    value = neutralise(value)
                    if value.startswith("<r>") and value.endswith("</r>"):
                        _write_markup_lookalike(sheet, count, col, value)
                    else:
                        write_string(count, col, value)
                elif isinstance(value, datetime):
                    write_datetime(count, col, value, datetime_format)
                elif isinstance(value, date):
                    write_datetime(count, col, value, date_format)
                else:
                    write_string(count, col, str(value))
    finally:
        workbook.close()
    return count


def export_to_tempfile(f: LedgerFilter, user: User, today: date) -> Path:
    """Write the filtered ledger to a temporary .xlsx file in TEMP_DIR (the caller streams and removes
    it; one a killed worker leaves is swept)."""
    handle = tempfile.NamedTemporaryFile(prefix="ledger-export-", suffix=".xlsx", delete=False, dir=temp_dir())
    handle.close()
    path = Path(handle.name)
    try:
        write_workbook(export_rows(f, user, today), handle.name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


# --- Import ----------------------------------------------------------------------------------------

@dataclass
class ParsedRow:
    number: int  #: the row number in the sheet, as Excel shows it
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Reason] = field(default_factory=list)
    skip: str = ""  #: why the row is left out without error ("existing": already in the ledger)


@dataclass
class ImportPlan:
    rows: list[ParsedRow]
    #: How each header was understood: (the header as written, the field it fills or None: ignored).
    columns: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def bad(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.errors]

    @property
    def new(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.errors and not r.skip]

    @property
    def skipped(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.skip and not r.errors]

    @property
    def ready(self) -> bool:
        """True when the sheet can be imported as it is: new rows and no bad one."""
        return bool(self.new) and not self.bad


_UNIT = "责任单位(被检查单位)"
#: Headers as offices write them (domain.md §2), by the field they fill.
_HEADER_ALIASES = {
    **dict.fromkeys(("责任单位", "被检查单位", "责任部门", "整改单位", "责任单位(部门)"), _UNIT),
    **dict.fromkeys(("具体问题", "存在问题", "问题表现", "问题内容", "问题清单", "问题"), "问题描述"),
    **dict.fromkeys(("整改完成时限", "完成时限", "整改期限", "整改时间", "整改完成时间要求"), "整改时限"),
    **dict.fromkeys(("整改责任人", "具体责任人"), "责任人"),
    **dict.fromkeys(("分管领导", "牵头领导"), "责任领导"),
    **dict.fromkeys(("完成情况", "整改情况", "整改完成情况", "整改落实情况", "整改进度"), "完成情况"),
    **dict.fromkeys(("问题类型", "类别", "问题分类"), "问题类别"),
    **dict.fromkeys(("来源", "问题出处"), "问题来源"),
    **dict.fromkeys(("编号",), "序号"),
    **dict.fromkeys(("销号日期",), "销号时间"),
    "对应指标": "对应指标/扣分", "整改目标": "整改目标/验收标准", "检查批次": "检查批次/轮次",
    "建章立制": "建章立制/举一反三",
}
#: The fields an import fills; a column understood as anything else is shown as ignored.
IMPORTED = ("序号", "问题来源", "检查批次/轮次", "问题类别", _UNIT, "问题描述", "对应指标/扣分", "整改目标/验收标准",
            "整改措施", "责任领导", "责任人", "整改时限", "整改状态", "完成情况", "验收人", "是否销号", "销号时间", "备注")
#: How the preview names what a column fills, where the field's own name would not say it.
UNDERSTOOD = {"完成情况": "整改状态 + 整改进展", "是否销号": "整改状态（已销号）", "序号": "序号（已导入的不再导入）"}
MAX_ROWS = 20_000
#: The longest text the ledger keeps in these columns (the database's limits).
LONGEST = {"检查批次/轮次": 200, "问题类别": 100, "对应指标/扣分": 255}

#: Sources in the offices' own words.
SOURCE_WORDS = {**{label: source for source, label in SOURCE_ZH.items()},
                **dict.fromkeys(("巡察反馈", "巡察", "督查", "巡视", "巡视巡察", "专项督查", "巡察整改"), ItemSource.inspection),
                **dict.fromkeys(("互查", "互查互评", "季度互查互评"), ItemSource.review),
                **dict.fromkeys(("自查自纠",), ItemSource.self_check),
                **dict.fromkeys(("组织生活会", "民主生活会"), ItemSource.org_life),
                **dict.fromkeys(("述职", "述职评议考核"), ItemSource.report)}
#: A state in the office's words (整改状态 or the start of 完成情况).
STATUS_WORDS = {**{label: status for status, label in STATUS_ZH.items() if status is not ItemStatus.void},
                **dict.fromkeys(("未启动", "未整改", "未开始"), ItemStatus.open),
                **dict.fromkeys(("持续推进", "正在整改", "推进中", "整改中", "退回", "回头看"), ItemStatus.in_progress),
                **dict.fromkeys(("已完成", "已整改", "完成", "已办结", "整改完成"), ItemStatus.submitted)}
YES, NO = ("是", "已销号", "√", "Y", "y", "yes", "Yes"), ("否", "未销号", "×", "N", "n", "no", "No")


def _norm_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or "")).replace("（", "(").replace("）", ")").replace("／", "/")
    return _HEADER_ALIASES.get(text, text)


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_IMMEDIATE_RE = re.compile(r"^立行立改\s*[（(]\s*截止\s*(.+?)\s*[)）]$")


def _parse_date(value: Any) -> date | None:
    """A real date cell, or a date written as 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(cell_text(value) or "")
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def _parse_deadline(value: Any) -> tuple[DeadlineKind, date | None] | None:
    text = cell_text(value)
    if text is None:
        return None
    for kind, label in DEADLINE_ZH.items():
        if text == label:
            return kind, None
    immediate = _IMMEDIATE_RE.match(text)  # as exported: 立行立改（截止2026-12-08）
    if immediate:
        parsed = _parse_date(immediate[1])
        return (DeadlineKind.immediate, parsed) if parsed else None
    parsed = _parse_date(value)
    return (DeadlineKind.date, parsed) if parsed else None


def _status_word(text: str) -> ItemStatus | None:
    """The state a 完成情况 starts with (已完成, 整改中 …), None when it names none."""
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        if text.startswith(word):
            return STATUS_WORDS[word]
    return None


def read_sheet(stream: IO[bytes]) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    """The header map {header: column index} and the data rows (number, values) of a ledger sheet.

    Raises SheetError for anything that is not a readable .xlsx with a 问题描述 column (or a synonym).
    """
    table = read_ledger_sheet(stream)
    return table.headers, table.rows


def read_ledger_sheet(stream: IO[bytes]) -> SheetTable:
    """A ledger sheet as offices keep it: title rows above the header, headers in their synonyms,
    merged cells applying to every row they span. Raises SheetError (see `read_sheet_table`)."""
    return read_sheet_table(
        stream, required=("问题描述",), header=_norm_header, max_rows=MAX_ROWS, later_columns_win=True,
        fill_merged=True,
        no_header=Reason(N_("No header row with a 问题描述 column (or 具体问题, 存在问题, 问题表现) was found in "
                            "the top ten rows of the first sheet."), code="no_header"))


def _local_moment(day: date | datetime) -> datetime:
    """A day or a moment written in the sheet (Beijing time) as an aware moment."""
    moment = day if isinstance(day, datetime) else datetime.combine(day, time())
    return moment.replace(tzinfo=moment.tzinfo or local_zone())


def plan_import(actor: User, stream: IO[bytes], unit: OrgUnit | None = None) -> ImportPlan:
    """Read a sheet and check every row (dry run): nothing is written. Rows name their problems:
    the row, the header as written, the value and what would be accepted.

    `unit` is where rows go when the sheet has no 责任单位 column (or leaves it empty). A leader
    over the unit brings in closed problems (是否销号 是, with their 销号时间); 已完成 not 销号 comes
    in as 待验收. Raises SheetError when the file is no readable ledger sheet, or names no unit.
    """
    table = read_ledger_sheet(stream)
    headers, data = table.headers, table.rows
    if _UNIT not in headers and unit is None:
        raise SheetError(Reason(N_("The sheet has no 责任单位 column: choose the unit its problems belong to."),
                                code="no_unit_column"))
    written = {name: table.written.get(index, name) for name, index in headers.items()}
    columns = [(written_as, UNDERSTOOD.get(name, name) if (name := _norm_header(written_as)) in IMPORTED
                and headers.get(name) == index else None) for index, written_as in sorted(table.written.items())]
    if "整改时限" not in headers:  # named once, with what the sheet has instead, not on every row
        raise SheetError(Reason(
            N_("The sheet has no 整改时限 column (nor 整改完成时限, 完成时限, 整改期限). Columns not read: %(ignored)s. "
               "Rename the deadline column to 整改时限."),
            {"ignored": "、".join(text for text, name in columns if name is None) or "—"}, code="no_deadline_column"))
    units_by_name: dict[str, list[OrgUnit]] = {}
    for each in scoped_units(actor, active_only=True):
        units_by_name.setdefault(each.name, []).append(each)
    people_by_name: dict[str, list[int]] = {}
    for person in people_rows(actor):  # the same people the item form offers
        for key in {person.full_name, person.username}:
            people_by_name.setdefault(key, []).append(person.id)
    members: dict[int, set[int]] = {}

    def within(unit_id: int, ids: list[int]) -> list[int]:
        """A name several people share, narrowed to the people of the row's unit."""
        if unit_id not in members:
            members[unit_id] = set(db.session.scalars(sa.select(Membership.user_id)
                                                      .where(Membership.unit_id == unit_id)))
        return [i for i in ids if i in members[unit_id]]

    known_codes = existing_codes(actor, [cell_text(v[headers["序号"]]) for _, v in data
                                         if headers["序号"] < len(v)] if "序号" in headers else [])
    seen_keys: set[str] = set()
    can_create: dict[int, bool] = {}
    sources = "、".join(SOURCE_ZH.values())

    def cell(values: tuple, name: str) -> Any:
        index = headers.get(name)
        return values[index] if index is not None and index < len(values) else None

    plan = []
    for number, values in data:
        row = ParsedRow(number)

        def bad(name: str, message: str, code: str, **args: Any) -> None:
            row.errors.append(Reason(message, {"column": written.get(name, name), "value": text.get(name) or "",  # noqa: B023
                                               **args}, code=code))

        text = {name: cell_text(cell(values, name)) for name in IMPORTED}
        if text["序号"] and text["序号"] in known_codes:
            row.skip = "existing"
            plan.append(row)
            continue
        unit_name = text[_UNIT]
        units = units_by_name.get(unit_name or "", []) if unit_name else ([unit] if unit else [])
        if not units and not unit_name:
            bad(_UNIT, N_("%(column)s is missing."), "unit")
        elif not units:
            bad(_UNIT, N_("%(column)s “%(value)s” is not one of your units: write a unit's name as the ledger shows it."),
                "unit")
        elif len(units) > 1:
            bad(_UNIT, N_("%(column)s “%(value)s”: more than one unit has this name."), "unit")
        elif not can_create.setdefault(units[0].id, policy.can_create_in(actor, units[0])):
            bad(_UNIT, N_("%(column)s “%(value)s”: you may not record problems for this unit."), "unit",
                value=units[0].name)
        target_unit = units[0] if len(units) == 1 else None
        if not text["问题描述"]:
            bad("问题描述", N_("%(column)s is missing."), "problem")
        source = SOURCE_WORDS.get(text["问题来源"] or "其他")
        if source is None:
            bad("问题来源", N_("%(column)s “%(value)s” is not a source: write one of %(accepted)s (or 巡察反馈, 督查, "
                            "互查)."), "source", accepted=sources)
        deadline = _parse_deadline(cell(values, "整改时限"))
        if deadline is None:
            bad("整改时限", N_("%(column)s “%(value)s” is not a date: write a date (2026-12-31, 2026年12月31日, "
                            "2026.12.31), 立行立改 or 长期坚持."), "deadline")
        status = STATUS_WORDS.get(text["整改状态"] or "待整改")
        if status is None:
            bad("整改状态", N_("%(column)s “%(value)s” is not a state: write 待整改, 整改中, 待验收 or 已销号."), "status")
        progress_text = text["完成情况"]
        if progress_text and status in (ItemStatus.open, None) and not text["整改状态"]:
            status = _status_word(progress_text) or ItemStatus.in_progress
        closed_word = text["是否销号"]
        closed_at = _parse_date(cell(values, "销号时间"))
        if closed_word and closed_word not in YES + NO:
            bad("是否销号", N_("%(column)s “%(value)s”: write 是 or 否."), "closed")
        elif closed_word in YES or (status is ItemStatus.closed) or (not closed_word and closed_at):
            status = ItemStatus.closed
        elif closed_word in NO and text["销号时间"]:
            bad("销号时间", N_("%(column)s “%(value)s” is filled in but the row is not 销号: write 是 in 是否销号 or "
                            "clear it."), "closed_at")
        if status is ItemStatus.closed:
            if target_unit is not None and not policy.is_leader_over(actor, target_unit):
                bad("是否销号", N_("%(column)s “%(value)s”: only a leader over the unit imports closed problems; "
                                "leave it empty (or 否) and close the item after verification."), "closed",
                    value=closed_word or text["整改状态"] or "")
            if closed_at is None:
                bad("销号时间", N_("%(column)s “%(value)s” is not a date: a closed problem needs its 销号时间, such as "
                                "2026-12-31 or 2026年12月31日."), "closed_at")
        for name, longest in LONGEST.items():
            if len(text[name] or "") > longest:
                bad(name, N_("%(column)s is longer than %(max)d characters."), "long", max=longest,
                    value=(text[name] or "")[:20] + "…")
        if closed_at is not None and closed_at > local_today():
            bad("销号时间", N_("%(column)s “%(value)s” is in the future."), "closed_at")
        people: dict[str, int | None] = {}
        for header, key in (("责任人", "owner"), ("验收人", "verifier"), ("责任领导", "responsible_leader")):
            name = text[header]
            ids = people_by_name.get(name or "", [])
            if name and len(ids) > 1 and target_unit is not None:
                ids = within(target_unit.id, ids) or ids
            if name and len(ids) != 1:
                bad(header, N_("%(column)s “%(value)s” is not one known person: write the full name or the "
                               "username of someone in your units."), key)
            people[key] = ids[0] if name and len(ids) == 1 else None
        row.errors += people_reasons(people["owner"], people["verifier"])
        indicator, deduction = text["对应指标/扣分"], None
        if indicator:
            match = re.search(r"扣\s*([0-9]+(?:\.[0-9]+)?)\s*分", indicator)
            if match:
                try:
                    deduction = Decimal(match[1])
                except InvalidOperation:
                    deduction = None
                indicator = re.sub(r"[（(]?\s*扣\s*[0-9.]+\s*分\s*[)）]?", "", indicator).strip() or None
                if deduction is not None and deduction > 999:
                    bad("对应指标/扣分", N_("%(column)s “%(value)s”: a deduction is at most %(max)d points."), "deduction",
                        max=999)
                    deduction = None
        key = "import:" + hashlib.sha256(json.dumps(
            [text["序号"], target_unit.name if target_unit else unit_name, text["问题描述"], text["检查批次/轮次"],
             text["问题来源"]], ensure_ascii=False).encode()).hexdigest()[:56]
        if not row.errors:
            if key in seen_keys:
                row.skip = "duplicate"
            seen_keys.add(key)
            row.values = dict(
                unit_id=target_unit.id, problem=text["问题描述"], source=source, deadline_kind=deadline[0],
                deadline=deadline[1], batch=text["检查批次/轮次"], category=text["问题类别"], indicator=indicator,
                deduction=deduction, target=text["整改目标/验收标准"], measures=text["整改措施"],
                remark=text["备注"], dedupe_key=key, status=status, **{f"{k}_id": v for k, v in people.items()},
            )
            if progress_text:
                row.values["progress_note"] = progress_text
            if status is ItemStatus.closed:
                row.values["closed_at"] = _local_moment(closed_at)
        plan.append(row)
    already = existing_dedupe_keys([r.values["dedupe_key"] for r in plan if r.values and not r.skip])
    for row in plan:
        if row.values and row.values["dedupe_key"] in already:
            row.skip = "duplicate"
    return ImportPlan(plan, columns)


# --- The template --------------------------------------------------------------------------------

#: The template's columns: an office's 整改台账 with the fields the tracker reads.
TEMPLATE_HEADERS = ["序号", "问题来源", "问题类别", "责任单位", "具体问题", "整改措施", "整改责任人", "整改完成时限",
                    "完成情况", "是否销号", "销号时间", "备注"]


def template_workbook(title: str = "巡察反馈问题整改台账") -> bytes:
    """The import template: a merged title row, the header row, two example rows and a sheet that
    says what each column accepts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.append(TEMPLATE_HEADERS)
    for cell, width in zip(sheet[2], (6, 12, 14, 20, 40, 30, 12, 16, 24, 10, 14, 16), strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.append([1, "巡察反馈", "组织建设", "", "（示例）“三会一课”记录不规范", "完善会议记录", "", "2026年12月31日",
                  "整改中", "否", "", ""])
    sheet.append([2, "督查", "组织建设", "", "（示例）党费收缴台账不全", "补齐台账", "", "立行立改", "已完成", "是",
                  "2026.11.30", ""])
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "填写方法"])
    for row in (
        ["序号", "1、2、3……，同一台账再次导入时已登记的行不会重复登记"],
        ["问题来源", "、".join(SOURCE_ZH.values()) + "；也可写 巡察反馈、督查、互查"],
        ["问题类别", "可合并单元格：合并的类别适用于所跨的每一行"],
        ["责任单位", "单位名称；不填时使用导入页面所选的单位"],
        ["具体问题", "必填（也可写作 问题描述、存在问题、问题表现）"],
        ["整改责任人", "姓名或用户名"],
        ["整改完成时限", "日期（2026-12-31、2026年12月31日、2026.12.31）、立行立改 或 长期坚持"],
        ["完成情况", "未启动、整改中、持续推进、已完成（已完成但未销号的导入为待验收），或整改进展的文字"],
        ["是否销号", "是 / 否；上级党组织导入“是”的行为已销号，需填写销号时间"],
        ["销号时间", "日期，如 2026年11月30日"],
    ):
        notes.append(row)
    notes["A1"].font = notes["B1"].font = Font(bold=True)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 14, 80
    return workbook_bytes(workbook)
