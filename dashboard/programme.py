"""A patient's loading programme as clinicians set it: effective-dated items, checked as a file is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from dashboard.access import Viewer
from dashboard.db import Database, Session
from dashboard.logformats import FORMATS
from dashboard.vocabulary import STAGE_LABELS

IN_EFFECT_COLUMNS = ["exercise", "stage", "sets", "reps", "hold_s", "load_kg", "days", "effective_from"]
HISTORY_COLUMNS = [
    "item_id", "effective_from", "exercise", "stage", "sets", "reps", "hold_s", "load_kg", "days",
    "programme_file", "recorded_by", "recorded_at", "reason",
]
_DETAILS = ("exercise", "stage", "sets", "reps", "hold_s", "load_kg", "days")


class ProgrammeRefused(ValueError):
    """A programme change that breaks a rule, or a patient out of view; carries the reasons."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def days_words(days: str) -> str:
    """Return stored days as words: 'daily', 'none', or 'Mon, Wed, Fri'."""
    if days in ("daily", "none"):
        return days
    return ", ".join(day.capitalize() for day in days.split(","))


def prescription_words(item: dict[str, Any]) -> str:
    """Return what an item prescribes: 'Heavy slow resistance, 3 x 15, 20 kg, Mon, Wed, Fri'."""
    parts = [STAGE_LABELS.get(item["stage"], str(item["stage"])), f"{item['sets']} x {item['reps']}"]
    if not _missing(item.get("hold_s")):
        parts.append(f"hold {float(item['hold_s']):g} s")
    if not _missing(item.get("load_kg")):
        parts.append(f"{float(item['load_kg']):g} kg")
    parts.append(days_words(item["days"]))
    return ", ".join(parts)


def _missing(value: Any) -> bool:
    """Return whether a value is None or a pandas/NumPy missing value."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


@dataclass(frozen=True)
class ProgrammeChange:
    """One recorded item version: an exercise added, changed or stopped from a date."""

    patient_id: str
    effective_from: dt.date
    action: str  # added, changed or stopped
    before: dict[str, Any] | None
    after: dict[str, Any]
    item_id: int

    def describe(self) -> str:
        """Return the change in words, as the audit trail stores it."""
        name = self.after["exercise"]
        if self.action == "stopped":
            return f"stopped {name} (was {prescription_words(self.before)})"
        if self.action == "changed" and prescription_words(self.before) == prescription_words(self.after):
            return f"renamed {self.before['exercise']} as {name}: {prescription_words(self.after)}"
        if self.action == "changed":
            renamed = f" (was written {self.before['exercise']})" if self.before["exercise"] != name else ""
            return (
                f"changed {name}{renamed}: {prescription_words(self.before)} -> "
                f"{prescription_words(self.after)}"
            )
        return f"added {name}: {prescription_words(self.after)}"


def _cell(value: Any) -> str | None:
    """Return an argument as the text a programme file's cell would hold."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _checked_item(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Return one item checked by the programme file's rules and typed as it is stored, or raise
    ProgrammeRefused with every problem in words."""
    columns = FORMATS["programme"].columns
    row = pa.table(
        {"line": pa.array([1], pa.int64())}
        | {column: pa.array([_cell(values.get(column))], pa.string()) for column in columns}
    )
    session.register("staged_rows", row)
    try:
        problems = [
            f"{problem['column_name']} {problem['cell'] or ''!r}: {problem['reason']}"
            for problem in session.rows("validate_programme", import_patient_ids=[])
        ]
        if problems:
            raise ProgrammeRefused(problems)
        (typed,) = session.rows("typed_programme")
    finally:
        session.unregister("staged_rows")
    return {column: typed[column] for column in columns}


def _require_visible(session: Session, viewer: Viewer, patient_id: str) -> None:
    """Raise ProgrammeRefused unless the viewer may see the patient."""
    if not session.rows("programme_patient", patient_id=patient_id, clinician_scope=viewer.clinician_scope):
        raise ProgrammeRefused([f"no patient {patient_id} among the patients you can see"])


def set_item(
    db: Database, viewer: Viewer, patient_id: str, effective_from: dt.date, exercise: str, stage: str | None,
    sets: int | None, reps: int | None, days: str, hold_s: float | None = None, load_kg: float | None = None,
    reason: str | None = None,
) -> ProgrammeChange | None:
    """Prescribe, change or stop (days 'none') one exercise from a date, with one audit row.

    The item holds from effective_from until a later-dated version of the same exercise (names compared
    trimmed and case-insensitively). The rules are a programme file's; a stop may leave stage, sets and reps
    out (they are taken from the item it stops, with 0 sets and reps). Returns the change, or None when the
    exercise is already prescribed so from that day (and then nothing is written).
    """
    exercise = (exercise or "").strip()
    reason = (reason or "").strip() or None
    stops = isinstance(days, str) and days.strip().lower() == "none"
    with db.transaction() as session:
        _require_visible(session, viewer, patient_id)
        session.touch(patient_id)
        current = _holding(session, viewer, patient_id, exercise, effective_from) if exercise else None
        if stops and exercise:
            if current is None or current["days"] == "none":
                raise ProgrammeRefused([
                    f"nothing to stop: {exercise} is not prescribed for {patient_id} on "
                    f"{_cell(effective_from)}"
                ])
            stage = current["stage"] if stage is None else stage
            sets = 0 if sets is None else sets
            reps = 0 if reps is None else reps
        item = _checked_item(session, {
            "patient_id": patient_id, "effective_from": effective_from, "exercise": exercise, "stage": stage,
            "sets": sets, "reps": reps, "days": days, "hold_s": hold_s, "load_kg": load_kg,
        })
        if current is not None and all(_same(current[key], item[key]) for key in _DETAILS):
            return None
        if stops:
            action = "stopped"
        elif current is None or current["days"] == "none":
            action = "added"
        else:
            action = "changed"
        item_id = session.value(
            "insert_programme_item",
            **{key: item[key] for key in ("patient_id", "effective_from", *_DETAILS)},
            recorded_by=viewer.username, reason=reason, clinician_scope=viewer.clinician_scope,
        )
        change = ProgrammeChange(
            patient_id, item["effective_from"], action,
            None if action == "added" else {key: current[key] for key in _DETAILS},
            {key: item[key] for key in _DETAILS}, item_id,
        )
        detail = f"from {change.effective_from.isoformat()}: {change.describe()}"
        session.execute(
            "record_audit", actor=viewer.username, action="programme_change", patient_id=patient_id,
            detail=detail + (f"; reason: {reason}" if reason else ""),
        )
    return change


def _same(stored: Any, new: Any) -> bool:
    """Return whether a stored detail equals a new one (numbers compared as numbers)."""
    if _missing(stored) or _missing(new):
        return _missing(stored) and _missing(new)
    if isinstance(stored, int | float) and isinstance(new, int | float):
        return abs(float(stored) - float(new)) < 1e-9
    return stored == new


def _holding(
    session: Session, viewer: Viewer, patient_id: str, exercise: str, day: dt.date
) -> dict[str, Any] | None:
    """Return the version of an exercise holding on a day (a stop included), or None."""
    rows = session.rows(
        "programme_item_on_day", patient_id=patient_id, exercise=exercise, day=day,
        clinician_scope=viewer.clinician_scope,
    )
    return rows[0] if rows else None


def items_in_effect(db: Database, viewer: Viewer, patient_id: str, day: dt.date) -> pd.DataFrame:
    """Return the items in effect on a day: exercise (as its latest version writes it), stage, sets, reps,
    hold_s, load_kg, days and effective_from."""
    session = db.session()
    _require_visible(session, viewer, patient_id)
    frame = session.frame(
        "programme_items_in_effect", patient_id=patient_id, day=day, clinician_scope=viewer.clinician_scope
    )
    return _with_dates(frame[IN_EFFECT_COLUMNS])


def programme_history(db: Database, viewer: Viewer, patient_id: str) -> pd.DataFrame:
    """Return every item version of a patient in the order recorded, with its file or who set it and why."""
    session = db.session()
    _require_visible(session, viewer, patient_id)
    frame = session.frame("programme_history", patient_id=patient_id, clinician_scope=viewer.clinician_scope)
    return _with_dates(frame[HISTORY_COLUMNS])


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with effective_from as dates (DuckDB hands them over as timestamps)."""
    frame = frame.copy()
    frame["effective_from"] = pd.to_datetime(frame["effective_from"]).dt.date
    return frame
