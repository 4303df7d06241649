"""Gather what the reports show, always through the viewer's scope, and explain alerts in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import alert_inbox, metrics
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.vocabulary import RISK_ORDER, reason
from dashboard.weeks import iso_week_of, parse_iso_week

# How far back the charts in a clinic report reach: the reviewed week and the three before it, for context.
CONTEXT_DAYS = 28


@dataclass
class ClinicData:
    """Everything one weekly clinic report shows."""

    week: str
    monday: dt.date
    sunday: dt.date
    clinician: str | None
    as_of: dt.date | None
    review: pd.DataFrame  # weekly_review rows plus a `reasons` list column
    events: pd.DataFrame  # alert events dated in the week, with name and acknowledgement (as of as_of)
    daily: pd.DataFrame  # one row per patient per programme day of the week

    @property
    def in_progress(self) -> bool:
        """Return whether the report was made before its week ended: its figures are the week so far."""
        return self.as_of is not None and self.as_of < self.sunday

    def counts(self) -> dict[str, int]:
        """Return the number of patients at each risk level."""
        return {risk: int((self.review["risk"] == risk).sum()) for risk in RISK_ORDER}

    def flagged(self) -> pd.DataFrame:
        """Return the red and amber patients, red first."""
        return self.review[self.review["risk"].isin(["red", "amber"])]


def clinic_data(
    db: Database, viewer: Viewer, week: str, clinician: str | None = None, as_of: dt.date | None = None,
    *, daily: bool = True,
) -> ClinicData:
    """Return the weekly review, its alerts in words and the week's daily rows, for the viewer."""
    monday, sunday = parse_iso_week(week)
    week = iso_week_of(monday)
    # A report of a week says what was known at its end: nothing dated after its Sunday counts.
    made_on = as_of or metrics._today()
    as_of = min(made_on, sunday)
    review = metrics.weekly_review(db, viewer, week, as_of=as_of).copy()
    if clinician:
        review = review[review["clinician"] == clinician]
    review = review.assign(_order=review["risk"].map(RISK_ORDER).fillna(9))
    review = review.sort_values(["_order", "patient_id"]).drop(columns="_order").reset_index(drop=True)
    patients = set(review["patient_id"])

    # Reasons use the latest event of each rule active in the week: its run may have begun weeks before.
    history = metrics.alert_events(db, viewer, None, sunday, as_of=as_of)
    history = history[history["patient_id"].isin(patients)]
    active = history[history["until"] >= monday]
    latest = active.sort_values("date").groupby(["patient_id", "rule"], sort=False).tail(1)
    details = {(row.patient_id, row.rule): row.detail for row in latest.itertuples()}
    review["reasons"] = [
        [reason(rule, details.get((patient, rule))) for rule in alerts]
        for patient, alerts in zip(review["patient_id"], review["alerts"], strict=True)
    ]

    names = dict(zip(review["patient_id"], review["name"], strict=True))
    events = history[(history["date"] >= monday) & (history["date"] <= sunday)].copy()
    events.insert(1, "name", events["patient_id"].map(names))
    events = acknowledged(db, viewer, events, made_on)
    events = events.sort_values(["date", "patient_id", "rule"]).reset_index(drop=True)

    frame = _daily(db, viewer, review, monday, sunday, as_of) if daily else pd.DataFrame()
    return ClinicData(week, monday, sunday, clinician, as_of, review, events, frame)


def acknowledged(db: Database, viewer: Viewer, events: pd.DataFrame, made_on: dt.date) -> pd.DataFrame:
    """Return alert events with who acknowledged each, when and why, as known on the day the report is of."""
    acks = alert_inbox.acknowledgements(db, viewer)
    # The figures stop at the week's end, but acknowledging is what clinicians do with those alerts after
    # it: a report counts the acknowledgements made by the day it is made (or its as-of date), each dated,
    # and one made later leaves the alert open in it.
    acks = acks[pd.to_datetime(acks["acknowledged_at"]).dt.date <= made_on]
    return alert_inbox.with_acknowledgements(events, acks)


def acknowledgement_words(row: dict) -> str:
    """Return an alert's state: 'open', or 'acknowledged by sam, 18 Nov 2026 14:02: phoned'."""
    if not row.get("acknowledged"):
        return "open"
    note = row.get("note")
    when = pd.Timestamp(row["acknowledged_at"])
    return f"acknowledged by {row['acknowledged_by']}, {when.day} {when:%b %Y} {when:%H:%M}" + (
        f": {note}" if isinstance(note, str) and note.strip() else ""
    )


DAILY_COLUMNS = [
    "patient_id", "name", "date", "morning_pain", "evening_pain", "daily_reps", "target", "response",
    "response_status", "notes",
]


def _daily(
    db: Database, viewer: Viewer, review: pd.DataFrame, monday: dt.date, sunday: dt.date,
    as_of: dt.date | None,
) -> pd.DataFrame:
    """Return one row per patient per programme day of the week, with the notes they wrote."""
    parts = []
    for patient_id, name in zip(review["patient_id"], review["name"], strict=True):
        days = metrics.patient_days(db, viewer, patient_id, monday, sunday, as_of=as_of)
        if days.empty:
            continue
        parts.append(days.assign(patient_id=patient_id, name=name))
    notes = db.frame(
        "report_day_notes", date_from=monday, date_to=sunday, clinician_scope=viewer.clinician_scope
    )
    if not parts:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    notes["date"] = pd.to_datetime(notes["date"]).dt.date
    frame = frame.merge(notes, on=["patient_id", "date"], how="left")
    return frame[DAILY_COLUMNS].sort_values(["patient_id", "date"]).reset_index(drop=True)


def context_days(
    db: Database, viewer: Viewer, patient_id: str, sunday: dt.date, as_of: dt.date | None
) -> pd.DataFrame:
    """Return a patient's last four weeks of days up to a Sunday, for the clinic report's charts."""
    return metrics.patient_days(
        db, viewer, patient_id, sunday - dt.timedelta(days=CONTEXT_DAYS - 1), sunday, as_of=as_of
    )


@dataclass
class PatientData:
    """Everything one patient progress report shows."""

    patient: dict
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date | None
    days: pd.DataFrame
    activities: pd.DataFrame
    events: pd.DataFrame
    weeks: pd.DataFrame


def patient_data(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None, date_to: dt.date | None,
    as_of: dt.date | None = None,
) -> PatientData:
    """Return a patient's days, activities, alerts and weekly adherence over a date range, for the viewer."""
    rows = db.rows("report_patient", patient_id=patient_id, clinician_scope=viewer.clinician_scope)
    if not rows:
        raise metrics.UnknownPatient(patient_id)
    patient = rows[0]
    limit = _date(as_of) or dt.date.today()
    discharged = patient.get("discharged_on")
    date_to = _date(date_to) or (discharged if discharged and discharged < limit else limit)
    date_from = _date(date_from) or max(patient["start_date"], date_to - dt.timedelta(days=83))
    if date_to < date_from:
        raise ValueError(f"the date range ends ({date_to}) before it starts ({date_from})")
    # A report of a period says what was known at its end: nothing dated after date_to counts.
    as_of = min(limit, date_to)
    days = metrics.patient_days(db, viewer, patient_id, date_from, date_to, as_of=as_of)
    activities = db.frame(
        "report_activities", patient_id=patient_id, date_from=date_from, date_to=date_to,
        clinician_scope=viewer.clinician_scope,
    )
    events = metrics.alert_events(db, viewer, date_from, date_to, patient_id=patient_id, as_of=as_of)
    events = acknowledged(db, viewer, events, limit)
    weeks = _weekly_adherence(db, viewer, patient_id, date_from, date_to, as_of)
    return PatientData(patient, date_from, date_to, as_of, days, activities, events, weeks)


def _weekly_adherence(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date,
    as_of: dt.date | None,
) -> pd.DataFrame:
    """Return the patient's weekly review row for every ISO week the range touches (up to the as-of date)."""
    rows = []
    monday = date_from - dt.timedelta(days=date_from.weekday())
    limit = _date(as_of) or dt.date.today()
    while monday <= date_to and monday <= limit:
        review = metrics.weekly_review(db, viewer, iso_week_of(monday), as_of=as_of)
        rows.append(review[review["patient_id"] == patient_id])
        monday += dt.timedelta(days=7)
    if not rows:
        return pd.DataFrame(columns=metrics.REVIEW_COLUMNS)
    return pd.concat(rows, ignore_index=True)


def _date(value) -> dt.date | None:
    """Return a date from a date, timestamp or ISO text; None stays None."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
