"""Alerts inbox: open alerts across the clinic, most severe and newest first; acknowledge with a note."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import alert_inbox
from dashboard.app import current_viewer, data_changed, database, page_path
from dashboard.app_pages import _shared

viewer = current_viewer()
today = dt.date.today()
PERIODS = {7: "last 7 days", 28: "last 4 weeks", 56: "last 8 weeks", 0: "all time"}

st.title("Alerts inbox")
if "ack_done" in st.session_state:
    st.success(st.session_state.pop("ack_done"))

period_col, clinician_col, _ = st.columns([1, 1, 2])
days_back = period_col.selectbox(
    "Alerts from",
    list(PERIODS),
    format_func=PERIODS.get,
    **_shared.bind_param(
        "inbox_period",
        "period",
        28,
        parse=lambda raw: int(raw) if int(raw) in PERIODS else _shared.refuse(raw),
    ),
)
clinician = _shared.clinician_filter(clinician_col, viewer, key="inbox_clinician")

date_from = today - dt.timedelta(days=days_back - 1) if days_back else None
events = _shared.alert_events(viewer, date_from, today)
inbox = alert_inbox.inbox(events, _shared.acknowledgements(viewer), _shared.patients(viewer), clinician)
high = int((inbox["severity"] == "high").sum())
st.caption(
    f"{len(inbox)} open alert{'s' if len(inbox) != 1 else ''}, {high} high severity. "
    "Acknowledged alerts leave the inbox and stay in the patient's history."
)
if inbox.empty:
    st.success("Nothing to acknowledge.")
    st.stop()

selection = st.dataframe(
    inbox,
    hide_index=True,
    width="stretch",
    height=min(35 * (len(inbox) + 1) + 3, 738),
    on_select="rerun",
    selection_mode="single-row",
    key=f"inbox_{days_back}_{clinician}",
    column_order=["severity", "date", "patient_id", "name", "alert", "detail"],
    column_config={
        "severity": st.column_config.TextColumn("Severity", width="small"),
        "date": st.column_config.DateColumn("Date", format="ddd D MMM YYYY"),
        "patient_id": st.column_config.TextColumn("ID", width="small"),
        "name": "Patient",
        "alert": "Alert",
        "detail": st.column_config.TextColumn("Detail", width="large"),
    },
)
rows = selection.selection.rows if selection else []
if not rows:
    st.caption("Select an alert to acknowledge it.")
    st.stop()

chosen = inbox.iloc[rows[0]]
alert_date = pd.Timestamp(chosen["date"]).date()
with st.container(border=True):
    st.markdown(
        f"**{chosen['alert'].capitalize()}** · "
        + (f"{chosen['name']} ({chosen['patient_id']})" if pd.notna(chosen["name"]) else chosen["patient_id"])
        + f" · {alert_date:%a %d %b %Y}  \n{chosen['detail']}"
    )
    st.page_link(
        page_path("patient"),
        label="Open patient",
        icon=":material/monitoring:",
        query_params={"patient": chosen["patient_id"]},
    )
    with st.form(f"ack_{chosen['patient_id']}_{chosen['rule']}_{alert_date}", clear_on_submit=True):
        note = st.text_area(
            "Note", placeholder="What you did or decided, e.g. 'phoned, reduced load for a week'"
        )
        if st.form_submit_button("Acknowledge", type="primary"):
            stored = alert_inbox.acknowledge_alert(
                database(), viewer, chosen["patient_id"], chosen["rule"], alert_date, note
            )
            data_changed()
            st.session_state.ack_done = (
                f"Acknowledged {chosen['alert']} for {chosen['patient_id']} on {alert_date:%d %b}."
                if stored
                else "That alert was already acknowledged."
            )
            st.rerun()
