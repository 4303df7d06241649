"""Patient settings as clinicians change them: effective-dated versions, validation, history and audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.access import Viewer
from dashboard.caseload import patient
from dashboard.db import Database, Session
from dashboard.logformats import STAGES

# The effective-dated settings every rule reads on each day (docs/METRICS.md, "Settings that never rewrite
# the past"); stage and discharge date are facts about the programme, not versions of it.
SETTING_FIELDS = ("daily_rep_target", "pain_ceiling", "flare_threshold", "acceptable_pain")
STATUS_FIELDS = ("stage", "discharged_on")
SETTING_LABELS = {
    "daily_rep_target": "daily rep target",
    "pain_ceiling": "pain ceiling",
    "flare_threshold": "flare threshold",
    "acceptable_pain": "acceptable morning pain",
    "stage": "stage",
    "discharged_on": "discharge date",
}
LEARN = "learn from the patient's mornings"


@dataclass(frozen=True)
class Settings:
    """The settings in effect on one day, and the day that version took effect (None: from the start)."""

    daily_rep_target: int
    pain_ceiling: float
    flare_threshold: float
    acceptable_pain: float | None
    effective_from: dt.date | None

    def value(self, field: str) -> Any:
        """Return one setting by name."""
        return getattr(self, field)


def _is_tenths(value: float) -> bool:
    """Return whether a score has at most one decimal place, as the database stores it."""
    return abs(round(value * 10) - value * 10) < 1e-9


def _missing(value: Any) -> bool:
    """Return whether a value is None or a pandas/NumPy missing value."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def setting_problems(settings: dict[str, Any]) -> list[str]:
    """Return why proposed settings cannot be stored, in words; only the named settings are checked."""
    problems = []
    if "daily_rep_target" in settings:
        target = settings["daily_rep_target"]
        if _missing(target) or int(target) != target or not 1 <= target <= 10000:
            problems.append("daily rep target must be a whole number from 1 to 10000")
    if "pain_ceiling" in settings:
        ceiling = settings["pain_ceiling"]
        if _missing(ceiling) or not 0 <= ceiling <= 10 or not _is_tenths(ceiling):
            problems.append("pain ceiling must be between 0 and 10, in steps of 0.1")
    if "flare_threshold" in settings:
        threshold = settings["flare_threshold"]
        if _missing(threshold) or not 0 < threshold <= 10 or not _is_tenths(threshold):
            problems.append("flare threshold must be more than 0 and at most 10, in steps of 0.1")
    if "acceptable_pain" in settings:
        acceptable = settings["acceptable_pain"]
        if not _missing(acceptable) and (not 0 <= acceptable <= 10 or not _is_tenths(acceptable)):
            problems.append("acceptable morning pain must be between 0 and 10, in steps of 0.1, or empty")
    unknown = settings.keys() - set(SETTING_FIELDS)
    if unknown:
        problems.append(f"unknown settings {', '.join(sorted(unknown))}")
    return problems


def status_problems(status: dict[str, Any], start_date: dt.date) -> list[str]:
    """Return why a proposed stage or discharge date cannot be stored, in words."""
    problems = []
    if status.get("stage") is not None and status["stage"] not in STAGES:
        problems.append(f"stage must be one of {', '.join(STAGES)}")
    discharged = status.get("discharged_on")
    if discharged is not None and discharged < start_date:
        problems.append(f"discharge date cannot be before the start date {start_date.isoformat()}")
    return problems


def _comparable(field: str, value: Any) -> Any:
    """Return a setting normalised for comparison, storage and the audit trail."""
    if _missing(value):
        return None
    if field == "daily_rep_target":
        return int(value)
    if field in ("pain_ceiling", "flare_threshold", "acceptable_pain"):
        return round(float(value), 1)
    if field == "discharged_on":
        return pd.Timestamp(value).date()
    return value


def format_setting(field: str, value: Any) -> str:
    """Return a setting's value as the history and the audit trail show it."""
    if value is None:
        return "learn from mornings" if field == "acceptable_pain" else "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class SettingChange:
    """One changed setting."""

    field: str
    old: Any
    new: Any

    def describe(self) -> str:
        """Return 'pain ceiling 5 -> 4' as the audit trail stores it."""
        old, new = format_setting(self.field, self.old), format_setting(self.field, self.new)
        return f"{SETTING_LABELS[self.field]} {old} -> {new}"


class SettingsRefused(ValueError):
    """Proposed settings that break a rule; carries the reasons."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _settings_on(session: Session, viewer: Viewer, patient_id: str, day: dt.date) -> Settings | None:
    """Return the settings in effect on a day through one session, or None for a patient out of view."""
    rows = session.rows(
        "settings_on_day", patient_id=patient_id, day=day, clinician_scope=viewer.clinician_scope
    )
    if not rows:
        return None
    row = rows[0]
    return Settings(
        daily_rep_target=int(row["daily_rep_target"]),
        pain_ceiling=float(row["pain_ceiling"]),
        flare_threshold=float(row["flare_threshold"]),
        acceptable_pain=None if row["acceptable_pain"] is None else float(row["acceptable_pain"]),
        effective_from=row["effective_from"],
    )


def settings_on(db: Database, viewer: Viewer, patient_id: str, day: dt.date) -> Settings:
    """Return the settings in effect on a day for a patient the viewer may see."""
    found = _settings_on(db.session(), viewer, patient_id, day)
    if found is None:
        raise SettingsRefused([f"no patient {patient_id} among the patients you can see"])
    return found


def change_settings(
    db: Database, viewer: Viewer, patient_id: str, effective_from: dt.date, proposed: dict[str, Any],
    reason: str | None = None,
) -> list[SettingChange]:
    """Record the settings that differ from those in effect on effective_from, with one audit row.

    The change holds from effective_from until a later-dated change of the same setting; days before it keep
    the settings they had. Returns the changes (none when nothing differs, and then nothing is written).
    """
    problems = setting_problems(proposed)
    if problems:
        raise SettingsRefused(problems)
    new = {field: _comparable(field, value) for field, value in proposed.items()}
    reason = (reason or "").strip() or None
    with db.transaction() as session:
        current = _settings_on(session, viewer, patient_id, effective_from)
        if current is None:
            raise SettingsRefused([f"no patient {patient_id} among the patients you can see"])
        changes = [
            SettingChange(field, current.value(field), value)
            for field, value in new.items()
            if current.value(field) != value
        ]
        if not changes:
            return []
        changed = {change.field: change.new for change in changes}
        session.touch(patient_id)
        session.execute(
            "insert_settings_change",
            patient_id=patient_id,
            effective_from=effective_from,
            daily_rep_target=changed.get("daily_rep_target"),
            pain_ceiling=changed.get("pain_ceiling"),
            flare_threshold=changed.get("flare_threshold"),
            sets_acceptable_pain="acceptable_pain" in changed,
            acceptable_pain=changed.get("acceptable_pain"),
            changed_by=viewer.username,
            reason=reason,
            clinician_scope=viewer.clinician_scope,
        )
        detail = f"from {effective_from.isoformat()}: " + ", ".join(change.describe() for change in changes)
        session.execute(
            "record_audit",
            actor=viewer.username,
            action="settings_change",
            patient_id=patient_id,
            detail=detail + (f"; reason: {reason}" if reason else ""),
        )
    return changes


def save_status(
    db: Database, viewer: Viewer, patient_id: str, proposed: dict[str, Any]
) -> list[SettingChange]:
    """Validate and store a patient's stage and discharge date, one audit row per changed field."""
    current = patient(db, viewer, patient_id)
    if current is None:
        raise SettingsRefused([f"no patient {patient_id} among the patients you can see"])
    new = {field: _comparable(field, proposed.get(field, current[field])) for field in STATUS_FIELDS}
    problems = status_problems(new, _comparable("discharged_on", current["start_date"]))
    if problems:
        raise SettingsRefused(problems)
    changes = [
        SettingChange(field, _comparable(field, current[field]), new[field])
        for field in STATUS_FIELDS
        if _comparable(field, current[field]) != new[field]
    ]
    if not changes:
        return []
    with db.transaction() as session:
        session.touch(patient_id)
        session.execute(
            "app_update_patient_status", clinician_scope=viewer.clinician_scope, patient_id=patient_id, **new
        )
        for change in changes:
            session.execute(
                "record_audit",
                actor=viewer.username,
                action="settings_change",
                patient_id=patient_id,
                detail=change.describe(),
            )
    return changes


HISTORY_COLUMNS = ["effective_from", "settings", "changed_by", "changed_at", "reason"]


def _version_words(row: dict[str, Any]) -> str:
    """Return the settings one version sets, in words: 'pain ceiling 4, acceptable morning pain 3'."""
    parts = []
    for field in SETTING_FIELDS:
        value = row[field]
        if field == "acceptable_pain":
            if row["sets_acceptable_pain"]:
                parts.append(f"{SETTING_LABELS[field]}: {format_setting(field, _comparable(field, value))}")
        elif not _missing(value):
            parts.append(f"{SETTING_LABELS[field]} {format_setting(field, _comparable(field, value))}")
    return ", ".join(parts)


def settings_history(db: Database, viewer: Viewer, patient_id: str) -> pd.DataFrame:
    """Return a patient's settings versions in the order recorded, each in words with who, when and why."""
    rows = db.rows("settings_history", patient_id=patient_id, clinician_scope=viewer.clinician_scope)
    return pd.DataFrame(
        [
            {
                "effective_from": row["effective_from"],
                "settings": ("from the patients file: " if row["source"] == "patients file" else "")
                + _version_words(row),
                "changed_by": row["changed_by"],
                "changed_at": row["changed_at"],
                "reason": row["reason"],
            }
            for row in rows
        ],
        columns=HISTORY_COLUMNS,
    )
