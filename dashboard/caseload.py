"""Scoped reads of the caseload for the app's pages: patients, clinicians, raw logs and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.weeks import parse_iso_week


def patients(db: Database, viewer: Viewer, patient_id: str | None = None) -> pd.DataFrame:
    """Return the patients the viewer may see, with their settings (one when patient_id is given)."""
    return db.frame("app_patients", clinician_scope=viewer.clinician_scope, patient_id=patient_id)


def patient(db: Database, viewer: Viewer, patient_id: str) -> dict[str, Any] | None:
    """Return one patient the viewer may see as a dict, or None."""
    rows = db.rows("app_patients", clinician_scope=viewer.clinician_scope, patient_id=patient_id)
    return rows[0] if rows else None


def clinicians(db: Database, viewer: Viewer) -> list[str]:
    """Return the clinician names of the patients the viewer may see."""
    return [row["clinician"] for row in db.rows("app_clinicians", clinician_scope=viewer.clinician_scope)]


def aggravating_kinds(
    db: Database, viewer: Viewer, week: str, as_of: dt.date | None = None
) -> dict[str, list[str]]:
    """Return each visible patient's likely aggravating load kinds over the 8 weeks up to the week's end."""
    monday, _ = parse_iso_week(week)
    # The query reads the maintained days.
    as_of = metrics._stored_as_of(db, as_of or dt.date.today())
    frame = db.frame(
        "review_aggravating", week_start=monday, as_of=as_of,
        clinician_scope=viewer.clinician_scope,
    )
    return {
        patient_id: list(names)
        for patient_id, names in zip(frame["patient_id"], frame["aggravating"], strict=True)
    }


def raw_log(db: Database, viewer: Viewer, kind: str, patient_id: str, date_from: dt.date, date_to: dt.date):
    """Return one patient's stored pain, exercise or activity log lines between two dates, newest first."""
    name = {"pain": "app_pain_log", "exercises": "app_exercise_log", "activities": "app_activity_log"}[kind]
    return db.frame(
        name,
        clinician_scope=viewer.clinician_scope,
        patient_id=patient_id,
        date_from=date_from,
        date_to=date_to,
    )


def patient_audit(db: Database, viewer: Viewer, patient_id: str) -> pd.DataFrame:
    """Return one patient's audit trail, newest first."""
    return db.frame("app_patient_audit", clinician_scope=viewer.clinician_scope, patient_id=patient_id)

# Column headings of the raw log tables, in the clinic's words.
LOG_LABELS = {
    "date": "Date",
    "time_of_day": "When",
    "pain": "Pain",
    "exercise": "Exercise",
    "stage": "Stage",
    "sets": "Sets",
    "reps": "Reps",
    "hold_s": "Hold (s)",
    "load_kg": "Load (kg)",
    "pain_during": "Pain during",
    "activity": "Activity",
    "duration_min": "Minutes",
    "rpe": "Effort (RPE)",
    "note": "Note",
}


def logged_stage(db: Database, viewer: Viewer, patient_id: str) -> str | None:
    """Return the stage of the patient's latest exercise line that names one, or None."""
    return db.value("app_logged_stage", clinician_scope=viewer.clinician_scope, patient_id=patient_id)


class NotVisible(LookupError):
    """A patient the viewer may not see (or who does not exist): the same answer for both."""


def require_patient(db: Database, viewer: Viewer, patient_id: str) -> dict[str, Any]:
    """Return a patient the viewer may see, or raise NotVisible; write paths check here, not in the picker."""
    found = patient(db, viewer, patient_id)
    if found is None:
        raise NotVisible(f"no patient {patient_id} among the patients you can see")
    return found
