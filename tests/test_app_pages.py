"""The Streamlit pages under AppTest, on a fresh copy of the sample clinic for every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.db import Database, close_database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
# The sample clinic's last complete week; pinned so the tests do not depend on today's date.
WEEK = "2026-W47"
PAGES = ("review", "patient", "alerts", "log_entry", "settings", "import_logs")


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database file holding the sample clinic, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "clinic.duckdb"
    database = Database(path)
    result = import_paths(database, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    database.close()
    return path


@pytest.fixture
def app_db(sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REHAB_DB at a fresh copy of the sample clinic, with Streamlit's process-wide caches emptied."""
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(sample_template, path)
    monkeypatch.setenv("REHAB_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()
    close_database(path)


def open_page(page: str, **params: str) -> AppTest:
    """Run the app once, switch to a page with query parameters, and run that page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "review":
        at.switch_page(f"app_pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def rows(path: Path, sql: str) -> list[tuple]:
    """Return rows from the database file the app wrote (the app's own connection is the process's one)."""
    from dashboard.db import open_database

    return open_database(path).session().cursor.execute(sql).fetchall()


def table(at: AppTest, key_prefix: str):
    """Return the dataframe whose key starts with a prefix."""
    return next(frame for frame in at.dataframe if frame.key and frame.key.startswith(key_prefix))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_db: Path, page: str) -> None:
    at = open_page(page, patient="P002", week=WEEK)
    assert at.title, "every page has a title"
    assert not at.error


def test_review_defaults_to_the_last_complete_week_and_shows_the_clinic(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    assert at.selectbox(key="review_week").value == WEEK
    figures = {metric.label: metric.value for metric in at.metric}
    assert figures["Active patients"] == str(len(table(at, "triage").value))
    triage = table(at, "triage").value
    red = set(triage.loc[triage["risk"] == "Red", "patient_id"])
    assert {"P002", "P010", "P018"} <= red
    assert int(figures["Red"]) == len(red)
    # Alerts read as words, never rule ids.
    alerts = " ".join(triage["alerts"])
    assert "rising soreness" in alerts and "above pain ceiling" in alerts
    assert "rising_streak" not in alerts and "pain_above_ceiling" not in alerts
    # Worst first.
    order = {"Red": 0, "Amber": 1, "Green": 2}
    assert list(triage["risk"].map(order)) == sorted(triage["risk"].map(order))


def test_review_filters_change_the_rows(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    everyone = len(table(at, "triage").value)

    at.selectbox(key="review_clinician").select("Sam Patel").run()
    by_clinician = table(at, "triage").value
    assert 0 < len(by_clinician) < everyone
    assert set(by_clinician["patient_id"]) <= set(
        r[0] for r in rows(app_db, "select patient_id from patients where clinician = 'Sam Patel'")
    )
    assert at.query_params["clinician"] == "Sam Patel"

    at.selectbox(key="review_clinician").set_value(None)
    at.text_input(key="review_search").input("p002").run()
    assert list(table(at, "triage").value["patient_id"]) == ["P002"]
    assert at.metric[0].value == "1"


def test_review_week_comes_from_the_address(app_db: Path) -> None:
    at = open_page("review", week="2026-W46")
    assert at.selectbox(key="review_week").value == "2026-W46"
    assert table(at, "triage_2026-W46") is not None


def test_selecting_a_review_row_opens_that_patient(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    first = table(at, "triage").value.iloc[0]["patient_id"]
    at.session_state[f"triage_{WEEK}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Patient detail"
    assert at.query_params["patient"] == first
    assert at.query_params["week"] == WEEK


def test_patient_detail_shows_header_charts_alerts_and_logs(app_db: Path) -> None:
    at = open_page("patient", patient="P002", week=WEEK)
    assert at.subheader[0].value.startswith("José Mensah")
    text = " ".join(m.value for m in at.markdown)
    assert "proximal hamstring tendinopathy" in text and "90 reps" in text and "5 / 10" in text
    assert at.get("vega_lite_chart"), "the patient charts render"
    assert "Red" in text
    assert len(at.dataframe) >= 2  # alerts and the pain log


def test_patient_detail_range_changes_the_logs(app_db: Path) -> None:
    at = open_page("patient", patient="P002", week=WEEK)
    pain_rows = len(at.dataframe[-3].value)
    at.selectbox(key="detail_range").select(4).run()
    assert len(at.dataframe[-3].value) < pain_rows
    assert at.query_params["range"] == "4"


def test_acknowledging_an_alert_persists_and_leaves_the_inbox(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    inbox_key = next(frame.key for frame in at.dataframe if frame.key and frame.key.startswith("inbox"))
    before = table(at, "inbox").value
    chosen = before.iloc[0]
    at.session_state[inbox_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.text_area[0].input("phoned; halved the load for a week")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Acknowledged" in s.value for s in at.success)

    stored = rows(app_db, "select patient_id, rule, date, acknowledged_by, note from alert_acknowledgements")
    assert len(stored) == 1
    assert stored[0][0] == chosen["patient_id"] and stored[0][1] == chosen["rule"]
    assert stored[0][4] == "phoned; halved the load for a week"

    at.run()  # a plain rerun: the acknowledgement stays and the alert stays out of the inbox
    after = table(at, "inbox").value
    assert len(after) == len(before) - 1
    still_there = after[(after["patient_id"] == chosen["patient_id"]) & (after["rule"] == chosen["rule"])]
    assert chosen["date"] not in list(still_there["date"])

    history = open_page("patient", patient=chosen["patient_id"], week=WEEK)
    statuses = " ".join(" ".join(frame.value.get("status", [])) for frame in history.dataframe)
    assert "acknowledged by cli" in statuses and "halved the load" in statuses


def test_inbox_clinician_filter_changes_the_rows(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    everyone = len(table(at, "inbox").value)
    at.selectbox(key="inbox_clinician").select("Tom Becker").run()
    assert 0 < len(table(at, "inbox").value) < everyone


def test_editing_a_setting_persists_with_an_audit_row(app_db: Path) -> None:
    at = open_page("settings", patient="P007")
    ceiling = next(n for n in at.number_input if n.label.startswith("Pain ceiling"))
    ceiling.set_value(4.5)
    next(s for s in at.selectbox if s.label == "Stage").select("isotonic")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("pain ceiling 5 → 4.5" in s.value for s in at.success)

    at.run()  # after a rerun the form shows the stored values
    assert next(n for n in at.number_input if n.label.startswith("Pain ceiling")).value == 4.5
    assert rows(app_db, "select pain_ceiling, stage from patients where patient_id = 'P007'") == [
        (4.5, "isotonic")
    ]
    audit = rows(
        app_db,
        "select actor, action, detail from audit_log where patient_id = 'P007' "
        "and action = 'patient_setting_changed' order by detail",
    )
    assert audit == [
        ("cli", "patient_setting_changed", "pain_ceiling: 5 -> 4.5"),
        ("cli", "patient_setting_changed", "stage: none -> isotonic"),
    ]


def test_settings_store_a_discharge_date(app_db: Path) -> None:
    at = open_page("settings", patient="P007")
    start = rows(app_db, "select start_date from patients where patient_id = 'P007'")[0][0]
    next(c for c in at.checkbox if c.label.startswith("Still in")).uncheck()
    discharge = next(d for d in at.date_input if d.label.startswith("Discharge date"))
    discharge.set_value(start)
    at.button[0].click().run()
    assert rows(app_db, "select discharged_on from patients where patient_id = 'P007'") == [(start,)]


def test_log_entry_saves_a_day_through_the_importer(app_db: Path) -> None:
    at = open_page("log_entry", patient="P007")
    next(d for d in at.date_input if d.label == "Date").set_value(__import__("datetime").date(2026, 11, 23))
    next(n for n in at.number_input if n.label == "Morning pain").set_value(3.5)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Saved P007" in s.value for s in at.success)
    assert rows(
        app_db, "select time_of_day, pain from pain_entries where patient_id = 'P007' and date = '2026-11-23'"
    ) == [("morning", 3.5)]
    assert rows(app_db, "select count(*) from imports where source like 'app-entry_P007_2026-11-23%'") == [
        (1,)
    ]


def test_log_entry_refuses_a_conflicting_score_and_writes_nothing(app_db: Path) -> None:
    stored = rows(
        app_db,
        "select date, pain from pain_entries where patient_id = 'P007' and time_of_day = "
        "'morning' order by date desc limit 1",
    )[0]
    count = rows(app_db, "select count(*) from pain_entries")
    at = open_page("log_entry", patient="P007")
    next(d for d in at.date_input if d.label == "Date").set_value(stored[0])
    next(n for n in at.number_input if n.label == "Morning pain").set_value(float(stored[1]) + 1)
    next(n for n in at.number_input if n.label == "Evening pain").set_value(2.0)
    at.button[0].click().run()
    assert at.error and "Nothing was written" in at.error[0].value
    assert any("conflicts with the morning score" in m.value for m in at.markdown)
    assert rows(app_db, "select count(*) from pain_entries") == count


def test_import_shows_the_dry_run_then_writes_on_confirmation(app_db: Path) -> None:
    at = open_page("import_logs")
    good = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-23,morning,2,\nP007,2026-11-23,evening,3,\n"
    at.file_uploader[0].set_value(("good.csv", good, "text/csv")).run()
    assert "would add 2" in at.code[0].value
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(0,)]
    confirm = next(b for b in at.button if b.label.startswith("Import 1 accepted file"))
    confirm.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Imported" in s.value for s in at.success)
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(2,)]


def test_import_refuses_a_bad_file_and_offers_nothing_to_write(app_db: Path) -> None:
    at = open_page("import_logs")
    bad = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-23,morning,12,\nP999,2026-11-23,noon,3,\n"
    at.file_uploader[0].set_value(("bad.csv", bad, "text/csv")).run()
    report = at.code[0].value
    assert "REFUSED bad.csv" in report and "line 2" in report and "line 3" in report
    assert at.error
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(0,)]


def test_a_clinician_viewer_sees_only_their_patients_on_every_page(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dashboard.app
    from dashboard.access import Viewer

    monkeypatch.setattr(dashboard.app, "current_viewer", lambda: Viewer("tom", "clinician", "Tom Becker"))
    mine = {r[0] for r in rows(app_db, "select patient_id from patients where clinician = 'Tom Becker'")}

    review = open_page("review", week=WEEK)
    assert set(table(review, "triage").value["patient_id"]) <= mine
    assert [o for o in review.selectbox(key="review_clinician").options] == ["Tom Becker"]

    inbox = open_page("alerts", period="0")
    assert set(table(inbox, "inbox").value["patient_id"]) <= mine

    other = sorted({r[0] for r in rows(app_db, "select patient_id from patients")} - mine)[0]
    detail = open_page("patient", patient=other)
    assert detail.selectbox(key="patient").value is None
    assert any("not a valid value" in w.value for w in detail.warning)
    assert set(detail.selectbox(key="patient").options) == {
        f"{pid} · {name}"
        for pid, name in rows(app_db, "select patient_id, name from patients where clinician = 'Tom Becker'")
    }
