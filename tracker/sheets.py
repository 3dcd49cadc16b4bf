"""Sheets in and out: reading an uploaded .xlsx (header row, data rows, or why not), keeping it
between an import's preview and its confirmation, writing every export with its text made safe,
and the download header."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeVar
from urllib.parse import quote
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries

from .domain_errors import N_, DomainError, Reason
from .tempfiles import forget_kept, keep_for_confirmation


class SheetError(DomainError):
    """The upload is not a readable sheet of the expected shape (HTTP 422); nothing is imported."""

    status = 422


#: How text a spreadsheet would run as a formula (or as DDE) starts.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made plain text (a leading ');
    anything else as it is. Every export writes its text through this (`workbook_bytes` for
    openpyxl workbooks, the ledger's streamed XlsxWriter sheet cell by cell)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """Text read back from one of our exports, without the quote `neutralise` put before it."""
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_START else text


def workbook_bytes(workbook: Workbook) -> bytes:
    """An openpyxl workbook saved as .xlsx bytes, every text cell of every sheet neutralised first.

    This is the one way the tracker saves an openpyxl workbook it offers for download: headers,
    titles and notes are covered as well as data rows, whoever filled them in.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"  # openpyxl takes "=…" for a formula when assigned
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def cell_text(value: Any) -> str | None:
    """A cell as trimmed text (whole numbers without ".0"), None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unneutralise(str(value).strip())
    return text or None


@dataclass
class SheetTable:
    """What `read_sheet_table` found: the header map {name: column index}, each column's header as
    written (column index → text), and the non-empty data rows (Excel's row number, values)."""

    headers: dict[str, int]
    written: dict[int, str]
    rows: list[tuple[int, tuple]]


def read_first_sheet(stream: IO[bytes], *, required: tuple[str, ...], header: Callable[[Any], str],
                     max_rows: int, no_header: Reason | None = None,
                     check_header: Callable[[dict[str, int]], None] | None = None,
                     later_columns_win: bool = False) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    """`read_sheet_table`'s header map and data rows."""
    table = read_sheet_table(stream, required=required, header=header, max_rows=max_rows, no_header=no_header,
                             check_header=check_header, later_columns_win=later_columns_win)
    return table.headers, table.rows


def _merged_ranges(workbook: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min_col, min_row, max_col, max_row) of a read-only sheet, read from its XML
    (a read-only sheet does not load them)."""
    ranges = []
    try:
        with workbook._archive.open(sheet._worksheet_path) as xml:
            for _event, element in iterparse(xml):
                if element.tag.endswith("}mergeCell") and element.get("ref"):
                    ranges.append(range_boundaries(element.get("ref")))
                elif element.tag.endswith("}row"):
                    element.clear()
    except (AttributeError, KeyError, ParseError, ValueError, TypeError):
        return []
    return [r for r in ranges if None not in r]


def read_sheet_table(stream: IO[bytes], *, required: tuple[str, ...], header: Callable[[Any], str],
                     max_rows: int, no_header: Reason | None = None,
                     check_header: Callable[[dict[str, int]], None] | None = None,
                     later_columns_win: bool = False, fill_merged: bool = False) -> SheetTable:
    """The header row and the data rows of the workbook's first sheet.

    The header row is the first of the top ten rows holding every `required` name, each cell read
    through `header` (which may map aliases); a name standing twice maps to its first column (its
    last with `later_columns_win`). With `fill_merged`, a merged cell's value stands in every cell
    it spans (a category merged over two problems applies to both); a row is data when a cell of
    its own is filled.

    Raises SheetError for anything but a readable .xlsx with such a header (else `no_header` is the
    reason) and at most `max_rows` rows; `check_header` may refuse the header found (raising
    SheetError) before any data row is read.
    """
    signature = stream.read(4)
    stream.seek(0)
    if signature != b"PK\x03\x04":
        raise SheetError(Reason(N_("This is not an Excel .xlsx file. Save the sheet as .xlsx and try again."),
                                code="not_xlsx"))
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise SheetError(Reason(N_("The file could not be read as an Excel workbook (%(error)s)."),
                                {"error": type(error).__name__}, code="unreadable")) from error
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise SheetError(Reason(N_("The file could not be read as an Excel workbook (%(error)s)."),
                                {"error": type(error).__name__}, code="unreadable")) from error
    try:
        sheet = workbook.worksheets[0]
        merged = sorted(_merged_ranges(workbook, sheet), key=lambda r: r[1]) if fill_merged else []
        active: list[tuple[int, int, int, int, Any]] = []  # the ranges over the current row, with their value
        upcoming = iter(merged)
        following = next(upcoming, None)

        def filled(number: int, values: tuple) -> tuple:
            nonlocal following, active
            if not merged:
                return values
            cells = list(values)
            active = [r for r in active if r[3] >= number]
            while following is not None and following[1] <= number:
                min_col, min_row, max_col, max_row = following
                if min_row == number and max_row >= number:
                    anchor = cells[min_col - 1] if min_col <= len(cells) else None
                    active.append((min_col, min_row, max_col, max_row, anchor))
                following = next(upcoming, None)
            for min_col, _min_row, max_col, _max_row, value in active:
                if len(cells) < max_col:
                    cells += [None] * (max_col - len(cells))
                for col in range(min_col, max_col + 1):
                    if cells[col - 1] in (None, ""):
                        cells[col - 1] = value
            return tuple(cells)

        rows = sheet.iter_rows(values_only=True)
        headers: dict[str, int] = {}
        written: dict[int, str] = {}
        number = 0
        for values in rows:
            number += 1
            values = filled(number, values)
            names = [header(v) for v in values]
            if all(name in names for name in required):
                columns = list(enumerate(names))
                headers = {name: i for i, name in (columns if later_columns_win else reversed(columns)) if name}
                written = {i: text for i, v in enumerate(values) if (text := cell_text(v))}
                break
            if number >= 10:
                break
        if not headers:
            raise SheetError(no_header or Reason(
                N_("No header row with the columns %(columns)s was found in the first sheet."),
                {"columns": " / ".join(required)}, code="no_header"))
        if check_header is not None:
            check_header(headers)
        data = []
        for values in rows:
            number += 1
            if any(v not in (None, "") for v in values):
                data.append((number, filled(number, values)))
                if len(data) > max_rows:
                    raise SheetError(Reason(N_("The sheet has more than %(max)d rows; split it."),
                                            {"max": max_rows}, code="too_many"))
            elif merged:
                filled(number, values)  # an empty row may still start a merged range
        return SheetTable(headers, written, data)
    finally:
        workbook.close()


class _Plan(Protocol):
    """What a dry run of an import returns: `ready` when the sheet can be imported as it is."""

    @property
    def ready(self) -> bool: ...


Plan = TypeVar("Plan", bound=_Plan)


def preview_upload(key: str, upload: Any, read: Callable[[IO[bytes]], Plan]) -> tuple[Plan, str | None]:
    """Check an uploaded sheet: its plan (`read` is the dry run), and the token under which the
    session keeps it (`key`) for the confirm step, None when the plan is not `ready` (nothing is
    kept then). Raises what `read` raises (SheetError: the reasons go beside the file field),
    keeping nothing."""
    token, path = keep_for_confirmation(key, upload)
    try:
        with path.open("rb") as fh:
            plan = read(fh)
    except BaseException:
        forget_kept(key)
        raise
    if not plan.ready:
        forget_kept(key)
        return plan, None
    return plan, token
