"""Given/expect tests for the app's streamlit-free helpers: wording, triage shaping, settings, log entry."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard import alert_inbox, caseload, day_entry, patient_settings, triage, vocabulary
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import import_sources

ADMIN = Viewer.system()
DAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (["rising_streak"], "rising soreness"),
        (["pain_above_ceiling", "load_spike"], "pain above ceiling, load spike"),
        (["not_logging", "low_adherence", "flare"], "not logging, low adherence, flare"),
        (["flare", "flare"], "flare"),
        ([], ""),
        (None, ""),
        (["brand_new_rule"], "brand new rule"),
    ],
)
def test_alert_rule_ids_read_as_words(rules, expected) -> None:
    assert vocabulary.alert_words(rules) == expected


@pytest.mark.parametrize(
    ("mean", "previous", "expected"),
    [
        (4.7, 3.2, "4.7 ↑"),
        (2.0, 3.0, "2.0 ↓"),
        (3.1, 3.0, "3.1 →"),
        (3.0, None, "3.0"),
        (None, 2.0, "no scores"),
    ],
)
def test_morning_pain_carries_a_trend_arrow_against_last_week(mean, previous, expected) -> None:
    assert triage.pain_with_trend(mean, previous) == expected


def test_sparklines_leave_days_without_a_score_empty_never_zero() -> None:
    recent = pd.DataFrame(
        {"patient_id": ["P1", "P1"], "date": [DAY - dt.timedelta(days=2), DAY], "morning_pain": [3.0, 0.0]}
    )
    lines = triage.sparklines(recent, DAY, days=4)
    assert lines == {"P1": [None, 3.0, None, 0.0]}


def _days(**columns) -> pd.DataFrame:
    """Return three programme days with nothing logged, then the given columns."""
    frame = pd.DataFrame({
        "date": pd.date_range("2025-03-03", periods=3).date,
        "morning_pain": [None] * 3, "evening_pain": [None] * 3, "loading_day": [False] * 3,
    })
    return frame.assign(**columns)


@pytest.mark.parametrize(
    ("days", "activity_rows", "expected"),
    [
        (_days(), 0, True),
        (_days(evening_pain=[None, 2.0, None]), 0, False),
        (_days(morning_pain=[0.0, None, None]), 0, False),  # a logged 0 is a score, not nothing
        (_days(loading_day=[False, True, False]), 0, False),
        (_days(), 1, False),
    ],
)
def test_nothing_logged_only_when_no_score_no_exercise_and_no_activity(days, activity_rows, expected) -> None:
    activities = pd.DataFrame({"date": [dt.date(2025, 3, 4)] * activity_rows})
    assert triage.nothing_logged(days, activities) is expected


def _review(**overrides) -> pd.DataFrame:
    base = {
        "patient_id": ["P1", "P2", "P3"],
        "name": ["Ana", "Ben", "Cai"],
        "clinician": ["A", "B", "A"],
        "adherence_pct": [100.0, 50.0, None],
        "total_reps": [700, 300, 0],
        "mean_morning_pain": [2.0, 5.0, None],
        "prev_mean_morning_pain": [2.0, 3.0, None],
        "flare_days": [0, 1, 0],
        "alerts": [[], ["flare", "rising_streak"], ["not_logging"]],
        "risk": ["green", "red", "amber"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_triage_table_puts_red_first_and_words_the_alerts() -> None:
    table = triage.triage_table(_review(), {"P2": [1.0, None, 2.0]})
    assert list(table["patient_id"]) == ["P2", "P3", "P1"]
    assert list(table["risk"]) == ["Red", "Amber", "Green"]
    assert table.loc[0, "alerts"] == "flare, rising soreness"
    assert table.loc[0, "morning_pain"] == "5.0 ↑"
    assert table.loc[0, "last_28_mornings"] == [1.0, 2.0]
    assert table.loc[2, "last_28_mornings"] == []


def test_key_figures_count_risks_and_average_the_shown_adherence() -> None:
    figures = triage.key_figures(_review())
    assert (figures.active, figures.red, figures.amber, figures.green) == (3, 1, 1, 1)
    assert figures.mean_adherence_pct == 75.0


def test_review_filters_by_clinician_and_search_text() -> None:
    review = _review()
    assert list(triage.filter_review(review, "A")["patient_id"]) == ["P1", "P3"]
    assert list(triage.filter_review(review, None, "  bEn ")["patient_id"]) == ["P2"]
    assert list(triage.filter_review(review, "A", "p3")["patient_id"]) == ["P3"]
    assert triage.filter_review(review, "B", "ana").empty


def test_open_alerts_drop_acknowledged_and_sort_high_severity_then_newest() -> None:
    events = pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3", "P1"],
            "rule": ["low_adherence", "flare", "flare", "flare"],
            "date": [DAY, DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1)],
            "severity": ["medium", "high", "high", "high"],
            "detail": ["a", "b", "c", "d"],
        }
    )
    acks = pd.DataFrame(
        {
            "patient_id": ["P3"],
            "rule": ["flare"],
            "date": [DAY - dt.timedelta(days=1)],
            "acknowledged_by": ["x"],
            "acknowledged_at": [pd.Timestamp("2026-11-23 09:00", tz="UTC")],
            "note": [None],
        }
    )
    inbox = alert_inbox.open_alerts(events, acks)
    assert list(inbox["detail"]) == ["d", "b", "a"]


def test_day_entry_becomes_one_csv_per_kind_in_the_import_formats() -> None:
    exercises = pd.DataFrame(
        {
            "exercise": ["Spanish squat", None],
            "stage": ["isometric", None],
            "sets": [5, None],
            "reps": [1, None],
            "hold_s": [45.0, None],
            "load_kg": [None, None],
            "pain_during": [2.5, None],
            "note": [None, None],
        }
    )
    sources = day_entry.day_entry_sources(
        "P7",
        DAY,
        morning_pain=3.0,
        evening_pain=None,
        pain_note=" stiff ",
        exercises=exercises,
        activities=None,
    )
    assert [name for name, _ in sources] == [
        "app-entry_P7_2026-11-23_pain.csv",
        "app-entry_P7_2026-11-23_exercises.csv",
    ]
    assert sources[0][1].decode() == "patient_id,date,time_of_day,pain,note\nP7,2026-11-23,morning,3,stiff\n"
    assert sources[1][1].decode().splitlines()[1] == "P7,2026-11-23,Spanish squat,isometric,5,1,45,,2.5,"
    assert day_entry.day_entry_sources("P7", DAY) == []


def test_a_day_entry_is_checked_by_the_importer_and_all_or_nothing(sample_db: Database) -> None:
    exercises = pd.DataFrame({"exercise": ["Heel raise"], "sets": [0], "reps": [10]})
    sources = day_entry.day_entry_sources("P007", DAY, morning_pain=2.0, exercises=exercises)
    count = sample_db.session().cursor.execute("select count(*) from pain_entries").fetchone()[0]
    result = day_entry.import_checked(sample_db, sources, actor="test")
    assert not result.ok
    problems = [day_entry.entry_problem(p) for outcome in result.files for p in outcome.problems]
    assert any(p.startswith("Exercises, row 1, sets:") for p in problems), problems
    assert sample_db.session().cursor.execute("select count(*) from pain_entries").fetchone()[0] == count


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"daily_rep_target": 0}, "daily rep target"),
        ({"daily_rep_target": 12.5}, "daily rep target"),
        ({"pain_ceiling": 10.5}, "pain ceiling"),
        ({"pain_ceiling": 4.25}, "pain ceiling"),
        ({"flare_threshold": 0}, "flare threshold"),
        ({"acceptable_pain": -1}, "acceptable morning pain"),
        ({"stage": "sprinting"}, "stage"),
        ({"discharged_on": dt.date(2026, 1, 1)}, "discharge date cannot be before"),
    ],
)
def test_settings_break_their_rules_in_words(change, problem) -> None:
    settings = {"daily_rep_target": 90, "pain_ceiling": 5.0, "flare_threshold": 2.0, "acceptable_pain": None}
    status = {"stage": None, "discharged_on": None}
    assert patient_settings.setting_problems(settings) == []
    assert patient_settings.status_problems(status, dt.date(2026, 9, 1)) == []
    problems = patient_settings.setting_problems({**settings, **change}) if change.keys() <= settings.keys() \
        else patient_settings.status_problems({**status, **change}, dt.date(2026, 9, 1))
    assert len(problems) == 1 and problem in problems[0]


def test_saving_stage_and_discharge_stores_and_audits_each_changed_field_only(sample_db: Database) -> None:
    changes = patient_settings.save_status(sample_db, ADMIN, "P001", {"stage": None, "discharged_on": DAY})
    assert [c.describe() for c in changes] == ["discharge date none -> 2026-11-23"]
    audit = (
        sample_db.session()
        .cursor.execute(
            "select actor, detail from audit_log where action = 'settings_change' order by audit_id"
        )
        .fetchall()
    )
    assert audit == [("cli", "discharge date none -> 2026-11-23")]
    assert patient_settings.save_status(sample_db, ADMIN, "P001", {"discharged_on": DAY}) == []


def test_saving_refused_settings_writes_nothing(sample_db: Database) -> None:
    with pytest.raises(patient_settings.SettingsRefused, match="pain ceiling"):
        patient_settings.change_settings(sample_db, ADMIN, "P001", DAY, {"pain_ceiling": 11})
    with pytest.raises(patient_settings.SettingsRefused, match="discharge date"):
        patient_settings.save_status(sample_db, ADMIN, "P001", {"discharged_on": dt.date(2020, 1, 1)})
    assert patient_settings.settings_on(sample_db, ADMIN, "P001", DAY).pain_ceiling == 5.0
    count = (
        sample_db.session()
        .cursor.execute("select count(*) from audit_log where action = 'settings_change'")
        .fetchone()[0]
    )
    assert count == 0


def test_a_clinician_sees_and_changes_only_their_own_patients(sample_db: Database) -> None:
    sam = Viewer("sam", "clinician", "Sam Patel")
    mine = caseload.patients(sample_db, sam)
    assert set(mine["clinician"]) == {"Sam Patel"}
    other = (
        sample_db.session()
        .cursor.execute("select patient_id from patients where clinician <> 'Sam Patel' limit 1")
        .fetchone()[0]
    )
    assert caseload.patient(sample_db, sam, other) is None
    with pytest.raises(patient_settings.SettingsRefused):
        patient_settings.change_settings(sample_db, sam, other, DAY, {"pain_ceiling": 4})
    assert not alert_inbox.acknowledge_alert(sample_db, sam, other, "flare", DAY, "not mine")
    assert caseload.raw_log(sample_db, sam, "pain", other, DAY - dt.timedelta(days=30), DAY).empty


def test_an_alert_is_acknowledged_once_with_who_when_and_note(sample_db: Database) -> None:
    assert alert_inbox.acknowledge_alert(sample_db, ADMIN, "P002", "flare", DAY, "  phoned  ")
    assert not alert_inbox.acknowledge_alert(sample_db, ADMIN, "P002", "flare", DAY, "again")
    acks = alert_inbox.acknowledgements(sample_db, ADMIN, "P002")
    assert list(acks["note"]) == ["phoned"] and list(acks["acknowledged_by"]) == ["cli"]
    audit = (
        sample_db.session()
        .cursor.execute("select detail from audit_log where action = 'acknowledge'")
        .fetchall()
    )
    assert audit == [("flare on 2026-11-23: phoned",)]


def test_app_entries_and_imports_use_one_validator() -> None:
    """The log entry page builds files for the importer; it must not grow a validator of its own."""
    source = (
        Path(day_entry.__file__).read_text()
        + (Path(day_entry.__file__).parent / "app_pages" / "log_entry.py").read_text()
    )
    assert "return import_together(db, sources" in source
    assert "validate_" not in source


def test_only_the_app_imports_streamlit() -> None:
    modules = "vocabulary, caseload, triage, alert_inbox, patient_settings, day_entry, exports"
    code = f"import sys; from dashboard import {modules}; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_import_sources_dry_run_writes_nothing(sample_db: Database) -> None:
    sources = day_entry.day_entry_sources("P007", DAY, morning_pain=1.0)
    assert import_sources(sample_db, sources, dry_run=True).ok
    assert (
        sample_db.session()
        .cursor.execute("select count(*) from pain_entries where date = '2026-11-23'")
        .fetchone()[0]
        == 0
    )


def test_an_empty_inbox_stays_empty() -> None:
    events = pd.DataFrame(columns=["patient_id", "rule", "date", "severity", "detail"])
    acks = pd.DataFrame(columns=["patient_id", "rule", "date", "acknowledged_by", "acknowledged_at", "note"])
    people = pd.DataFrame({"patient_id": ["P1"], "name": ["Ana"], "clinician": ["A"]})
    assert alert_inbox.inbox(events, acks, people, "A").empty
    assert alert_inbox.alert_history(events, acks).empty
