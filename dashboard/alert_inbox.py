"""The alerts inbox: open alerts, acknowledgements and each patient's alert history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.vocabulary import SEVERITY_ORDER, alert_word


def acknowledgements(db: Database, viewer: Viewer, patient_id: str | None = None) -> pd.DataFrame:
    """Return the stored acknowledgements the viewer may see, newest first."""
    return db.frame("app_acknowledgements", clinician_scope=viewer.clinician_scope, patient_id=patient_id)

def with_acknowledgements(events: pd.DataFrame, acks: pd.DataFrame) -> pd.DataFrame:
    """Return alert events with who acknowledged them, when and why (empty when still open)."""
    keys = ["patient_id", "rule", "date"]
    left = events.assign(date=pd.to_datetime(events["date"]).dt.date)
    right = acks[[*keys, "acknowledged_by", "acknowledged_at", "note"]].assign(
        date=pd.to_datetime(acks["date"]).dt.date
    )
    merged = left.merge(right, on=keys, how="left")
    merged["acknowledged"] = merged["acknowledged_by"].notna()
    return merged

def open_alerts(events: pd.DataFrame, acks: pd.DataFrame) -> pd.DataFrame:
    """Return the alerts nobody has acknowledged, highest severity first, then newest, then patient."""
    merged = with_acknowledgements(events, acks)
    still_open = merged[~merged["acknowledged"]].drop(columns=["acknowledged_by", "acknowledged_at", "note"])
    still_open = still_open.assign(_severity=still_open["severity"].map(SEVERITY_ORDER).fillna(9))
    still_open = still_open.sort_values(
        ["_severity", "date", "patient_id", "rule"], ascending=[True, False, True, True]
    )
    return still_open.drop(columns=["_severity", "acknowledged"]).reset_index(drop=True)

def inbox(
    events: pd.DataFrame, acks: pd.DataFrame, people: pd.DataFrame, clinician: str | None = None
) -> pd.DataFrame:
    """Return the open alerts of one clinician's patients (None for all), with names and readable alerts."""
    still_open = open_alerts(events, acks)
    if clinician:
        theirs = people.loc[people["clinician"] == clinician, "patient_id"]
        still_open = still_open[still_open["patient_id"].isin(theirs)]
    named = still_open.merge(people[["patient_id", "name"]], on="patient_id", how="left")
    return named.assign(alert=named["rule"].map(alert_word)).reset_index(drop=True)

def acknowledge_alert(
    db: Database, viewer: Viewer, patient_id: str, rule: str, date: dt.date, note: str | None
) -> bool:
    """Store who acknowledged an alert, when and why, plus an audit row; False if already acknowledged."""
    note = (note or "").strip() or None
    with db.transaction() as session:
        stored = session.value(
            "app_acknowledge_alert",
            clinician_scope=viewer.clinician_scope,
            patient_id=patient_id,
            rule=rule,
            date=date,
            acknowledged_by=viewer.username,
            note=note,
        )
        if stored:
            session.execute(
                "record_audit",
                actor=viewer.username,
                action="acknowledge",
                patient_id=patient_id,
                detail=f"{rule} on {date.isoformat()}" + (f": {note}" if note else ""),
            )
    return bool(stored)

def alert_history(events: pd.DataFrame, acks: pd.DataFrame) -> pd.DataFrame:
    """Return a patient's alerts newest first, in words, each 'open' or who acknowledged it, when and why."""
    merged = with_acknowledgements(events, acks).sort_values(["date", "rule"], ascending=[False, True])

    def status(row: Any) -> str:
        if not row.acknowledged:
            return "open"
        text = f"acknowledged by {row.acknowledged_by}, {pd.Timestamp(row.acknowledged_at):%d %b %Y %H:%M}"
        return text + (f": {row.note}" if isinstance(row.note, str) and row.note else "")

    return pd.DataFrame(
        {
            "date": merged["date"],
            "alert": merged["rule"].map(alert_word),
            "severity": merged["severity"],
            "detail": merged["detail"],
            "status": [status(row) for row in merged.itertuples(index=False)],
        }
    ).reset_index(drop=True)
