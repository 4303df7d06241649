"""The Patient detail page under AppTest: charts as wide as the page, tables without "None" and with
wrapped statuses and notes, and the patient kept chosen across pages."""

from __future__ import annotations

import json
from pathlib import Path

from test_app_pages import WEEK, app_db, open_page, sample_template  # noqa: F401 - fixtures


def test_each_chart_panel_is_as_wide_as_the_page(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P002", week=WEEK)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 7, "pain, reps, response, stage and activities; with and without each load, dose"
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["width"] == "container" and spec["autosize"]["type"] == "fit-x"


def _grid(at, first_columns: list[str]):
    """Return the table whose columns start with these."""
    return next(
        frame for frame in at.dataframe if list(frame.value.columns)[: len(first_columns)] == first_columns
    )


def test_tables_show_blanks_and_wrap_statuses_and_notes(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P002", week=WEEK)
    alerts = _grid(at, ["date", "alert", "severity", "detail", "status"])
    # A blank for a missing value, never "None" (the grid's own default).
    assert alerts.proto.HasField("placeholder") and alerts.proto.placeholder == ""
    # The grid wraps text only in rows taller than 4rem (64 px): a status with its note is read whole.
    assert alerts.proto.row_height > 64
    for first in (["date", "time_of_day", "pain"], ["date", "exercise", "stage"], ["date", "activity"]):
        log = _grid(at, first)
        assert log.proto.HasField("placeholder") and log.proto.placeholder == ""
        if log.value["note"].str.len().max() > 40:
            assert log.proto.row_height > 64, first


def test_the_patient_stays_chosen_after_another_page_and_back(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P010", week=WEEK)
    assert at.selectbox(key="patient").value == "P010"
    at.switch_page("app_pages/alerts.py")
    at.query_params.clear()
    at.run()
    assert at.title[0].value == "Alerts inbox"
    at.switch_page("app_pages/patient.py")
    at.query_params.clear()  # back through the sidebar: the address names no patient
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="patient").value == "P010"
    assert at.subheader[0].value.endswith("P010")
    assert at.query_params["patient"] == "P010"


def test_a_patient_cleared_in_the_picker_stays_cleared(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P010", week=WEEK)
    at.selectbox(key="patient").set_value(None).run()
    at.switch_page("app_pages/alerts.py")
    at.run()
    at.switch_page("app_pages/patient.py")
    at.query_params.clear()
    at.run()
    assert at.selectbox(key="patient").value is None
