"""What the pages share: cached, viewer-scoped reads and a few widgets bound to the URL's query parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import alert_inbox, auth, caseload, exports, sessions, triage
from dashboard.access import Viewer
from dashboard.app import database
from dashboard.app_pages import login

# Bounded so a long-running server cannot grow without limit; cleared on every write by app.data_changed.
CACHE = {"max_entries": 64, "show_spinner": False}
# The patient last chosen in any patient picker, kept across pages (a widget's own state is not).
REMEMBERED_PATIENT_KEY = "remembered_patient"


@st.cache_data(**CACHE)
def patients(viewer: Viewer) -> pd.DataFrame:
    """Return the patients the viewer may see, with their settings."""
    return caseload.patients(database(), viewer)


@st.cache_data(**CACHE)
def clinicians(viewer: Viewer) -> list[str]:
    """Return the clinicians whose patients the viewer may see."""
    return caseload.clinicians(database(), viewer)


@st.cache_data(**CACHE)
def raw_log(viewer: Viewer, kind: str, patient_id: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Return one patient's stored log lines of one kind between two dates."""
    return caseload.raw_log(database(), viewer, kind, patient_id, date_from, date_to)


@st.cache_data(**CACHE)
def acknowledgements(viewer: Viewer, patient_id: str | None = None) -> pd.DataFrame:
    """Return the stored alert acknowledgements the viewer may see."""
    return alert_inbox.acknowledgements(database(), viewer, patient_id)


@st.cache_data(**CACHE)
def patient_audit(viewer: Viewer, patient_id: str) -> pd.DataFrame:
    """Return one patient's audit trail."""
    return caseload.patient_audit(database(), viewer, patient_id)


@st.cache_data(**CACHE)
def logged_stage(viewer: Viewer, patient_id: str) -> str | None:
    """Return the stage of the patient's latest exercise line that names one."""
    return caseload.logged_stage(database(), viewer, patient_id)


@st.cache_data(**CACHE)
def weekly_review(viewer: Viewer, week: str) -> pd.DataFrame:
    """Return the weekly review rows of the viewer's patients."""
    from dashboard import metrics

    return metrics.weekly_review(database(), viewer, week, columns=[*metrics.REVIEW_COLUMNS, "reference_set"])


@st.cache_data(**CACHE)
def sparklines(viewer: Viewer, end: dt.date, days: int = 28) -> dict[str, list[float | None]]:
    """Return each patient's last morning scores up to end, one value per day."""
    from dashboard import metrics

    return triage.sparklines(metrics.recent_morning_pain(database(), viewer, end, days=days), end, days)


@st.cache_data(**CACHE)
def alert_events(
    viewer: Viewer,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    patient_id: str | None = None,
) -> pd.DataFrame:
    """Return the alert events of the viewer's patients."""
    from dashboard import metrics

    return metrics.alert_events(
        database(), viewer, date_from=date_from, date_to=date_to, patient_id=patient_id
    )


@st.cache_data(**CACHE)
def patient_days(viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Return one patient's calendar days with their metrics."""
    from dashboard import metrics

    return metrics.patient_days(database(), viewer, patient_id, date_from, date_to)


# --- downloads: built only when clicked ------------------------------------------------------------------


def _while_active(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """Return build, refused once this session has been idle longer than the sign-in allows."""
    # A click on a download button left open runs no script, so the sign-in's own idle check never sees it.
    seen = st.session_state.get(login.LAST_SEEN_KEY) or auth.utc_now()

    def guarded() -> bytes:
        if auth.utc_now() - seen > sessions.idle_limit():
            raise PermissionError("signed out after inactivity; sign in again to download")
        return build()

    return guarded


def clinic_report(viewer: Viewer, fmt: str, week: str, clinician: str | None) -> Callable[[], bytes]:
    """Return what a download button calls on click: the clinic report, built and audited then."""
    db = database()  # resolved now: the callable runs on another thread, outside the script run
    return _while_active(lambda: exports.clinic_export(db, viewer, fmt, week, clinician))


def patient_report(
    viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date, pseudonymous: bool
) -> Callable[[], bytes]:
    """Return what a download button calls on click: the patient report, built and audited then."""
    db = database()
    return _while_active(
        lambda: exports.patient_export(db, viewer, patient_id, date_from, date_to, pseudonymous=pseudonymous)
    )


# --- widgets bound to query parameters -------------------------------------------------------------------


def _sync_param(key: str, param: str, to_text: Callable[[Any], str | None]) -> None:
    """Write a widget's value into the URL so the page can be bookmarked and shared."""
    text = to_text(st.session_state[key])
    if text:
        st.query_params[param] = text
    elif param in st.query_params:
        del st.query_params[param]


def bind_param(
    key: str,
    param: str,
    default: Any,
    *,
    parse: Callable[[str], Any] = str,
    to_text: Callable[[Any], str | None] = lambda value: None if value is None else str(value),
) -> dict[str, Any]:
    """Seed a widget's state from the URL (or default) and return the kwargs that keep the URL in step."""
    raw = st.query_params.get(param)
    from_url = None
    if raw is not None:
        try:
            from_url = parse(raw)
        except ValueError:
            st.warning(f"Ignoring `{param}={raw}` in the address: it is not a valid value.")
    if from_url is not None and st.session_state.get(key) != from_url:
        st.session_state[key] = from_url
    elif key not in st.session_state:
        st.session_state[key] = default
    return {"key": key, "on_change": _sync_param, "args": (key, param, to_text)}


def patient_label(frame: pd.DataFrame) -> Callable[[str], str]:
    """Return a format_func showing 'P007 · Name' for a patient id."""
    names = dict(zip(frame["patient_id"], frame["name"].fillna(""), strict=True))
    return lambda patient_id: f"{patient_id} · {names.get(patient_id, '')}".rstrip(" ·")


def patient_picker(viewer: Viewer, *, key: str = "patient", notice: Any = None) -> str | None:
    """Show a patient select box bound to ?patient=; return the chosen patient id or None.

    A ?patient= the viewer may not see is dropped with a warning, shown in `notice` (a container) if given.
    """
    frame = patients(viewer)
    ids = frame["patient_id"].tolist()
    if not ids:
        if viewer.clinician_scope is None:
            st.info("No patients yet. Import a patients file on the Import logs page.")
        else:
            st.info(f"No patients are filed under {viewer.clinician_scope} yet. Ask the clinic's admin.")
        return None
    raw = st.query_params.get("patient")
    if raw is not None and raw not in ids:
        # Same words whether the patient is another clinician's or does not exist: nothing leaks either way.
        (notice or st).warning("Patient not found among the patients you can see. Choose one below.")
        del st.query_params["patient"]
        st.session_state[key] = None
        st.session_state.pop(REMEMBERED_PATIENT_KEY, None)
    # Streamlit forgets a widget's value once its page is left; the patient last chosen is kept apart, so
    # coming back (or opening another page with a picker) finds them still chosen.
    bound = bind_param(key, "patient", st.session_state.get(REMEMBERED_PATIENT_KEY))
    if st.session_state.get(key) not in ids:
        st.session_state[key] = None
    chosen = st.selectbox(
        "Patient", ids, format_func=patient_label(frame), index=None, placeholder="Choose a patient", **bound
    )
    st.session_state[REMEMBERED_PATIENT_KEY] = chosen
    if chosen is not None and st.query_params.get("patient") != chosen:
        st.query_params["patient"] = chosen  # the address names the patient shown, as after a choice
    return chosen


def refuse(raw: str) -> str:
    """Refuse a value from the address that is not one of the choices."""
    raise ValueError(raw)


def clinician_filter(column: Any, viewer: Viewer, *, key: str) -> str | None:
    """Render the clinician filter, kept in the address as ?clinician=; return the choice, None for all."""
    clinician_names = clinicians(viewer)
    return column.selectbox(
        "Clinician",
        clinician_names,
        index=None,
        placeholder="All clinicians",
        **bind_param(
            key,
            "clinician",
            None,
            parse=lambda raw: raw if raw in clinician_names else refuse(raw),
        ),
    )

