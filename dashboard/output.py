"""Write query results for people (table) or programs (json, csv)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import duckdb
from duckdb import CaseExpression, ColumnExpression, ConstantExpression, FunctionExpression

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "json", "csv")

# COPY's destination cannot be a bound parameter (DuckDB parses it as a string literal), so it is a path this
# process made in a private temporary folder, never anything typed or imported. Not in queries/: the SQL file
# test runs every file there, and this statement reads a relation only a writer has.
_COPY_JSON = "copy (select * from output_rows) to {path} (format json, array true)"
_CHUNK = 1 << 20
_NUMBERS = {"double", "float", "decimal"}
_TIMESTAMPS = {"timestamp", "timestamp with time zone"}


def write_relation(relation: duckdb.DuckDBPyRelation, output_format: str, stream: TextIO) -> None:
    """Write a relation as an aligned table, a JSON array of objects or CSV; DuckDB writes JSON and CSV."""
    # JSON and CSV hold what write_frame wrote for the same rows: dates as ISO text, numbers as numbers (CSV:
    # 6 significant digits, as %g), missing as null or an empty cell, lists as arrays (CSV: joined by ", ").
    if output_format == "table":
        write_frame(relation.df(), "table", stream)
        return
    if output_format not in FORMATS:
        raise ValueError(f"unknown output format {output_format!r}; use one of {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="rehab-output-") as folder:
        path = Path(folder) / f"rows.{output_format}"
        if output_format == "json":
            json_values(relation).query("output_rows", _COPY_JSON.format(path=_sql_string(path)))
        else:
            csv_cells(relation).to_csv(str(path), header=True)
        _copy_to(path, stream)


def json_values(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Return the relation with each column as JSON should hold it: finite doubles, timestamps as ISO text."""
    return relation.select(*(
        _json_value(ColumnExpression(name), kind).alias(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ))


def csv_cells(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Return the relation with each column as its CSV cell: numbers as %g, True/False, lists joined."""
    return relation.select(*(
        _csv_cell(ColumnExpression(name), kind).alias(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ))


def _json_value(column: duckdb.Expression, kind: duckdb.DuckDBPyType) -> duckdb.Expression:
    """Return a column as JSON holds it; NaN and infinities become null, so the JSON stays valid."""
    if kind.id in _NUMBERS:
        number = column.cast(duckdb.sqltype("double"))
        finite = FunctionExpression("isfinite", number)
        return CaseExpression(finite, number).otherwise(ConstantExpression(None))
    if kind.id in _TIMESTAMPS:
        return _iso_timestamp(column, with_offset=kind.id != "timestamp")
    return column


def _csv_cell(column: duckdb.Expression, kind: duckdb.DuckDBPyType) -> duckdb.Expression:
    """Return a column as its CSV text, as _cell wrote it; an empty text is an empty (unquoted) cell."""
    if kind.id in _NUMBERS:
        number = column.cast(duckdb.sqltype("double"))
        # Python's format(value, "g") and DuckDB's format('{:g}') are the same printf %g.
        return CaseExpression(FunctionExpression("isnan", number), ConstantExpression(None)).otherwise(
            FunctionExpression("format", ConstantExpression("{:g}"), number)
        )
    if kind.id == "boolean":
        return CaseExpression(column, ConstantExpression("True")).when(~column, ConstantExpression("False"))
    if kind.id == "list":
        joined = FunctionExpression("array_to_string", column, ConstantExpression(", "))
        return FunctionExpression("nullif", joined, ConstantExpression(""))
    if kind.id in _TIMESTAMPS:
        return _iso_timestamp(column, with_offset=kind.id != "timestamp")
    if kind.id == "varchar":
        # DuckDB quotes an empty text to tell it from a missing one; write_frame wrote both as nothing.
        return FunctionExpression("nullif", column, ConstantExpression(""))
    return column


def _iso_timestamp(column: duckdb.Expression, *, with_offset: bool) -> duckdb.Expression:
    """Return a timestamp as isoformat() writes it, in the session's zone: 2026-11-02T09:00:00+00:00."""
    # Microseconds (.250000) only when there are some, as isoformat; the offset as +HH:MM (%z writes +00).
    def text(pattern: str) -> duckdb.Expression:
        return FunctionExpression("strftime", column, ConstantExpression(pattern))

    micros = FunctionExpression("epoch_us", column) % ConstantExpression(1_000_000)
    fraction = CaseExpression(micros != ConstantExpression(0), text(".%f")).otherwise(ConstantExpression(""))
    parts = [text("%Y-%m-%dT%H:%M:%S"), fraction]
    if with_offset:
        offset = text("%z")
        short = FunctionExpression("length", offset) == ConstantExpression(3)
        hours_only = FunctionExpression("concat", offset, ConstantExpression(":00"))
        parts.append(CaseExpression(short, hours_only).otherwise(offset))
    return CaseExpression(column.isnotnull(), FunctionExpression("concat", *parts))


def _sql_string(path: Path) -> str:
    """Return a path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _copy_to(path: Path, stream: TextIO) -> None:
    """Copy a written file to the stream after what the stream holds already, as UTF-8 bytes where it can."""
    stream.flush()
    target: BinaryIO | None = getattr(stream, "buffer", None)
    if target is None:
        with path.open(encoding="utf-8", newline="") as source:
            shutil.copyfileobj(source, stream, _CHUNK)
        return
    with path.open("rb") as source:
        shutil.copyfileobj(source, target, _CHUNK)
    target.flush()


def plain(value: Any) -> Any:
    """Return a value JSON can hold: dates as ISO text, decimals as floats, missing as None."""
    import pandas as pd

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
    """Write a DataFrame as an aligned table, a JSON array of objects, or CSV, one Python dict per row."""
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
