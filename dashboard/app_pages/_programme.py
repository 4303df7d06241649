"""The patient page's Programme section: the items in effect, the readiness checklist, per-exercise adherence
for the week, an editor that adds, changes or stops an item from a date, and the programme's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import metrics, programme
from dashboard.access import Viewer
from dashboard.app import data_changed, database
from dashboard.app_pages._shared import CACHE
from dashboard.app_pages._text import plain
from dashboard.vocabulary import STAGE_LABELS, STAGE_RANKS, STAGES

WEEKDAYS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}
EVERY_DAY, ON_DAYS = "Every day", "On these days"
NEW_EXERCISE = "A new exercise"
# Said wherever readiness shows: what it is grounded in, and what it is not.
PROMPT = (
    "A prompt for your judgement, never an instruction to the patient. It follows the pain-monitoring model "
    "(pain allowed up to the patient's reference level + 1 and settled by the next morning) and the staged "
    "programmes of Goom et al. 2016 (isometric, then isotonic or heavy slow resistance, then energy storage, "
    "then plyometric)."
)
DONE_KEY = "programme_done"
# What is prescribed first: on a phone the exercise, its dose and its days are the columns in view.
ITEM_COLUMNS = {
    "exercise": st.column_config.TextColumn("Exercise", width=170),
    "prescription": st.column_config.TextColumn("Prescribed", width=130),
    "days": st.column_config.TextColumn("Days", width=100),
    "stage": st.column_config.TextColumn("Stage", width=150),
    "effective_from": st.column_config.DateColumn("Since", format="D MMM YYYY", width=100),
}


@st.cache_data(**CACHE)
def items_in_effect(viewer: Viewer, patient_id: str, day: dt.date) -> pd.DataFrame:
    """Return the programme items in effect on a day."""
    return programme.items_in_effect(database(), viewer, patient_id, day)


@st.cache_data(**CACHE)
def history(viewer: Viewer, patient_id: str) -> pd.DataFrame:
    """Return every programme item version, in the order recorded."""
    return programme.programme_history(database(), viewer, patient_id)


@st.cache_data(**CACHE)
def progress(viewer: Viewer, patient_id: str, week: str) -> dict | None:
    """Return the patient's stage and readiness checklist for a week, as of today."""
    return metrics.patient_progress(database(), viewer, patient_id, week)


@st.cache_data(**CACHE)
def week_adherence(viewer: Viewer, patient_id: str, week: str) -> pd.DataFrame:
    """Return the per-exercise adherence of a week, as of today."""
    return metrics.programme_week_adherence(database(), viewer, patient_id, week)


def stage_word(stage: Any) -> str:
    """Return a stage id in words ('Heavy slow resistance')."""
    return STAGE_LABELS.get(stage, str(stage).replace("_", " "))


def _count(number: Any, noun: str) -> str:
    """Return '1 day', '14 days'."""
    number = int(number or 0)
    return f"{number} {noun}{'' if number == 1 else 's'}"


def checklist(facts: dict) -> list[tuple[bool, str, str]]:
    """Return the readiness criteria in words: (met, criterion, this patient's numbers)."""
    logged, settled = int(facts["mornings_logged"] or 0), int(facts["mornings_settled"] or 0)
    if facts["prescribed_rank"] is not None and facts["prescribed_rank"] >= 4:
        stage_numbers = f"{stage_word(facts['stage'])} is the last stage"
    else:
        stage_numbers = f"{_count(facts['days_in_stage'], 'day')} in {stage_word(facts['stage']).lower()}"
    events = int(facts["high_events_dated"] or 0)
    calm = "none" if not events else f"{_count(events, 'alert')} dated"
    if facts["high_event_active"]:
        calm += ", one still active"
    adherence = facts["adherence_14_pct"]
    share = f"{round(100 * settled / logged)} %" if logged else "no mornings logged"
    return [
        (bool(facts["stage_ok"]), "14 days or more in the stage, and a stage to move on to", stage_numbers),
        (bool(facts["logging_ok"]), "At least 10 of the last 14 mornings logged", f"{logged} of 14 logged"),
        (bool(facts["calm_ok"]), "No flare, rising soreness or pain above the ceiling in the last 14 days",
         calm),
        (bool(facts["adherence_ok"]), "Adherence of 80 % or more over the last 14 days",
         "no exercise prescribed" if adherence is None or pd.isna(adherence) else f"{adherence:.0f} %"),
        (bool(facts["settled_ok"]), "Morning pain at most the reference level + 1 on 80 % of logged mornings",
         f"{settled} of {logged} mornings ({share})"),
    ]


def _show_checklist(facts: dict | None, week: str) -> None:
    """Show the readiness checklist for the week's last counted day, each criterion met or not."""
    with st.container(border=True, key="readiness_checklist"):
        st.markdown("**Ready to progress? Readiness checklist**")
        if facts is None:
            st.caption(f"No programme day in {week}: nothing to judge.")
            return
        if facts["ready_to_progress"] is None:
            st.caption(
                "Readiness is judged only for a patient with a programme. This patient's stage is read from "
                f"their logs: {stage_word(facts['stage']).lower()}." if facts["stage"] else
                "Readiness is judged only for a patient with a programme."
            )
            return
        day = pd.Timestamp(facts["day"])
        if facts["ready_to_progress"]:
            verdict = f":green[**Ready to progress to {stage_word(facts['next_stage']).lower()}**]"
        else:
            unmet = sum(not met for met, _, _ in checklist(facts))
            verdict = f"**Not yet**: {unmet} {'criterion' if unmet == 1 else 'criteria'} not met"
        st.markdown(f"{verdict} on {day:%a %d %b %Y}, the last counted day of {week}.")
        for met, criterion, numbers in checklist(facts):
            mark = ":green[:material/check_circle: met]" if met else ":red[:material/cancel: not met]"
            st.markdown(f"{mark} · {criterion}: **{numbers}**")
        st.caption(PROMPT)


def _items_table(items: pd.DataFrame) -> pd.DataFrame:
    """Return the items in effect in clinic words."""
    return pd.DataFrame({
        "exercise": items["exercise"],
        "prescription": [_dose(item) for item in items.to_dict("records")],
        "days": items["days"].map(programme.days_words),
        "stage": items["stage"].map(stage_word),
        "effective_from": items["effective_from"],
    })


def _dose(item: dict) -> str:
    """Return an item's sets, reps, hold and load: '3 x 12, 25 kg'."""
    parts = [f"{item['sets']} x {item['reps']}"]
    if not pd.isna(item.get("hold_s")):
        parts.append(f"hold {float(item['hold_s']):g} s")
    if not pd.isna(item.get("load_kg")):
        parts.append(f"{float(item['load_kg']):g} kg")
    return ", ".join(parts)


def _show_adherence(viewer: Viewer, patient_id: str, week: str) -> None:
    """Show the week's per-exercise adherence: the scheduled days each exercise was logged on."""
    frame = week_adherence(viewer, patient_id, week)
    st.markdown(f"**Adherence per exercise in {week}**")
    if frame.empty:
        st.caption(f"No exercise was scheduled in {week}.")
        return
    # The stage is in the table above; the four columns fit half a laptop's width, and a phone's.
    st.dataframe(
        frame[["exercise", "scheduled_days", "done_days", "adherence_pct"]],
        hide_index=True,
        width="stretch",
        placeholder="",
        key="programme_adherence",
        column_config={
            "exercise": st.column_config.TextColumn("Exercise", width=150),
            "scheduled_days": st.column_config.NumberColumn(
                "Scheduled", format="%d", width=72, help="Days of the week (up to today) it was prescribed on"
            ),
            "done_days": st.column_config.NumberColumn(
                "Done", format="%d", width=50, help="Scheduled days on which it was logged"
            ),
            "adherence_pct": st.column_config.ProgressColumn(
                "Adherence", min_value=0, max_value=100, format="%.0f%%", width=90,
                help="Done of scheduled days",
            ),
        },
    )


def _show_history(viewer: Viewer, patient_id: str) -> None:
    """Show every item version in the order recorded, with who set it (or which file) and why."""
    frame = history(viewer, patient_id)
    with st.expander(f"Programme history ({_count(len(frame), 'version')})"):
        if frame.empty:
            st.caption("No programme has been set for this patient.")
            return
        shown = pd.DataFrame({
            "effective_from": frame["effective_from"],
            "exercise": frame["exercise"],
            "prescription": [
                "stopped" if item["days"] == "none" else programme.prescription_words(item)
                for item in frame.to_dict("records")
            ],
            "set_by": [
                f"{who}, from {file}" if isinstance(file, str) and file else who
                for who, file in zip(frame["recorded_by"], frame["programme_file"], strict=True)
            ],
            "recorded_at": pd.to_datetime(frame["recorded_at"], utc=True).dt.tz_localize(None),
            "reason": frame["reason"].fillna(""),
        })
        st.dataframe(
            shown.iloc[::-1],
            hide_index=True,
            width="stretch",
            placeholder="",
            key="programme_history",
            column_config={
                "effective_from": st.column_config.DateColumn("From", format="D MMM YYYY", width=100),
                "exercise": st.column_config.TextColumn("Exercise", width=170),
                "prescription": st.column_config.TextColumn("Prescribed", width=250),
                "set_by": st.column_config.TextColumn("Set by", width=150),
                "recorded_at": st.column_config.DatetimeColumn(
                    "Recorded (UTC)", format="D MMM YYYY HH:mm", width=130
                ),
                "reason": st.column_config.TextColumn("Reason", width=200),
            },
        )


def _editor(viewer: Viewer, patient_id: str, items: pd.DataFrame, today: dt.date) -> None:
    """Show the form that adds, changes or stops one exercise from a date, through programme.set_item."""
    current = {item["exercise"]: item for item in items.to_dict("records")}
    with st.expander("Add, change or stop an exercise"):
        choice = st.selectbox(
            "Exercise", [*current, NEW_EXERCISE], key="programme_exercise",
            help="Choose a prescribed exercise to change or stop it, or add a new one",
        )
        item = current.get(choice)
        # The form is keyed by the exercise chosen, so its fields start from that item's prescription.
        with st.form(f"programme_form_{choice}", border=False):
            name = st.text_input("New exercise's name", key="programme_name") if item is None else choice
            stages = [stage.stage for stage in STAGES]
            left, middle, right = st.columns(3)
            stage = left.selectbox(
                "Stage", stages, format_func=stage_word,
                index=stages.index(item["stage"]) if item else 0,
            )
            sets = middle.number_input("Sets", min_value=1, max_value=100, step=1,
                                       value=int(item["sets"]) if item else 3)
            reps = right.number_input("Reps per set", min_value=1, max_value=1000, step=1,
                                      value=int(item["reps"]) if item else 10,
                                      help="A hold counts as one rep")
            left, right = st.columns(2)
            hold = left.number_input(
                "Hold (s)", min_value=0.0, max_value=3600.0, step=5.0, format="%.0f",
                value=float(item["hold_s"]) if item and not pd.isna(item["hold_s"]) else None,
                help="Leave blank unless the exercise is a hold",
            )
            load = right.number_input(
                "Load (kg)", min_value=0.0, max_value=1000.0, step=2.5, format="%.1f",
                value=float(item["load_kg"]) if item and not pd.isna(item["load_kg"]) else None,
                help="Leave blank for body weight",
            )
            weekly = item is not None and item["days"] != "daily"
            how_often = st.radio("How often", [EVERY_DAY, ON_DAYS], index=1 if weekly else 0, horizontal=True)
            weekdays = st.multiselect(
                "Days (when not every day)", list(WEEKDAYS), format_func=WEEKDAYS.get,
                default=item["days"].split(",") if weekly else [],
            )
            left, right = st.columns([1, 2])
            effective_from = left.date_input("From", value=today, format="YYYY-MM-DD",
                                             help="The prescription holds from this day on")
            reason = right.text_input("Reason", placeholder="optional, e.g. settled on isometrics 3 weeks")
            save = st.form_submit_button("Save from this date", type="primary")
            stop = st.form_submit_button("Stop this exercise from this date") if item else False
        if not (save or stop):
            return
        if stop:
            days = "none"
        elif how_often == EVERY_DAY:
            days = "daily"
        else:
            days = ",".join(day for day in WEEKDAYS if day in weekdays)
            if not days:
                st.error("Choose the days of the week, or Every day.")
                return
        try:
            change = programme.set_item(
                database(), viewer, patient_id, effective_from, name, stage if not stop else None,
                None if stop else int(sets), None if stop else int(reps), days,
                hold_s=None if stop else hold, load_kg=None if stop else load, reason=reason,
            )
        except programme.ProgrammeRefused as refused:
            st.error("Not saved: " + plain("; ".join(refused.problems)))
            return
        if change is None:
            st.info(plain(f"Nothing to save: {name} is prescribed so on {effective_from:%d %b %Y} already."))
            return
        data_changed()
        st.session_state[DONE_KEY] = f"Saved from {change.effective_from:%d %b %Y}: {change.describe()}."
        st.session_state.pop("programme_exercise", None)
        st.rerun()


def patient_section(viewer: Viewer, patient_id: str, day: dt.date, week: str, today: dt.date) -> None:
    """Show the Programme section for a patient: items in effect on day, and the week's checklist."""
    with st.container(key="programme_section"):
        _section(viewer, patient_id, day, week, today)


def _section(viewer: Viewer, patient_id: str, day: dt.date, week: str, today: dt.date) -> None:
    """Show the Programme section's parts, in the order a clinician reads them."""
    st.subheader("Programme", anchor=False)
    if DONE_KEY in st.session_state:
        st.success(plain(st.session_state.pop(DONE_KEY)))
    items = items_in_effect(viewer, patient_id, day)
    if items.empty:
        st.caption(
            f"No exercise is prescribed on {day:%d %b %Y}: each day is judged against the daily rep target, "
            "and the stage is read from the logs."
        )
    else:
        st.caption(f"Prescribed on {day:%a %d %b %Y}. A rest day is a day no exercise is scheduled on.")
        st.dataframe(
            _items_table(items), hide_index=True, width="stretch", placeholder="", key="programme_items",
            column_config=ITEM_COLUMNS,
        )
    checklist_col, adherence_col = st.columns([1, 1])
    with checklist_col:
        _show_checklist(progress(viewer, patient_id, week), week)
    with adherence_col:
        _show_adherence(viewer, patient_id, week)
    _editor(viewer, patient_id, items, today)
    _show_history(viewer, patient_id)


def prescribed_stage_words(facts: dict | None) -> str | None:
    """Return the prescribed stage for the patient's facts ('Isometric (prescribed)'), None without one."""
    if not facts or facts["stage_source"] != "programme" or facts["stage"] not in STAGE_RANKS:
        return None
    return f"{stage_word(facts['stage'])} (prescribed)"
