"""The patient page's Programme section under AppTest, on the sample clinic: the items in effect, the
readiness checklist with its numbers, the week's adherence per exercise, the editor (audited, through
programme.set_item) and the history; and the prescribed stage drawn as a band above the logged one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from test_app_pages import WEEK, app_db, open_page, rows, sample_template  # noqa: F401 - fixtures

from dashboard import charts, day_entry, metrics
from dashboard.access import Viewer
from dashboard.app_pages._programme import PROMPT

SUNDAY = dt.date(2026, 11, 22)  # WEEK's last day
# Each of the section's tables, by a column only it has (AppTest gives a display-only table no key).
TABLES = {"programme_items": "prescription", "programme_adherence": "scheduled_days",
          "programme_history": "set_by"}


def table(at, name: str):
    """Return one of the section's tables."""
    return next(frame for frame in at.dataframe if TABLES[name] in frame.value.columns)


def has_table(at, name: str) -> bool:
    """Return whether the page shows one of the section's tables."""
    return any(TABLES[name] in frame.value.columns for frame in at.dataframe)


def successes(at) -> list[str]:
    """Return the success messages as read (plain text escapes Markdown's marks with backslashes)."""
    return [message.value.replace("\\", "") for message in at.success]


def markdown(at) -> list[str]:
    """Return every Markdown block's text on the page."""
    return [block.value for block in at.markdown]


def checklist_lines(at) -> list[str]:
    """Return the checklist's criterion lines, each starting with met or not met."""
    return [text for text in markdown(at) if "met] · " in text]


def test_the_ready_patient_sees_the_programme_the_checklist_met_and_the_weeks_adherence(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P008", week=WEEK)
    assert "Programme" in [header.value for header in at.subheader]
    items = table(at, "programme_items").value
    assert items.to_dict("records") == [{
        "exercise": "Isometric bridge hold", "stage": "Isometric", "prescription": "6 x 5, hold 45 s",
        "days": "daily", "effective_from": dt.date(2026, 9, 1),
    }]
    text = "\n".join(markdown(at))
    assert "Ready to progress to isotonic" in text
    assert "Sun 22 Nov 2026, the last counted day of 2026-W47" in text
    lines = checklist_lines(at)
    assert len(lines) == 5 and all(":green[:material/check_circle: met]" in line for line in lines)
    assert any("83 days in isometric" in line for line in lines)
    assert any("14 of 14 logged" in line for line in lines)
    assert any("Adherence of 80 % or more over the last 14 days: **86 %**" in line for line in lines)
    assert any("14 of 14 mornings (100 %)" in line for line in lines)
    # The checklist says what it is: a prompt grounded in the model and Goom et al., not an instruction.
    assert PROMPT in [caption.value for caption in at.caption]
    assert "never an instruction to the patient" in PROMPT and "Goom et al. 2016" in PROMPT
    adherence = table(at, "programme_adherence").value.iloc[0]
    assert (adherence["exercise"], adherence["scheduled_days"], adherence["done_days"]) == (
        "Isometric bridge hold", 7, 6
    )
    assert adherence["adherence_pct"] == 85.7
    facts = [block.value for block in at.markdown]
    assert "**Isometric (prescribed)**" in facts


def test_a_patient_kept_back_by_a_flare_sees_which_criterion_is_not_met(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P024", week=WEEK)
    assert any("**Not yet**: 1 criterion not met" in text for text in markdown(at))
    unmet = [line for line in checklist_lines(at) if ":red[:material/cancel: not met]" in line]
    assert unmet == [
        ":red[:material/cancel: not met] · No flare, rising soreness or pain above the ceiling in the last "
        "14 days: **1 alert dated**"
    ]


def test_a_patient_moved_to_a_new_stage_shows_its_days_and_the_mon_wed_fri_days(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P009", week=WEEK)
    items = table(at, "programme_items").value
    assert list(items["exercise"]) == ["Hip extension machine", "Single-leg Romanian deadlift"]
    assert set(items["days"]) == {"Tue, Thu, Sat"}
    assert any("9 days in isotonic" in line and "not met" in line for line in checklist_lines(at))


def test_without_a_programme_the_section_says_so_and_readiness_is_not_judged(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P001", week=WEEK)
    captions = [caption.value for caption in at.caption]
    assert any(c.startswith("No exercise is prescribed on 22 Nov 2026") for c in captions)
    assert any(c.startswith("Readiness is judged only for a patient with a programme") for c in captions)
    assert not checklist_lines(at)
    assert not has_table(at, "programme_items")


def _form_field(elements, label: str):
    """Return the element of a kind with a label."""
    return next(element for element in elements if element.label == label)


def test_changing_an_item_from_a_date_is_stored_audited_and_in_the_history(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P009", week=WEEK)
    at.selectbox(key="programme_exercise").select("Hip extension machine").run()
    _form_field(at.number_input, "Sets").set_value(4)
    _form_field(at.date_input, "From").set_value(dt.date(2026, 11, 23))
    _form_field(at.text_input, "Reason").input("tolerating 3 sets well")
    _form_field(at.button, "Save from this date").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("changed Hip extension machine" in message for message in successes(at))
    stored = rows(app_db, "select sets, reps, days, load_kg, reason, recorded_by from programme_items "
                          "where patient_id = 'P009' and effective_from = '2026-11-23'")
    assert stored == [(4, 12, "tue,thu,sat", 25.0, "tolerating 3 sets well", "admin")]
    audit = rows(app_db, "select actor, detail from audit_log where action = 'programme_change'")
    assert audit == [(
        "admin", "from 2026-11-23: changed Hip extension machine: Isotonic, 3 x 12, 25 kg, Tue, Thu, Sat -> "
        "Isotonic, 4 x 12, 25 kg, Tue, Thu, Sat; reason: tolerating 3 sets well",
    )]
    history = table(at, "programme_history").value
    assert history.iloc[0]["exercise"] == "Hip extension machine" and history.iloc[0]["set_by"] == "admin"
    assert history.iloc[0]["reason"] == "tolerating 3 sets well"


def test_stopping_and_adding_exercises_from_the_editor(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P017", week=WEEK)
    at.selectbox(key="programme_exercise").select("Romanian deadlift").run()
    _form_field(at.button, "Stop this exercise from this date").click().run()
    stopped = "stopped Romanian deadlift (was Heavy slow resistance, 3 x 10, 50 kg, Mon, Wed, Fri)"
    assert any(stopped in message for message in successes(at))
    assert rows(app_db, "select days, sets from programme_items where patient_id = 'P017' "
                        "and exercise = 'Romanian deadlift' order by item_id desc limit 1") == [("none", 0)]

    at.selectbox(key="programme_exercise").select("A new exercise").run()
    _form_field(at.text_input, "New exercise's name").input("Box jumps")
    _form_field(at.selectbox, "Stage").select("plyometric")
    _form_field(at.radio, "How often").set_value("On these days")
    _form_field(at.multiselect, "Days (when not every day)").select("tue").select("sat")
    _form_field(at.date_input, "From").set_value(dt.date(2026, 11, 23))
    _form_field(at.button, "Save from this date").click().run()
    assert "Saved from 23 Nov 2026: added Box jumps: Plyometric, 3 x 10, Tue, Sat." in successes(at)


def test_a_refused_change_says_why_and_writes_nothing(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P001", week=WEEK)
    _form_field(at.button, "Save from this date").click().run()  # a new exercise without a name
    assert at.error and at.error[0].value.startswith("Not saved: exercise")
    assert rows(app_db, "select count(*) from programme_items where patient_id = 'P001'") == [(0,)]
    assert rows(app_db, "select count(*) from audit_log where action = 'programme_change'") == [(0,)]


def test_the_stage_timeline_draws_the_prescribed_stage_as_a_band_above_the_logged_one(sample_db) -> None:
    days = pd.DataFrame({
        "date": pd.date_range("2026-11-01", periods=6).date,
        "stage": ["isometric"] * 6,
        "prescribed_stage": [None, "isometric", "isometric", "isotonic", "isotonic", "isotonic"],
    })
    spec = charts.stage_timeline(days).to_dict()
    values = next(iter(spec["datasets"].values()))
    bands = {(row["band"], row["stage"], row["from"], row["to"]) for row in values}
    assert bands == {
        ("prescribed", "isometric", "Mon 02 Nov 2026", "Tue 03 Nov 2026"),
        ("prescribed", "isotonic", "Wed 04 Nov 2026", "Fri 06 Nov 2026"),
        ("logged", "isometric", "Sun 01 Nov 2026", "Fri 06 Nov 2026"),
    }
    assert spec["encoding"]["y"]["scale"]["domain"] == ["prescribed", "logged"]
    assert spec["title"]["subtitle"] == charts.STAGE_KEY
    assert charts.STAGE_KEY == "upper band: prescribed stage · lower band: stage logged"
    # Without a programme: one band, the logged stage, as before.
    plain = charts.stage_timeline(days.drop(columns="prescribed_stage")).to_dict()
    assert plain["encoding"]["y"]["scale"]["domain"] == ["logged"] and plain["title"] == "Loading stage"
    # On the patient page: P009's isotonic band from 14 Nov above the logged stages.
    p009 = metrics.patient_days(sample_db, Viewer.system(), "P009", dt.date(2026, 10, 26), SUNDAY)
    stage_panel = json.dumps(charts.patient_panels(p009)[3].to_dict())
    assert "upper band: prescribed stage" in stage_panel and "Sat 14 Nov 2026" in stage_panel


# --- log entry ---------------------------------------------------------------------------------------------


def test_prescribed_exercises_are_the_items_scheduled_on_the_days_weekday() -> None:
    items = pd.DataFrame({
        "exercise": ["Bridge", "Deadlift", "Calf hold"], "stage": ["heavy_slow", "heavy_slow", "isometric"],
        "sets": [4, 3, 5], "reps": [12, 10, 1], "hold_s": [None, None, 45.0], "load_kg": [20.0, 50.0, None],
        "days": ["mon,wed,fri", "wed", "daily"], "effective_from": [dt.date(2026, 11, 1)] * 3,
    })
    monday = day_entry.prescribed_exercises(items, dt.date(2026, 11, 23))
    assert list(monday["exercise"]) == ["Bridge", "Calf hold"]
    assert list(monday.columns) == list(day_entry.EXERCISE_EDITOR_COLUMNS)
    assert monday.iloc[1][["sets", "reps", "hold_s"]].tolist() == [5, 1, 45.0]
    assert monday["pain_during"].isna().all() and monday["note"].isna().all()
    assert list(day_entry.prescribed_exercises(items, dt.date(2026, 11, 25))["exercise"]) == [
        "Bridge", "Deadlift", "Calf hold"
    ]
    assert day_entry.prescribed_exercises(items.iloc[0:0], dt.date(2026, 11, 23)).empty


def exercises_editor(at):
    """Return the log entry's exercises editor."""
    return next(frame for frame in at.dataframe if "exercise" in frame.value.columns)


def test_log_entry_starts_from_the_days_prescription_and_saves_it(app_db: Path) -> None:  # noqa: F811
    at = open_page("log_entry", patient="P017")
    _form_field(at.date_input, "Date").set_value(dt.date(2026, 11, 23)).run()  # a Monday
    editor = exercises_editor(at).value
    assert editor[["exercise", "stage", "sets", "reps", "load_kg"]].values.tolist() == [
        ["Romanian deadlift", "heavy_slow", 3, 10, 50.0],
        ["Single-leg bridge (weighted)", "heavy_slow", 4, 12, 20.0],
    ]
    assert any(c.value.startswith("Filled in with the exercises prescribed for Monday") for c in at.caption)
    _form_field(at.button, "Check and save").click().run()
    assert rows(app_db, "select exercise, sets, reps, load_kg from exercise_entries "
                        "where patient_id = 'P017' and date = '2026-11-23' order by exercise") == [
        ("Romanian deadlift", 3, 10, 50.0), ("Single-leg bridge (weighted)", 4, 12, 20.0),
    ]
    # A rest day starts empty.
    _form_field(at.date_input, "Date").set_value(dt.date(2026, 11, 24)).run()
    assert exercises_editor(at).value.empty
    assert not any(c.value.startswith("Filled in") for c in at.caption)
