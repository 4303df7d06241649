"""Patient settings: effective-dated target, pain ceiling, flare threshold and acceptable pain; stage and
discharge; every change audited and listed in words."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import patient_settings, vocabulary
from dashboard.app import current_viewer, data_changed, database, record_patient_view
from dashboard.app_pages import _shared
from dashboard.logformats import STAGES

viewer = current_viewer()
st.title("Patient settings")

if "settings_saved" in st.session_state:
    st.success(st.session_state.pop("settings_saved"))

patient_id = _shared.patient_picker(viewer)
if patient_id is None:
    st.stop()
current = _shared.patients(viewer).set_index("patient_id").loc[patient_id]
record_patient_view(viewer, patient_id, "settings", detail="settings page")
start_date = pd.Timestamp(current["start_date"]).date()
discharged = None if pd.isna(current["discharged_on"]) else pd.Timestamp(current["discharged_on"]).date()
today = dt.date.today()
# Imported text goes through st.text, never Markdown.
st.text(
    f"{current['condition'] or 'condition not recorded'} · started {start_date.isoformat()} · "
    f"clinician {current['clinician'] or 'not recorded'}"
)

st.subheader("Loading thresholds")
st.caption(
    "A change holds from the date you give until the next change; every day before it keeps the settings "
    "it had, so past weeks and printed reports never change."
)
effective_from = st.date_input(
    "Effective from", value=today, format="YYYY-MM-DD", key=f"effective_{patient_id}",
    help="The first day the new values count. Earlier days keep their settings.",
)
in_effect = patient_settings.settings_on(database(), viewer, patient_id, effective_from)
source = (
    f"in effect since {in_effect.effective_from.isoformat()}" if in_effect.effective_from
    else "from the patients file"
)
st.caption(f"Values in effect on {effective_from.isoformat()} ({source}):")

# Keyed by patient and date so switching either shows the stored values, not the last one's edits.
with st.form(f"settings_{patient_id}_{effective_from.isoformat()}"):
    left, right = st.columns(2)
    target = left.number_input(
        "Daily rep target", min_value=1, max_value=10000, step=5, value=in_effect.daily_rep_target
    )
    ceiling = right.number_input(
        "Pain ceiling (0–10)", min_value=0.0, max_value=10.0, step=0.5, format="%.1f",
        value=in_effect.pain_ceiling, help="Morning pain above this raises the 'pain above ceiling' alert.",
    )
    threshold = left.number_input(
        "Flare threshold (rise in pain)", min_value=0.1, max_value=10.0, step=0.5, format="%.1f",
        value=in_effect.flare_threshold,
        help="A rise in morning pain of at least this much, ending above the reference level by as much, "
        "counts as a flare.",
    )
    acceptable = right.number_input(
        "Acceptable morning pain (0–10)", min_value=0.0, max_value=10.0, step=0.5, format="%.1f",
        value=in_effect.acceptable_pain, placeholder=patient_settings.LEARN,
        help="The morning level this patient is comfortable with. Leave it empty to learn it from the "
        "patient's own mornings (the median of the last 14 days, once 4 are logged).",
    )
    reason = st.text_input("Reason", max_chars=500, placeholder="e.g. flare after the weekend's match")
    saved = st.form_submit_button("Save change", type="primary")

if saved:
    proposed = {
        "daily_rep_target": target,
        "pain_ceiling": ceiling,
        "flare_threshold": threshold,
        "acceptable_pain": acceptable,
    }
    try:
        changes = patient_settings.change_settings(
            database(), viewer, patient_id, effective_from, proposed, reason=reason
        )
    except patient_settings.SettingsRefused as refused:
        st.error("Not saved: " + "; ".join(refused.problems))
    else:
        if changes:
            data_changed()
            st.session_state.settings_saved = f"Saved from {effective_from.isoformat()}: " + "; ".join(
                change.describe().replace(" -> ", " → ") for change in changes
            )
            st.rerun()
        st.info("Nothing changed: these are the values in effect on that day.")

st.subheader("Settings history")
history = patient_settings.settings_history(database(), viewer, patient_id)
# Blanks, not "None": the patients file's version has no author, time or reason.
history = history.astype({"changed_by": object, "reason": object}).fillna({"changed_by": "", "reason": ""})
st.dataframe(
    history,
    hide_index=True,
    width="stretch",
    # Tall rows so that a long version and its reason wrap instead of being cut off.
    row_height=56,
    column_config={
        "effective_from": st.column_config.DateColumn("From", format="YYYY-MM-DD"),
        "settings": st.column_config.TextColumn("Settings", width=520),
        "changed_by": "Who",
        "changed_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
        "reason": st.column_config.TextColumn("Why", width="medium"),
    },
)

st.subheader("Stage and discharge")
with st.form(f"status_{patient_id}"):
    left, right = st.columns(2)
    stage_options = [None, *STAGES]
    logged = _shared.logged_stage(viewer, patient_id)
    stage = left.selectbox(
        "Stage",
        stage_options,
        index=stage_options.index(current["stage"]) if current["stage"] in STAGES else 0,
        format_func=lambda value: vocabulary.STAGE_LABELS[value] if value else "not set (follow the logs)",
        help=f"Latest stage in the exercise logs: {vocabulary.STAGE_LABELS.get(logged, 'none logged')}",
    )
    # Empty until the clinician discharges the patient: a pre-filled date is one click from a discharge.
    discharge = right.date_input(
        "Discharge date", value=discharged, min_value=start_date, format="YYYY-MM-DD",
        help="Leave empty while the patient is in the programme.",
    )
    status_saved = st.form_submit_button("Save stage and discharge")

if status_saved:
    try:
        changes = patient_settings.save_status(
            database(), viewer, patient_id, {"stage": stage, "discharged_on": discharge}
        )
    except patient_settings.SettingsRefused as refused:
        st.error("Not saved: " + "; ".join(refused.problems))
    else:
        if changes:
            data_changed()
            st.session_state.settings_saved = "Saved: " + "; ".join(
                change.describe().replace(" -> ", " → ") for change in changes
            )
            st.rerun()
        st.info("Nothing changed.")

st.subheader("Change log")
audit = _shared.patient_audit(viewer, patient_id)
if audit.empty:
    st.caption("No recorded changes for this patient.")
else:
    st.dataframe(
        audit,
        hide_index=True,
        width="stretch",
        column_config={
            "occurred_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "actor": "Who",
            "action": "What",
            "detail": st.column_config.TextColumn("Detail", width="large"),
        },
    )
