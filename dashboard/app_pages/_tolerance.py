"""What a patient tolerates, for the patient page, the weekly review and the Loads and flares page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import caseload, charts, tolerance
from dashboard.access import Viewer
from dashboard.app import database
from dashboard.app_pages._shared import CACHE
from dashboard.app_pages._text import plain

VERDICT_WORDS = {
    "likely aggravating": "Likely aggravating",
    "no clear signal": "No clear signal",
    "well tolerated": "Well tolerated",
    "not enough data": "Not enough data",
}
METHOD = (
    "Each loading day's 24-hour response is the next morning's pain against that morning's (above 0: worse). "
    "For each exercise and activity, the loading days it was done on are compared with the loading days it "
    "was not: an association in this patient's log, not proof of cause. At least 4 days each side and a "
    "morning 1.0 point worse or more reads as likely aggravating."
)
# Clinic words for the patient table's columns; numbers as the clinician reads them.
PATIENT_TABLE = {
    "verdict": st.column_config.TextColumn("Verdict", width=120),
    "name": st.column_config.TextColumn("Load", width=160),
    "kind": st.column_config.TextColumn("Kind", width=64),
    "days_done": st.column_config.NumberColumn("Days done", format="%d", width=64),
    "mean_response_with": st.column_config.NumberColumn(
        "Mean with", format="%.1f", width=84,
        help="Mean 24-hour response on the loading days it was done (points; above 0 is worse)",
    ),
    "days_without": st.column_config.NumberColumn("Days without", format="%d", width=84),
    "mean_response_without": st.column_config.NumberColumn(
        "Mean without", format="%.1f", width=92,
        help="Mean 24-hour response on the other loading days; blank when it was done on every one",
    ),
    "difference": st.column_config.NumberColumn(
        "Difference", format="%.1f", width=72,
        help="With minus without: how much worse (above 0) the next morning was after it",
    ),
    "flares_with": st.column_config.NumberColumn(
        "Flares after", format="%d", width=64, help="Days done that were followed by a flare"
    ),
    "dose": st.column_config.TextColumn(
        "Usual dose", width=80, help="Mean reps (exercises) or minutes (activities) on the days done"
    ),
}
CLINIC_TABLE = {  # what a phone shows first: the load and for how many patients it was likely aggravating
    "name": st.column_config.TextColumn("Load", width=180),
    "patients_aggravated": st.column_config.NumberColumn(
        "Likely aggravating for", format="%d", width=90,
        help="Patients whose next morning was at least 1.0 point worse after it (4 or more days each side)",
    ),
    "patients": st.column_config.NumberColumn("Of patients", format="%d", width=80, help="Who did it"),
    "mean_difference": st.column_config.NumberColumn(
        "Mean difference", format="%.2f", width=100,
        help="Mean over the patients of their next-morning difference, with minus without (above 0: worse)",
    ),
    "days_done": st.column_config.NumberColumn(
        "Days done", format="%d", width=80, help="Loading days with both mornings logged on which it was done"
    ),
    "kind": st.column_config.TextColumn("Kind", width=80),
}


@st.cache_data(**CACHE)
def patient_rows(viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Return one patient's load kinds with their next-morning responses."""
    return tolerance.patient_tolerance(database(), viewer, patient_id, date_from, date_to)


@st.cache_data(**CACHE)
def dose_points(viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Return one patient's response days with that day's reps and activity minutes."""
    return tolerance.dose_response(database(), viewer, patient_id, date_from, date_to)


@st.cache_data(**CACHE)
def dose_fit(viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date) -> tolerance.Fit | None:
    """Return the fitted line of response on reps, or None with too few points."""
    return tolerance.fitted_line(database(), viewer, patient_id, date_from, date_to)


@st.cache_data(**CACHE)
def clinic_rows(viewer: Viewer, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Return the clinic view over the viewer's patients."""
    return tolerance.clinic_tolerance(database(), viewer, date_from, date_to)


@st.cache_data(**CACHE)
def aggravating(viewer: Viewer, week: str) -> dict[str, list[str]]:
    """Return each visible patient's likely aggravating load kinds over the 8 weeks up to the week's end."""
    return caseload.aggravating_kinds(database(), viewer, week)


def dose_words(kind: str, dose: float | None) -> str:
    """Return a kind's usual dose in words: '96 reps' for an exercise, '35 min' for an activity."""
    if dose is None or pd.isna(dose):
        return ""
    return f"{dose:.0f} reps" if kind == "exercise" else f"{dose:.0f} min"


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the patient rows for the table: verdicts in words, the dose with its unit."""
    # Rounded as shown, plus 0.0 so that a rounded -0.04 reads 0.0 rather than -0.0.
    means = {
        column: rows[column].astype(float).round(1) + 0.0
        for column in ("mean_response_with", "mean_response_without", "difference")
    }
    return rows.assign(
        **means,
        verdict=rows["verdict"].map(lambda verdict: VERDICT_WORDS.get(verdict, verdict)),
        dose=[dose_words(kind, dose) for kind, dose in zip(rows["kind"], rows["dose"], strict=True)],
    )[list(PATIENT_TABLE)]


def fit_words(fit: tolerance.Fit | None, points: int) -> str:
    """Return what the fitted line says, or why there is none."""
    if fit is None:
        return (
            f"No fitted line: {points} loading day{'s' if points != 1 else ''} with both mornings logged "
            f"(a line needs {tolerance.MIN_FIT_POINTS} or more, and more than one dose)."
        )
    direction = "worse" if fit.per_100_reps > 0 else "better"
    return (
        f"Fitted line over {fit.points} loading days: each 100 more reps went with a next morning "
        f"{abs(fit.per_100_reps):.2f} points {direction} ({fit.per_100_reps:+.2f} per 100 reps). "
        "An association, not proof of cause."
    )


def patient_section(viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date) -> None:
    """Show what the patient tolerates over the page's range: table, with/without chart, dose and response."""
    with st.container(key="tolerance_section"):
        st.subheader("What this patient tolerates", anchor=False)
        rows = patient_rows(viewer, patient_id, date_from, date_to)
        # The sentence names a load as the patient wrote it: plain text, never Markdown.
        st.markdown(plain(tolerance.summary(rows)))
        st.caption(METHOD)
        if rows.empty:
            return
        st.dataframe(
            readable(rows),
            hide_index=True,
            width="stretch",
            placeholder="",
            key="tolerance_table",
            column_order=list(PATIENT_TABLE),
            column_config=PATIENT_TABLE,
        )
        st.altair_chart(charts.tolerance_chart(rows), theme=None, width="stretch", key="tolerance_chart")
        points = dose_points(viewer, patient_id, date_from, date_to)
        fit = dose_fit(viewer, patient_id, date_from, date_to)
        if not points.empty:
            chart = charts.dose_response_chart(points, fit)
            st.altair_chart(chart, theme=None, width="stretch", key="dose_response_chart")
        st.caption(fit_words(fit, len(points)), help="The slope of a least-squares line of response on reps")
