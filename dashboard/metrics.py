"""Clinical metrics runners: weekly review, alert events, 24-hour responses and per-day rows, all in SQL."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from dashboard import metric_store
from dashboard.access import Viewer
from dashboard.db import Database, arrow_to_frame
from dashboard.relations import named_relation
from dashboard.weeks import parse_iso_week

if TYPE_CHECKING:
    # The frame functions import pandas when they run: the relations the CLI writes need none of it.
    import pandas as pd

REVIEW_COLUMNS = [
    "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
    "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "reference_pain",
    "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress", "next_stage", "alerts",
    "risk",
]
# The review's order: red, amber, green (metric_reviews' risk_order), then patient. Sorting the few key
# columns in Arrow and gathering the rows is cheaper than DuckDB's sort, which moves every column.
REVIEW_ORDER = (("risk_order", "ascending"), ("patient_id", "ascending"))
SQL_DIRECTION = {"ascending": "asc", "descending": "desc"}
EVENT_COLUMNS = ["patient_id", "rule", "date", "until", "severity", "detail"]
RESPONSE_COLUMNS = ["date", "morning_before", "morning_after", "response", "status", "settled_36h"]
DAY_COLUMNS = [
    "date", "morning_pain", "evening_pain", "daily_reps", "target", "pain_ceiling", "flare_threshold",
    "acceptable_pain", "usual_pain", "reference_pain", "stage", "on_programme", "prescribed_stage",
    "loading_day", "response", "response_status", "settled_36h", "in_rising_streak", "acute_chronic_ratio",
]
RULES = ("rising_streak", "flare", "pain_above_ceiling", "load_spike", "not_logging", "low_adherence")


class UnknownPatient(LookupError):
    """A patient id that does not exist, or that the viewer may not see (the two look the same)."""

    def __init__(self, patient_id: str):
        super().__init__(f"unknown patient {patient_id!r}: not in the database, or not one of your patients")
        self.patient_id = patient_id


# "As of" everywhere: data dated after the as-of date is ignored and no event is dated after it; a week whose
# Sunday is after it shows adherence so far but raises no low_adherence. See docs/METRICS.md for the readings.


def _today() -> dt.date:
    """Return today's date (a seam for tests)."""
    return dt.date.today()


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    """Return a date from a date, a pandas timestamp or ISO text; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # a pandas Timestamp is a datetime
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date in YYYY-MM-DD form") from None


def _as_of(as_of: dt.date | str | None) -> dt.date:
    """Return the as-of date, today when not given."""
    return _day(as_of, "as_of") or _today()


def _stored_as_of(db: Database, as_of: dt.date | str | None) -> dt.date:
    """Return the as-of date of a read of the maintained metrics, which are first brought up to it."""
    as_of = _as_of(as_of)
    metric_store.check_as_of(db, as_of)
    return as_of


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """Refuse a date range that ends before it starts."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValueError(f"the date range ends ({date_to}) before it starts ({date_from})")


def _dates(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    """Turn a date column into datetime.date values."""
    import pandas as pd

    if column in frame.columns:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def require_patient(db: Database, viewer: Viewer, patient_id: str) -> None:
    """Raise UnknownPatient unless the patient exists and the viewer may see them."""
    if not db.rows("visible_patient", patient_id=patient_id, clinician_scope=viewer.clinician_scope):
        raise UnknownPatient(patient_id)


def weekly_review(
    db: Database, viewer: Viewer, week: str, as_of: dt.date | None = None,
    columns: list[str] = REVIEW_COLUMNS,
) -> pd.DataFrame:
    """Return the weekly review of an ISO week, as of a date (default today), red first.

    The app also asks for reference_set (whether the reference level was set by the clinician).
    """
    import pyarrow.compute as pc

    name, params = _review_statement(db, viewer, week, as_of)
    table = db.arrow(name, **params)
    return arrow_to_frame(table.take(pc.sort_indices(table, sort_keys=REVIEW_ORDER)).select(columns))


def weekly_review_relation(
    db: Database, viewer: Viewer, week: str, as_of: dt.date | None = None
) -> duckdb.DuckDBPyRelation:
    """Return weekly_review's rows and columns as a DuckDB relation, run when read (the CLI's writers)."""
    name, params = _review_statement(db, viewer, week, as_of)
    order = ", ".join(f"{column} {SQL_DIRECTION[direction]}" for column, direction in REVIEW_ORDER)
    return named_relation(db, name, **params).order(order).select(*REVIEW_COLUMNS)


def _review_statement(db: Database, viewer: Viewer, week: str, as_of: dt.date | None) -> tuple[str, dict]:
    """Return the review query and its parameters, refusing an as-of date before the week.

    A finished week (its Sunday on or before the as-of date) is read from the store; a week going on is
    computed from the stored days.
    """
    monday, sunday = parse_iso_week(week)
    as_of = _stored_as_of(db, as_of)
    if as_of < monday:
        raise ValueError(f"as-of date {as_of} is before week {week} starts ({monday}); nothing to review yet")
    params = {"week_start": monday, "clinician_scope": viewer.clinician_scope}
    if as_of >= sunday:
        return "weekly_review_stored", params
    return "weekly_review", {**params, "as_of": as_of}


def alert_events(
    db: Database, viewer: Viewer, date_from: dt.date | None = None, date_to: dt.date | None = None,
    patient_id: str | None = None, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return alert events dated from date_from to date_to (default: all up to as_of), as of as_of."""
    params = _event_parameters(db, viewer, date_from, date_to, patient_id, as_of, require_visible=False)
    frame = arrow_to_frame(db.arrow("alert_events", **params).select(EVENT_COLUMNS))
    return frame if patient_id is None else _visible_answer(db, viewer, patient_id, frame)


def alert_events_relation(
    db: Database, viewer: Viewer, date_from: dt.date | None = None, date_to: dt.date | None = None,
    patient_id: str | None = None, as_of: dt.date | None = None,
) -> duckdb.DuckDBPyRelation:
    """Return alert_events' rows and columns as a DuckDB relation, run when read (the CLI's writers)."""
    params = _event_parameters(db, viewer, date_from, date_to, patient_id, as_of)
    return named_relation(db, "alert_events", EVENT_COLUMNS, **params)


def _event_parameters(
    db: Database, viewer: Viewer, date_from: dt.date | None, date_to: dt.date | None, patient_id: str | None,
    as_of: dt.date | None, *, require_visible: bool = True,
) -> dict:
    """Return the alert_events query's parameters over a checked range and a visible patient (if one)."""
    date_from, date_to = _day(date_from, "date_from"), _day(date_to, "date_to")
    _check_range(date_from, date_to)
    if patient_id is not None and require_visible:
        require_patient(db, viewer, patient_id)
    return {
        "as_of": _stored_as_of(db, as_of), "date_from": date_from, "date_to": date_to,
        "patient_id": patient_id, "clinician_scope": viewer.clinician_scope,
    }


def responses(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return one row per loading day of a patient with its 24-hour response, dated on the loading day."""
    frame = _patient_frame(db, viewer, "patient_responses", patient_id, date_from, date_to, as_of)
    return frame[RESPONSE_COLUMNS]


def responses_relation(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, as_of: dt.date | None = None,
) -> duckdb.DuckDBPyRelation:
    """Return responses' rows and columns as a DuckDB relation, run when read (the CLI's writers)."""
    params = _patient_parameters(db, viewer, patient_id, date_from, date_to, as_of)
    return named_relation(db, "patient_responses", RESPONSE_COLUMNS, **params)


def patient_days(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return one row per programme day of a patient from date_from to date_to (and up to as_of)."""
    return _patient_frame(db, viewer, "patient_days", patient_id, date_from, date_to, as_of)[DAY_COLUMNS]


def _patient_frame(
    db: Database, viewer: Viewer, query_name: str, patient_id: str, date_from: dt.date | None,
    date_to: dt.date | None, as_of: dt.date | None,
) -> pd.DataFrame:
    """Run one patient's dated query for a visible patient over a checked date range."""
    params = _patient_parameters(db, viewer, patient_id, date_from, date_to, as_of, require_visible=False)
    return _dates(_visible_answer(db, viewer, patient_id, db.frame(query_name, **params)))


def _visible_answer(db: Database, viewer: Viewer, patient_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return one patient's answer, refusing an empty one unless the patient exists and is visible."""
    # The queries read visible patients only, so only an empty answer needs the patient checked.
    if frame.empty:
        require_patient(db, viewer, patient_id)
    return frame


def _patient_parameters(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None, date_to: dt.date | None,
    as_of: dt.date | None, *, require_visible: bool = True,
) -> dict:
    """Return a patient's dated query parameters for a visible patient over a checked date range."""
    date_from, date_to = _day(date_from, "date_from"), _day(date_to, "date_to")
    _check_range(date_from, date_to)
    if require_visible:
        require_patient(db, viewer, patient_id)
    return {
        "patient_id": patient_id, "as_of": _stored_as_of(db, as_of), "date_from": date_from,
        "date_to": date_to,
        "clinician_scope": viewer.clinician_scope,
    }


PROGRESS_COLUMNS = [
    "day", "stage", "stage_source", "prescribed_rank", "days_in_stage", "stage_ok", "mornings_logged",
    "logging_ok", "high_events_dated", "high_event_active", "calm_ok", "adherence_14_pct", "adherence_ok",
    "mornings_settled", "settled_ok", "ready_to_progress", "next_stage",
]


def patient_progress(
    db: Database, viewer: Viewer, patient_id: str, week: str, as_of: dt.date | None = None
) -> dict | None:
    """Return a patient's stage and ready-to-progress checklist for an ISO week (None: no day in it)."""
    monday, _ = parse_iso_week(week)
    require_patient(db, viewer, patient_id)
    rows = db.rows(
        "patient_progress", patient_id=patient_id, week_start=monday, as_of=_stored_as_of(db, as_of),
        clinician_scope=viewer.clinician_scope,
    )
    return {key: rows[0][key] for key in PROGRESS_COLUMNS} if rows else None


def programme_week_adherence(
    db: Database, viewer: Viewer, patient_id: str, week: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """Return a patient's per-exercise adherence for an ISO week: scheduled days, days done and the share."""
    monday, _ = parse_iso_week(week)
    require_patient(db, viewer, patient_id)
    return db.frame(
        "programme_week_adherence", patient_id=patient_id, week_start=monday, as_of=_as_of(as_of),
        clinician_scope=viewer.clinician_scope,
    )


def recent_morning_pain(db: Database, viewer: Viewer, end: dt.date, days: int = 28) -> pd.DataFrame:
    """Return each visible patient's logged morning pain over the `days` days ending on `end`, long form."""
    end = _day(end, "end")
    if days < 1:
        raise ValueError(f"days must be 1 or more, not {days}")
    metric_store.check_as_of(db, end)
    frame = db.frame(
        "recent_morning_pain", start=end - dt.timedelta(days=days - 1), end=end,
        clinician_scope=viewer.clinician_scope,
    )
    return _dates(frame)[["patient_id", "date", "morning_pain"]]
