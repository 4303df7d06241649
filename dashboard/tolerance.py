"""What each patient tolerates: per-kind next-morning response, dose against response, and the clinic view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import Database

PATIENT_COLUMNS = [
    "kind", "name", "days_done", "mean_response_with", "days_without", "mean_response_without", "difference",
    "flares_with", "dose", "verdict",
]
CLINIC_COLUMNS = ["kind", "name", "patients", "days_done", "patients_aggravated", "mean_difference"]
DOSE_COLUMNS = ["date", "response", "status", "total_reps", "activity_minutes"]
# The default range: the 8 weeks up to the as-of date.
DEFAULT_DAYS = 56
# A fitted line over fewer points says more about the points than about the patient.
MIN_FIT_POINTS = 8
CAVEAT = "An association in this patient's log, not proof of cause."


def default_range(
    date_from: dt.date | None, date_to: dt.date | None, as_of: dt.date | None
) -> tuple[dt.date, dt.date, dt.date]:
    """Return (from, to, as_of): to defaults to as_of (today), from to the 8 weeks ending on to."""
    as_of = metrics._as_of(as_of)
    date_to = metrics._day(date_to, "date_to") or as_of
    date_from = metrics._day(date_from, "date_from") or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    metrics._check_range(date_from, date_to)
    return date_from, date_to, as_of


def _stored_range(
    db: Database, date_from: dt.date | None, date_to: dt.date | None, as_of: dt.date | None
) -> tuple[dt.date, dt.date, dt.date]:
    """Return default_range's dates, the maintained days (which the queries read) brought up to as_of."""
    date_from, date_to, as_of = default_range(date_from, date_to, as_of)
    return date_from, date_to, metrics._stored_as_of(db, as_of)


def patient_tolerance(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return one row per load kind a patient did on a response day in the range, most worrying first."""
    date_from, date_to, as_of = _stored_range(db, date_from, date_to, as_of)
    metrics.require_patient(db, viewer, patient_id)
    frame = db.frame(
        "patient_tolerance", patient_id=patient_id, as_of=as_of, date_from=date_from, date_to=date_to,
        clinician_scope=viewer.clinician_scope,
    )
    return frame[PATIENT_COLUMNS]


def clinic_tolerance(
    db: Database, viewer: Viewer, date_from: dt.date | None = None, date_to: dt.date | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return one row per load kind over the viewer's patients: who did it, and for how many it aggravates."""
    date_from, date_to, as_of = _stored_range(db, date_from, date_to, as_of)
    frame = db.frame(
        "clinic_tolerance", as_of=as_of, date_from=date_from, date_to=date_to,
        clinician_scope=viewer.clinician_scope,
    )
    return frame[CLINIC_COLUMNS]


def dose_response(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return a patient's response days with that day's total reps and activity minutes."""
    date_from, date_to, as_of = _stored_range(db, date_from, date_to, as_of)
    metrics.require_patient(db, viewer, patient_id)
    frame = db.frame(
        "dose_response", patient_id=patient_id, as_of=as_of, date_from=date_from, date_to=date_to,
        clinician_scope=viewer.clinician_scope,
    )
    return metrics._dates(frame)[DOSE_COLUMNS]


@dataclass(frozen=True)
class Fit:
    """A least-squares line of response against total reps, and its slope per 100 reps."""

    slope: float
    intercept: float
    points: int

    @property
    def per_100_reps(self) -> float:
        """Return the change in next-morning response per 100 more reps."""
        return self.slope * 100


def fitted_line(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, as_of: dt.date | None = None,
) -> Fit | None:
    """Return the fitted line of response on total reps, or None with fewer than 8 points or one dose."""
    date_from, date_to, as_of = _stored_range(db, date_from, date_to, as_of)
    metrics.require_patient(db, viewer, patient_id)
    row = db.rows(
        "dose_response_fit", patient_id=patient_id, as_of=as_of, date_from=date_from, date_to=date_to,
        min_points=MIN_FIT_POINTS, clinician_scope=viewer.clinician_scope,
    )[0]
    # One dose on every day (a prescription done as written) has no line: DuckDB gives NaN or no intercept.
    if pd.isna(row["slope"]) or pd.isna(row["intercept"]):
        return None
    return Fit(slope=float(row["slope"]), intercept=float(row["intercept"]), points=int(row["points"]))


def _times(count: int, one: str, many: str) -> str:
    """Return '1 run' or '8 runs'."""
    return f"{count} {one if count == 1 else many}"


def summary(rows: pd.DataFrame) -> str:
    """Return one plain sentence about the most telling kind, with the caveat that it is an association."""
    if rows.empty:
        return "Not enough loading days with both mornings logged to say what this patient tolerates yet."
    top = rows.iloc[0]
    name = str(top["name"])
    name = name[:1].upper() + name[1:]
    if top["verdict"] == "not enough data":
        return f"Too few loading days with both mornings logged to judge any kind of load yet. {CAVEAT}"
    days = _times(int(top["days_done"]), "day", "days")
    counts = f"({days}, {_times(int(top['flares_with']), 'flare', 'flares')})"
    difference = top["difference"]
    if top["verdict"] == "well tolerated":
        return (
            f"{name} was followed by mornings no worse than the day before {counts}: well tolerated. {CAVEAT}"
        )
    if pd.isna(difference):
        return f"{name} was done on every loading day: there is nothing to compare it with {counts}. {CAVEAT}"
    direction = "worse" if difference > 0 else "better"
    return (
        f"{name} was followed by a morning {abs(difference):.1f} points {direction} than other loading days "
        f"{counts}. {CAVEAT}"
    )
