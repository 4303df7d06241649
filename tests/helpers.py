"""Shared test helpers: write CSV and XLSX logs into tmp_path, run the rehab CLI, dump a database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dashboard.cli import main
from dashboard.db import Database, close_database

PATIENTS_HEADER = "patient_id,name,clinician,condition,start_date"
PAIN_HEADER = "patient_id,date,time_of_day,pain,note"
EXERCISES_HEADER = "patient_id,date,exercise,stage,sets,reps,hold_s,load_kg,pain_during,note"
ACTIVITIES_HEADER = "patient_id,date,activity,duration_min,rpe,pain_during,note"

DATA_TABLES = (
    "imports",
    "patients",
    "pain_entries",
    "exercise_entries",
    "activity_entries",
    "pain_entry_history",
    "audit_log",
    "schema_migrations",
)


def write_text(
    folder: Path, name: str, text: str, *, bom: bool = False, crlf: bool = False, encoding: str = "utf-8"
) -> Path:
    """Write text exactly as given (newlines optionally turned into CRLF, a BOM optionally first)."""
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = Path(folder) / name
    path.write_bytes(data)
    return path


def write_csv(folder: Path, name: str, header: Sequence[str] | str, rows: Iterable[Sequence[Any]]) -> Path:
    """Write a CSV log with the csv module (quoting whatever needs it) and LF line endings."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header.split(",") if isinstance(header, str) else header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return write_text(folder, name, buffer.getvalue())


def write_xlsx(folder: Path, name: str, sheets: dict[str, list[Sequence[Any]]]) -> Path:
    """Write a workbook: sheet title -> rows (first row the header); a row of None is an empty row."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value is not None:
                    cell = worksheet.cell(row=row_number, column=column_number, value=value)
                    if isinstance(value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
    path = Path(folder) / name
    workbook.save(path)
    return path


def patients_file(folder: Path, *ids: str, name: str = "patients.csv") -> Path:
    """Write a minimal valid patients file for these ids."""
    return write_text(folder, name, "patient_id,start_date\n" + "".join(f"{pid},2026-01-01\n" for pid in ids))


def rehab(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    """Run the rehab CLI against db, close the connection, and return (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main(["--db", str(db), *map(str, args)])
    finally:
        close_database(db)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rehab_quiet(db: Path, *args: str) -> int:
    """Run the rehab CLI without capturing output (for hypothesis tests, where capsys is per-test)."""
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            return main(["--db", str(db), *map(str, args)])
        finally:
            close_database(db)


def query_rows(db: Path, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    """Run ad-hoc SQL (test inspection only) on the database and return its rows."""
    database = Database(db, read_only=True)
    try:
        return database.session().cursor.execute(sql, params or []).fetchall()
    finally:
        database.close()


def count(db: Path, table: str) -> int:
    """Return the number of rows in one table."""
    return query_rows(db, f"select count(*) from {table}")[0][0]


def dump(db: Path) -> dict[str, list[tuple]]:
    """Return every table's rows, fully ordered, for before/after comparison."""
    database = Database(db, read_only=True)
    try:
        cursor = database.session().cursor
        tables = [
            row[0]
            for row in cursor.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        ]
        result = {
            table: sorted(cursor.execute(f'select * from "{table}"').fetchall(), key=repr) for table in tables
        }
        return result
    finally:
        database.close()
