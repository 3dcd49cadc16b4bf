"""The quarter summary as an Excel sheet in the customary layout: a title, two header rows, a row per branch."""

from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..models import MeetingKind
from ..sheets import workbook_bytes
from .queries import Summary, SummaryRow

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def summary_workbook(data: Summary, title: str) -> BytesIO:
    """The workbook of `data` (rows then the total), saved into a stream."""
    wb = Workbook()
    ws = wb.active
    ws.title = data.period.label
    width = 2 + 3 * len(MeetingKind)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = _CENTER
    ws.cell(2, 1, _("Unit"))
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    for i, kind in enumerate(MeetingKind):
        col = 2 + 3 * i
        ws.cell(2, col, str(kind.label))
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 2)
        for j, label in enumerate((_("Due"), _("Held"), _("Overdue"))):
            ws.cell(3, col + j, label)
    ws.cell(2, width, _("Completion rate"))
    ws.merge_cells(start_row=2, start_column=width, end_row=3, end_column=width)
    for row in ws.iter_rows(min_row=2, max_row=3, max_col=width):
        for cell in row:
            cell.font, cell.alignment, cell.border = Font(bold=True), _CENTER, _BOX
            cell.fill = PatternFill("solid", fgColor="F2DCDB")
    rows = [*data.rows, data.total]
    for r, row in enumerate(rows, start=4):
        _write_row(ws, r, row, _("Whole subtree") if row is data.total else None)
    ws.column_dimensions["A"].width = 28
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 7
    ws.freeze_panes = "B4"
    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    return BytesIO(workbook_bytes(wb))  # unit names neutralised like every export's text


def _write_row(ws, r: int, row: SummaryRow, name: str | None) -> None:
    label = name or ("　" * max(0, row.depth - 1) + row.name + (_(" (subtotal)") if row.is_subtotal else ""))
    ws.cell(r, 1, label)
    for i, kind in enumerate(MeetingKind):
        cell = row.cells[kind]
        for j, value in enumerate((cell.due, cell.held, cell.overdue)):
            ws.cell(r, 2 + 3 * i + j, value)
    rate = row.rate
    ws.cell(r, 2 + 3 * len(MeetingKind), rate if rate is not None else "").number_format = "0.0%"
    for cell in ws[r]:
        cell.border = _BOX
        if row.is_subtotal:
            cell.font = Font(bold=True)
