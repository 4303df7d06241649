"""One day's log entry from the app, written through the importer."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pandas as pd

from dashboard.access import Viewer
from dashboard.caseload import NotVisible, require_patient
from dashboard.db import Database
from dashboard.importer import ImportResult, import_sources
from dashboard.logformats import FORMATS
from dashboard.reading import Problem


def _cell(value: Any) -> str:
    """Return one CSV cell as the import expects it: blank for missing, numbers without trailing zeros."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

def _csv(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """Return rows as a CSV file of one log format, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = FORMATS[kind].columns
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")

def _filled_rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Return the rows of an edited table that have at least one filled cell."""
    if table is None or table.empty:
        return []
    rows = []
    for row in table.to_dict("records"):
        if any(_cell(value).strip() for value in row.values()):
            rows.append(row)
    return rows

def day_entry_sources(
    patient_id: str,
    date: dt.date,
    *,
    morning_pain: float | None = None,
    evening_pain: float | None = None,
    pain_note: str | None = None,
    exercises: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
) -> list[tuple[str, bytes]]:
    """Return one day's entries as in-memory CSV files, one per kind that has rows, for the importer."""
    stem = f"app-entry_{patient_id}_{date.isoformat()}"
    common = {"patient_id": patient_id, "date": date}
    sources = []
    pain_rows = [
        {**common, "time_of_day": time_of_day, "pain": score, "note": (pain_note or "").strip() or None}
        for time_of_day, score in (("morning", morning_pain), ("evening", evening_pain))
        if score is not None
    ]
    if pain_rows:
        sources.append((f"{stem}_pain.csv", _csv("pain", pain_rows)))
    for kind, table in (("exercises", exercises), ("activities", activities)):
        rows = [{**row, **common} for row in _filled_rows(table)]
        if rows:
            sources.append((f"{stem}_{kind}.csv", _csv(kind, rows)))
    return sources

def save_day_entry(
    db: Database, viewer: Viewer, patient_id: str, sources: list[tuple[str, bytes]]
) -> ImportResult:
    """Write one day's entry for a patient the viewer may see, through the importer, as the viewer."""
    require_patient(db, viewer, patient_id)
    # The sources are built from patient_id alone (day_entry_sources), so no other patient can ride along.
    named = {
        row[0]
        for _, data in sources
        for row in list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
        if row
    }
    if named - {patient_id}:
        raise NotVisible("a log entry may name one patient only")
    return import_checked(db, sources, actor=viewer.username)

def import_checked(
    db: Database, sources: list[tuple[str, bytes]], *, actor: str, replace: bool = False
) -> ImportResult:
    """Validate every source with a dry run and write them only when all are accepted; return the outcome."""
    checked = import_sources(db, sources, dry_run=True, replace=replace, actor=actor)
    if not checked.ok:
        return checked
    return import_sources(db, sources, replace=replace, actor=actor)

_ENTRY_PARTS = {"pain": "Pain", "exercises": "Exercises", "activities": "Activities"}

def entry_problem(problem: Problem) -> str:
    """Return an import problem of a log entry in the form's terms: which part, which row, which column."""
    kind = problem.source.rsplit("_", 1)[-1].removesuffix(".csv")
    where = [_ENTRY_PARTS.get(kind, problem.source)]
    if problem.line is not None:
        # Line 1 of the generated file is its header, so line 2 is the first row the clinician typed.
        where.append(f"row {problem.line - 1}")
    if problem.column:
        where.append(problem.column.replace("_", " "))
    return ", ".join(where) + f": {problem.reason}"
