"""The ledger in Excel: a streamed export in the offices' layout, and an all-or-nothing import."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
import xlsxwriter

from ..clock import to_local
from ..domain_errors import N_, Reason
from ..extensions import db
from ..models import Attachment, DeadlineKind, ItemSource, LedgerItem, OrgUnit, ProgressEntry, User
from ..scoping import scoped_units
from ..sheets import SheetError, cell_text, neutralise, read_first_sheet
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


_HEADER_ALIASES = {"责任单位": "责任单位(被检查单位)", "被检查单位": "责任单位(被检查单位)", "对应指标": "对应指标/扣分",
                   "整改目标": "整改目标/验收标准", "检查批次": "检查批次/轮次", "建章立制": "建章立制/举一反三",
                   "整改时间": "整改时限"}
MAX_ROWS = 20_000


def _norm_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or "")).replace("（", "(").replace("）", ")").replace("／", "/")
    return _HEADER_ALIASES.get(text, text)


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_IMMEDIATE_RE = re.compile(r"^立行立改\s*[（(]\s*截止\s*(.+?)\s*[)）]$")


def _parse_deadline(value: Any) -> tuple[DeadlineKind, date | None] | None:
    if isinstance(value, datetime):
        return DeadlineKind.date, value.date()
    if isinstance(value, date):
        return DeadlineKind.date, value
    text = cell_text(value)
    if text is None:
        return None
    for kind, label in DEADLINE_ZH.items():
        if text == label:
            return kind, None
    immediate = _IMMEDIATE_RE.match(text)  # as exported: 立行立改（截止2026-12-08）
    if immediate:
        parsed = _parse_deadline(immediate[1])
        return (DeadlineKind.immediate, parsed[1]) if parsed and parsed[1] else None
    match = _DATE_RE.match(text)
    if match:
        try:
            return DeadlineKind.date, date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def _require_unit_column(headers: dict[str, int]) -> None:
    if "责任单位(被检查单位)" not in headers:
        raise SheetError(Reason(N_("The sheet has no 责任单位 column."), code="no_unit_column"))


def read_sheet(stream: IO[bytes]) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    """The header map {header: column index} and the data rows (number, values) of a ledger sheet.

    Raises SheetError for anything that is not a readable .xlsx with 问题描述 and 责任单位 columns.
    """
    return read_first_sheet(
        stream, required=("问题描述",), header=_norm_header, max_rows=MAX_ROWS, check_header=_require_unit_column,
        later_columns_win=True,
        no_header=Reason(N_("No header row with a 问题描述 column was found in the first sheet."), code="no_header"))


def plan_import(actor: User, stream: IO[bytes]) -> ImportPlan:
    """Read a sheet and check every row (dry run): nothing is written. Rows name their problems.

    Raises SheetError when the file is no readable ledger sheet (`read_sheet`).
    """
    headers, data = read_sheet(stream)
    units_by_name: dict[str, list[OrgUnit]] = {}
    for unit in scoped_units(actor, active_only=True):
        units_by_name.setdefault(unit.name, []).append(unit)
    people_by_name: dict[str, list[int]] = {}
    for person in people_rows(actor):  # the same people the item form offers
        for key in {person.full_name, person.username}:
            people_by_name.setdefault(key, []).append(person.id)
    source_by_label = {v: k for k, v in SOURCE_ZH.items()}
    status_by_label = {v: k for k, v in STATUS_ZH.items()}
    known_codes = existing_codes(actor, [cell_text(v[headers["序号"]]) for _, v in data] if "序号" in headers else [])
    seen_keys: set[str] = set()
    can_create = {}

    def cell(values: tuple, name: str) -> Any:
        index = headers.get(name)
        return values[index] if index is not None and index < len(values) else None

    plan = []
    for number, values in data:
        row = ParsedRow(number)
        text = {name: cell_text(cell(values, name)) for name in HEADERS}
        if text["序号"] and text["序号"] in known_codes:
            row.skip = "existing"
            plan.append(row)
            continue
        unit_name = text["责任单位(被检查单位)"]
        units = units_by_name.get(unit_name or "", [])
        if not unit_name:
            row.errors.append(Reason(N_("责任单位 is missing."), code="unit"))
        elif not units:
            row.errors.append(Reason(N_("Unknown unit “%(name)s” (or outside your units)."), {"name": unit_name},
                                     code="unit"))
        elif len(units) > 1:
            row.errors.append(Reason(N_("More than one unit is called “%(name)s”."), {"name": unit_name}, code="unit"))
        elif not can_create.setdefault(units[0].id, policy.can_create_in(actor, units[0])):
            row.errors.append(Reason(N_("You may not record problems for “%(name)s”."), {"name": unit_name},
                                     code="unit"))
        if not text["问题描述"]:
            row.errors.append(Reason(N_("问题描述 is missing."), code="problem"))
        source = source_by_label.get(text["问题来源"] or "其他")
        if source is None:
            row.errors.append(Reason(N_("Unknown 问题来源 “%(value)s”."), {"value": text["问题来源"]}, code="source"))
        deadline = _parse_deadline(cell(values, "整改时限"))
        if deadline is None:
            row.errors.append(Reason(N_("整改时限 “%(value)s” is not a date (such as 2026-12-31), 立行立改 or 长期坚持."),
                                     {"value": text["整改时限"] or ""}, code="deadline"))
        status = status_by_label.get(text["整改状态"] or "待整改")
        if status is None:
            row.errors.append(Reason(N_("Unknown 整改状态 “%(value)s”."), {"value": text["整改状态"]}, code="status"))
        elif status not in (ItemStatus.open, ItemStatus.in_progress):
            row.errors.append(Reason(N_("New items are imported as 待整改 or 整改中; closing (销号) needs verification "
                                        "in the system."), code="status"))
        people: dict[str, int | None] = {}
        for header, key in (("责任人", "owner"), ("验收人", "verifier"), ("责任领导", "responsible_leader")):
            name = text[header]
            ids = people_by_name.get(name or "", [])
            if name and len(ids) != 1:
                row.errors.append(Reason(N_("%(column)s “%(name)s” is not a single known person."),
                                         {"column": header, "name": name}, code=key))
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
        key = "import:" + hashlib.sha256(json.dumps(
            [text["序号"], unit_name, text["问题描述"], text["检查批次/轮次"], text["问题来源"]],
            ensure_ascii=False).encode()).hexdigest()[:56]
        if not row.errors:
            if key in seen_keys:
                row.skip = "duplicate"
            seen_keys.add(key)
            row.values = dict(
                unit_id=units[0].id, problem=text["问题描述"], source=source, deadline_kind=deadline[0],
                deadline=deadline[1], batch=text["检查批次/轮次"], category=text["问题类别"], indicator=indicator,
                deduction=deduction, target=text["整改目标/验收标准"], measures=text["整改措施"],
                remark=text["备注"], dedupe_key=key, status=status, **{f"{k}_id": v for k, v in people.items()},
            )
        plan.append(row)
    already = existing_dedupe_keys([r.values["dedupe_key"] for r in plan if r.values and not r.skip])
    for row in plan:
        if row.values and row.values["dedupe_key"] in already:
            row.skip = "duplicate"
    return ImportPlan(plan)
