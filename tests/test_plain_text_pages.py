"""Given patients whose names, condition, clinician, exercises, activities and notes are Markdown, expect
every page to show them as written: escaped where Streamlit parses Markdown, verbatim where it does not."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import alert_inbox, auth
from dashboard.access import Viewer
from dashboard.app_pages._text import plain
from dashboard.db import Database, close_database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR
from tests.helpers import (
    ACTIVITIES_HEADER,
    EXERCISES_HEADER,
    PAIN_HEADER,
    PATIENTS_HEADER,
    write_csv,
)
from tests.test_plain_text import IMAGE_NAME, LINK_NAME, shown

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
WEEK = "2026-W47"
PASSWORD = "test-only password"
CONDITION = "[Achilles](http://127.0.0.1:9/condition) **tendinopathy**"
CLINICIAN = "[Dr Link](http://127.0.0.1:9/clinician)"
EXERCISE = "![calf](http://127.0.0.1:9/exercise.png) raise"
ACTIVITY = "[run](http://127.0.0.1:9/activity)"
NOTE = "# sore\n![n](http://127.0.0.1:9/note.png) see www.example.org"
ACK_NOTE = "[phoned](http://127.0.0.1:9/ack) -> halved load"
# What Markdown would make an image or a link of, left unescaped.
LIVE_MARKDOWN = re.compile(r"(?<!\\)(!\[|\]\()")
# What GFM makes a bare link of even when every mark is escaped.
BARE_LINK = re.compile(r"https?://|www\.|@\w", re.IGNORECASE)


def markdown_files(folder: Path) -> list[Path]:
    """Return log files for P950 (an image as a name) and P951 (a link as a name, a Markdown clinician)."""
    patients = write_csv(folder, "md_patients.csv", PATIENTS_HEADER, [
        ["P950", IMAGE_NAME, "Sam Patel", CONDITION, "2026-10-01"],
        ["P951", LINK_NAME, CLINICIAN, CONDITION, "2026-10-01"],
    ])
    # Steady mornings, then a rise in the reviewed week: a flare and rising soreness to acknowledge.
    scores = [2] * 46 + [3, 5, 7]
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=k) for k in range(len(scores))]
    pain = write_csv(folder, "md_pain.csv", PAIN_HEADER, [
        [patient, day.isoformat(), "morning", score, NOTE if day == days[-1] else ""]
        for patient in ("P950", "P951") for day, score in zip(days, scores, strict=True)
    ])
    exercises = write_csv(folder, "md_exercises.csv", EXERCISES_HEADER, [
        [patient, day.isoformat(), EXERCISE, "isotonic", 3, 15, "", 20, 2, NOTE]
        for patient in ("P950", "P951") for day in days[-7:]
    ])
    activities = write_csv(folder, "md_activities.csv", ACTIVITIES_HEADER, [
        [patient, days[-2].isoformat(), ACTIVITY, 30, 5, 2, NOTE] for patient in ("P950", "P951")
    ])
    return [patients, pain, exercises, activities]


@pytest.fixture(scope="module")
def markdown_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database file with the sample clinic, P950 and P951, one acknowledged alert and an admin."""
    folder = tmp_path_factory.mktemp("markdown")
    database = Database(folder / "clinic.duckdb")
    for files in (sorted(SAMPLE_DIR.glob("*.csv")), markdown_files(folder)):
        result = import_paths(database, files, actor="test")
        assert result.ok, result.report()
    auth.add_user(database, "admin", PASSWORD, "admin")
    from dashboard import metrics

    events = metrics.alert_events(database, Viewer.system(), patient_id="P950")
    first = events.sort_values("date").iloc[0]
    assert alert_inbox.acknowledge_alert(
        database, Viewer.system(), "P950", first["rule"], first["date"], ACK_NOTE
    )
    database.close()
    return folder / "clinic.duckdb"


@pytest.fixture
def markdown_db(markdown_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REHAB_DB at a fresh copy of the Markdown clinic, Streamlit's caches emptied."""
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(markdown_template, path)
    monkeypatch.setenv("REHAB_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()
    close_database(path)


def open_page(page: str, **params: str) -> AppTest:
    """Sign in as the admin, switch to a page with query parameters and run it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    fields = {field.label: field for field in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(PASSWORD)
    next(button for button in at.button if button.label == "Sign in").click().run()
    if page != "review":
        at.switch_page(f"app_pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def markdown_shown(at: AppTest) -> list[str]:
    """Return every text the page hands to Streamlit's Markdown: bodies, headings, notices and labels."""
    elements = [*at.markdown, *at.caption, *at.title, *at.header, *at.subheader, *at.info, *at.success,
                *at.warning, *at.error]
    texts = [str(element.value) for element in elements]
    widgets = [*at.selectbox, *at.text_input, *at.text_area, *at.checkbox, *at.button, *at.number_input,
               *at.date_input, *at.multiselect, *at.radio, *at.expander, *at.tabs]
    return texts + [str(getattr(widget, "label", "")) for widget in widgets]


def plain_shown(at: AppTest) -> str:
    """Return what the page shows without Markdown: st.text, select box options and table cells."""
    texts = [str(element.value) for element in at.text]
    texts += [option for box in at.selectbox for option in box.options]
    texts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(texts)


def assert_no_live_markdown(at: AppTest) -> None:
    """Fail when any Markdown text holds an unescaped image, link or bare address."""
    live = [text for text in markdown_shown(at)
            if LIVE_MARKDOWN.search(text) or BARE_LINK.search(text.replace("\\", ""))]
    assert not live, live


def select_first(at: AppTest, prefix: str) -> None:
    """Select the first row of the table whose key starts with prefix."""
    key = next(frame.key for frame in at.dataframe if frame.key and frame.key.startswith(prefix))
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_review_shows_markdown_names_and_clinicians_as_written(markdown_db: Path) -> None:
    at = open_page("review", week=WEEK, q="P95")
    assert_no_live_markdown(at)
    cells = plain_shown(at)
    assert IMAGE_NAME in cells and LINK_NAME in cells
    assert CLINICIAN in at.selectbox(key="review_clinician").options
    at.selectbox(key="review_clinician").select(CLINICIAN).run()
    assert_no_live_markdown(at)
    assert any(CLINICIAN in shown(text) for text in markdown_shown(at)), "the download caption names them"


def test_the_patient_page_shows_the_name_condition_notes_and_exercises_as_written(markdown_db: Path) -> None:
    at = open_page("patient", patient="P950", week=WEEK)
    assert_no_live_markdown(at)
    assert shown(at.subheader[0].value) == f"{IMAGE_NAME} · P950"
    assert f"**{plain(CONDITION)}**" in markdown_shown(at)  # bold, the condition's own marks escaped
    cells = plain_shown(at)
    assert f"P950 · {IMAGE_NAME}" in cells  # the picker's option: plain text, so not escaped
    for written in (EXERCISE, ACTIVITY, "![n](http://127.0.0.1:9/note.png)", ACK_NOTE):
        assert written in cells, written


def test_the_alerts_inbox_shows_names_as_written_in_the_table_and_the_panel(markdown_db: Path) -> None:
    at = open_page("alerts", period="0")
    assert_no_live_markdown(at)
    inbox = next(frame for frame in at.dataframe if frame.key and frame.key.startswith("inbox")).value
    mine = inbox[inbox["patient_id"] == "P951"]
    assert not mine.empty and (mine["patient"] == f"{LINK_NAME} (P951)").all()
    at.session_state["inbox_clinician"] = CLINICIAN
    at.run()
    select_first(at, "inbox")
    assert_no_live_markdown(at)
    assert any(shown(text) == f"{LINK_NAME} (P951)" for text in markdown_shown(at))


def test_settings_and_log_entry_show_the_patient_as_written(markdown_db: Path) -> None:
    settings = open_page("settings", patient="P951")
    assert_no_live_markdown(settings)
    assert any(CONDITION in text and CLINICIAN in text for text in (t.value for t in settings.text))

    entry = open_page("log_entry", patient="P950")
    next(box for box in entry.date_input if box.label == "Date").set_value(dt.date(2026, 11, 18)).run()
    assert_no_live_markdown(entry)
    cells = plain_shown(entry)
    assert f"P950 · {IMAGE_NAME}" in cells and EXERCISE in cells
