"""The clinical metrics: hand-worked oracle examples, then the SQL compared with the oracle on generated clinics."""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import Oracle, as_date, iso_week_label, read_tables

from dashboard.access import Viewer
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


@dataclass
class Clinic:
    """Rows for the four import files, built by hand or by hypothesis."""

    patients: list[list] = field(default_factory=list)
    pain: list[list] = field(default_factory=list)
    exercises: list[list] = field(default_factory=list)
    activities: list[list] = field(default_factory=list)

    def patient(self, patient_id: str, start: date, *, target: int = 90, ceiling: float = 5,
                flare: float = 2, discharged: date | None = None, clinician: str = "Sam Patel") -> None:
        """Add a patient with thresholds."""
        self.patients.append([
            patient_id, f"Patient {patient_id}", clinician, "proximal hamstring tendinopathy",
            start.isoformat(), target, ceiling, flare, discharged.isoformat() if discharged else "",
        ])

    def mornings(self, patient_id: str, first: date, scores: list[float | None]) -> None:
        """Log one morning score a day from first on; None leaves the day unlogged."""
        for offset, score in enumerate(scores):
            if score is not None:
                self.score(patient_id, first + timedelta(days=offset), "morning", score)

    def score(self, patient_id: str, day: date, time_of_day: str, score: float) -> None:
        """Log one pain score."""
        self.pain.append([patient_id, day.isoformat(), time_of_day, score, ""])

    def exercise(self, patient_id: str, day: date, sets: int, reps: int) -> None:
        """Log one exercise line."""
        self.exercises.append([patient_id, day.isoformat(), "Bridge", "isotonic", sets, reps, "", "", "", ""])

    def activity(self, patient_id: str, day: date) -> None:
        """Log one activity."""
        self.activities.append([patient_id, day.isoformat(), "run", 30, "", "", ""])

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


@contextmanager
def imported(clinic: Clinic) -> Iterator[Database]:
    """Yield a fresh database in a temporary folder holding the clinic, imported through the importer."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Path(folder) / "clinic.duckdb")
        try:
            result = import_paths(database, clinic.write(Path(folder)), actor="test")
            assert result.ok, result.report()
            yield database
        finally:
            database.close()


def oracle_of(clinic: Clinic) -> Oracle:
    """Return the oracle over the clinic as read back from DuckDB."""
    with imported(clinic) as database:
        return Oracle(read_tables(database))


MON = date(2026, 11, 2)  # a Monday, ISO week 2026-W45
D = [MON + timedelta(days=k) for k in range(70)]


def event_keys(frame: pd.DataFrame) -> list[tuple]:
    """Return (patient_id, rule, date, severity) of each event, sorted."""
    return sorted(
        (row.patient_id, row.rule, as_date(row.date), row.severity) for row in frame.itertuples(index=False)
    )


# ---- hand-worked examples: the oracle against the rules as written ---------------------------------


def test_given_loading_days_expect_next_morning_response_statuses_and_36h_check():
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=2)
    clinic.mornings("P1", D[0], [3, 3, 5, 4.5])
    clinic.score("P1", D[1], "morning", 2.5)  # the highest morning score of a day counts
    clinic.score("P1", D[2], "evening", 3)
    for day in D[0:3]:
        clinic.exercise("P1", day, 3, 10)
    responses = oracle_of(clinic).responses("P1", as_of=D[10])
    assert responses.to_dict("records") == [
        {"date": D[1], "morning_before": 3.0, "morning_after": 3.0, "response": 0.0, "status": "settled",
         "settled_36h": None},
        {"date": D[2], "morning_before": 3.0, "morning_after": 5.0, "response": 2.0, "status": "flare",
         "settled_36h": True},
        {"date": D[3], "morning_before": 5.0, "morning_after": 4.5, "response": -0.5, "status": "settled",
         "settled_36h": None},
    ]


def test_given_a_rise_just_below_the_flare_threshold_expect_elevated_and_no_flare():
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=1.5)
    clinic.mornings("P1", D[0], [2, 3.4, None, 4])
    clinic.score("P1", D[1], "evening", 2.5)
    clinic.activity("P1", D[0])  # an activity makes a loading day too
    clinic.activity("P1", D[2])  # no morning on D[2]: no response for it
    oracle = oracle_of(clinic)
    responses = oracle.responses("P1", as_of=D[10])
    assert responses[["date", "status", "settled_36h"]].to_dict("records") == [
        {"date": D[1], "status": "elevated", "settled_36h": False},
    ]
    assert "flare" not in set(oracle.alert_events(as_of=D[10]).rule)


def test_given_a_loading_day_without_next_morning_expect_no_response_and_missing_is_not_zero():
    clinic = Clinic()
    clinic.patient("P1", D[0])
    clinic.mornings("P1", D[0], [4, None, 0])
    clinic.exercise("P1", D[0], 1, 10)
    clinic.exercise("P1", D[1], 1, 10)
    assert oracle_of(clinic).responses("P1", as_of=D[5]).empty


@pytest.mark.parametrize(
    ("scores", "flare", "expected_offsets"),
    [
        ([2, 2.5, 3, 3.5], 1.5, [2]),  # rise 1.5 over the whole streak reaches the threshold
        ([2, 2.5, 3], 1.5, []),  # three rising mornings but only +1
        ([2, 4, None, 6, 8], 2, []),  # a missing morning ends the streak
        ([2, 4, 4, 6, 8], 2, [4]),  # a tie ends it too; 4, 6, 8 is a new streak
        ([1, 3, 5, 7, 2, 4, 6], 2, [2, 6]),  # one event per maximal streak
    ],
)
def test_given_rising_mornings_expect_one_rising_streak_event_on_the_third_morning(
    scores, flare, expected_offsets
):
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=flare, ceiling=10)
    clinic.mornings("P1", D[0], scores)
    events = oracle_of(clinic).alert_events(as_of=D[len(scores) - 1])
    assert [as_date(day) for day in events[events.rule == "rising_streak"].date] == [
        D[k] for k in expected_offsets
    ]


def test_given_mornings_above_the_ceiling_expect_one_event_per_run_of_consecutive_days():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=5, flare=10)
    clinic.mornings("P1", D[0], [5, 6, 6.5, None, 7, 5.1, 4])
    events = oracle_of(clinic).alert_events(as_of=D[6])
    assert event_keys(events[events.rule == "pain_above_ceiling"]) == [
        ("P1", "pain_above_ceiling", D[1], "high"),
        ("P1", "pain_above_ceiling", D[4], "high"),
    ]


def test_given_gaps_in_the_morning_log_expect_one_not_logging_event_per_gap_on_its_third_day():
    clinic = Clinic()
    clinic.patient("P1", D[0])
    clinic.mornings("P1", D[0], [None, None, None, 3, None, None, 3, None, None, None, None, 3])
    events = oracle_of(clinic).alert_events(as_of=D[11])
    assert [as_date(day) for day in events[events.rule == "not_logging"].date] == [D[2], D[9]]


def test_given_no_mornings_after_discharge_expect_no_not_logging_there():
    clinic = Clinic()
    clinic.patient("P1", D[0], discharged=D[1])
    events = oracle_of(clinic).alert_events(as_of=D[20])
    assert "not_logging" not in set(events.rule)


@pytest.mark.parametrize(("base", "last_week", "expected"), [(5, 9, []), (5, 10, [27])])
def test_given_a_last_week_heavier_than_the_month_expect_load_spike_only_above_1_5(base, last_week, expected):
    # 21 days of `base` reps then 7 of `last_week`: on day 27, acute/chronic = 7*lw / ((21*b + 7*lw)/4).
    clinic = Clinic()
    clinic.patient("P1", D[0], target=1)
    for k in range(28):
        clinic.exercise("P1", D[k], 1, base if k < 21 else last_week)
    events = oracle_of(clinic).alert_events(as_of=D[27])
    assert [as_date(day) for day in events[events.rule == "load_spike"].date] == [D[k] for k in expected]


def test_given_load_from_day_zero_expect_no_load_spike_before_day_27():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=1)
    for k in range(20, 30):
        clinic.exercise("P1", D[k], 1, 50)
    events = oracle_of(clinic).alert_events(as_of=D[30])
    assert [as_date(day) for day in events[events.rule == "load_spike"].date] == [D[27]]


def test_given_a_week_of_partial_sessions_expect_capped_adherence_and_low_adherence_on_sunday():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=90)
    clinic.exercise("P1", D[0], 3, 30)
    clinic.exercise("P1", D[1], 6, 30)  # 180 reps count as one full day, not two
    clinic.exercise("P1", D[2], 3, 15)
    clinic.mornings("P1", D[0], [2, 3, 3, 3, 2, 3, 2, 3])
    oracle = oracle_of(clinic)
    review = oracle.weekly_review("2026-W45", as_of=D[10]).iloc[0]
    assert review.adherence_pct == 35.7  # (1 + 1 + 0.5) / 7
    assert review.days_on_target == 2
    assert review.total_reps == 315
    assert review.mean_morning_pain == pytest.approx(18 / 7)
    assert review.prev_mean_morning_pain is None or pd.isna(review.prev_mean_morning_pain)
    assert review.alerts == ["low_adherence"]
    assert review.risk == "amber"
    low = oracle.alert_events(as_of=D[10]).query("rule == 'low_adherence'")
    assert [as_date(day) for day in low.date] == [D[6]]
    # On Saturday the week is not over yet: no low_adherence event.
    assert "low_adherence" not in set(oracle.alert_events(as_of=D[5]).rule)
    saturday = oracle.weekly_review("2026-W45", as_of=D[5]).iloc[0]
    assert saturday.adherence_pct == pytest.approx(250 / 6, abs=0.05)


def test_given_a_caseload_expect_review_rows_sorted_red_amber_green_and_only_patients_in_programme():
    clinic = Clinic()
    clinic.patient("A", D[0], target=1)  # green: logs every morning, settles
    clinic.patient("B", D[0], target=1, ceiling=5)  # red: above the ceiling on Wednesday
    clinic.patient("C", D[0], target=1)  # amber: no mornings at all
    clinic.patient("D", D[7])  # starts next week: no row
    clinic.patient("E", D[0] - timedelta(days=30), discharged=D[0] - timedelta(days=1))  # discharged: no row
    for pid in ("A", "B", "C"):
        for k in range(7):
            clinic.exercise(pid, D[k], 1, 1)
    clinic.mornings("A", D[0] - timedelta(days=7), [1] * 14)
    clinic.mornings("B", D[0], [3, 3, 6, 3, 3, 3, 3])
    review = oracle_of(clinic).weekly_review("2026-W45", as_of=D[6])
    assert review[["patient_id", "risk"]].values.tolist() == [["B", "red"], ["C", "amber"], ["A", "green"]]
    by_id = review.set_index("patient_id")
    assert by_id.loc["B", "alerts"] == ["flare", "pain_above_ceiling"]
    assert by_id.loc["B", "flare_days"] == 1
    assert by_id.loc["B", "max_response"] == 3.0
    assert by_id.loc["C", "alerts"] == ["not_logging"]
    assert pd.isna(by_id.loc["C", "mean_morning_pain"]) and pd.isna(by_id.loc["C", "max_response"])
    assert pd.isna(by_id.loc["A", "prev_mean_morning_pain"])  # logs before start_date do not count
    assert by_id.loc["A", "adherence_pct"] == 100.0


def test_given_an_as_of_date_expect_later_logs_ignored():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=5)
    clinic.mornings("P1", D[0], [3, 3, 9])
    oracle = oracle_of(clinic)
    assert oracle.alert_events(as_of=D[1]).empty
    assert set(oracle.alert_events(as_of=D[2]).rule) == {"pain_above_ceiling"}
