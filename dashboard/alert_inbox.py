"""The alerts inbox: open alerts, acknowledgements and each patient's alert history."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
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

ACKNOWLEDGED = "acknowledged"
ALREADY_ACKNOWLEDGED = "already acknowledged"
NOT_VISIBLE = "not visible"
# DuckDB refuses the second of two transactions writing one key; a retry, once the first has committed, sees
# its row and skips it. Pauses grow from 5 ms and add up to about a second.
_WRITE_ATTEMPTS = 20


class AcknowledgementRefused(ValueError):
    """An acknowledgement that was not attempted, with the reason in words the clinician can act on."""


@dataclass(frozen=True)
class Acknowledgement:
    """What acknowledging one alert did: stored now, acknowledged before (by whom, when), or refused."""

    patient_id: str
    rule: str
    date: dt.date
    outcome: str
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None
    note: str | None = None

    def __bool__(self) -> bool:
        """True only when this call stored the acknowledgement."""
        return self.outcome == ACKNOWLEDGED

    def message(self) -> str:
        """Return what happened in plain words, naming the alert, the patient and the day."""
        alert = f"{alert_word(self.rule)} for {self.patient_id} on {self.date:%d %b %Y}"
        if self.outcome == ACKNOWLEDGED:
            return f"Acknowledged {alert}."
        if self.outcome == ALREADY_ACKNOWLEDGED:
            when = f", {pd.Timestamp(self.acknowledged_at):%d %b %Y %H:%M}" if self.acknowledged_at else ""
            why = f" (note: {self.note})" if self.note else ""
            return (
                f"Not acknowledged again: {alert} was already acknowledged by {self.acknowledged_by}{when}"
                f"{why}. Nothing was changed."
            )
        return f"Not acknowledged: {self.patient_id} is not among the patients you can see."


def acknowledge_alert(
    db: Database, viewer: Viewer, patient_id: str, rule: str, date: dt.date, note: str | None
) -> Acknowledgement:
    """Store who acknowledged one alert, when and why, plus one audit row; an alert is acknowledged once."""
    return _acknowledge(db, viewer, patient_id, [(rule, date)], note, together=False)[0]


def acknowledge_patient_alerts(
    db: Database, viewer: Viewer, patient_id: str, alerts: Iterable[tuple[str, dt.date]], note: str | None
) -> list[Acknowledgement]:
    """Acknowledge listed open alerts of one patient with one note, in one transaction, an audit row each.

    Only the alerts listed (those the clinician confirmed) are acknowledged, never ones that arrived since.
    """
    alerts = list(dict.fromkeys((rule, _day(date)) for rule, date in alerts))
    if not alerts:
        raise AcknowledgementRefused("no alerts were listed to acknowledge")
    if not (note or "").strip():
        raise AcknowledgementRefused(
            f"write a note to acknowledge {len(alerts)} alerts at once: what you did or decided"
        )
    return _acknowledge(db, viewer, patient_id, alerts, note, together=len(alerts) > 1)


def _day(value: dt.date | str | pd.Timestamp) -> dt.date:
    """Return a calendar date from a date, a timestamp or ISO text."""
    return pd.Timestamp(value).date()


def _acknowledge(
    db: Database, viewer: Viewer, patient_id: str, alerts: list[tuple[str, dt.date]], note: str | None,
    *, together: bool,
) -> list[Acknowledgement]:
    """Store the alerts' acknowledgements and audit rows in one transaction; report each alert's outcome."""
    note = (note or "").strip() or None
    alerts = [(rule, _day(date)) for rule, date in alerts]
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            stored = _store(db, viewer, patient_id, alerts, note, together)
            break
        except (duckdb.TransactionException, duckdb.ConstraintException):
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    earlier = _stored_acknowledgements(db, viewer, patient_id)
    outcomes = []
    for rule, date in alerts:
        if (rule, date) not in earlier:
            outcomes.append(Acknowledgement(patient_id, rule, date, NOT_VISIBLE))
            continue
        outcome = ACKNOWLEDGED if (rule, date) in stored else ALREADY_ACKNOWLEDGED
        outcomes.append(Acknowledgement(patient_id, rule, date, outcome, *earlier[(rule, date)]))
    return outcomes


def _store(
    db: Database, viewer: Viewer, patient_id: str, alerts: list[tuple[str, dt.date]], note: str | None,
    together: bool,
) -> set[tuple[str, dt.date]]:
    """Insert the acknowledgements not yet stored, each with its audit row; return the ones inserted."""
    inserted = set()
    with db.transaction() as session:
        for rule, date in alerts:
            if not session.value(
                "app_acknowledge_alert",
                clinician_scope=viewer.clinician_scope,
                patient_id=patient_id,
                rule=rule,
                date=date,
                acknowledged_by=viewer.username,
                note=note,
            ):
                continue
            inserted.add((rule, date))
            detail = f"{rule} on {date.isoformat()}" + (f": {note}" if note else "")
            session.execute(
                "record_audit",
                actor=viewer.username,
                action="acknowledge",
                patient_id=patient_id,
                detail=detail + (f" (one of {len(alerts)} acknowledged together)" if together else ""),
            )
    return inserted


def _stored_acknowledgements(
    db: Database, viewer: Viewer, patient_id: str
) -> dict[tuple[str, dt.date], tuple[str, Any, str | None]]:
    """Return a visible patient's stored acknowledgements by (rule, date): who, when and the note."""
    acks = acknowledgements(db, viewer, patient_id)
    return {
        (row.rule, _day(row.date)): (
            row.acknowledged_by, row.acknowledged_at, row.note if isinstance(row.note, str) else None
        )
        for row in acks.itertuples(index=False)
    }


def patient_alerts(inbox: pd.DataFrame, patient_id: str) -> pd.DataFrame:
    """Return one patient's rows of the inbox as shown, for acknowledging them together."""
    return inbox[inbox["patient_id"] == patient_id].reset_index(drop=True)


def alert_keys(inbox: pd.DataFrame) -> list[tuple[str, str, dt.date]]:
    """Return the inbox's alerts as (patient, rule, date), in the order shown."""
    return [
        (row.patient_id, row.rule, _day(row.date))
        for row in inbox[["patient_id", "rule", "date"]].itertuples(index=False)
    ]

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
