"""What each patient tolerates under AppTest, on the sample clinic: the patient page's section, the weekly
review's "after: run" on a red patient's row, and the Loads and flares page, each scoped to the viewer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pandas.testing import assert_frame_equal
from test_app_pages import SAM, WEEK, app_db, open_page, sample_template, table  # noqa: F401 - fixtures

from dashboard import tolerance
from dashboard.access import Viewer
from dashboard.app_pages._text import plain
from dashboard.db import open_database

# WEEK's Sunday, and the 8 weeks of loading days the patient page shows by default when opened on WEEK.
SUNDAY = dt.date(2026, 11, 22)
EIGHT_WEEKS = (dt.date(2026, 9, 28), SUNDAY)


def frame_with(at, column: str):
    """Return the dataframe element that has a column."""
    return next(frame for frame in at.dataframe if column in frame.value.columns)


def by_kind(frame):
    """Return clinic rows in kind and name order: kinds whose mean differences tie exactly on paper may sum
    in another order and differ in the last bit, which orders them either way."""
    return frame.sort_values(["kind", "name"]).reset_index(drop=True)


def chart_titles(at) -> list[str]:
    """Return the titles of the page's charts."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        parts = [title.get("text", ""), title.get("subtitle", "")] if isinstance(title, dict) else [title]
        titles.append(" · ".join(" ".join(part) if isinstance(part, list) else part for part in parts))
    return titles


def test_given_p010_expect_runs_likely_aggravating_in_a_table_in_clinic_words(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P010", week=WEEK)
    shown = frame_with(at, "verdict")
    first = shown.value.iloc[0]
    assert (first["name"], first["kind"], first["verdict"]) == ("run", "activity", "Likely aggravating")
    assert first["dose"].endswith(" min")
    assert shown.proto.placeholder == "", "a missing value is a blank, never 'None'"
    labels = {name: config.get("label") for name, config in json.loads(shown.proto.columns).items()}
    assert labels.get("mean_response_with") == "Mean with"
    assert labels.get("flares_with") == "Flares after"
    # The plain sentence: the top kind, its difference, days and flares, and the caveat.
    rows = tolerance.patient_tolerance(open_database(app_db), Viewer("admin", "admin"), "P010", *EIGHT_WEEKS)
    sentence = tolerance.summary(rows)
    assert sentence.startswith("Run was followed by a morning ") and sentence.endswith(tolerance.CAVEAT)
    assert plain(sentence) in [block.value for block in at.markdown], "shown as plain text"
    titles = chart_titles(at)
    assert any(title.startswith("Next morning with and without each load") for title in titles)
    dose = next(title for title in titles if title.startswith("Dose against response"))
    fit = tolerance.fitted_line(open_database(app_db), Viewer("admin", "admin"), "P010", *EIGHT_WEEKS)
    assert fit is not None and f"{fit.per_100_reps:+.2f} points per 100 reps" in dose
    assert any(f"{fit.per_100_reps:+.2f} per 100 reps" in caption.value for caption in at.caption)
    assert any("not proof of cause" in caption.value for caption in at.caption)


def test_given_p016_and_p006_expect_well_tolerated_and_not_enough_data(app_db: Path) -> None:  # noqa: F811
    at = open_page("patient", patient="P016", week=WEEK)
    verdicts = frame_with(at, "verdict").value.set_index("name")["verdict"]
    assert verdicts["Isometric bridge hold"] == "Well tolerated"
    assert any(block.value.startswith("Isometric bridge hold was followed by mornings no worse") for block in
               at.markdown)

    at = open_page("patient", patient="P006", week=WEEK)
    assert set(frame_with(at, "verdict").value["verdict"]) == {"Not enough data"}
    assert any(block.value.startswith("Too few loading days") for block in at.markdown)
    assert not any(title.startswith("Dose against response") and "per 100 reps" in title
                   for title in chart_titles(at)), "no fitted line under 8 points"
    assert any(caption.value.startswith("No fitted line") for caption in at.caption)


def test_given_the_review_expect_only_a_red_patient_with_a_likely_aggravating_kind_to_name_it(
    app_db: Path,  # noqa: F811
) -> None:
    rows = table(at := open_page("review", week=WEEK), "triage").value.set_index("patient_id")
    assert rows.loc["P010", "alerts"] == "flare, pain above ceiling, rising soreness; after: run"
    assert "after:" not in rows.loc["P002", "alerts"] and "after:" not in rows.loc["P018", "alerts"]
    assert not rows.loc[rows["risk"] != "Red", "alerts"].str.contains("after:").any()
    assert not at.exception

    # Sam Patel sees P010, his patient, with the same words.
    sam = table(open_page("review", user=SAM, week=WEEK), "triage").value.set_index("patient_id")
    assert sam.loc["P010", "alerts"].endswith("; after: run")


def test_given_loads_and_flares_expect_the_clinic_view_over_the_range_for_the_viewer(app_db: Path) -> None:  # noqa: F811
    at = open_page("loads")
    today = dt.date.today()
    assert at.date_input(key="loads_to").value == today
    assert at.date_input(key="loads_from").value == today - dt.timedelta(days=55), "8 weeks to today"
    at.date_input(key="loads_from").set_value(EIGHT_WEEKS[0]).run()
    at.date_input(key="loads_to").set_value(EIGHT_WEEKS[1]).run()
    everyone = frame_with(at, "patients_aggravated").value
    first = everyone.iloc[0]
    assert (first["name"], first["kind"], first["patients_aggravated"]) == ("run", "activity", 1)
    expected = tolerance.clinic_tolerance(open_database(app_db), Viewer("admin", "admin"), *EIGHT_WEEKS)
    assert_frame_equal(by_kind(everyone), by_kind(expected), check_dtype=False)
    headline = plain("Most often followed by worse mornings: run (activity), likely aggravating for 1 of the")
    assert any(block.value.startswith(headline) for block in at.markdown)

    sam = open_page("loads", user=SAM)
    sam.date_input(key="loads_from").set_value(EIGHT_WEEKS[0]).run()
    sam.date_input(key="loads_to").set_value(EIGHT_WEEKS[1]).run()
    mine = frame_with(sam, "patients_aggravated").value
    sams = Viewer(SAM, "clinician", "Sam Patel")
    scoped = tolerance.clinic_tolerance(open_database(app_db), sams, *EIGHT_WEEKS)
    assert_frame_equal(by_kind(mine), by_kind(scoped), check_dtype=False)
    assert mine["patients"].sum() < everyone["patients"].sum()

    linked = open_page("loads", user=SAM, **{"from": "2026-09-28", "to": "2026-11-22"})
    assert (linked.date_input(key="loads_from").value, linked.date_input(key="loads_to").value) == EIGHT_WEEKS
    linked_rows = frame_with(linked, "patients_aggravated").value
    assert_frame_equal(by_kind(linked_rows), by_kind(scoped), check_dtype=False)

    sam.date_input(key="loads_from").set_value(SUNDAY).run()
    sam.date_input(key="loads_to").set_value(SUNDAY - dt.timedelta(days=1)).run()
    assert any("before it starts" in warning.value for warning in sam.warning)
