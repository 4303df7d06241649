"""The app's data helpers, free of streamlit: scoped queries, alert wording, settings and log-entry writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard import auth
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import ImportResult, import_sources
from dashboard.logformats import FORMATS, STAGES
from dashboard.reading import Problem

# Rule ids are for code; clinicians read these words.
ALERT_WORDS = {
    "rising_streak": "rising soreness",
    "pain_above_ceiling": "above pain ceiling",
    "load_spike": "load spike",
    "not_logging": "not logging",
    "low_adherence": "low adherence",
    "flare": "flare",
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
RISK_ORDER = {"red": 0, "amber": 1, "green": 2}
RISK_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
STAGE_LABELS = {
    "isometric": "Isometric",
    "isotonic": "Isotonic",
    "heavy_slow": "Heavy slow resistance",
    "eccentric": "Eccentric",
    "energy_storage": "Energy storage",
    "plyometric": "Plyometric",
    "other": "Other",
}


def alert_word(rule: str) -> str:
    """Return the clinician's words for one alert rule id (unknown ids shown with spaces)."""
    return ALERT_WORDS.get(rule, rule.replace("_", " "))


def alert_words(rules: Iterable[str] | None) -> str:
    """Return alert rule ids as readable words joined by commas, each once, in their given order."""
    if rules is None:
        return ""
    if isinstance(rules, float) and math.isnan(rules):
        return ""
    return ", ".join(dict.fromkeys(alert_word(rule) for rule in rules))


def trend_arrow(mean: float | None, previous: float | None, *, steady_within: float = 0.25) -> str:
    """Return ↑, ↓ or → for this week's mean morning pain against last week's ('' if either is missing)."""
    if mean is None or previous is None or pd.isna(mean) or pd.isna(previous):
        return ""
    if mean - previous > steady_within:
        return "↑"
    if previous - mean > steady_within:
        return "↓"
    return "→"


def pain_with_trend(mean: float | None, previous: float | None) -> str:
    """Return mean morning pain with its trend arrow, e.g. '4.3 ↑', or 'no scores'."""
    if mean is None or pd.isna(mean):
        return "no scores"
    arrow = trend_arrow(mean, previous)
    return f"{mean:.1f} {arrow}".strip()


# --- scoped reads ---------------------------------------------------------------------------------------


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


# --- weekly review ----------------------------------------------------------------------------------------


def filter_review(review: pd.DataFrame, clinician: str | None = None, search: str = "") -> pd.DataFrame:
    """Return the review rows of one clinician (None for all) whose id or name contains the search text."""
    rows = review
    if clinician:
        rows = rows[rows["clinician"] == clinician]
    needle = search.strip().casefold()
    if needle:
        text = rows["patient_id"].fillna("").str.casefold() + " " + rows["name"].fillna("").str.casefold()
        rows = rows[text.str.contains(needle, regex=False)]
    return rows


@dataclass(frozen=True)
class KeyFigures:
    """The strip above the triage table."""

    active: int
    red: int
    amber: int
    green: int
    mean_adherence_pct: float | None


def key_figures(review: pd.DataFrame) -> KeyFigures:
    """Return patient counts per risk and the mean of the patients' adherence for the shown review rows."""
    counts = review["risk"].value_counts()
    adherence = review["adherence_pct"].dropna()
    return KeyFigures(
        active=len(review),
        red=int(counts.get("red", 0)),
        amber=int(counts.get("amber", 0)),
        green=int(counts.get("green", 0)),
        mean_adherence_pct=float(adherence.mean()) if len(adherence) else None,
    )


def triage_table(review: pd.DataFrame, sparklines: dict[str, list[float | None]]) -> pd.DataFrame:
    """Return review rows shaped for the triage table: worst risk first, alerts in words, sparklines."""
    rows = review.assign(_order=review["risk"].map(RISK_ORDER).fillna(3))
    rows = rows.sort_values(["_order", "patient_id"], kind="stable")
    return pd.DataFrame(
        {
            "risk": rows["risk"].map(lambda risk: RISK_LABELS.get(risk, risk)),
            "patient_id": rows["patient_id"],
            "patient": rows["name"].fillna(rows["patient_id"]),
            "clinician": rows["clinician"],
            "adherence_pct": rows["adherence_pct"],
            "total_reps": rows["total_reps"],
            "morning_pain": [
                pain_with_trend(mean, previous)
                for mean, previous in zip(
                    rows["mean_morning_pain"], rows["prev_mean_morning_pain"], strict=True
                )
            ],
            "flare_days": rows["flare_days"],
            "alerts": rows["alerts"].map(alert_words),
            # The grid's line chart cannot draw a gap (a list with a missing value shows as text), so the
            # sparkline joins the logged mornings; missing days are never drawn as zero.
            "last_28_mornings": [
                [score for score in sparklines.get(pid, []) if score is not None]
                for pid in rows["patient_id"]
            ],
        }
    ).reset_index(drop=True)


def nothing_logged(days: pd.DataFrame, activities: pd.DataFrame) -> bool:
    """Return whether a patient's days hold no pain score, no exercise and no activity at all."""
    scored = days[["morning_pain", "evening_pain"]].notna().any(axis=None)
    return not (scored or days["loading_day"].fillna(False).any() or len(activities))


def compact_lines(lines: pd.Series) -> pd.Series:
    """Return sparkline lists as float32 arrays (Arrow list<float>): one-decimal scores in half the bytes."""
    return pd.Series([np.asarray(line, dtype=np.float32) for line in lines], index=lines.index, dtype=object)


def sparklines(recent: pd.DataFrame, end: dt.date, days: int = 28) -> dict[str, list[float | None]]:
    """Return each patient's morning scores up to end, one value per day, None on days without one."""
    start = pd.Timestamp(end - dt.timedelta(days=days - 1))
    scored = recent[recent["morning_pain"].notna()]
    offset = (pd.to_datetime(scored["date"]) - start).dt.days.to_numpy()
    inside = (offset >= 0) & (offset < days)
    scored, offset = scored[inside], offset[inside]
    # Whole columns at once: a Python loop over every patient-day took a noticeable share of the page's run.
    ids, row = np.unique(scored["patient_id"].to_numpy(dtype=object), return_inverse=True)
    grid = np.full((len(ids), days), None, dtype=object)
    grid[row, offset] = scored["morning_pain"].astype(float).to_numpy()
    return dict(zip(ids.tolist(), grid.tolist(), strict=True))


# --- alerts -----------------------------------------------------------------------------------------------


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


# --- patient settings -------------------------------------------------------------------------------------

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


# --- one day's log entry ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """Return one CSV cell as the import expects it: blank for missing, numbers without trailing zeros."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """Return rows as a CSV file of one log format, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = FORMATS[kind].columns
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def _filled_rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Return the rows of an edited table that have at least one filled cell."""
    if table is None or table.empty:
        return []
    rows = []
    for row in table.to_dict("records"):
        if any(_cell(value).strip() for value in row.values()):
            rows.append(row)
    return rows


def day_entry_sources(
    patient_id: str,
    date: dt.date,
    *,
    morning_pain: float | None = None,
    evening_pain: float | None = None,
    pain_note: str | None = None,
    exercises: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
) -> list[tuple[str, bytes]]:
    """Return one day's entries as in-memory CSV files, one per kind that has rows, for the importer."""
    stem = f"app-entry_{patient_id}_{date.isoformat()}"
    common = {"patient_id": patient_id, "date": date}
    sources = []
    pain_rows = [
        {**common, "time_of_day": time_of_day, "pain": score, "note": (pain_note or "").strip() or None}
        for time_of_day, score in (("morning", morning_pain), ("evening", evening_pain))
        if score is not None
    ]
    if pain_rows:
        sources.append((f"{stem}_pain.csv", _csv("pain", pain_rows)))
    for kind, table in (("exercises", exercises), ("activities", activities)):
        rows = [{**row, **common} for row in _filled_rows(table)]
        if rows:
            sources.append((f"{stem}_{kind}.csv", _csv(kind, rows)))
    return sources


class NotVisible(LookupError):
    """A patient the viewer may not see (or who does not exist): the same answer for both."""


def require_patient(db: Database, viewer: Viewer, patient_id: str) -> dict[str, Any]:
    """Return a patient the viewer may see, or raise NotVisible; write paths check here, not in the picker."""
    found = patient(db, viewer, patient_id)
    if found is None:
        raise NotVisible(f"no patient {patient_id} among the patients you can see")
    return found


def save_day_entry(
    db: Database, viewer: Viewer, patient_id: str, sources: list[tuple[str, bytes]]
) -> ImportResult:
    """Write one day's entry for a patient the viewer may see, through the importer, as the viewer."""
    require_patient(db, viewer, patient_id)
    # The sources are built from patient_id alone (day_entry_sources), so no other patient can ride along.
    named = {
        row[0]
        for _, data in sources
        for row in list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
        if row
    }
    if named - {patient_id}:
        raise NotVisible("a log entry may name one patient only")
    return import_checked(db, sources, actor=viewer.username)


def import_checked(
    db: Database, sources: list[tuple[str, bytes]], *, actor: str, replace: bool = False
) -> ImportResult:
    """Validate every source with a dry run and write them only when all are accepted; return the outcome."""
    checked = import_sources(db, sources, dry_run=True, replace=replace, actor=actor)
    if not checked.ok:
        return checked
    return import_sources(db, sources, replace=replace, actor=actor)


_ENTRY_PARTS = {"pain": "Pain", "exercises": "Exercises", "activities": "Activities"}


def entry_problem(problem: Problem) -> str:
    """Return an import problem of a log entry in the form's terms: which part, which row, which column."""
    kind = problem.source.rsplit("_", 1)[-1].removesuffix(".csv")
    where = [_ENTRY_PARTS.get(kind, problem.source)]
    if problem.line is not None:
        # Line 1 of the generated file is its header, so line 2 is the first row the clinician typed.
        where.append(f"row {problem.line - 1}")
    if problem.column:
        where.append(problem.column.replace("_", " "))
    return ", ".join(where) + f": {problem.reason}"


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


# --- downloads --------------------------------------------------------------------------------------------

EXPORT_MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def _slug(text: str) -> str:
    """Return text safe for a file name: letters, digits and dashes."""
    kept = "".join(char if char.isalnum() else "-" for char in text)
    return "-".join(part for part in kept.split("-") if part) or "all"


def clinic_export_name(week: str, clinician: str | None, fmt: str) -> str:
    """Return the download's file name for a clinic report."""
    return f"clinic-report_{week}_{_slug(clinician).lower() if clinician else 'all'}.{fmt}"


def patient_export_name(patient_id: str, date_from: dt.date, date_to: dt.date) -> str:
    """Return the download's file name for a patient report (the id only, never the name)."""
    return f"patient-report_{_slug(patient_id)}_{date_from.isoformat()}_{date_to.isoformat()}.pdf"


def export_viewer(db: Database, viewer: Viewer) -> Viewer:
    """Return the viewer as the account stands now; a disabled or removed account may not export."""
    if viewer == Viewer.system():
        return viewer
    fresh = auth.current_viewer(db, viewer.username)
    if fresh is None:
        raise PermissionError(f"the account {viewer.username} is no longer active")
    return fresh


def clinic_export(
    db: Database, viewer: Viewer, fmt: str, week: str, clinician: str | None = None,
    as_of: dt.date | None = None,
) -> bytes:
    """Build the weekly clinic report (pdf, xlsx or csv) for the viewer's patients and audit the export."""
    from dashboard import reports  # fpdf and chart rendering load only when someone exports

    builders = {"pdf": reports.clinic_report_pdf, "xlsx": reports.clinic_report_xlsx}
    build = builders.get(fmt, reports.clinic_report_csv) if fmt in EXPORT_MIME else None
    if build is None:
        raise ValueError(f"unknown export format {fmt!r}")
    viewer = export_viewer(db, viewer)
    data = build(db, viewer, week, clinician=clinician, as_of=as_of)
    detail = f"clinic report {fmt}, week {week}, {clinician or 'all clinicians'}"
    auth.record(db, viewer, "export", detail=detail)
    return data


def patient_export(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date, *,
    pseudonymous: bool = False, as_of: dt.date | None = None,
) -> bytes:
    """Build a patient's progress report PDF for a patient the viewer may see and audit the export."""
    from dashboard import reports  # fpdf and chart rendering load only when someone exports

    viewer = export_viewer(db, viewer)
    require_patient(db, viewer, patient_id)
    data = reports.patient_report_pdf(
        db, viewer, patient_id, date_from, date_to, pseudonymous=pseudonymous, as_of=as_of
    )
    detail = f"patient report pdf, {date_from.isoformat()} to {date_to.isoformat()}" + (
        ", pseudonymous" if pseudonymous else ""
    )
    auth.record(db, viewer, "export", patient_id=patient_id, detail=detail)
    return data
