"""Alerts inbox: open alerts across the clinic, most severe and newest first; acknowledge with a note."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pandas as pd
import streamlit as st

from dashboard import alert_inbox
from dashboard.access import Viewer
from dashboard.app import current_viewer, data_changed, database, page_path
from dashboard.app_pages import _shared
from dashboard.app_pages._text import plain
from dashboard.charts import RISK_COLOURS
from dashboard.vocabulary import alert_word

viewer = current_viewer()
today = dt.date.today()
PERIODS = {7: "last 7 days", 28: "last 4 weeks", 56: "last 8 weeks", 0: "all time"}
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
SEVERITY_COLOURS = {"high": RISK_COLOURS["red"], "medium": RISK_COLOURS["amber"], "low": "#5b6b7f"}
# Tall enough for four wrapped lines of detail: the grid wraps text only in rows taller than 4rem.
ROW_HEIGHT = 84
VISIBLE_ROWS = 8
# The clicks not yet acted on, oldest first (a double click queues two; the second is told it came twice).
PENDING_KEY = "inbox_pending_acknowledgements"
# A click's own run follows it at once; anything older waited through a sign-in and is dropped.
PENDING_SECONDS = 30
# Neither "Note" nor "Acknowledge" in the together action's labels: the one-alert form owns those words.
BULK_NOTE_LABEL = "What you did or decided, for all of them"
# Bumped by every acknowledgement: the table gets a new key, so no row stays selected after one.
GENERATION_KEY = "inbox_generation"


def _queue(
    viewer: Viewer, action: str, patient_id: str, alerts: tuple, note_key: str, confirm_key: str = ""
) -> None:
    """Keep a click's alerts and note for this run to act on, and clear the table's selection.

    A callback runs before the app checks the sign-in, so it only records what the button was drawn for; the
    page writes once it runs signed in, as the same account, straight after the click.
    """
    st.session_state.setdefault(PENDING_KEY, []).append({
        "username": viewer.username,
        "action": action,
        "patient_id": patient_id,
        "alerts": alerts,
        "note": st.session_state.get(note_key),
        "confirmed": bool(st.session_state.get(confirm_key)) if confirm_key else True,
        "queued_at": time.monotonic(),
    })
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def _act_on_clicks(viewer: Viewer) -> list[tuple[str, str]]:
    """Acknowledge what the clicks since the last run asked for, in order; return what each did."""
    return [notice for pending in st.session_state.pop(PENDING_KEY, []) for notice in _act(viewer, pending)]


def _act(viewer: Viewer, pending: dict) -> list[tuple[str, str]]:
    """Acknowledge what one click asked for, if it was this account's and just now; return notices."""
    if pending["username"] != viewer.username:
        return []
    if time.monotonic() - pending["queued_at"] > PENDING_SECONDS:
        return [("warning", "Nothing was acknowledged: the click came before a sign-in. Select it again.")]
    alerts, patient_id, note = pending["alerts"], pending["patient_id"], pending["note"]
    if pending["action"] == "one":
        ((rule, date),) = alerts
        outcomes = [alert_inbox.acknowledge_alert(database(), viewer, patient_id, rule, date, note)]
    elif not pending["confirmed"]:
        return [("warning", f"Nothing was acknowledged: tick the box to confirm all {len(alerts)} alerts.")]
    else:
        try:
            outcomes = alert_inbox.acknowledge_patient_alerts(database(), viewer, patient_id, alerts, note)
        except alert_inbox.AcknowledgementRefused as refused:
            return [("warning", f"Nothing was acknowledged: {refused}.")]
    if any(outcomes):
        data_changed()
    done = [outcome for outcome in outcomes if outcome]
    notices = [("warning", outcome.message()) for outcome in outcomes if not outcome]
    if len(done) == 1:
        notices.insert(0, ("success", done[0].message()))
    elif done:
        alerts_done = "; ".join(f"{alert_word(o.rule)} on {o.date:%d %b}" for o in done)
        notices.insert(0, ("success", f"Acknowledged {len(done)} alerts for {patient_id}: {alerts_done}."))
    return notices


def _who(row: pd.Series) -> str:
    """Return 'Name (P007)', or the id alone for a patient without a name."""
    name = row.get("name")
    named = isinstance(name, str) and name.strip()
    return f"{name} ({row['patient_id']})" if named else str(row["patient_id"])


st.title("Alerts inbox")
for kind, text in _act_on_clicks(viewer):
    (st.success if kind == "success" else st.warning)(plain(text))

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

# A selection is a row number. The key names the rows shown and counts the acknowledgements made, so a row
# number never carries over to another alert: after an acknowledgement, or when the inbox changes, none is.
shown = hashlib.sha256(repr(alert_inbox.alert_keys(inbox)).encode()).hexdigest()[:12]
generation = st.session_state.get(GENERATION_KEY, 0)
table_col, panel_col = st.columns([2.3, 1], gap="medium")
selection = table_col.dataframe(
    inbox.assign(
        severity=[[SEVERITY_LABELS.get(s, str(s).capitalize())] for s in inbox["severity"]],
        patient=[_who(row) for _, row in inbox.iterrows()],
    ),
    hide_index=True,
    width="stretch",
    height=ROW_HEIGHT * min(len(inbox), VISIBLE_ROWS) + ROW_HEIGHT + 3,
    row_height=ROW_HEIGHT,
    on_select="rerun",
    selection_mode="single-row",
    key=f"inbox_{days_back}_{clinician}_{generation}_{shown}",
    column_order=["severity", "date", "patient", "alert", "detail"],
    # Widths fit a laptop's half of the page; the grid stretches them to its width, the detail wrapping.
    column_config={
        "severity": st.column_config.MultiselectColumn(
            "Severity",
            width=74,
            options=list(SEVERITY_LABELS.values()),
            color=list(SEVERITY_COLOURS.values()),
        ),
        "date": st.column_config.DateColumn("Date", format="D MMM", width=62),
        "patient": st.column_config.TextColumn("Patient", width=120),
        "alert": st.column_config.TextColumn("Alert", width=96),
        "detail": st.column_config.TextColumn("Detail", width=250),
    },
)
rows = selection.selection.rows if selection else []
if not rows:
    panel_col.info("Select an alert in the table to acknowledge it; each one takes its own selection.")
    st.stop()

chosen = inbox.iloc[rows[0]]
alert_date = pd.Timestamp(chosen["date"]).date()
alert_id = f"{chosen['patient_id']}_{chosen['rule']}_{alert_date.isoformat()}_{generation}"
with panel_col.container(border=True):
    st.markdown(f"**{plain(str(chosen['alert']).capitalize())}** · {alert_date:%a %d %b %Y}")
    st.markdown(plain(_who(chosen)))
    st.markdown(plain(chosen["detail"]))
    st.page_link(
        page_path("patient"),
        label="Open patient",
        icon=":material/monitoring:",
        query_params={"patient": chosen["patient_id"]},
    )
    note_key = f"ack_note_{alert_id}"
    with st.form(f"ack_{alert_id}", clear_on_submit=True):
        example = "What you did or decided, e.g. 'phoned, reduced load for a week'"
        st.text_area("Note", placeholder=example, key=note_key)
        st.form_submit_button(
            "Acknowledge",
            type="primary",
            on_click=_queue,
            args=(viewer, "one", chosen["patient_id"], ((chosen["rule"], alert_date),), note_key),
        )

    theirs = alert_inbox.patient_alerts(inbox, chosen["patient_id"])
    if len(theirs) > 1:
        with st.expander(f"Acknowledge all {len(theirs)} open alerts of this patient"):
            st.caption(
                f"Every alert below, shown in the inbox for {PERIODS[days_back]}, gets the same note. "
                "Alerts that arrive later stay open."
            )
            st.dataframe(
                theirs,
                hide_index=True,
                width="stretch",
                column_order=["date", "alert"],
                column_config={"date": st.column_config.DateColumn("Date", format="D MMM"), "alert": "Alert"},
                key=f"ack_all_list_{alert_id}",
            )
            listed = tuple((key[1], key[2]) for key in alert_inbox.alert_keys(theirs))
            all_note_key, confirm_key = f"ack_all_note_{alert_id}", f"ack_all_confirm_{alert_id}"
            with st.form(f"ack_all_{alert_id}", clear_on_submit=True):
                st.text_area(BULK_NOTE_LABEL, key=all_note_key, placeholder="Required")
                st.checkbox(f"Yes, all {len(theirs)} alerts above, each with this text", key=confirm_key)
                st.form_submit_button(
                    f"Confirm all {len(theirs)}",
                    on_click=_queue,
                    args=(viewer, "all", chosen["patient_id"], listed, all_note_key, confirm_key),
                )
