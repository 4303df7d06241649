"""Clinics built row by row for the metrics tests: import files, settings, programme, real DuckDB."""

from __future__ import annotations

import csv
import functools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from oracle import Oracle, read_tables

from dashboard.db import Database
from dashboard.importer import import_paths

PATIENT_HEADER = [
    "patient_id", "name", "clinician", "condition", "start_date", "daily_rep_target", "pain_ceiling",
    "flare_threshold", "discharged_on",
]
PAIN_HEADER = ["patient_id", "date", "time_of_day", "pain", "note"]
EXERCISE_HEADER = [
    "patient_id", "date", "exercise", "stage", "sets", "reps", "hold_s", "load_kg", "pain_during", "note",
]
ACTIVITY_HEADER = ["patient_id", "date", "activity", "duration_min", "rpe", "pain_during", "note"]

KEEP = object()  # a settings change that leaves acceptable_pain alone (None sets it to "learn")

# The app's write path for settings changes is being built elsewhere: the tests write the rows directly.
_SET_ACCEPTABLE_PAIN = "update patients set acceptable_pain = ? where patient_id = ?"
_INSERT_SETTINGS_CHANGE = """
insert into settings_changes (patient_id, effective_from, daily_rep_target, pain_ceiling, flare_threshold,
                              sets_acceptable_pain, acceptable_pain, changed_by, reason)
values (?, ?, ?, ?, ?, ?, ?, 'test', ?)
"""
# The importer trims names; a '~' in a logged name stands for a space put back after the import, so that the
# rules' own trimming is tested too.
PADDING = "~"
_PAD_NAMES = (
    "update exercise_entries set exercise = replace(exercise, '~', ' ') where contains(exercise, '~')",
    "update activity_entries set activity = replace(activity, '~', ' ') where contains(activity, '~')",
)
# Programme items are written directly too, so that two versions of one exercise may share a date (the
# importer refuses those); rows are inserted in recording order, so a later row gets the higher item_id.
_INSERT_PROGRAMME_ITEM = """
insert into programme_items (patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days,
                             recorded_by, reason)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', 'test')
"""


@dataclass
class Clinic:
    """Rows for the four import files plus the settings history, built by hand or by hypothesis."""

    patients: list[list] = field(default_factory=list)
    pain: list[list] = field(default_factory=list)
    exercises: list[list] = field(default_factory=list)
    activities: list[list] = field(default_factory=list)
    acceptable: dict[str, float] = field(default_factory=dict)  # patients.acceptable_pain, when set
    changes: list[list] = field(default_factory=list)  # settings_changes rows, in recording order
    programme: list[list] = field(default_factory=list)  # programme_items rows, in recording order

    def patient(self, patient_id: str, start: date, *, target: int = 90, ceiling: float = 5,
                flare: float = 2, discharged: date | None = None, clinician: str = "Sam Patel",
                acceptable: float | None = None) -> None:
        """Add a patient with thresholds (acceptable None: learn it from the patient's mornings)."""
        self.patients.append([
            patient_id, f"Patient {patient_id}", clinician, "proximal hamstring tendinopathy",
            start.isoformat(), target, ceiling, flare, discharged.isoformat() if discharged else "",
        ])
        if acceptable is not None:
            self.acceptable[patient_id] = acceptable

    def change(self, patient_id: str, effective_from: date, *, target: int | None = None,
               ceiling: float | None = None, flare: float | None = None, acceptable=KEEP,
               reason: str = "") -> None:
        """Record a settings change from a date; None leaves a setting alone, acceptable=None sets 'learn'."""
        sets_acceptable = acceptable is not KEEP
        self.changes.append([
            patient_id, effective_from, target, ceiling, flare, sets_acceptable,
            acceptable if sets_acceptable else None, reason,
        ])

    def mornings(self, patient_id: str, first: date, scores: list[float | None]) -> None:
        """Log one morning score a day from first on; None leaves the day unlogged."""
        for offset, score in enumerate(scores):
            if score is not None:
                self.score(patient_id, first + timedelta(days=offset), "morning", score)

    def score(self, patient_id: str, day: date, time_of_day: str, score: float) -> None:
        """Log one pain score."""
        self.pain.append([patient_id, day.isoformat(), time_of_day, score, ""])

    def item(self, patient_id: str, effective_from: date, exercise: str, stage: str, sets: int, reps: int,
             days: str = "daily", *, hold_s: float | None = None, load_kg: float | None = None) -> None:
        """Prescribe (or change, or with days='none' stop) a programme item from a date."""
        row = [patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days]
        self.programme.append(row)

    def exercise(self, patient_id: str, day: date, sets: int, reps: int, name: str = "Bridge",
                 stage: str | None = "isotonic") -> None:
        """Log one exercise line (stage None leaves it blank)."""
        self.exercises.append([patient_id, day.isoformat(), name, stage or "", sets, reps, "", "", "", ""])

    def daily_exercise(self, patient_id: str, first: date, days: int, reps: int = 90) -> None:
        """Log one exercise line of `reps` reps on each of `days` days from first."""
        for offset in range(days):
            self.exercise(patient_id, first + timedelta(days=offset), 1, reps)

    def activity(self, patient_id: str, day: date, name: str = "run", minutes: float = 30) -> None:
        """Log one activity."""
        self.activities.append([patient_id, day.isoformat(), name, minutes, "", "", ""])

    def write(self, folder: Path) -> list[Path]:
        """Write the import files that have rows and return their paths."""
        paths = []
        for name, header, rows in (
            ("patients.csv", PATIENT_HEADER, self.patients),
            ("pain.csv", PAIN_HEADER, self.pain),
            ("exercises.csv", EXERCISE_HEADER, self.exercises),
            ("activities.csv", ACTIVITY_HEADER, self.activities),
        ):
            if not rows and name != "patients.csv":
                continue
            path = folder / name
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
            paths.append(path)
        return paths

    def store_settings(self, database: Database) -> None:
        """Write acceptable_pain, settings changes and programme items into an imported clinic; pad names."""
        with database.transaction() as session:
            cursor = session.cursor
            for patient_id, level in self.acceptable.items():
                cursor.execute(_SET_ACCEPTABLE_PAIN, [level, patient_id])
            for row in self.changes:
                cursor.execute(_INSERT_SETTINGS_CHANGE, row)
            for row in self.programme:
                cursor.execute(_INSERT_PROGRAMME_ITEM, row)
            for statement in _PAD_NAMES:
                cursor.execute(statement)
            # Written around the app's write paths, so the maintained metrics are told what changed.
            session.touch(None)


_TEMPLATE_FOLDER = tempfile.TemporaryDirectory()


@functools.cache
def migrated_template() -> Path:
    """Return a migrated, empty database file, made once: copying it is cheaper than migrating anew."""
    path = Path(_TEMPLATE_FOLDER.name) / "template.duckdb"
    Database(path).close()
    return path


@contextmanager
def imported(clinic: Clinic) -> Iterator[Database]:
    """Yield a fresh database in a temporary folder holding the clinic, imported through the importer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.duckdb"
        shutil.copyfile(migrated_template(), path)
        database = Database(path)
        try:
            result = import_paths(database, clinic.write(Path(folder)), actor="test")
            assert result.ok, result.report()
            clinic.store_settings(database)
            yield database
        finally:
            database.close()


def oracle_of(clinic: Clinic) -> Oracle:
    """Return the oracle over the clinic as read back from DuckDB."""
    with imported(clinic) as database:
        return Oracle(read_tables(database))
