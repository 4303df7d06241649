"""Patient settings as clinicians change them: validation, storage and the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.access import Viewer
from dashboard.caseload import patient
from dashboard.db import Database
from dashboard.logformats import STAGES

SETTING_FIELDS = ("daily_rep_target", "pain_ceiling", "flare_threshold", "stage", "discharged_on")

SETTING_LABELS = {
    "daily_rep_target": "daily rep target",
    "pain_ceiling": "pain ceiling",
    "flare_threshold": "flare threshold",
    "stage": "stage",
    "discharged_on": "discharge date",
}

def _is_tenths(value: float) -> bool:
    """Return whether a score has at most one decimal place, as the database stores it."""
    return abs(round(value * 10) - value * 10) < 1e-9

def settings_problems(settings: dict[str, Any], start_date: dt.date) -> list[str]:
    """Return why proposed settings cannot be stored, in words; an empty list means they are valid."""
    problems = []
    target = settings["daily_rep_target"]
    if target is None or int(target) != target or not 1 <= target <= 10000:
        problems.append("daily rep target must be a whole number from 1 to 10000")
    ceiling = settings["pain_ceiling"]
    if ceiling is None or not 0 <= ceiling <= 10 or not _is_tenths(ceiling):
        problems.append("pain ceiling must be between 0 and 10, in steps of 0.1")
    threshold = settings["flare_threshold"]
    if threshold is None or not 0 < threshold <= 10 or not _is_tenths(threshold):
        problems.append("flare threshold must be more than 0 and at most 10, in steps of 0.1")
    if settings["stage"] is not None and settings["stage"] not in STAGES:
        problems.append(f"stage must be one of {', '.join(STAGES)}")
    discharged = settings["discharged_on"]
    if discharged is not None and discharged < start_date:
        problems.append(f"discharge date cannot be before the start date {start_date.isoformat()}")
    return problems

def _comparable(field: str, value: Any) -> Any:
    """Return a setting normalised for comparison and the audit trail."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if field == "daily_rep_target":
        return int(value)
    if field in ("pain_ceiling", "flare_threshold"):
        return round(float(value), 1)
    if field == "discharged_on":
        return pd.Timestamp(value).date()
    return value

def format_setting(value: Any) -> str:
    """Return a setting as the audit trail shows it."""
    if value is None:
        return "none"
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
        """Return 'field: old -> new' as the audit trail stores it."""
        return f"{self.field}: {format_setting(self.old)} -> {format_setting(self.new)}"

class SettingsRefused(ValueError):
    """Proposed settings that break a rule; carries the reasons."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems

def save_settings(
    db: Database, viewer: Viewer, patient_id: str, proposed: dict[str, Any]
) -> list[SettingChange]:
    """Validate and store a patient's settings with one audit row per changed field; return the changes."""
    current = patient(db, viewer, patient_id)
    if current is None:
        raise SettingsRefused([f"no patient {patient_id} among the patients you can see"])
    new = {field: _comparable(field, proposed.get(field, current[field])) for field in SETTING_FIELDS}
    problems = settings_problems(new, _comparable("discharged_on", current["start_date"]))
    if problems:
        raise SettingsRefused(problems)
    changes = [
        SettingChange(field, _comparable(field, current[field]), new[field])
        for field in SETTING_FIELDS
        if _comparable(field, current[field]) != new[field]
    ]
    if not changes:
        return []
    with db.transaction() as session:
        session.execute(
            "app_update_patient_settings",
            clinician_scope=viewer.clinician_scope,
            patient_id=patient_id,
            **new,
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
