"""The Weekly review triage table under AppTest: plain data the browser draws fast, risk in colour."""

from __future__ import annotations

import json
from pathlib import Path

from test_app_pages import WEEK, app_db, open_page, sample_template, table  # noqa: F401 - fixtures

from dashboard.charts import RISK_COLOURS
from dashboard.vocabulary import RISK_LABELS

SHOWN = [
    "risk", "patient", "patient_id", "adherence_pct", "total_reps", "morning_pain", "reference",
    "last_28_mornings", "flare_days", "alerts",
]


def test_triage_table_is_sent_without_a_styler_and_with_only_the_shown_columns(app_db: Path) -> None:  # noqa: F811
    at = open_page("review", week=WEEK)
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
