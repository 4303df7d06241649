"""Spreadsheet output (XLSX, CSV) that never lets a cell become a formula, figures rounded as everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter

from dashboard import formatting

# OWASP CSV injection: a text cell starting with one of these may be run as a formula by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(text: str) -> str:
    """Return CSV text that a spreadsheet reads as text: a leading formula character gets a single quote."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: where its values come from, its heading, kind, width and decimal places.

    A number or percent with places is rounded as the app and the PDF round it (dashboard.formatting);
    without, it is written as stored (a logged score).
    """

    key: str
    heading: str
    kind: str = "text"  # text, int, number, percent, date
    width: float = 12
    places: int | None = None


def _missing(value: Any) -> bool:
    """Return whether a value is empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _text(value: Any) -> str:
    """Return a value as display text; lists are joined with semicolons."""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _text(value.tolist())
    return str(value)


def _date(value: Any) -> dt.date:
    """Return a date-like value as a date."""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _value(value: Any, column: Column) -> Any:
    """Return a cell value typed for its column: a rounded number, a date or text; None when empty."""
    if hasattr(value, "tolist") and not isinstance(value, str | list):
        value = value.tolist() if getattr(value, "ndim", 0) else value.item()
    if _missing(value):
        return None
    if column.kind in ("int", "number", "percent"):
        if isinstance(value, bool):
            return int(value)
        if column.kind == "int":
            return int(value)
        return float(value) if column.places is None else formatting.rounded(value, column.places)
    if column.kind == "date":
        return _date(value)
    return _text(value)


def _number_format(column: Column) -> str:
    """Return the Excel number format that shows a column's figures with its decimal places."""
    if column.kind == "int":
        return "0"
    if column.places is None:
        return "General"
    return "0." + "0" * column.places if column.places else "0"


@dataclass
class Sheet:
    """A named table: columns and the rows (dicts) that fill them."""

    name: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Return a workbook with one sheet per table: typed cells, frozen headings, set widths, no formulas."""
    buffer = io.BytesIO()
    # Strings stay strings: xlsxwriter must never turn text into a formula, a URL or a number.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    heading = workbook.add_format({"bold": True, "bg_color": "#e8eef5", "bottom": 1, "text_wrap": True,
                                   "valign": "top"})
    text_formats = {
        # A text cell that starts like a formula is marked as text the way Excel marks a typed apostrophe:
        # the apostrophe is not part of the value and not shown, and editing the cell keeps it text.
        (wrap, formula_like): workbook.add_format(
            {"valign": "top", "text_wrap": wrap, "quote_prefix": formula_like}
        )
        for wrap in (False, True) for formula_like in (False, True)
    }
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    number_formats: dict[str, Any] = {}
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        for index, column in enumerate(sheet.columns):
            worksheet.set_column(index, index, column.width)
            worksheet.write_string(0, index, column.heading, heading)
        worksheet.freeze_panes(1, 0)
        for row_index, row in enumerate(sheet.rows, start=1):
            for col_index, column in enumerate(sheet.columns):
                value = _value(row.get(column.key), column)
                if value is None:
                    worksheet.write_blank(row_index, col_index, None, text_formats[(False, False)])
                elif column.kind == "date":
                    worksheet.write_datetime(
                        row_index, col_index, dt.datetime.combine(value, dt.time()), date_format
                    )
                elif column.kind in ("int", "number", "percent"):
                    code = _number_format(column)
                    if code not in number_formats:
                        number_formats[code] = workbook.add_format({"num_format": code, "valign": "top"})
                    worksheet.write_number(row_index, col_index, value, number_formats[code])
                else:
                    style = text_formats[(column.width >= 40, value.startswith(FORMULA_TRIGGERS))]
                    worksheet.write_string(row_index, col_index, value, style)
        if sheet.rows:
            worksheet.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """Return one table as UTF-8 CSV (with a byte-order mark so Excel reads accents), formulas neutralised."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(column.heading) for column in sheet.columns])
    for row in sheet.rows:
        cells = []
        for column in sheet.columns:
            value = _value(row.get(column.key), column)
            if value is None:
                cells.append("")
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            elif isinstance(value, float) and column.places is not None:
                cells.append(formatting.number(value, column.places))
            elif isinstance(value, float):
                cells.append(f"{value:g}")
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(neutralise(value))
        writer.writerow(cells)
    return stream.getvalue().encode("utf-8-sig")
