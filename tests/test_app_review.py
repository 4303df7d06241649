"""The Weekly review triage table under AppTest: plain data the browser draws fast, risk in colour, and the
columns, filters, figures and downloads a clinician can read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_app_pages import SAM, WEEK, app_db, open_page, sample_template, table  # noqa: F401 - fixtures

from dashboard import exports, triage
from dashboard.charts import RISK_COLOURS
from dashboard.vocabulary import RISK_LABELS

# Risk, name and alerts first (the columns a phone shows); the id last.
SHOWN = [
    "risk", "patient", "alerts", "clinician", "progress", "stage", "adherence_pct", "reps_of_target_pct",
    "total_reps", "morning_pain", "reference", "last_28_mornings", "flare_days", "patient_id",
]
CLINICIAN_SHOWN = [column for column in SHOWN if column != "clinician"]


def test_triage_table_is_sent_without_a_styler_and_with_only_the_shown_columns(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)  # as the admin, who sees every clinician's patients
    triage = table(at, "triage")
    # A Styler sends per-cell styles and display values for every row; the browser took seconds to draw them.
    assert not triage.proto.arrow_data.HasField("styler")
    assert list(triage.value.columns) == SHOWN
    assert list(triage.proto.column_order) == SHOWN


def test_risk_is_a_coloured_label_in_the_shared_risk_colours(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    triage = table(at, "triage")
    config = json.loads(triage.proto.columns)["risk"]["type_config"]
    assert config["type"] == "multiselect"
    colours = {option["value"]: option["color"] for option in config["options"]}
    assert colours == {RISK_LABELS[risk]: colour for risk, colour in RISK_COLOURS.items()}
    assert set(triage.value["risk"]) <= set(colours)
    # The caption explains the colours in words and puts the patients needing attention first.
    caption = next(c.value for c in at.caption if c.value.startswith("Worst first"))
    assert "red (needs review this week)" in caption and "amber (watch)" in caption


def test_sparklines_hold_logged_scores_only(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    lines = table(at, "triage").value["last_28_mornings"]
    assert any(len(line) for line in lines)
    for line in lines:
        # Missing days are left out, never drawn as zero; 28 days at most.
        assert len(line) <= 28
        assert all(value is not None and 0 <= value <= 10 for value in line)


def test_compact_lines_keep_each_score_to_its_one_decimal_in_half_the_bytes() -> None:
    import pandas as pd

    from dashboard.triage import compact_lines

    lines = compact_lines(pd.Series([[1.0, 4.7, 0.0], []]))
    assert [line.dtype.itemsize for line in lines] == [4, 4]
    assert [round(float(value), 1) for value in lines[0]] == [1.0, 4.7, 0.0]
    assert len(lines[1]) == 0


# --- volume above target -----------------------------------------------------------------------------------


def test_of_target_counts_a_programmes_rest_days_at_zero(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    rows = table(at, "triage").value.set_index("patient_id")
    # P017 does heavy slow resistance on Monday, Wednesday and Friday, every session: 234 of 234 reps, not
    # 234 of seven flat daily targets.
    assert rows.loc["P017", "total_reps"] == 234
    assert rows.loc["P017", "reps_of_target_pct"] == 100.0
    assert rows.loc["P017", "adherence_pct"] == 100.0
    # Without a programme the target is the daily one, seven times: P001's 582 reps of 7 x 90.
    assert rows.loc["P001", "reps_of_target_pct"] == pytest.approx(100 * 582 / 630, abs=0.05)


def test_reps_above_the_weeks_target_show_beside_the_capped_adherence(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    rows = table(at, "triage").value.set_index("patient_id")
    # P002 did 972 reps against 7 x 90 = 630: 154 %, while adherence stops at 100 %.
    assert rows.loc["P002", "total_reps"] == 972
    assert rows.loc["P002", "reps_of_target_pct"] == pytest.approx(154.3)
    assert rows.loc["P002", "adherence_pct"] <= 100
    assert (rows["reps_of_target_pct"] > 100).sum() >= 3, "over-dosing is visible, not hidden by the cap"
    config = json.loads(table(at, "triage").proto.columns)["reps_of_target_pct"]
    assert config["label"] == "Of target" and config["type_config"]["format"] == "%.0f%%"


def test_reps_of_target_is_uncapped_and_blank_without_a_target() -> None:
    assert triage.reps_of_target_pct(972, 630) == 154.3
    assert triage.reps_of_target_pct(0, 630) == 0.0
    assert triage.reps_of_target_pct(120, None) is None
    assert triage.reps_of_target_pct(120, 0) is None


# --- clinician column and filter ----------------------------------------------------------------------------


def test_an_admin_sees_a_clinician_column_and_filter(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    triage_table = table(at, "triage")
    assert list(triage_table.proto.column_order) == SHOWN
    assert set(triage_table.value["clinician"]) == {"Sam Patel", "Léa Moreau", "Tom Becker"}
    assert any(box.key == "review_clinician" for box in at.selectbox)


def test_a_clinician_sees_their_patients_without_a_clinician_column_or_filter(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", user=SAM, week=WEEK)
    triage_table = table(at, "triage")
    assert list(triage_table.proto.column_order) == CLINICIAN_SHOWN
    assert "clinician" not in triage_table.value.columns
    assert not any(box.label == "Clinician" for box in at.selectbox)


# --- search ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [("zoe", {"P001", "P013"}), ("ZOË", {"P001", "P013"}), ("sorensen", {"P006", "P013"}),
     ("nunez", {"P004", "P021"}), ("jose mensah", {"P002"}),
     ("p01", {f"P01{i}" for i in range(10)} - {"P015"})],
)
def test_search_ignores_accents_and_case(app_db: Path, typed: str, found: set[str]) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    at.text_input(key="review_search").input(typed).run()
    assert set(table(at, "triage").value["patient_id"]) == found


def test_folded_text_drops_case_and_accents_only() -> None:
    assert triage.folded("Zoë Sørensen") == "zoe sorensen"
    assert triage.folded("Óscar Núñez-Łukasz") == "oscar nunez-lukasz"
    assert triage.folded("P002") == "p002"


# --- what the headline figures count ------------------------------------------------------------------------


def test_the_headline_figures_say_they_count_the_whole_caseload_or_the_search_result(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    everyone = len(table(at, "triage").value)
    captions = [caption.value for caption in at.caption]
    assert f"Figures count the whole caseload: {everyone} patients in the programme this week." in captions
    assert at.metric[0].label == "Active patients"

    at.text_input(key="review_search").input("zoe").run()
    captions = [caption.value for caption in at.caption]
    narrowed = f"Figures count the 2 patients matching the filters, not the whole caseload of {everyone}."
    assert narrowed in captions
    assert at.metric[0].label == "Patients shown" and at.metric[0].value == "2"


def test_figures_scope_words() -> None:
    assert triage.figures_scope(1, 22, True) == (
        "Figures count the 1 patient matching the filters, not the whole caseload of 22."
    )


# --- long names ---------------------------------------------------------------------------------------------


def test_long_names_and_alerts_wrap_in_rows_tall_enough_to_show_them(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    triage_table = table(at, "triage")
    # The grid wraps text only in rows taller than 4rem (64 px); three lines need about 66.
    assert triage_table.proto.row_height > 64
    columns = json.loads(triage_table.proto.columns)
    assert columns["patient"]["type_config"]["type"] == "text"
    assert triage_table.proto.placeholder == "", "a missing value is a blank, not 'None'"


# --- download names ----------------------------------------------------------------------------------------


def test_downloads_are_named_for_whose_patients_the_week_and_the_format() -> None:
    assert exports.clinic_export_name(WEEK, "Léa Moreau", "pdf") == "clinic-report_lea-moreau_2026-W47.pdf"
    # A clinician's unfiltered export holds their own patients, and says so.
    own = exports.clinic_export_name(WEEK, None, "xlsx", "Sam Patel")
    assert own == "clinic-report_sam-patel_2026-W47.xlsx"
    assert exports.clinic_export_name(WEEK, None, "csv") == "clinic-report_all-clinicians_2026-W47.csv"
    with pytest.raises(ValueError, match="unknown export format 'doc'"):
        exports.clinic_export_name(WEEK, None, "doc")


def test_triage_table_without_targets_leaves_the_column_blank() -> None:
    review = pd.DataFrame({
        "patient_id": ["P1"], "name": ["A"], "clinician": ["C"], "risk": ["green"], "adherence_pct": [100.0],
        "total_reps": [10], "mean_morning_pain": [None], "prev_mean_morning_pain": [None], "flare_days": [0],
        "alerts": [[]],
    })
    assert triage.triage_table(review, {})["reps_of_target_pct"].isna().all()


# --- stage and ready to progress ----------------------------------------------------------------------------


def test_the_stage_column_and_the_ready_to_progress_marker(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    rows = table(at, "triage").value.set_index("patient_id")
    assert rows.loc["P008", "stage"] == "Isometric, 83 days"
    assert rows.loc["P008", "progress"] == "ready → isotonic"
    assert rows.loc["P017", "progress"] == "ready → energy storage"
    # P009 is on a programme but 9 days into the isotonic stage; P024 was kept back by a flare.
    assert (rows.loc["P009", "stage"], rows.loc["P009", "progress"]) == ("Isotonic, 9 days", "not yet")
    assert rows.loc["P024", "progress"] == "not yet"
    # Without a programme the stage is the logged one, said so, and readiness is not judged.
    assert rows.loc["P001", "stage"] == "Energy storage (from logs), 12 days"
    assert rows.loc["P001", "progress"] == ""
    columns = json.loads(table(at, "triage").proto.columns)
    assert columns["stage"]["label"] == "Stage" and columns["progress"]["label"] == "Progress"


def test_the_headline_counts_the_patients_ready_to_progress_and_says_it_is_a_prompt(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    figures = {metric.label: metric for metric in at.metric}
    assert figures["Ready to progress"].value == "2"
    assert "never an instruction to the patient" in figures["Ready to progress"].help
    prompt = next(c.value for c in at.caption if c.value.startswith("“Ready → …”"))
    assert "Goom et al. 2016" in prompt and "a prompt for your judgement" in prompt


def test_the_ready_filter_lists_the_patients_ready_to_progress_kept_in_the_address(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
    at.toggle(key="review_ready").set_value(True).run()
    assert set(table(at, "triage").value["patient_id"]) == {"P008", "P017"}
    assert at.query_params["ready"] in ("1", ["1"])
    assert at.metric[0].label == "Patients shown" and at.metric[0].value == "2"
    # A link with ?ready=1 opens the list filtered.
    linked = open_page("review", week=WEEK, ready="1")
    assert set(table(linked, "triage").value["patient_id"]) == {"P008", "P017"}
    assert linked.toggle(key="review_ready").value is True


def test_stage_and_progress_words() -> None:
    assert triage.stage_words("heavy_slow", "programme", 1) == "Heavy slow resistance, 1 day"
    assert triage.stage_words("isotonic", "logs", 3) == "Isotonic (from logs), 3 days"
    assert triage.stage_words(None, None, None) == ""
    assert triage.progress_words(True, "energy_storage") == "ready → energy storage"
    assert triage.progress_words(False, None) == "not yet"
    assert triage.progress_words(None, None) == ""
    assert triage.progress_words(pd.NA, None) == ""
