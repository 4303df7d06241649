"""Altair chart builders shared by the app and the PDF reports, so both show the same pictures."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math

import altair as alt
import pandas as pd

from dashboard.vocabulary import STAGE_LABELS

RISK_COLOURS = {"red": "#c0392b", "amber": "#b45309", "green": "#2e7d4f"}
STATUS_COLOURS = {"settled": "#2e7d4f", "elevated": "#b45309", "flare": "#c0392b"}
# Okabe and Ito's colour-blind-safe palette, one hue per stage (yellow left out: it vanishes on white), and
# a dark grey for other. Under simulated protanopia, deuteranopia and tritanopia every pair stays apart
# (tests/test_charts.py measures it); the old shades of one blue did not, even with full colour vision.
STAGE_COLOURS = {
    "isometric": "#56b4e9",
    "isotonic": "#0072b2",
    "heavy_slow": "#009e73",
    "eccentric": "#cc79a7",
    "energy_storage": "#e69f00",
    "plyometric": "#d55e00",
    "other": "#4d4d4d",
}
# Legends and tooltips name stages in words ("heavy slow resistance"), never by their ids.
STAGE_WORDS = {stage: STAGE_LABELS.get(stage, stage.replace("_", " ")).lower() for stage in STAGE_COLOURS}
PAIN_COLOURS = {"morning": "#2f5d8a", "evening": "#9fb8d3"}
STREAK_COLOUR = "#f6d7a7"
CEILING_COLOUR = "#b04a3a"
REFERENCE_COLOUR = "#3b6e8f"
TARGET_COLOUR = "#333333"
THRESHOLD_COLOUR = STATUS_COLOURS["flare"]
FONT = "DejaVu Sans"
WIDTH = 640
# Axis numbers as plain decimals (20, 2.5, 1500): "~g" printed 20 as "2e+1".
NUMBER_FORMAT = "~r"
# On screen every panel is its own chart as wide as its container; a fixed y-axis extent lines up their
# plots on the shared dates.
Y_AXIS_EXTENT = 36
# Fit the width only: fitting both squeezed each plot into its own height less the title and legend.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
PAIN_TITLE = (
    "Morning and evening pain (dashed: pain ceiling; dotted: reference level; ▲ flare; shaded: rising streak)"
)
REPS_TITLE = "Reps per day by stage (dashed: daily target)"
PAIN_HEIGHT = 190
# Print pair: no titles or legends (the PDF writes the titles and shows one key). The panels are laid out
# by their views alone ("flush"), so the reps view always starts PRINT_SPACING below the pain view: the
# same 228 px from the pain view's top as on screen, with the reps title now written by the PDF in the gap.
PRINT_SPACING = 38

_DAY = pd.Timedelta(days=1)


def _theme(chart: alt.TopLevelMixin, legend_orient: str = "right", **extra) -> alt.TopLevelMixin:
    """Apply the calm shared look: one font, light grid, no chart border (one configure call, one copy)."""
    return chart.configure(
        **extra,
        font=FONT,
        view={"stroke": None},
        axis={
            "labelColor": "#444444", "titleColor": "#444444", "gridColor": "#ececec",
            "domainColor": "#bbbbbb", "tickColor": "#bbbbbb", "labelFontSize": 11, "titleFontSize": 11,
            "titleFontWeight": "normal",
        },
        legend={
            "labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "orient": legend_orient,
            # Below a chart, two to a row: seven stages in one row ran off a phone.
            **({"columns": 2} if legend_orient == "bottom" else {}),
        },
        title={"fontSize": 13, "fontWeight": "normal", "anchor": "start", "color": "#222222"},
    )


def _dates(frame: pd.DataFrame, column: str = "date") -> pd.Series:
    """Return a column as naive midnight timestamps."""
    return pd.to_datetime(frame[column]).dt.tz_localize(None).dt.normalize()


def _day_range(days: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day a patient frame covers."""
    dates = _dates(days)
    if dates.empty:
        today = pd.Timestamp(dt.date.today())
        return today, today
    return dates.min(), dates.max()


def _x_options(show: bool = True, domain: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> dict:
    """Return the shared day axis settings: same domain on every panel, labels only where shown."""
    scale = alt.Scale(domain=[d.isoformat() for d in domain]) if domain else alt.Undefined
    if show:
        axis = alt.Axis(format="%d %b", labelAngle=0, tickCount="week")
        return {"title": "Date", "axis": axis, "scale": scale}
    axis = alt.Axis(labels=False, ticks=False, title=None, domain=False)
    return {"title": None, "axis": axis, "scale": scale}


def _x(show: bool = True, domain=None, field: str = "date:T") -> alt.X:
    """Return the day x channel for a field."""
    return alt.X(field, **_x_options(show, domain))


def _full_days(days: pd.DataFrame) -> pd.DataFrame:
    """Return one row per calendar day, missing days as empty rows, so lines break rather than drop to 0."""
    frame = days.copy()
    if frame.empty:
        return frame
    frame["date"] = _dates(frame)
    first, last = frame["date"].min(), frame["date"].max()
    frame = frame.drop_duplicates("date").set_index("date")
    frame = frame.reindex(pd.date_range(first, last, freq="D"))
    frame.index.name = "date"
    return frame.reset_index()


def _runs(dates: pd.Series, flags: pd.Series) -> pd.DataFrame:
    """Return start and end (exclusive) of each run of consecutive days where flags holds."""
    spans: list[dict] = []
    start = previous = None
    for day, flag in zip(dates, flags, strict=True):
        if flag and start is not None and day - previous == _DAY:
            previous = day
            continue
        if start is not None:
            spans.append({"start": start, "end": previous + _DAY})
            start = None
        if flag:
            start = previous = day
    if start is not None:
        spans.append({"start": start, "end": previous + _DAY})
    return pd.DataFrame(spans, columns=["start", "end"])


def _step_through_last_day(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return rows for a step line, repeating the last value so the line covers the last day too."""
    steps = frame[["date", "day", column]].dropna()
    if steps.empty:
        return steps
    last = steps.iloc[[-1]].copy()
    last["date"] = last["date"] + _DAY
    return pd.concat([steps, last], ignore_index=True)


def _fmt_day(series: pd.Series) -> pd.Series:
    """Return dates as short text for tooltips."""
    return series.dt.strftime("%a %d %b %Y")


def _pain_data(days: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the frames the pain chart draws: rising streaks, ceiling steps, pain points and flares."""
    frame = _full_days(days)
    for column in ("morning_pain", "evening_pain", "pain_ceiling", "reference_pain", "response"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["day"] = _fmt_day(frame["date"]) if not frame.empty else pd.Series(dtype=str)

    long_rows = []
    for when in ("morning", "evening"):
        values = frame[f"{when}_pain"] if f"{when}_pain" in frame else pd.Series(dtype=float)
        present = values.notna()
        # A new segment starts after every missing day, so each line stops at a gap instead of bridging it.
        segment = (~present).cumsum()
        part = pd.DataFrame(
            {"date": frame["date"], "day": frame["day"], "pain": values, "when": when,
             "segment": [f"{when}-{s}" for s in segment]}
        )
        long_rows.append(part[present])
    pain = pd.concat(long_rows, ignore_index=True) if long_rows else pd.DataFrame()
    # Points sit at midday so they line up with the centre of each day's bar in the panels below.
    pain["mid"] = pain["date"] + _DAY / 2 if not pain.empty else pain.get("date")

    streak_flags = frame["in_rising_streak"].fillna(False).astype(bool) if "in_rising_streak" in frame else \
        pd.Series(False, index=frame.index)
    streaks = _runs(frame["date"], streak_flags)
    streaks["from"] = _fmt_day(streaks["start"]) if not streaks.empty else ""
    streaks["to"] = _fmt_day(streaks["end"] - _DAY) if not streaks.empty else ""
    streaks["label"] = "rising morning pain"

    ceiling = _step_through_last_day(frame, "pain_ceiling") if "pain_ceiling" in frame else pd.DataFrame()
    reference = (
        _step_through_last_day(frame, "reference_pain") if "reference_pain" in frame
        else pd.DataFrame(columns=["date", "day", "reference_pain"])
    )

    status = frame["response_status"] if "response_status" in frame else pd.Series(index=frame.index)
    flares = frame[status.eq("flare").fillna(False).astype(bool)].copy()
    flares["marker_y"] = flares["morning_pain"].fillna(flares.get("pain_ceiling")).fillna(10.0)
    flares["label"] = "flare"
    flares["mid"] = flares["date"] + _DAY / 2
    flares = flares[["mid", "day", "marker_y", "response", "label"]]
    return {"streaks": streaks, "ceiling": ceiling, "reference": reference, "pain": pain, "flares": flares}


def _pain_marks(data: dict, show_x: bool, domain, for_print: bool = False) -> alt.LayerChart:
    """Return the pain chart's layers over the frames (or named datasets) of _pain_data.

    For print: no title and no legend (the PDF writes the title and draws one key per report).
    """
    pain, streaks, ceiling, flares = data["pain"], data["streaks"], data["ceiling"], data["flares"]
    reference = data["reference"]
    x = _x(show_x, domain, "mid:T")
    y = alt.Y(
        "pain:Q", title="Pain (0–10)", scale=alt.Scale(domain=[0, 10]), axis=alt.Axis(format=NUMBER_FORMAT)
    )
    colour = alt.Color(
        "when:N", title="Pain",
        scale=alt.Scale(domain=list(PAIN_COLOURS), range=list(PAIN_COLOURS.values())),
        legend=None if for_print else alt.Undefined,
    )
    tooltip = [alt.Tooltip("day:N", title="Day"), alt.Tooltip("when:N", title="When"),
               alt.Tooltip("pain:Q", title="Pain", format=".1f")]
    lines = alt.Chart(pain).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, detail="segment:N",
                                                            tooltip=tooltip)
    points = alt.Chart(pain).mark_point(filled=True, size=28).encode(x=x, y=y, color=colour, tooltip=tooltip)

    shade = alt.Chart(streaks).mark_rect(color=STREAK_COLOUR, opacity=0.6).encode(
        x=_x(show_x, domain, "start:T"), x2="end:T",
        tooltip=[alt.Tooltip("label:N", title="Shaded"), alt.Tooltip("from:N", title="From"),
                 alt.Tooltip("to:N", title="To")],
    )

    x = _x(show_x, domain)
    ceiling_line = alt.Chart(ceiling).mark_line(
        color=CEILING_COLOUR, strokeDash=[6, 4], strokeWidth=1.5, interpolate="step-after"
    ).encode(x=x, y="pain_ceiling:Q", tooltip=[alt.Tooltip("day:N", title="Day"),
                                               alt.Tooltip("pain_ceiling:Q", title="Pain ceiling")])

    # The level rises are judged against: the patient's usual morning or the acceptable level set for them.
    reference_line = alt.Chart(reference).mark_line(
        color=REFERENCE_COLOUR, strokeDash=[2, 3], strokeWidth=1.5, interpolate="step-after"
    ).encode(x=x, y="reference_pain:Q", tooltip=[alt.Tooltip("day:N", title="Day"),
                                                 alt.Tooltip("reference_pain:Q", title="Reference level",
                                                             format="~g")])

    flare_marks = alt.Chart(flares).mark_point(
        shape="triangle-up", size=140, filled=True, color=STATUS_COLOURS["flare"], stroke="white",
        strokeWidth=1,
    ).encode(
        x=_x(show_x, domain, "mid:T"), y=alt.Y("marker_y:Q", scale=alt.Scale(domain=[0, 10])),
        tooltip=[alt.Tooltip("label:N", title="24-hour response"), alt.Tooltip("day:N", title="Morning of"),
                 alt.Tooltip("response:Q", title="Rise in morning pain", format="+.1f")],
    )
    layers = alt.layer(shade, ceiling_line, reference_line, lines, points, flare_marks)
    if for_print:
        return layers.properties(width=WIDTH, height=PAIN_HEIGHT)
    return layers.properties(title=PAIN_TITLE, width=WIDTH, height=PAIN_HEIGHT)


def _pain_layers(days: pd.DataFrame, show_x: bool, domain) -> alt.LayerChart:
    """Return the pain chart without the theme."""
    return _pain_marks(_pain_data(days), show_x, domain)


def _stage_words(stages: pd.Series) -> pd.Series:
    """Return stage ids as the words legends and tooltips show; a day without one is 'other'."""
    return stages.fillna("other").map(lambda stage: STAGE_WORDS.get(stage, str(stage).replace("_", " ")))


def _stage_scale() -> alt.Scale:
    """Return the stage colour scale over the stages' words, in programme order."""
    words = [STAGE_WORDS[stage] for stage in STAGE_COLOURS]
    return alt.Scale(domain=words, range=list(STAGE_COLOURS.values()))


def _reps_data(days: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the frames the reps chart draws: days with reps, and the target steps."""
    frame = _full_days(days)
    frame["daily_reps"] = pd.to_numeric(frame.get("daily_reps"), errors="coerce").astype("float64")
    frame["target"] = pd.to_numeric(frame.get("target"), errors="coerce").astype("float64")
    frame["day"] = _fmt_day(frame["date"]) if not frame.empty else ""
    frame["stage"] = _stage_words(frame["stage"]) if "stage" in frame else STAGE_WORDS["other"]
    bars = frame[frame["daily_reps"].fillna(0) > 0]
    return {"bars": bars, "target": _step_through_last_day(frame, "target")}


def _reps_marks(data: dict, show_x: bool, domain, for_print: bool = False) -> alt.LayerChart:
    """Return the reps chart's layers over the frames (or named datasets) of _reps_data (print: as pain)."""
    x = _x(show=show_x, domain=domain)
    bars = alt.Chart(data["bars"]).mark_bar(opacity=0.9).encode(
        x=_x(show_x, domain, "yearmonthdate(date):T"),
        y=alt.Y("daily_reps:Q", title="Reps per day", axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color("stage:N", title="Stage", scale=_stage_scale(),
                        legend=None if for_print else alt.Undefined),
        tooltip=[alt.Tooltip("day:N", title="Day"), alt.Tooltip("daily_reps:Q", title="Reps"),
                 alt.Tooltip("target:Q", title="Target"), alt.Tooltip("stage:N", title="Stage")],
    )
    target = alt.Chart(data["target"]).mark_line(
        color=TARGET_COLOUR, strokeDash=[4, 3], strokeWidth=1.5, interpolate="step-after"
    ).encode(x=x, y="target:Q", tooltip=[alt.Tooltip("day:N", title="Day"),
                                         alt.Tooltip("target:Q", title="Daily target")])
    layers = alt.layer(bars, target)
    if for_print:
        return layers.properties(width=WIDTH, height=150)
    return layers.properties(title=REPS_TITLE, width=WIDTH, height=150)


def _reps_layers(days: pd.DataFrame, show_x: bool, domain) -> alt.LayerChart:
    """Return the reps chart without the theme."""
    return _reps_marks(_reps_data(days), show_x, domain)


RESPONSE_TITLE = "24-hour response: change in morning pain the morning after each loading day"
RESPONSE_KEY = "dashed: flare threshold; tick: the rise a flare needs above the reference level"


def _response_data(days: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the response chart's frames: the loading days' responses, the threshold steps, the y domain.

    Each response carries the rise that morning needed to be a flare (metric_painful): the flare threshold,
    or more when the morning before was below the reference level (the morning must reach reference plus
    threshold) or low in the safe zone (it must pass 2). Drawn as a tick where it is above the threshold.
    """
    frame = days.copy()
    frame["date"] = _dates(frame) if not frame.empty else pd.Series(dtype="datetime64[ns]")
    for column in ("response", "morning_pain", "flare_threshold", "reference_pain"):
        given = frame[column] if column in frame else pd.Series(index=frame.index, dtype="float64")
        frame[column] = pd.to_numeric(given, errors="coerce").astype("float64")
    frame["day"] = _fmt_day(frame["date"]) if not frame.empty else pd.Series(dtype=str)
    threshold = _step_through_last_day(frame, "flare_threshold")
    bars = frame[frame["response"].notna()].copy()
    bars["morning_before"] = bars["morning_pain"] - bars["response"]
    bars["flare_rise"] = pd.concat(
        [bars["flare_threshold"], bars["reference_pain"] + bars["flare_threshold"] - bars["morning_before"],
         2 - bars["morning_before"]], axis=1,
    ).max(axis=1)
    bars["reference_tick"] = bars["flare_rise"].where(bars["flare_rise"] > bars["flare_threshold"])
    if "response_status" in bars:
        bars["status"] = bars["response_status"].fillna("unknown")
    else:
        bars["status"] = "unknown"
    bars = bars[[
        "date", "day", "response", "status", "morning_before", "morning_pain", "reference_pain",
        "flare_threshold", "flare_rise", "reference_tick",
    ]]
    # Every bar, tick and threshold inside the scale with room to spare: a bar never meets the chart's edge.
    values = pd.concat([bars["response"], bars["reference_tick"], threshold["flare_threshold"]]).dropna()
    low = min(0.0, float(values.min()) if len(values) else 0.0)
    high = max(1.0, float(values.max()) if len(values) else 1.0)
    y_domain = [float(math.floor(low - 0.5)), float(math.ceil(high + 0.5))]
    return {"bars": bars, "threshold": threshold, "y_domain": y_domain}


def _response_layers(days: pd.DataFrame, show_x: bool, domain) -> alt.LayerChart:
    """Return the 24-hour response chart without the theme: bars, the flare threshold and reference ticks."""
    data = _response_data(days)
    bars_frame = data["bars"]
    y_scale = alt.Scale(domain=data["y_domain"], nice=False)
    tooltip = [
        alt.Tooltip("day:N", title="Morning of"),
        alt.Tooltip("response:Q", title="Change", format="+.1f"),
        alt.Tooltip("status:N", title="Response"),
        alt.Tooltip("morning_before:Q", title="Morning before", format=".1f"),
        alt.Tooltip("morning_pain:Q", title="This morning", format=".1f"),
        alt.Tooltip("reference_pain:Q", title="Reference level", format=".1f"),
        alt.Tooltip("flare_rise:Q", title="Rise a flare needed", format=".1f"),
    ]
    bars = alt.Chart(bars_frame).mark_bar().encode(
        x=_x(show_x, domain, "yearmonthdate(date):T"),
        # NUMBER_FORMAT: 0, 0.5, 2; Vega's default printed 0.000000 when every response was 0.
        y=alt.Y("response:Q", title="Change in morning pain", scale=y_scale,
                axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color("status:N", title="24-hour response",
                        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))),
        tooltip=tooltip,
    )
    # Where the reference level asks for more than the threshold: a bar must reach its tick to be a flare.
    reference_ticks = alt.Chart(bars_frame).transform_filter("isValid(datum.reference_tick)").mark_tick(
        color=REFERENCE_COLOUR, thickness=2
    ).encode(
        x=_x(show_x, domain, "yearmonthdate(date):T"), y=alt.Y("reference_tick:Q", scale=y_scale),
        tooltip=tooltip,
    )
    threshold = alt.Chart(data["threshold"]).mark_line(
        color=THRESHOLD_COLOUR, strokeDash=[6, 4], strokeWidth=1.5, interpolate="step-after"
    ).encode(
        x=_x(show_x, domain), y=alt.Y("flare_threshold:Q", scale=y_scale),
        tooltip=[alt.Tooltip("day:N", title="Day"),
                 alt.Tooltip("flare_threshold:Q", title="Flare threshold (rise)", format="~r")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#999999")
    zero = zero.encode(y=alt.Y("y:Q", scale=y_scale))
    return alt.layer(zero, bars, reference_ticks, threshold).properties(
        title=alt.Title(RESPONSE_TITLE, subtitle=RESPONSE_KEY), width=WIDTH, height=120,
    )


STAGE_KEY = "upper band: prescribed stage · lower band: stage logged"


def _stage_runs(frame: pd.DataFrame, column: str, band: str) -> list[pd.DataFrame]:
    """Return the runs of consecutive days in each stage of one column, in words, on one band."""
    spans = []
    for stage in frame[column].dropna().unique():
        runs = _runs(frame["date"], frame[column].eq(stage).fillna(False).astype(bool))
        runs["stage"] = STAGE_WORDS.get(stage, str(stage).replace("_", " "))
        runs["band"] = band
        spans.append(runs)
    return spans


def _has_prescription(days: pd.DataFrame) -> bool:
    """Return whether any day of a patient frame has a prescribed stage."""
    return "prescribed_stage" in days and bool(days["prescribed_stage"].notna().any())


def _stage_layers(days: pd.DataFrame, show_x: bool, domain, legend: bool = True) -> alt.Chart:
    """Return the stage timeline without the theme: the logged stage, and above it the prescribed stage on
    the days a programme item is in effect."""
    frame = days.copy()
    spans = []
    prescribed = _has_prescription(frame)
    if not frame.empty and "stage" in frame:
        frame["date"] = _dates(frame)
        frame = frame.sort_values("date")
        if prescribed:
            spans += _stage_runs(frame, "prescribed_stage", "prescribed")
        spans += _stage_runs(frame, "stage", "logged")
    columns = ["start", "end", "stage", "band"]
    runs = pd.concat(spans, ignore_index=True) if spans else pd.DataFrame(columns=columns)
    runs["from"] = _fmt_day(pd.to_datetime(runs["start"])) if not runs.empty else ""
    runs["to"] = _fmt_day(pd.to_datetime(runs["end"]) - _DAY) if not runs.empty else ""
    bands = ["prescribed", "logged"] if prescribed else ["logged"]
    return alt.Chart(runs).mark_rect().encode(
        x=_x(show_x, domain, "start:T"), x2="end:T",
        # An axis without labels keeps the y-axis space the other panels have, so the dates line up; the
        # title's key says which band is which.
        y=alt.Y("band:N", sort=bands, scale=alt.Scale(domain=bands, paddingInner=0.3),
                axis=alt.Axis(title="Stage", labels=False, ticks=False, domain=False)),
        color=alt.Color("stage:N", title="Stage", scale=_stage_scale(),
                        legend=alt.Legend(orient="bottom", columns=4) if legend else None),
        tooltip=[alt.Tooltip("band:N", title="Stage"), alt.Tooltip("stage:N", title="In"),
                 alt.Tooltip("from:N", title="From"), alt.Tooltip("to:N", title="To")],
    ).properties(
        title=alt.Title("Loading stage", subtitle=STAGE_KEY) if prescribed else "Loading stage",
        width=WIDTH, height=48 if prescribed else 28,
    )


def _activity_layers(activities: pd.DataFrame, date_from, date_to, show_x: bool, domain) -> alt.Chart:
    """Return the activities chart without the theme."""
    frame = activities.copy() if activities is not None else pd.DataFrame()
    for column in ("date", "activity", "duration_min", "rpe", "pain_during"):
        if column not in frame:
            frame[column] = pd.Series(dtype="object")
    if not frame.empty:
        frame["date"] = _dates(frame)
        frame = frame[(frame["date"] >= pd.Timestamp(date_from)) & (frame["date"] <= pd.Timestamp(date_to))]
    for column in ("duration_min", "rpe", "pain_during"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["day"] = _fmt_day(pd.to_datetime(frame["date"])) if not frame.empty else ""
    if domain is None:
        domain = (pd.Timestamp(date_from), pd.Timestamp(date_to) + _DAY)
    columns = ["date", "day", "activity", "duration_min", "rpe", "pain_during"]
    return alt.Chart(frame[columns]).mark_bar().encode(
        x=_x(show_x, domain, "yearmonthdate(date):T"),
        y=alt.Y("sum(duration_min):Q", title="Minutes", axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color("activity:N", title="Activity", scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("day:N", title="Day"), alt.Tooltip("activity:N", title="Activity"),
                 alt.Tooltip("duration_min:Q", title="Minutes"), alt.Tooltip("rpe:Q", title="RPE"),
                 alt.Tooltip("pain_during:Q", title="Pain during")],
    ).properties(title="Other activities (minutes)", width=WIDTH, height=90)


def _domain(days: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the x domain covering every day of a patient frame, whole days."""
    first, last = _day_range(days)
    return first, last + _DAY


def pain_chart(days: pd.DataFrame) -> alt.LayerChart:
    """Return morning and evening pain with the ceiling, flares and rising streaks."""
    return _theme(_pain_layers(days, True, _domain(days)))


def reps_chart(days: pd.DataFrame) -> alt.LayerChart:
    """Return daily reps coloured by stage against the daily target."""
    return _theme(_reps_layers(days, True, _domain(days)))


def response_chart(days: pd.DataFrame) -> alt.LayerChart:
    """Return the 24-hour response after each loading day, coloured settled, elevated or flare."""
    return _theme(_response_layers(days, True, _domain(days)))


def stage_timeline(days: pd.DataFrame) -> alt.Chart:
    """Return the loading stage over time as coloured spans."""
    return _theme(_stage_layers(days, True, _domain(days)))


def activities_chart(activities: pd.DataFrame, date_from, date_to) -> alt.Chart:
    """Return minutes of other activity per day between two dates."""
    return _theme(_activity_layers(activities, date_from, date_to, True, None))


def patient_charts(days: pd.DataFrame, activities: pd.DataFrame | None = None) -> alt.VConcatChart:
    """Return pain, reps, response, stage and activities stacked on one shared date axis."""
    domain = _domain(days)
    first, last = domain[0], domain[1] - _DAY
    panels = [
        _pain_layers(days, False, domain),
        _reps_layers(days, False, domain),
        _response_layers(days, False, domain),
    ]
    if activities is not None:
        # The reps panel already explains the stage colours, so the timeline needs no second legend.
        panels.append(_stage_layers(days, False, domain, legend=False))
        panels.append(_activity_layers(activities, first, last, True, domain))
    else:
        panels.append(_stage_layers(days, True, domain, legend=False))
    combined = alt.vconcat(*panels, spacing=14).resolve_scale(x="shared", color="independent")
    return _theme(combined)


SCREEN_TITLES = {
    "pain": alt.Title(
        "Morning and evening pain",
        subtitle=["dashed: pain ceiling · dotted: reference level", "▲ flare · shaded: rising streak"],
    ),
    "reps": alt.Title("Reps per day by stage", subtitle="dashed: daily target"),
    "response": alt.Title(
        "24-hour response: change in morning pain",
        subtitle=["the morning after each loading day", "dashed: flare threshold",
                  "tick: the rise a flare needs above the reference level"],
    ),
    "stage": alt.Title("Loading stage"),
    "activities": alt.Title("Other activities (minutes)"),
}


def patient_panels(days: pd.DataFrame, activities: pd.DataFrame | None = None) -> list[alt.TopLevelMixin]:
    """Return the patient page's charts for the screen: pain, reps, response, stage and activities.

    Each is its own chart as wide as its container (a concatenated chart keeps a fixed width, which ran off a
    phone), on the same dates with the same y-axis width so the days line up; legends sit below, and the
    titles' keys are short lines that fit a phone.
    """
    domain = _domain(days)
    first, last = domain[0], domain[1] - _DAY
    panels = {
        "pain": _pain_layers(days, True, domain),
        "reps": _reps_layers(days, True, domain),
        "response": _response_layers(days, True, domain),
        "stage": _stage_layers(days, True, domain, legend=False),
    }
    if activities is not None:
        panels["activities"] = _activity_layers(activities, first, last, True, domain)
    extent = {"minExtent": Y_AXIS_EXTENT, "maxExtent": Y_AXIS_EXTENT}
    titles = dict(SCREEN_TITLES)
    if _has_prescription(days):
        titles["stage"] = alt.Title("Loading stage", subtitle=STAGE_KEY)
    return [
        _theme(chart.properties(title=titles[name], width="container", autosize=FIT_WIDTH), "bottom",
               axisY=extent)
        for name, chart in panels.items()
    ]


def _pain_and_reps(pain: dict, reps: dict, domain, for_print: bool = False) -> alt.VConcatChart:
    """Return the pain and reps pair over their frames (or named datasets), themed."""
    panels = (_pain_marks(pain, False, domain, for_print), _reps_marks(reps, True, domain, for_print))
    if for_print:
        combined = alt.vconcat(*panels, spacing=PRINT_SPACING, bounds="flush")
    else:
        combined = alt.vconcat(*panels, spacing=10)
    return _theme(combined.resolve_scale(x="shared", color="independent"))


def pain_and_reps_chart(days: pd.DataFrame) -> alt.VConcatChart:
    """Return the pain chart above the reps chart on one shared date axis (the clinic report's pair)."""
    return _pain_and_reps(_pain_data(days), _reps_data(days), _domain(days))


def pain_and_reps_print_chart(days: pd.DataFrame) -> alt.VConcatChart:
    """Return the pair for paper: the same marks without titles or legends (see PAIN_TITLE, print_key)."""
    return _pain_and_reps(_pain_data(days), _reps_data(days), _domain(days), for_print=True)


@functools.lru_cache(maxsize=16)
def _pain_and_reps_layout(domain: tuple[pd.Timestamp, pd.Timestamp], for_print: bool = False) -> str:
    """Return the pair's spec as JSON with named datasets, composed once per date domain (Altair is slow)."""
    pain = {
        key: alt.NamedData(name=f"pain_{key}")
        for key in ("streaks", "ceiling", "reference", "pain", "flares")
    }
    reps = {key: alt.NamedData(name=f"reps_{key}") for key in ("bars", "target")}
    return json.dumps(_pain_and_reps(pain, reps, domain, for_print).to_dict(validate=False))


def pain_and_reps_print_spec(days: pd.DataFrame) -> dict:
    """Return pain_and_reps_print_chart(days).to_dict() as fast as pain_and_reps_spec (the clinic PDF)."""
    return pain_and_reps_spec(days, for_print=True)


def pain_and_reps_spec(days: pd.DataFrame, for_print: bool = False) -> dict:
    """Return pain_and_reps_chart(days).to_dict() in a fraction of the time (many charts: the clinic PDF).

    The same marks over the same frames; only the datasets' names differ.
    """
    spec = json.loads(_pain_and_reps_layout(_domain(days), for_print))
    frames = {f"pain_{key}": frame for key, frame in _pain_data(days).items()}
    frames.update({f"reps_{key}": frame for key, frame in _reps_data(days).items()})
    to_values = alt.data_transformers.get()  # what Altair itself does to a chart's DataFrame
    spec["datasets"] = {name: to_values(frame)["values"] for name, frame in frames.items()}
    return spec


def weekly_adherence_chart(weeks: pd.DataFrame) -> alt.LayerChart:
    """Return adherence per ISO week as bars, with the 100% line; weeks needs week and adherence_pct."""
    frame = weeks.copy()
    for column in ("week", "adherence_pct"):
        if column not in frame:
            frame[column] = pd.Series(dtype="object")
    frame["adherence_pct"] = pd.to_numeric(frame["adherence_pct"], errors="coerce").astype("float64")
    frame["week"] = frame["week"].astype(str)
    wanted = ("week", "adherence_pct", "days_on_target", "total_reps", "patient_id", "name")
    keep = [column for column in wanted if column in frame]
    tooltip = [alt.Tooltip("week:N", title="Week"),
               alt.Tooltip("adherence_pct:Q", title="Adherence %", format=".0f")]
    if "days_on_target" in frame:
        tooltip.append(alt.Tooltip("days_on_target:Q", title="Days on target"))
    if "total_reps" in frame:
        tooltip.append(alt.Tooltip("total_reps:Q", title="Total reps"))
    bars = alt.Chart(frame[keep]).mark_bar(color="#4f7cac").encode(
        # "W37" fits under a bar where "2026-W37" runs into its neighbours; the tooltip keeps the year.
        x=alt.X(
            "week:O", title="ISO week", axis=alt.Axis(labelAngle=0, labelExpr="substring(datum.value, 5)")
        ),
        y=alt.Y("adherence_pct:Q", title="Adherence (%)", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format=NUMBER_FORMAT)),
        tooltip=tooltip,
    )
    full = alt.Chart(pd.DataFrame({"y": [100.0]})).mark_rule(color="#999999", strokeDash=[4, 3])
    full = full.encode(y="y:Q")
    return _theme(alt.layer(bars, full).properties(title="Weekly adherence", width=WIDTH, height=140))


def _text_width(text: str, size: float = 11) -> float:
    """Return the width in CSS pixels of text set in DejaVu Sans (the charts' font) at size px."""
    return _key_font(size).getlength(text)


@functools.lru_cache(maxsize=4)
def _key_font(size: float):
    """Return the DejaVu Sans font the key's labels are measured in."""
    from pathlib import Path

    from PIL import ImageFont

    return ImageFont.truetype(str(Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"), size)


KEY_ALT_TEXT = "Key to the pain and reps charts"


def print_key() -> alt.LayerChart:
    """Return the one key for the print pair's marks: what its legends and titles explained, drawn once.

    Pain: morning and evening lines, the dashed pain ceiling, the flare marker and the shaded rising streak;
    reps: the stage colours and the dashed daily target. Positions are pixels, laid out left to right.
    """
    groups = [
        ("Pain", [("line", PAIN_COLOURS["morning"], "morning"), ("line", PAIN_COLOURS["evening"], "evening"),
                  ("ceiling", CEILING_COLOUR, "pain ceiling"), ("flare", STATUS_COLOURS["flare"], "flare"),
                  ("streak", STREAK_COLOUR, "rising morning pain streak")]),
        ("Stage", [("stage", colour, STAGE_WORDS[stage]) for stage, colour in STAGE_COLOURS.items()]),
        ("Reps", [("target", TARGET_COLOUR, "daily target")]),
    ]
    row_height, symbol_w, heading_w = 20, 18, 52
    rows: dict[str, list[dict]] = {kind: [] for kind in
                                   ("line", "ceiling", "target", "point", "flare", "rect", "text")}
    y = row_height / 2
    for heading, items in groups:
        x = 0.0
        rows["text"].append({"x": x, "y": y, "text": heading, "colour": "#222222"})
        x += heading_w
        for kind, colour, label in items:
            width = symbol_w + 5 + _text_width(label) + 16
            if x + width > WIDTH and x > heading_w:
                x, y = heading_w, y + row_height
            mid = {"x": x, "x2": x + symbol_w, "y": y, "colour": colour}
            if kind == "line":
                rows["line"].append(mid)
                rows["point"].append({"x": x + symbol_w / 2, "y": y, "colour": colour})
            elif kind in ("ceiling", "target"):
                rows[kind].append(mid)
            elif kind == "flare":
                rows["flare"].append({"x": x + symbol_w / 2, "y": y, "colour": colour})
            else:
                rows["rect"].append({"x": x + 2, "x2": x + symbol_w - 2, "y": y - 6, "y2": y + 6,
                                     "colour": colour, "opacity": 0.6 if kind == "streak" else 0.9})
            rows["text"].append({"x": x + symbol_w + 5, "y": y, "text": label, "colour": "#444444"})
            x += width
        y += row_height
    frames = {kind: pd.DataFrame(values) for kind, values in rows.items()}
    px = {"scale": None, "axis": None}
    x, x2, y_ = alt.X("x:Q", **px), alt.X2("x2:Q"), alt.Y("y:Q", **px)
    colour = alt.Color("colour:N", scale=None)
    layers = [
        alt.Chart(frames["rect"]).mark_rect().encode(
            x=x, x2=x2, y=y_, y2=alt.Y2("y2:Q"), color=colour, opacity=alt.Opacity("opacity:Q", scale=None)
        ),
        alt.Chart(frames["line"]).mark_rule(strokeWidth=2).encode(x=x, x2=x2, y=y_, color=colour),
        alt.Chart(frames["ceiling"]).mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
            x=x, x2=x2, y=y_, color=colour),
        alt.Chart(frames["target"]).mark_rule(strokeDash=[4, 3], strokeWidth=1.5).encode(
            x=x, x2=x2, y=y_, color=colour),
        alt.Chart(frames["point"]).mark_point(filled=True, size=28, opacity=1).encode(
            x=x, y=y_, color=colour),
        alt.Chart(frames["flare"]).mark_point(
            shape="triangle-up", size=140, filled=True, stroke="white", strokeWidth=1, opacity=1
        ).encode(x=x, y=y_, fill=alt.Fill("colour:N", scale=None)),
        alt.Chart(frames["text"]).mark_text(align="left", baseline="middle", fontSize=11).encode(
            x=x, y=y_, text="text:N", color=colour),
    ]
    return _theme(alt.layer(*layers).properties(width=WIDTH, height=int(y - row_height / 2)))


# --- what a patient tolerates ----------------------------------------------------------------------------
WITH_COLOUR = "#b04a3a"
WITHOUT_COLOUR = "#9fb8d3"
FIT_COLOUR = "#333333"
# As wide as the page, a phone's included; fitting the height too would squeeze the plot under its title.
TOLERANCE_AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


def kind_label(kind: str, name: str) -> str:
    """Return a load kind as the charts name it: 'run (activity)', 'Isometric bridge hold (exercise)'."""
    return f"{name} ({kind})"


def tolerance_chart(rows: pd.DataFrame) -> alt.Chart:
    """Return each load kind's mean next-morning response on the days done and on the days without it."""
    labels = [kind_label(kind, name) for kind, name in zip(rows["kind"], rows["name"], strict=True)]
    frame = pd.concat([
        pd.DataFrame({"load": labels, "days": "with it", "mean": rows["mean_response_with"],
                      "count": rows["days_done"]}),
        pd.DataFrame({"load": labels, "days": "without it", "mean": rows["mean_response_without"],
                      "count": rows["days_without"]}),
    ], ignore_index=True).dropna(subset=["mean"])
    frame["mean"] = frame["mean"].astype(float).round(2)
    bars = alt.Chart(frame).mark_bar(height={"band": 0.8}).encode(
        y=alt.Y("load:N", sort=labels, title=None, axis=alt.Axis(labelLimit=150)),
        yOffset=alt.YOffset("days:N", sort=["with it", "without it"]),
        x=alt.X("mean:Q", title="Mean next-morning response (points)"),
        color=alt.Color(
            "days:N", title="Loading days",
            scale=alt.Scale(domain=["with it", "without it"], range=[WITH_COLOUR, WITHOUT_COLOUR]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("load:N", title="Load"), alt.Tooltip("days:N", title="Days"),
            alt.Tooltip("mean:Q", title="Mean response"), alt.Tooltip("count:Q", title="Days counted"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888888").encode(x="x:Q")
    title = {
        "text": "Next morning with and without each load",
        "subtitle": "Mean 24-hour response on loading days; above 0: worse than the morning before",
    }
    chart = alt.layer(bars, zero).properties(
        title=title, height=max(80, 44 * len(labels)), width="container", autosize=TOLERANCE_AUTOSIZE
    )
    return _theme(chart)


def dose_response_chart(points: pd.DataFrame, fit=None) -> alt.LayerChart:
    """Return each response day's total reps against its next-morning response, and the fitted line if any."""
    frame = points.assign(
        date=_dates(points).dt.strftime("%a %d %b %Y"),
        response=points["response"].astype(float),
        status=points["status"].fillna("settled"),
    )
    dots = alt.Chart(frame).mark_circle(size=60, opacity=0.85).encode(
        # Reps start where the patient's days do: from 0 the points crowd into the right-hand strip.
        x=alt.X(
            "total_reps:Q", title="Total reps that day", axis=alt.Axis(format="~r"),
            scale=alt.Scale(zero=False),
        ),
        y=alt.Y("response:Q", title="Next-morning response (points)"),
        color=alt.Color(
            "status:N", title="Response", legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
        ),
        tooltip=[
            alt.Tooltip("date:N", title="Loading day"), alt.Tooltip("total_reps:Q", title="Reps"),
            alt.Tooltip("activity_minutes:Q", title="Activity minutes"),
            alt.Tooltip("response:Q", title="Response"), alt.Tooltip("status:N", title="Status"),
        ],
    )
    layers = [dots]
    title = {"text": "Dose against response", "subtitle": "Each loading day's reps and the next morning"}
    if fit is not None:
        reps = [float(points["total_reps"].min()), float(points["total_reps"].max())]
        line = pd.DataFrame({"total_reps": reps, "response": [fit.intercept + fit.slope * r for r in reps]})
        layers.append(alt.Chart(line).mark_line(color=FIT_COLOUR, strokeDash=[6, 3]).encode(
            x="total_reps:Q", y="response:Q"
        ))
        title["subtitle"] = f"Dashed: fitted line, {fit.per_100_reps:+.2f} points per 100 reps"
    chart = alt.layer(*layers).properties(
        title=title, height=260, width="container", autosize=TOLERANCE_AUTOSIZE
    )
    return _theme(chart)
