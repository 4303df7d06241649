"""Patient detail: programme settings, pain, reps, 24-hour response and activities on one time axis."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import alert_inbox, caseload, exports, patient_settings, triage, vocabulary
from dashboard.app import current_viewer, database, page_path, record_patient_view
from dashboard.app_pages import _phone, _programme, _shared
from dashboard.app_pages._text import plain
from dashboard.app_pages._tolerance import patient_section as tolerance_section
from dashboard.charts import RISK_COLOURS, patient_panels
from dashboard.weeks import iso_week_of, last_complete_week, parse_iso_week

viewer = current_viewer()
today = dt.date.today()
RANGES = {4: "4 weeks", 8: "8 weeks", 12: "12 weeks", 26: "26 weeks"}
# Rows taller than 4rem let the grid wrap text: an acknowledgement's note or a long log note is read whole.
WRAPPING_ROW_HEIGHT = 68
# A note longer than this would be cut off in a one-line row.
ONE_LINE_NOTE = 40

st.title("Patient detail")
_phone.compact_rows()
notice = st.container()
pick_col, range_col, week_col = st.columns([2, 1, 1])
with pick_col:
    patient_id = _shared.patient_picker(viewer, notice=notice)
weeks_shown = range_col.selectbox(
    "Range",
    list(RANGES),
    format_func=RANGES.get,
    **_shared.bind_param(
        "detail_range", "range", 8, parse=lambda raw: int(raw) if int(raw) in RANGES else _shared.refuse(raw)
    ),
)
week = week_col.text_input(
    "Ending with week",
    placeholder=iso_week_of(today),
    help="An ISO week like 2026-W46; blank for today",
    **_shared.bind_param("detail_week", "week", ""),
)
if patient_id is None:
    st.stop()

date_to = today
if week.strip():
    try:
        date_to = min(parse_iso_week(week)[1], today)
    except ValueError as error:
        st.warning(plain(f"{error}. Showing the weeks up to today."))
date_from = date_to - dt.timedelta(weeks=weeks_shown) + dt.timedelta(days=1)

details = _shared.patients(viewer).set_index("patient_id").loc[patient_id]
details = details.where(details.notna(), None)  # a missing name or condition is None, never the text "nan"
record_patient_view(
    viewer, patient_id, "patient", detail=f"patient page, {date_from.isoformat()} to {date_to.isoformat()}"
)
days = _shared.patient_days(viewer, patient_id, date_from, date_to)
logged = _shared.logged_stage(viewer, patient_id)
if isinstance(details["stage"], str):
    stage_text = vocabulary.STAGE_LABELS[details["stage"]]
else:
    stage_text = f"{vocabulary.STAGE_LABELS[logged]} (from logs)" if logged else "not set"

# The risk badge is for the last complete week the range shows.
risk_week = last_complete_week(date_to + dt.timedelta(days=1))
review = _shared.weekly_review(viewer, risk_week)
review_row = review[review["patient_id"] == patient_id]
# A programme's stage is the prescribed one (the Programme section below has the checklist).
progress = _programme.progress(viewer, patient_id, risk_week)
stage_text = _programme.prescribed_stage_words(progress) or stage_text
badge = ""
if not review_row.empty:
    risk = review_row.iloc[0]["risk"]
    words = vocabulary.alert_words(review_row.iloc[0]["alerts"])
    badge = (
        f"<span style='background:{RISK_COLOURS.get(risk, '#777')};color:white;border-radius:4px;"
        f"padding:2px 8px;font-weight:600'>{vocabulary.RISK_LABELS.get(risk, risk)}</span> "
        f"in {risk_week}" + (f" · {words}" if words else "")
    )

st.subheader(plain(f"{details['name']} · {patient_id}" if details["name"] else patient_id), anchor=False)
if badge:
    st.markdown(badge, unsafe_allow_html=True)
discharged = details["discharged_on"]
# The settings in effect on the range's last day: a change from a date holds from then on.
settings = patient_settings.settings_on(database(), viewer, patient_id, date_to)
last_day = days.iloc[-1] if not days.empty else None
reference = vocabulary.reference_words(
    None if last_day is None or pd.isna(last_day["reference_pain"]) else float(last_day["reference_pain"]),
    settings.acceptable_pain is not None,
)
facts = {
    "Condition": plain(details["condition"]) if details["condition"] else "not recorded",
    "Started": f"{pd.Timestamp(details['start_date']):%d %b %Y}"
    + ("" if pd.isna(discharged) else f", discharged {pd.Timestamp(discharged):%d %b %Y}"),
    "Stage": stage_text,
    "Daily rep target": f"{settings.daily_rep_target} reps",
    "Pain ceiling": f"{settings.pain_ceiling:g} / 10",
    "Flare threshold": f"rise of {settings.flare_threshold:g}",
    "Reference": reference,
}
# Plain text, not st.metric: long condition names must wrap rather than be cut off.
facts_row = st.container(key="patient_facts").columns([3, 2, 2, 1.5, 1.5, 1.5, 2])  # two to a row on a phone
for column, (label, value) in zip(facts_row, facts.items(), strict=True):
    column.caption(label)
    column.markdown(f"**{value}**")
links = st.columns([1, 1, 1.3, 2.7])
links[0].page_link(
    page_path("settings"), label="Edit settings", icon=":material/tune:", query_params={"patient": patient_id}
)
links[1].page_link(
    page_path("log_entry"),
    label="Log a day",
    icon=":material/edit_note:",
    query_params={"patient": patient_id},
)
with links[2].popover("Progress report", icon=":material/download:"):
    st.caption(f"PDF of {date_from:%d %b %Y} to {date_to:%d %b %Y}, the range shown on this page.")
    pseudonymous = st.checkbox(
        "Pseudonymous (id only)",
        key="report_pseudonymous",
        help="Print the patient id without the name, e.g. for a case discussion.",
    )
    # A callable: the PDF is built (and the export audited) only when the button is clicked.
    st.download_button(
        "Download PDF",
        data=_shared.patient_report(viewer, patient_id, date_from, date_to, pseudonymous),
        file_name=exports.patient_export_name(patient_id, date_from, date_to),
        mime=exports.EXPORT_MIME["pdf"],
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="download_patient_report",
    )

st.caption(
    f"{date_from:%d %b %Y} to {date_to:%d %b %Y}. Days without a logged score are gaps, not zero pain."
)
if days.empty:
    st.info("No programme days in this range.")
else:
    activities = _shared.raw_log(viewer, "activities", patient_id, date_from, date_to)
    if triage.nothing_logged(days, activities):
        # Empty charts would read as a broken page; say plainly that nothing was logged.
        st.info("Nothing logged in this range: no pain scores, exercises or activities.")
    else:
        # One chart per panel, each as wide as the page (a phone included), on the same dates.
        for index, panel in enumerate(patient_panels(days, activities)):
            st.altair_chart(panel, theme=None, width="stretch", key=f"patient_chart_{index}")

_programme.patient_section(viewer, patient_id, date_to, risk_week, today)
tolerance_section(viewer, patient_id, date_from, date_to)

st.subheader("Alerts")
events = _shared.alert_events(viewer, date_from, date_to, patient_id)
if events.empty:
    st.caption("No alerts in this range.")
else:
    alerts = alert_inbox.alert_history(events, _shared.acknowledgements(viewer, patient_id))
    st.dataframe(
        alerts,
        hide_index=True,
        width="stretch",
        # Details and statuses (who acknowledged, when, and their note) wrap instead of being cut off.
        row_height=WRAPPING_ROW_HEIGHT,
        placeholder="",
        key="patient_alerts",
        column_config={
            "date": st.column_config.DateColumn("Date", format="ddd D MMM YYYY", width=120),
            "alert": st.column_config.TextColumn("Alert", width=120),
            "severity": st.column_config.TextColumn("Severity", width=70),
            "detail": st.column_config.TextColumn("Detail", width=280),
            "status": st.column_config.TextColumn("Status", width=260),
        },
    )

st.subheader("Logged entries")
pain_tab, exercise_tab, activity_tab = st.tabs(["Pain", "Exercises", "Activities"])
for tab, kind in ((pain_tab, "pain"), (exercise_tab, "exercises"), (activity_tab, "activities")):
    log = _shared.raw_log(viewer, kind, patient_id, date_from, date_to).drop(
        columns="patient_id", errors="ignore"
    )
    log["note"] = log["note"].fillna("")
    if log.empty:
        tab.caption("Nothing logged in this range.")
    else:
        tab.dataframe(
            log,
            hide_index=True,
            width="stretch",
            # A missing value (no load, no hold) is a blank, not "None"; a long note wraps.
            placeholder="",
            row_height=WRAPPING_ROW_HEIGHT if log["note"].str.len().max() > ONE_LINE_NOTE else None,
            key=f"patient_log_{kind}",
            column_config={
                **caseload.LOG_LABELS,
                "date": st.column_config.DateColumn("Date", format="ddd D MMM YYYY"),
                "note": st.column_config.TextColumn("Note", width=320),
            },
        )
