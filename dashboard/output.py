"""Write query results for people (table) or programs (json, csv)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
from typing import Any, TextIO

import pandas as pd

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """Return a value JSON can hold: dates as ISO text, decimals as floats, missing as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        has_time = getattr(value, "hour", 0) or getattr(value, "minute", 0)
        return value.isoformat() if has_time else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        return [plain(item) for item in value.tolist()]
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "item"):
        return plain(value.item())
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a DataFrame's rows as plain dicts."""
    return [{key: plain(value) for key, value in row.items()} for row in frame.to_dict(orient="records")]


def write_frame(frame: pd.DataFrame, output_format: str, stream: TextIO) -> None:
    """Write a DataFrame as an aligned table, a JSON array of objects, or CSV."""
    rows = records(frame)
    if output_format == "json":
        json.dump(rows, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    elif output_format == "csv":
        writer = csv.DictWriter(stream, fieldnames=list(frame.columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
    elif output_format == "table":
        stream.write(_table(list(frame.columns), rows) + "\n")
    else:
        raise ValueError(f"unknown output format {output_format!r}; use one of {', '.join(FORMATS)}")


def _cell(value: Any) -> str:
    """Return a value as table or CSV text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """Return rows as a plain-text table with aligned columns."""
    if not rows:
        return "(no rows)"
    cells = [[_cell(row[column]) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    header = "  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True))
    rule = "  ".join("-" * width for width in widths)
    body = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    return "\n".join([header, rule, *body])
