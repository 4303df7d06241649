"""Patient settings: target, pain ceiling, flare threshold, stage and discharge date; every change audited."""

from __future__ import annotations

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
st.caption(
    f"{current['condition'] or 'condition not recorded'} · started {start_date.isoformat()} · "
    f"clinician {current['clinician'] or 'not recorded'}"
)

# Keyed by patient so switching patient shows that patient's stored values, not the last one's edits.
with st.form(f"settings_{patient_id}"):
    left, right = st.columns(2)
    target = left.number_input(
        "Daily rep target", min_value=1, max_value=10000, step=5, value=int(current["daily_rep_target"])
    )
    stage_options = [None, *STAGES]
    logged = _shared.logged_stage(viewer, patient_id)
    stage = right.selectbox(
        "Stage",
        stage_options,
        index=stage_options.index(current["stage"]) if current["stage"] in STAGES else 0,
        format_func=lambda value: vocabulary.STAGE_LABELS[value] if value else "not set (follow the logs)",
        help=f"Latest stage in the exercise logs: {vocabulary.STAGE_LABELS.get(logged, 'none logged')}",
    )
    ceiling = left.number_input(
        "Pain ceiling (0–10)",
        min_value=0.0,
        max_value=10.0,
        step=0.5,
        format="%.1f",
        value=float(current["pain_ceiling"]),
        help="Morning pain above this raises the 'above pain ceiling' alert.",
    )
    threshold = right.number_input(
        "Flare threshold (rise in pain)",
        min_value=0.1,
        max_value=10.0,
        step=0.5,
        format="%.1f",
        value=float(current["flare_threshold"]),
        help="A rise in morning pain of at least this much after a loading day counts as a flare.",
    )
    still_active = left.checkbox("Still in the programme (no discharge date)", value=discharged is None)
    discharge = right.date_input(
        "Discharge date (if discharged)",
        value=discharged or pd.Timestamp.today().date(),
        min_value=start_date,
        format="YYYY-MM-DD",
        help="Used only when the patient is not marked as still in the programme.",
    )
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    proposed = {
        "daily_rep_target": target,
        "pain_ceiling": ceiling,
        "flare_threshold": threshold,
        "stage": stage,
        "discharged_on": None if still_active else discharge,
    }
    try:
        changes = patient_settings.save_settings(database(), viewer, patient_id, proposed)
    except patient_settings.SettingsRefused as refused:
        st.error("Not saved: " + "; ".join(refused.problems))
    else:
        if changes:
            data_changed()
            st.session_state.settings_saved = "Saved: " + "; ".join(
                f"{patient_settings.SETTING_LABELS[c.field]} {patient_settings.format_setting(c.old)} → "
                f"{patient_settings.format_setting(c.new)}"
                for c in changes
            )
            st.rerun()
        st.info("Nothing changed.")

st.subheader("Change history")
history = _shared.patient_audit(viewer, patient_id)
if history.empty:
    st.caption("No recorded changes for this patient.")
else:
    st.dataframe(
        history,
        hide_index=True,
        width="stretch",
        column_config={
            "occurred_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "actor": "Who",
            "action": "What",
            "detail": "Detail",
        },
    )
