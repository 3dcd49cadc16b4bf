"""Excel in the offices' layouts: a rubric as a 考评表 (out and in), a round's circular (通报), and the
half-year or annual ranking."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..domain_errors import N_, DomainError, Reason
from ..sheets import SheetError, read_sheet_table, unneutralise, workbook_bytes
from ..models import ItemKind, Method, ReviewRound, Rubric
from .labels import GRADE_LABELS

MAX_RUBRIC_ROWS = 2000
HEADERS = ["一级指标", "二级指标/考核内容", "分值", "评分标准", "考评方式", "指标类型"]
METHOD_NAMES = {Method.documents: "查阅资料", Method.site: "现场查看", Method.visit: "走访", Method.spot_check: "抽查"}
KIND_NAMES = {ItemKind.normal: "常规", ItemKind.bonus: "加分", ItemKind.veto: "一票否决"}
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="F3D6D6")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_head(ws, headers: list[str], widths: list[int]) -> None:
    ws.append(headers)
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row=ws.max_row, column=col)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _points(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def _text(value) -> str:
    """A cell read back as text, without the quote an export put before formula-like text."""
    return unneutralise(str(value if value is not None else "").strip())


#: The footer rows of a 考评表: the bonus cap and the grade thresholds, read back on import.
_BONUS_CAP = re.compile(r"^加分项合计不超过\s*(\d+(?:\.\d+)?)\s*分")
_GRADES = re.compile(r"^等次[：:].*?好\s*≥\s*(\d+(?:\.\d+)?)\s*分.*?较好\s*≥\s*(\d+(?:\.\d+)?)\s*分"
                     r".*?一般\s*≥\s*(\d+(?:\.\d+)?)\s*分")


def export_rubric(rubric: Rubric) -> bytes:
    """The rubric as a 考评表: one row per indicator, its category cell merged over the category."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考评表"
    ws.append([f"{rubric.name}（第{rubric.edition}版）"])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    _sheet_head(ws, HEADERS, [22, 40, 8, 50, 14, 10])
    for category in rubric.categories:
        first = ws.max_row + 1
        label = f"{category.title}（{_points(category.points)}分）"
        for child in category.children or [None]:
            if child is None:
                ws.append(([label]))
                continue
            ws.append(([label, child.title, _points(child.points), child.rule or "",
                            METHOD_NAMES.get(child.method, "") if child.method else "", KIND_NAMES[child.kind]]))
        if ws.max_row > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = _WRAP
    # The footer is read back by `parse_rubric`: the round trip keeps the cap and the thresholds.
    ws.append([])
    ws.append([f"加分项合计不超过{_points(rubric.bonus_cap)}分；一票否决项触发的，等次直接评为“差”。"])
    ws.append([f"等次：好≥{_points(rubric.grade_excellent)}分，较好≥{_points(rubric.grade_good)}分，"
               f"一般≥{_points(rubric.grade_fair)}分，{_points(rubric.grade_fair)}分以下为差。"])
    return _save(wb)


@dataclass
class ParsedCategory:
    title: str
    points: Decimal | None
    indicators: list[dict] = field(default_factory=list)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip().rstrip("分"))
    except InvalidOperation:
        return None


_CATEGORY_POINTS = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")


#: Headers of a 考评表 as offices write them, by the column they are.
_RUBRIC_ALIASES = {
    **dict.fromkeys(("考评项目", "考核项目", "评价项目", "考核类别", "评价类别", "类别", "项目", "一级指标(分值)"), "一级指标"),
    **dict.fromkeys(("二级指标", "考核内容", "考评内容", "评价内容", "考核要点", "具体内容", "考核指标", "指标内容",
                     "二级指标(考核内容)", "考核内容及要求"), "二级指标/考核内容"),
    **dict.fromkeys(("分数", "标准分", "满分", "分值(分)", "标准分值"), "分值"),
    **dict.fromkeys(("评分细则", "扣分标准", "考评标准", "计分标准", "评分办法", "评分方法"), "评分标准"),
    **dict.fromkeys(("考核方式", "评价方式", "检查方式", "考核方法", "考评方法"), "考评方式"),
    **dict.fromkeys(("类型",), "指标类型"),
}


def _rubric_header(value) -> str:
    text = re.sub(r"\s+", "", str(value or "")).replace("（", "(").replace("）", ")").replace("／", "/")
    return _RUBRIC_ALIASES.get(text, text)


def _require_rubric_columns(headers: dict[str, int]) -> None:
    if "二级指标/考核内容" not in headers or "分值" not in headers:
        raise SheetError(Reason(N_("The columns 二级指标/考核内容 and 分值 are needed."), code="no_header"))


def parse_rubric(stream: IO[bytes]) -> tuple[list[ParsedCategory], Decimal, tuple[Decimal, Decimal, Decimal] | None]:
    """Read a 考评表 (a header row with 一级指标 … in the top ten rows, in the offices' words too:
    考评项目, 考核内容, 标准分, 评分细则 …; a category merged over its indicators); returns the
    categories, the bonus cap and the grade thresholds (好, 较好, 一般; None when the sheet does not say).

    The cap is the sheet's "加分项合计不超过 N 分" row, else the bonus categories' points. Raises
    DomainError (422) listing every bad row by its number, the header as written, the value and
    what is accepted, or when the file is no workbook or has no header row.
    """
    table = read_sheet_table(
        stream, required=("一级指标",), header=_rubric_header, max_rows=MAX_RUBRIC_ROWS, fill_merged=True,
        check_header=_require_rubric_columns,
        no_header=Reason(N_("No header row with 一级指标 (or 考评项目, 考核项目) was found."), code="no_header"))
    cols = table.headers

    def col(name: str) -> int | None:
        return cols.get(name)

    def written(name: str) -> str:
        return table.written.get(cols[name], name) if name in cols else name

    c_cat, c_ind = col("一级指标"), col("二级指标/考核内容")
    c_pts, c_rule, c_method, c_kind = col("分值"), col("评分标准"), col("考评方式"), col("指标类型")
    categories: list[ParsedCategory] = []
    problems: list[Reason] = []
    methods = {v: k for k, v in METHOD_NAMES.items()}
    kinds = {v: k for k, v in KIND_NAMES.items()}

    def cell(row, index):
        return row[index] if index is not None and index < len(row) else None

    stated_cap: Decimal | None = None
    grades: tuple[Decimal, Decimal, Decimal] | None = None
    for number, row in table.rows:
        cat_text = _text(cell(row, c_cat))
        title = _text(cell(row, c_ind))
        if cat_text and not title and (_BONUS_CAP.match(cat_text) or _GRADES.match(cat_text)):
            if match := _BONUS_CAP.match(cat_text):
                stated_cap = Decimal(match.group(1))
            if match := _GRADES.match(cat_text):
                grades = (Decimal(match.group(1)), Decimal(match.group(2)), Decimal(match.group(3)))
            continue
        if cat_text:
            match = _CATEGORY_POINTS.match(cat_text)
            name, points = (match.group(1).strip(), Decimal(match.group(2))) if match else (cat_text, None)
            if not categories or categories[-1].title != name:
                categories.append(ParsedCategory(name, points))
        if not title:
            continue
        if not categories:
            problems.append(Reason(N_("Row %(row)d: the 一级指标 is missing."), {"row": number}, code="row"))
            continue
        points = _decimal(cell(row, c_pts))
        if points is None or points < 0 or points > 1000 or points % Decimal("0.5"):
            problems.append(Reason(N_("Row %(row)d: %(column)s “%(value)s” is not a number of points in steps of "
                                      "0.5 (such as 5 or 2.5)."),
                                   {"row": number, "column": written("分值"), "value": _text(cell(row, c_pts))},
                                   code="row"))
            continue
        method_text = str(cell(row, c_method) or "")
        method = next((m for name, m in methods.items() if name in method_text), None)
        kind_text = str(cell(row, c_kind) or "").strip()
        category = categories[-1]
        kind = kinds.get(kind_text) or (ItemKind.bonus if "加分" in category.title else
                                        ItemKind.veto if "否决" in category.title else ItemKind.normal)
        category.indicators.append({"title": title[:300], "points": points, "rule": _text(cell(row, c_rule)),
                                    "method": method, "kind": kind})
    if not any(c.indicators for c in categories):
        problems.append(Reason(N_("The sheet has no indicators."), code="empty"))
    if problems:
        raise DomainError(*problems, status=422)
    bonus_cap = stated_cap if stated_cap is not None else sum(
        (c.points or sum((i["points"] for i in c.indicators), Decimal(0))
         for c in categories if any(i["kind"] is ItemKind.bonus for i in c.indicators)), Decimal(0))
    return categories, bonus_cap, grades


def export_results(round_: ReviewRound, table: list[dict], deductions: list[dict], highlights: list[dict]) -> bytes:
    """The circular: ranking with the per-indicator breakdown, the deductions, the highlights.

    `table`, `deductions` and `highlights` are as `queries_results` reads them. The ranking shows
    how the total is made: regular points plus the bonus counted, which is the bonus items' sum
    cut to the rubric's cap. Grades are named, and a veto among the deductions, in the user's
    language.
    """
    rubric = round_.rubric
    rows = [{**r, "grade": str(GRADE_LABELS.get(r["grade"], "")) if r["grade"] else "",
             "total": float(r["total"]) if r["total"] is not None else None, "bonus": float(r["bonus"] or 0),
             "bonus_scored": float(r["bonus_scored"] or 0),
             "breakdown": {k: float(v) for k, v in r["breakdown"].items() if k.isdigit()}} for r in table]
    veto = str(ItemKind.veto.label)
    deductions = [{**d, "points": float(d["points"]) if d["points"] is not None else veto} for d in deductions]
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    indicators = [i for i in rubric.indicators if i.kind is not ItemKind.veto]
    cap = _points(rubric.bonus_cap)
    _sheet_head(ws, ["名次", "单位", "总分", "等次", "常规指标得分", "加分项合计", f"计入总分的加分（上限{cap}分）",
                     "一票否决"] + [i.title[:40] for i in indicators],
                [6, 22, 8, 8, 12, 10, 16, 10] + [12] * len(indicators))
    for r in rows:
        normal = round(r["total"] - r["bonus"], 2) if r["total"] is not None else None
        ws.append(([r["rank"], r["name"], r["total"], r["grade"], normal, r.get("bonus_scored", r["bonus"]),
                        r["bonus"], "是" if r["vetoed"] else ""]
                       + [r["breakdown"].get(str(i.id)) for i in indicators]))
    ws2 = wb.create_sheet("扣分明细")
    _sheet_head(ws2, ["单位", "一级指标", "二级指标/考核内容", "扣分", "扣分说明"], [22, 18, 40, 8, 60])
    for d in deductions:
        ws2.append(([d["unit"], d["category"], d["item"], d["points"], d["problem"]]))
    ws3 = wb.create_sheet("亮点")
    _sheet_head(ws3, ["单位", "亮点/值得学习"], [22, 80])
    for h in highlights:
        ws3.append(([h["unit"], h["text"]]))
    return _save(wb)


PERIOD_NAMES = {"h1": "上半年考评", "h2": "下半年考评", "year": "年终总评"}


def export_combined(ranking, rows) -> bytes:
    """A 半年考评 / 年终总评 ranking: per quarter the score (the mean of its rounds), the combined score."""
    grade_names = {g.value: str(label) for g, label in GRADE_LABELS.items()}
    wb = Workbook()
    ws = wb.active
    ws.title = PERIOD_NAMES.get(ranking.period, "综合考评")
    quarters = ranking.quarters
    title = f"{ranking.unit.name if ranking.unit else ''} {ranking.year or ''}年{PERIOD_NAMES.get(ranking.period, '')}"
    ws.append(([title.strip()]))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    weights = "，".join(f"第{q}季度权重{ranking.weights[q]}" for q in quarters)
    ws.append(([f"同一季度有两轮的取平均分；各季度按权重合计（{weights}）。"]))
    _sheet_head(ws, ["名次", "单位"] + [f"第{q}季度" for q in quarters] + ["综合得分", "等次", "一票否决"],
                [6, 22] + [10] * len(quarters) + [10, 8, 10])
    for row in rows:
        ws.append(([row.rank, row.name]
                       + [float(row.quarters[q]) if row.quarters[q] is not None else None for q in quarters]
                       + [float(row.total) if row.total is not None else None, grade_names.get(row.grade, ""),
                          "是" if row.vetoed else ""]))
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)  # every text cell neutralised: headers and titles too
