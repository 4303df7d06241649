"""Log entry: one day's pain, exercises and activities for a patient, checked exactly like an import."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import caseload, day_entry, programme
from dashboard.app import current_viewer, data_changed, database
from dashboard.app_pages import _shared
from dashboard.app_pages._text import plain
from dashboard.logformats import STAGES


def show_stored(stored: dict[str, pd.DataFrame], date: dt.date) -> None:
    """Show what is already stored for the chosen day, part by part, as plain tables."""
    st.markdown(f"**Already stored for {date:%a %d %b %Y}**")
    if all(frame.empty for frame in stored.values()):
        st.caption("Nothing is stored for this day yet.")
        return
    for kind, frame in stored.items():
        if frame.empty:
            continue
        shown = frame.drop(columns=[c for c in ("patient_id", "date") if c in frame.columns])
        st.caption(day_entry.PARTS[kind].heading)
        shown = shown.map(day_entry.shown_cell).rename(columns=caseload.LOG_LABELS)
        st.dataframe(shown, hide_index=True, width="stretch")


viewer = current_viewer()
st.title("Log entry")
st.caption(
    "Record one day for one patient, for example scores taken over the phone. The entry goes through the "
    "same checks as an imported file and is saved whole: every part of it, or nothing."
)

if "entry_done" in st.session_state:
    st.success("  \n".join(plain(line) for line in st.session_state.pop("entry_done")))

patient_id = _shared.patient_picker(viewer)
if patient_id is None:
    st.stop()

# Outside the form, so that choosing a day shows at once what is stored for it.
date = st.date_input(
    "Date", value=dt.date.today(), max_value=dt.date.today(), format="YYYY-MM-DD", key="entry_date"
)
stored = {kind: _shared.raw_log(viewer, kind, patient_id, date, date) for kind in day_entry.PARTS}
show_stored(stored, date)

# The day's prescribed exercises start the exercises editor, unless exercises are already stored for it.
in_effect = programme.items_in_effect(database(), viewer, patient_id, date)
prescribed = day_entry.prescribed_exercises(in_effect, date)
prefilled = stored["exercises"].empty and not prescribed.empty

st.session_state.setdefault("entry_round", 0)
round_key = st.session_state.entry_round
with st.form(f"day_entry_{round_key}", border=False):
    st.markdown("**Pain** (0 = none, 10 = worst; leave blank if not asked)")
    left, right = st.columns(2)
    morning = left.number_input("Morning pain", min_value=0.0, max_value=10.0, step=0.5, value=None)
    evening = right.number_input("Evening pain", min_value=0.0, max_value=10.0, step=0.5, value=None)
    pain_note = st.text_input("Pain note", placeholder="optional")
    correct_pain = False
    if not stored["pain"].empty:
        correct_pain = st.checkbox(
            "Correct the stored pain score: replace a stored morning or evening score with the one entered "
            "above (the old score is kept in the patient's history)",
            key=f"entry_correct_pain_{round_key}",
        )

    # No column is marked required: the editor would hold back a new row until that cell is filled, and
    # a row it holds back is lost without a word. The importer names every incomplete row instead.
    st.markdown("**Exercises** (one line per exercise; an isometric hold counts as one rep)")
    st.caption(
        f"Filled in with the exercises prescribed for {date:%A}: change what was done and delete a line "
        "that was not. Every line needs the exercise name, sets and reps."
        if prefilled else "Every line needs the exercise name, sets and reps."
    )
    exercises = st.data_editor(
        prescribed if prefilled else prescribed.iloc[0:0],
        num_rows="dynamic",
        width="stretch",
        # A day or patient of its own starts from its own prescription.
        key=f"entry_exercises_{round_key}_{patient_id}_{date.isoformat()}",
        column_config={
            "exercise": st.column_config.TextColumn("Exercise"),
            "stage": st.column_config.SelectboxColumn("Stage", options=list(STAGES)),
            "sets": st.column_config.NumberColumn("Sets", min_value=1, step=1),
            "reps": st.column_config.NumberColumn("Reps", min_value=1, step=1),
            "hold_s": st.column_config.NumberColumn("Hold (s)", min_value=0),
            "load_kg": st.column_config.NumberColumn("Load (kg)", min_value=0),
            "pain_during": st.column_config.NumberColumn("Pain during", min_value=0, max_value=10, step=0.5),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    st.markdown("**Activities** (runs, rides, sport)")
    st.caption("Every line needs the activity and its minutes.")
    activities = st.data_editor(
        pd.DataFrame(
            {
                "activity": pd.Series(dtype="str"),
                "duration_min": pd.Series(dtype="float"),
                "rpe": pd.Series(dtype="float"),
                "pain_during": pd.Series(dtype="float"),
                "note": pd.Series(dtype="str"),
            }
        ),
        num_rows="dynamic",
        width="stretch",
        key=f"entry_activities_{round_key}",
        column_config={
            "activity": st.column_config.TextColumn("Activity"),
            "duration_min": st.column_config.NumberColumn("Minutes", min_value=0),
            "rpe": st.column_config.NumberColumn("Effort (RPE 1–10)", min_value=1, max_value=10, step=0.5),
            "pain_during": st.column_config.NumberColumn("Pain during", min_value=0, max_value=10, step=0.5),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    submitted = st.form_submit_button("Check and save", type="primary")

if submitted:
    sources = day_entry.day_entry_sources(
        patient_id,
        date,
        morning_pain=morning,
        evening_pain=evening,
        pain_note=pain_note,
        exercises=exercises,
        activities=activities,
    )
    if not sources:
        st.warning("Nothing to save: enter a pain score, an exercise or an activity.")
        st.stop()
    try:
        result = day_entry.save_day_entry(database(), viewer, patient_id, sources, correct_pain=correct_pain)
    except caseload.NotVisible:
        st.error("Not saved: that patient is not among the patients you can see.")
        st.stop()
    if result.ok:
        data_changed()
        st.session_state.entry_done = day_entry.entry_summary(result, patient_id, date)
        st.session_state.entry_round += 1
        st.rerun()
    st.error("Not saved: fix the problems below. Nothing was written.")
    for line in day_entry.entry_problems(result, sources):
        st.markdown(f"- {plain(line)}")
