"""Given patient days, expect charts that gap missing days, mark flares and streaks, and carry tooltips."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import vl_convert as vlc

from dashboard import charts

END = dt.date(2026, 11, 22)


def patient_days(n: int = 21) -> pd.DataFrame:
    """Return a small patient_days-shaped frame with a gap, a flare and a rising streak."""
    rows = []
    for i in range(n):
        day = END - dt.timedelta(days=n - 1 - i)
        missing = i in (5, 6)
        morning = [2, 3, 6, 7][i - (n - 4)] if i >= n - 4 else 3.0
        rows.append({
            "date": day, "morning_pain": None if missing else float(morning),
            "evening_pain": None if missing else 3.5, "daily_reps": 0 if missing else 80 + i,
            "target": 90, "pain_ceiling": 5.0, "flare_threshold": 2.0,
            "stage": "isometric" if i < 10 else "isotonic", "loading_day": not missing,
            "response": 3.0 if i == n - 2 else (0.0 if i > 1 else None),
            "response_status": "flare" if i == n - 2 else ("settled" if i > 1 else None),
            "settled_36h": i != n - 2, "in_rising_streak": i >= n - 4, "acute_chronic_ratio": 1.0,
        })
    return pd.DataFrame(rows)


def activities() -> pd.DataFrame:
    """Return a few activities."""
    return pd.DataFrame([
        {"date": END - dt.timedelta(days=k), "activity": "run", "duration_min": 30.0, "rpe": 5,
         "pain_during": 2}
        for k in (1, 4, 30)
    ])


def _specs(chart) -> list[dict]:
    """Return every unit spec (mark plus encoding) inside a chart dict."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "mark" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(chart.to_dict())
    return found


def _datasets(chart) -> list[list[dict]]:
    """Return the inline datasets of a chart."""
    return list(chart.to_dict().get("datasets", {}).values())


ALL = [
    lambda: charts.pain_chart(patient_days()),
    lambda: charts.reps_chart(patient_days()),
    lambda: charts.response_chart(patient_days()),
    lambda: charts.stage_timeline(patient_days()),
    lambda: charts.activities_chart(activities(), END - dt.timedelta(days=20), END),
    lambda: charts.patient_charts(patient_days(), activities()),
    *[lambda index=index: charts.patient_panels(patient_days(), activities())[index] for index in range(5)],
    lambda: charts.weekly_adherence_chart(
        pd.DataFrame({"week": ["2026-W46", "2026-W47"], "adherence_pct": [50, 90]})
    ),
]


@pytest.mark.parametrize("build", ALL)
def test_every_chart_has_tooltips_theme_and_renders_offline(build):
    chart = build()
    spec = chart.to_dict()
    assert spec["config"]["font"] == charts.FONT
    marks = [s for s in _specs(chart) if s.get("encoding", {}).get("x") or s.get("encoding", {}).get("y")]
    data_marks = [s for s in marks if "tooltip" in s.get("encoding", {}) or s["mark"] in ("rule",)
                  or (isinstance(s["mark"], dict) and s["mark"]["type"] == "rule")]
    assert len(data_marks) == len(marks)
    png = vlc.vegalite_to_png(spec, scale=1)
    assert png.startswith(b"\x89PNG")


def test_given_missing_days_expect_pain_line_breaks_not_zero():
    chart = charts.pain_chart(patient_days())
    values = [row for data in _datasets(chart) for row in data if "pain" in row and "segment" in row]
    assert all(row["pain"] is not None for row in values)
    assert not any(row["pain"] == 0 for row in values)
    morning_segments = {row["segment"] for row in values if row["when"] == "morning"}
    assert len(morning_segments) == 2  # the two missing days split the line in two


def test_given_flare_and_rising_streak_expect_marker_and_shading():
    chart = charts.pain_chart(patient_days())
    rows = [row for data in _datasets(chart) for row in data]
    assert [row for row in rows if row.get("label") == "flare"]
    streaks = [row for row in rows if row.get("label") == "rising morning pain"]
    assert len(streaks) == 1


def test_given_patient_charts_expect_one_shared_x_axis():
    spec = charts.patient_charts(patient_days(), activities()).to_dict()
    assert spec["resolve"]["scale"]["x"] == "shared"
    stacked = charts.patient_charts(patient_days(), activities())
    units = [s for s in _specs(stacked) if "x" in s.get("encoding", {})]
    shown = [s for s in units if s["encoding"]["x"].get("axis", {}).get("labels", True) is not False]
    assert len(shown) == 1  # only the bottom panel labels the dates
    assert json.dumps(spec)  # serialisable for the app


def test_given_no_days_expect_empty_charts_still_build():
    empty = patient_days().iloc[0:0]
    for chart in (charts.pain_chart(empty), charts.reps_chart(empty), charts.response_chart(empty),
                  charts.stage_timeline(empty), charts.patient_charts(empty), *charts.patient_panels(empty)):
        assert vlc.vegalite_to_png(chart.to_dict(), scale=1).startswith(b"\x89PNG")


def test_charts_never_import_streamlit():
    source = open(charts.__file__, encoding="utf-8").read()
    assert "streamlit" not in source


def _inlined(spec: dict) -> dict:
    """Return a spec with every named dataset replaced by its values, so names do not matter."""
    datasets = spec.pop("datasets", {})

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in datasets:
                return {"values": datasets[node["name"]]}
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(spec)


@pytest.mark.parametrize("days", [patient_days(), patient_days(28), patient_days().iloc[0:0]])
def test_given_days_expect_fast_pair_spec_same_as_altair_chart(days):
    slow = _inlined(charts.pain_and_reps_chart(days).to_dict(validate=False))
    fast = _inlined(charts.pain_and_reps_spec(days))
    assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)


def test_given_fast_pair_spec_twice_expect_independent_copies():
    first = charts.pain_and_reps_spec(patient_days())
    first["config"]["background"] = "white"
    first["vconcat"][0]["layer"][0]["encoding"].pop("tooltip")
    second = charts.pain_and_reps_spec(patient_days())
    assert "background" not in second["config"]
    assert "tooltip" in second["vconcat"][0]["layer"][0]["encoding"]


def _legends_and_titles(spec: dict) -> tuple[list, list]:
    """Return the colour encodings that would draw a legend, and the titles, of the pair's two panels."""
    legends, titles = [], []
    for panel in spec["vconcat"]:
        if "title" in panel:
            titles.append(panel["title"])
        for layer in panel["layer"]:
            colour = layer.get("encoding", {}).get("color")
            if colour and "field" in colour and colour.get("legend", {}) is not None:
                legends.append(colour["field"])
    return legends, titles


@pytest.mark.parametrize("days", [patient_days(), patient_days(28), patient_days().iloc[0:0]])
def test_given_days_expect_fast_print_spec_same_as_altair_print_chart(days):
    slow = _inlined(charts.pain_and_reps_print_chart(days).to_dict(validate=False))
    fast = _inlined(charts.pain_and_reps_print_spec(days))
    assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)


def test_given_print_pair_expect_no_legend_no_title_same_marks_and_app_pair_unchanged():
    app = charts.pain_and_reps_spec(patient_days())
    paper = charts.pain_and_reps_print_spec(patient_days())
    assert _legends_and_titles(app) == (["when", "when", "stage"], [charts.PAIN_TITLE, charts.REPS_TITLE])
    assert _legends_and_titles(paper) == ([], [])
    assert app["spacing"] == 10 and "bounds" not in app
    assert paper["spacing"] == charts.PRINT_SPACING and paper["bounds"] == "flush"
    marks = [[layer["mark"] for layer in panel["layer"]] for panel in app["vconcat"]]
    assert marks == [[layer["mark"] for layer in panel["layer"]] for panel in paper["vconcat"]]
    assert paper["datasets"] == app["datasets"] and paper["config"] == app["config"]
    assert vlc.vegalite_to_png(paper, scale=1).startswith(b"\x89PNG")


def test_given_print_key_expect_every_mark_explained_and_it_renders():
    spec = charts.print_key().to_dict()
    labels = {row["text"] for data in spec["datasets"].values() for row in data if "text" in row}
    explained = {"morning", "evening", "pain ceiling", "flare", "rising morning pain streak", "daily target"}
    assert explained <= labels
    assert set(charts.STAGE_WORDS.values()) <= labels  # stages in words, not ids
    colours = {row["colour"] for data in spec["datasets"].values() for row in data}
    assert set(charts.STAGE_COLOURS.values()) | set(charts.PAIN_COLOURS.values()) <= colours
    assert {charts.CEILING_COLOUR, charts.TARGET_COLOUR, charts.STREAK_COLOUR} <= colours
    assert vlc.vegalite_to_png(spec, scale=1).startswith(b"\x89PNG")


# --- charts a clinician can read ----------------------------------------------------------------------------


def _axis_labels(chart) -> list[str]:
    """Return the text of every axis label the chart draws (rendered to SVG offline)."""
    import re

    svg = vlc.vegalite_to_svg(chart.to_dict())
    return [text for group in re.findall(r'class="[^"]*role-axis-label[^"]*"(.*?)</g>', svg, re.S)
            for text in re.findall(r"<text[^>]*>([^<]*)</text>", group)]


def busy_days() -> pd.DataFrame:
    """Return patient days with hundreds of reps and a big flare, whose axes reach tens and hundreds."""
    frame = patient_days()
    frame["daily_reps"] = [1200 + 10 * i for i in range(len(frame))]
    return frame


@pytest.mark.parametrize("build", [
    lambda: charts.activities_chart(activities(), END - dt.timedelta(days=20), END),
    lambda: charts.reps_chart(busy_days()),
    lambda: charts.response_chart(busy_days()),
    lambda: charts.pain_chart(busy_days()),
    lambda: charts.weekly_adherence_chart(pd.DataFrame({"week": ["2026-W47"], "adherence_pct": [90]})),
    *[lambda index=index: charts.patient_panels(busy_days(), activities())[index] for index in range(5)],
])
def test_given_any_chart_expect_axis_numbers_written_as_numbers(build):
    numbers = [label for label in _axis_labels(build()) if any(char.isdigit() for char in label)]
    assert numbers, "the chart has numbered axes"
    # 20 and 40 minutes read "20" and "40", never "2e+1"; 1,500 reps never "1.5e+3".
    assert not [label for label in numbers if "e+" in label or "e-" in label], numbers


def test_given_a_flare_expect_the_response_chart_to_draw_the_threshold_and_the_reference_level():
    days = patient_days().assign(reference_pain=4.0)
    data = charts._response_data(days)
    # The dashed flare threshold: a rise of 2 on every day.
    assert set(data["threshold"]["flare_threshold"]) == {2.0}
    # Where the morning before was below the reference level (say 3 < 4), a flare needs more than the
    # threshold: reaching reference + threshold (4 + 2 = 6) from 3 is a rise of 3, drawn as a tick.
    bars = data["bars"]
    ticked = bars[bars["reference_tick"].notna()]
    assert len(ticked) and (ticked["morning_before"] < 4).all()
    assert (ticked["reference_tick"] == 4 + 2 - ticked["morning_before"]).all()
    assert (bars.loc[bars["reference_tick"].isna(), "morning_before"].dropna() >= 4).all()
    spec = charts.response_chart(days).to_dict()
    marks = [unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]
             for unit in _specs_of(spec)]
    assert {"bar", "tick", "line", "rule"} <= set(marks)


def _specs_of(spec: dict) -> list[dict]:
    """Return the unit specs (with a mark) in a chart dict."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "mark" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


@pytest.mark.parametrize("response", [3.0, 7.5, -6.0, 0.0])
def test_given_any_response_expect_no_bar_to_reach_the_edge_of_the_chart(response):
    days = patient_days()
    days.loc[len(days) - 2, "response"] = response
    data = charts._response_data(days)
    low, high = data["y_domain"]
    bars, threshold = data["bars"], data["threshold"]
    drawn = pd.concat([bars["response"], bars["reference_tick"], threshold["flare_threshold"]])
    assert low < drawn.min() - 0.4 and high > drawn.max() + 0.4
    units = _specs_of(charts.response_chart(days).to_dict())
    y_scales = [unit["encoding"]["y"].get("scale") for unit in units]
    assert all(scale == {"domain": [low, high], "nice": False} for scale in y_scales if scale)


def test_given_stages_expect_legends_and_tooltips_in_words():
    chart = charts.reps_chart(patient_days().assign(stage="heavy_slow"))
    spec = json.dumps(chart.to_dict())
    assert "heavy slow resistance" in spec and "energy storage" in spec
    assert "heavy_slow" not in spec and "energy_storage" not in spec
    timeline = json.dumps(charts.stage_timeline(patient_days().assign(stage="energy_storage")).to_dict())
    assert "energy storage" in timeline and "energy_storage" not in timeline
    key = [row["text"] for data in _datasets(charts.print_key()) for row in data if "text" in row]
    assert "heavy slow resistance" in key and "heavy_slow" not in key


def _lab_under(hex_colour: str, matrix) -> tuple[float, float, float]:
    """Return a colour's CIELAB coordinates as a viewer with the simulated colour vision sees it."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    rgb = [linear(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5)]
    r, g, b = (min(1.0, max(0.0, sum(row[k] * rgb[k] for k in range(3)))) for row in matrix)
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
               0.0193 * r + 0.1192 * g + 0.9505 * b)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x / 0.95047), f(y), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


# Machado, Oliveira and Fernandes (2009), full severity, in linear RGB.
COLOUR_VISION = {
    "typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


@pytest.mark.parametrize("vision", list(COLOUR_VISION))
def test_given_any_colour_vision_expect_every_two_stage_colours_easily_told_apart(vision):
    import itertools
    import math

    matrix = COLOUR_VISION[vision]
    seen = {stage: _lab_under(colour, matrix) for stage, colour in charts.STAGE_COLOURS.items()}
    # A CIELAB distance of 15 or more is an obvious difference; the old blues were 7 to 12 apart.
    closest = min((math.dist(seen[a], seen[b]), a, b) for a, b in itertools.combinations(seen, 2))
    assert closest[0] >= 15, closest


def test_given_the_patient_page_expect_each_panel_as_wide_as_its_container_with_legends_below():
    for panel in charts.patient_panels(patient_days(), activities()):
        spec = panel.to_dict()
        assert spec["width"] == "container"
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
        assert spec["config"]["legend"]["orient"] == "bottom"
        # The same y-axis width on every panel lines their days up.
        assert spec["config"]["axisY"]["minExtent"] == spec["config"]["axisY"]["maxExtent"]
