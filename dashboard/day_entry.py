"""One day's log entry from the app: the form's parts, checked by the importer and written in one transaction.

The entry is a set of in-memory files for the importer, so it passes the very checks import_sources gives a
file; import_together writes the files in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard import caseload
from dashboard.access import Viewer
from dashboard.caseload import NotVisible, require_patient
from dashboard.db import Database
from dashboard.importer import REPLACE_HINT, ImportResult, import_together
from dashboard.logformats import FORMATS
from dashboard.reading import Problem


@dataclass(frozen=True)
class EntryPart:
    """One part of the entry form: the log kind it is written as, its heading, its cells and rows in words.

    The cells are the log format's columns the form asks for (the page fills in patient and date); noun is
    what one row is called, singular and plural.
    """

    kind: str
    heading: str
    cells: dict[str, str]
    noun: tuple[str, str]

    @property
    def required(self) -> tuple[str, ...]:
        """Return the cells a row of this part cannot do without, as the importer requires them."""
        return tuple(cell for cell in self.cells if cell in FORMATS[self.kind].required)


# The parts in the order the form shows them and the entry writes them; a table part is one editor row per
# log row. A new kind of log row (a prescribed programme, say) is one more part here.
PAIN = EntryPart(
    "pain", "Pain", {"time_of_day": "time of day", "pain": "score", "note": "note"},
    ("pain score", "pain scores"),
)
TABLE_PARTS = (
    EntryPart("exercises", "Exercises", {
        "exercise": "exercise name", "stage": "stage", "sets": "sets", "reps": "reps", "hold_s": "hold (s)",
        "load_kg": "load (kg)", "pain_during": "pain during", "note": "note",
    }, ("exercise line", "exercise lines")),
    EntryPart("activities", "Activities", {
        "activity": "activity name", "duration_min": "minutes", "rpe": "effort (RPE)",
        "pain_during": "pain during", "note": "note",
    }, ("activity", "activities")),
)
PARTS = {part.kind: part for part in (PAIN, *TABLE_PARTS)}
_SHARED_CELLS = {"patient_id": "patient", "date": "date"}
# The importer's reason for an empty required cell: such cells are told together, one line per row.
_MISSING = "required value is missing"


def _cell(value: Any) -> str:
    """Return one CSV cell as the import expects it: blank for missing, numbers without trailing zeros."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv(kind: str, rows: list[dict[str, Any] | None]) -> bytes:
    """Return rows as a CSV file of one log format, header first; a None row is a wholly blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = FORMATS[kind].columns
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell((row or {}).get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def _editor_rows(table: pd.DataFrame | None) -> list[dict[str, Any] | None]:
    """Return an edited table's rows up to its last filled one, each blank row as None.

    Every row with any filled cell is kept, complete or not: the importer names what an incomplete one lacks.
    Blank rows in between become blank lines, which the importer passes over, so that row n of the file is
    row n of the editor.
    """
    if table is None or table.empty:
        return []
    rows = [
        row if any(_cell(value).strip() for value in row.values()) else None
        for row in table.to_dict("records")
    ]
    while rows and rows[-1] is None:
        rows.pop()
    return rows


def day_entry_sources(
    patient_id: str,
    date: dt.date,
    *,
    morning_pain: float | None = None,
    evening_pain: float | None = None,
    pain_note: str | None = None,
    **tables: pd.DataFrame | None,
) -> list[tuple[str, bytes]]:
    """Return one day's entries as in-memory CSV files, one per part that has rows, for the importer.

    tables are the edited tables by part (exercises=, activities=), as the editors return them.
    """
    unknown = set(tables) - {part.kind for part in TABLE_PARTS}
    if unknown:
        raise TypeError(f"no table part named {', '.join(sorted(unknown))}")
    stem = f"app-entry_{patient_id}_{date.isoformat()}"
    common = {"patient_id": patient_id, "date": date}
    sources = []
    pain_rows: list[dict[str, Any] | None] = [
        {**common, "time_of_day": time_of_day, "pain": score, "note": (pain_note or "").strip() or None}
        for time_of_day, score in (("morning", morning_pain), ("evening", evening_pain))
        if score is not None
    ]
    if pain_rows:
        sources.append((f"{stem}_{PAIN.kind}.csv", _csv(PAIN.kind, pain_rows)))
    for part in TABLE_PARTS:
        rows = [None if row is None else {**row, **common} for row in _editor_rows(tables.get(part.kind))]
        if rows:
            sources.append((f"{stem}_{part.kind}.csv", _csv(part.kind, rows)))
    return sources


def save_day_entry(
    db: Database, viewer: Viewer, patient_id: str, sources: list[tuple[str, bytes]], *,
    correct_pain: bool = False,
) -> ImportResult:
    """Write one day's entry for a patient the viewer may see, as the viewer: every part or none.

    With correct_pain, a score that differs from the one stored for that day and time replaces it; the old
    score is kept in the patient's history and the change in the audit trail.
    """
    require_patient(db, viewer, patient_id)
    # The sources are built from patient_id alone (day_entry_sources), so no other patient can ride along.
    named = {
        row[0]
        for _, data in sources
        for row in list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
        if row and row[0]
    }
    if named - {patient_id}:
        raise NotVisible("a log entry may name one patient only")
    return import_checked(db, sources, actor=viewer.username, replace=correct_pain)


def import_checked(
    db: Database, sources: list[tuple[str, bytes]], *, actor: str, replace: bool = False
) -> ImportResult:
    """Check every source with the importer and write them in one transaction, all or none; return that."""
    return import_together(db, sources, replace=replace, actor=actor)


EXERCISE_EDITOR_COLUMNS = ("exercise", "stage", "sets", "reps", "hold_s", "load_kg", "pain_during", "note")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def prescribed_exercises(items: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    """Return the exercises editor's rows for a day: the items in effect that day (programme.items_in_effect)
    scheduled on its weekday, as prescribed, pain and note left blank; no rows on a rest day."""
    weekday = _WEEKDAYS[date.weekday()]
    scheduled = [
        item for item in items.to_dict("records")
        if item["days"] == "daily" or weekday in str(item["days"]).split(",")
    ]
    return pd.DataFrame({
        "exercise": pd.Series([item["exercise"] for item in scheduled], dtype="str"),
        "stage": pd.Series([item["stage"] for item in scheduled], dtype="str"),
        "sets": pd.Series([item["sets"] for item in scheduled], dtype="Int64"),
        "reps": pd.Series([item["reps"] for item in scheduled], dtype="Int64"),
        "hold_s": pd.Series([item["hold_s"] for item in scheduled], dtype="float"),
        "load_kg": pd.Series([item["load_kg"] for item in scheduled], dtype="float"),
        "pain_during": pd.Series([None] * len(scheduled), dtype="float"),
        "note": pd.Series([None] * len(scheduled), dtype="str"),
    })[list(EXERCISE_EDITOR_COLUMNS)]


def stored_day(db: Database, viewer: Viewer, patient_id: str, date: dt.date) -> dict[str, pd.DataFrame]:
    """Return what is stored for one patient on one day, by part: pain scores, exercise lines, activities."""
    return {kind: caseload.raw_log(db, viewer, kind, patient_id, date, date) for kind in PARTS}


def shown_cell(value: Any) -> str:
    """Return a stored cell as the form would have it typed: blank when empty, 3.5 not 3.500000."""
    return _cell(float(value) if isinstance(value, Decimal) else value)


# --- results in the form's words -------------------------------------------------------------------------


def _part_of(source: str) -> EntryPart | None:
    """Return the part an entry's file (or a problem's source) was built from."""
    return PARTS.get(source.rsplit("_", 1)[-1].removesuffix(".csv"))


def _row_labels(part: EntryPart, data: bytes) -> dict[int, str]:
    """Return each row of an entry's file by the line it starts on: 'row n' of the editor, or the time of day.

    A note may hold a line break, so a row's line is counted as the importer counts it, not assumed.
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(reader)
    labels: dict[int, str] = {}
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return labels
        number += 1
        columns = dict(zip(FORMATS[part.kind].columns, row, strict=False))
        labels[start] = columns.get("time_of_day", "") if part is PAIN else f"row {number}"


def _words(problem: Problem, part: EntryPart | None) -> str:
    """Return an importer's reason in the form's words."""
    if part is PAIN and problem.reason.endswith(REPLACE_HINT):
        return (
            problem.reason.removesuffix(REPLACE_HINT)
            + "to correct it, tick “Correct the stored pain score” and save again (the old score is kept in "
            "the patient's history)"
        )
    return problem.reason


def _cell_words(part: EntryPart | None, column: str) -> str:
    """Return a column in the form's words."""
    words = part.cells if part else {}
    return words.get(column) or _SHARED_CELLS.get(column) or column.replace("_", " ")


def _joined(words: list[str]) -> str:
    """Return 'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def entry_problem(problem: Problem, rows: dict[int, str] | None = None) -> str:
    """Return an import problem of a log entry in the form's terms: which part, which row, which cell, why.

    rows names a line of the part's file (see _row_labels); without it, line n + 1 is read as row n.
    """
    part = _part_of(problem.source)
    where = [part.heading if part else "Entry"]
    if problem.line is not None:
        # Line 1 of the generated file is its header, so line 2 is the first row the clinician typed.
        where.append((rows or {}).get(problem.line) or f"row {problem.line - 1}")
    if problem.column and not (part is PAIN and problem.column == "pain"):
        where.append(_cell_words(part, problem.column))
    return ", ".join(where) + f": {_words(problem, part)}"


def entry_problems(result: ImportResult, sources: list[tuple[str, bytes]]) -> list[str]:
    """Return why an entry was refused in the form's words: for each incomplete row, what it lacks (in one
    line), then every other problem, each naming its part, row and cell."""
    labels = {name: _row_labels(part, data) for name, data in sources if (part := _part_of(name))}
    lines: list[str] = []
    for outcome in result.files:
        rows = labels.get(outcome.name, {})
        part = _part_of(outcome.name)
        missing: dict[int, list[str]] = {}
        for problem in outcome.problems:
            if problem.reason == _MISSING and problem.line is not None and problem.column:
                missing.setdefault(problem.line, []).append(_cell_words(part, problem.column))
        heading = part.heading if part else "Entry"
        for line, cells in sorted(missing.items()):
            # "exercise name is missing", "sets are missing", "exercise name and reps are missing"
            verb = "is" if len(cells) == 1 and not cells[0].endswith("s") else "are"
            lines.append(f"{heading}, {rows.get(line) or f'row {line - 1}'}: {_joined(cells)} {verb} missing")
        lines.extend(
            entry_problem(problem, rows) for problem in outcome.problems
            if not (problem.reason == _MISSING and problem.line is not None and problem.column)
        )
    return lines


def _counted(number: int, kind: str) -> str:
    """Return '1 pain score', '2 exercise lines'."""
    one, many = PARTS[kind].noun
    return f"{number} {one if number == 1 else many}"


def entry_summary(result: ImportResult, patient_id: str, date: dt.date) -> list[str]:
    """Return what a saved entry did, in the form's words: what was added, corrected and already stored."""
    totals = result.totals()
    day = f"{patient_id} on {date:%a %d %b %Y}"
    added = [_counted(counts.added, kind) for kind, counts in totals.items() if counts.added]
    lines = [f"Saved {day}: {_joined(added)}." if added else f"Nothing new for {day}: all of it was stored."]
    corrected = totals["pain"].replaced if "pain" in totals else 0
    if corrected:
        lines.append(
            f"{_counted(corrected, 'pain').capitalize()} corrected; the old "
            f"{'score is' if corrected == 1 else 'scores are'} kept in the patient's history."
        )
    for kind, counts in totals.items():
        if counts.skipped:
            lines.append(
                f"{_counted(counts.skipped, kind).capitalize()} {'was' if counts.skipped == 1 else 'were'} "
                "already stored and not added again."
            )
    return lines
