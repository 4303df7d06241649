"""A tiny clinic written as the four CSV logs and imported through the real importer, for the rule tests."""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from dashboard import metrics, patient_settings
from dashboard.access import Viewer
from dashboard.db import Database, open_database
from dashboard.importer import import_paths

ADMIN = Viewer.system()


def nov(day: int) -> date:
    """Return a day of November 2026 (W45 is 2-8 Nov, W46 9-15, W47 16-22)."""
    return date(2026, 11, day)


def plain(value):
    """Return a cell with every kind of missing as None, so lists compare exactly."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def column(frame: pd.DataFrame, name: str) -> list:
    """Return a column as a plain list."""
    return [plain(value) for value in frame[name]]


def rows(frame: pd.DataFrame, *names: str) -> list[tuple]:
    """Return the chosen columns as plain tuples."""
    return [tuple(plain(row[name]) for name in names) for _, row in frame.iterrows()]


class Clinic:
    """The rows of a tiny clinic, written as the four CSV logs and imported through the real importer."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "clinic.duckdb"
        self.patients: list[list] = []
        self.pain: list[list] = []
        self.exercises: list[list] = []
        self.activities: list[list] = []

    def patient(self, patient_id: str, start: date, *, target: int = 90, ceiling: float = 5, flare: float = 2,
                discharged: date | None = None, clinician: str = "Sam Patel",
                acceptable: float | None = None) -> None:
        """Add a patient and their thresholds (acceptable morning pain None: learn it from the mornings)."""
        self.patients.append([
            patient_id, f"Patient {patient_id}", clinician, "Achilles tendinopathy", start.isoformat(),
            target, ceiling, flare, discharged.isoformat() if discharged else "",
            "" if acceptable is None else acceptable,
        ])

    def mornings(self, patient_id: str, first: date, scores: list[float | None]) -> None:
        """Log a morning score a day from `first`; None leaves that morning unlogged."""
        for offset, score in enumerate(scores):
            if score is not None:
                self.score(patient_id, first + timedelta(days=offset), "morning", score)

    def score(self, patient_id: str, day: date, time_of_day: str, score: float) -> None:
        """Log one pain score."""
        self.pain.append([patient_id, day.isoformat(), time_of_day, score, ""])

    def exercise(self, patient_id: str, day: date, sets: int, reps: int, stage: str = "isotonic",
                 name: str = "Calf raise") -> None:
        """Log one exercise line."""
        self.exercises.append([patient_id, day.isoformat(), name, stage, sets, reps, "", "", "", ""])

    def daily_reps(self, patient_id: str, first: date, reps: list[int]) -> None:
        """Log one exercise line a day from `first` with that many reps (one set); 0 logs nothing."""
        for offset, count in enumerate(reps):
            if count:
                self.exercise(patient_id, first + timedelta(days=offset), 1, count)

    def activity(self, patient_id: str, day: date, name: str = "run", minutes: float = 30) -> None:
        """Log one activity (a 30-minute run unless said)."""
        self.activities.append([patient_id, day.isoformat(), name, minutes, "", "", ""])

    def prescribe(
        self, patient_id: str, effective_from: date, exercise: str, stage: str, sets: int, reps: int,
        days: str = "daily",
    ) -> None:
        """Prescribe a programme item from a date (after build); days 'daily', 'none' or 'mon,wed,fri'."""
        with open_database(self.path).transaction() as session:
            session.touch(patient_id)
            session.cursor.execute(
                "insert into programme_items (patient_id, effective_from, exercise, stage, sets, reps, days, "
                "recorded_by) values (?, ?, ?, ?, ?, ?, ?, 'test')",
                [patient_id, effective_from, exercise, stage, sets, reps, days],
            )

    def change(self, patient_id: str, effective_from: date, reason: str | None = None, **settings) -> None:
        """Record a settings change from a date through the app's own write path (after build)."""
        changes = patient_settings.change_settings(
            open_database(self.path), ADMIN, patient_id, effective_from, settings, reason=reason
        )
        assert changes, f"the change to {settings} from {effective_from} changed nothing"

    def build(self) -> Database:
        """Write the CSV logs, import them and return the database."""
        files = []
        for name, header, body in (
            ("patients.csv", "patient_id,name,clinician,condition,start_date,daily_rep_target,pain_ceiling,"
             "flare_threshold,discharged_on,acceptable_pain", self.patients),
            ("pain.csv", "patient_id,date,time_of_day,pain,note", self.pain),
            ("exercises.csv", "patient_id,date,exercise,stage,sets,reps,hold_s,load_kg,pain_during,note",
             self.exercises),
            ("activities.csv", "patient_id,date,activity,duration_min,rpe,pain_during,note", self.activities),
        ):
            if not body:
                continue
            path = self.folder / name
            with path.open("w", newline="", encoding="utf-8") as stream:
                stream.write(header + "\n")
                csv.writer(stream, lineterminator="\n").writerows(body)
            files.append(path)
        database = open_database(self.path)
        result = import_paths(database, files, actor="test")
        assert result.ok, result.report()
        return database


def events(database: Database, rule: str | None = None, **options) -> list[tuple]:
    """Return (patient_id, rule, date, until, detail) of the alert events, optionally of one rule."""
    frame = metrics.alert_events(database, ADMIN, **options)
    found = rows(frame, "patient_id", "rule", "date", "until", "detail")
    return [event for event in found if rule is None or event[1] == rule]
