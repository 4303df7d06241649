"""Weekly review: the clinic's week at a glance, worst first; select a patient to open them."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import exports, formatting, triage, vocabulary
from dashboard.app import current_viewer, page_path
from dashboard.app_pages import _phone, _shared, _tolerance
from dashboard.app_pages._text import plain
from dashboard.charts import RISK_COLOURS
from dashboard.weeks import iso_week_of, last_complete_week, parse_iso_week, previous_week

viewer = current_viewer()
today = dt.date.today()
latest = last_complete_week(today)


def _week(raw: str) -> str:
    """Return a valid ISO week from the address, refusing weeks that have not started."""
    monday, _ = parse_iso_week(raw)
    if monday > today:
        raise ValueError(raw)
    return iso_week_of(monday)


# The grid draws only the rows in view; a taller grid would draw (and decode) the whole caseload at once.
# Rows taller than 4rem let the grid wrap text: a long name or three alerts take two or three lines, never
# cut off.
ROW_HEIGHT = 68
HEADER_HEIGHT = 35
VISIBLE_ROWS = 10
# Risk, name and alerts first: on a phone they are the columns in view; then whether a patient is ready to
# progress, and their stage. Admins also see the clinician.
TRIAGE_COLUMNS = (
    "risk",
    "patient",
    "alerts",
    "progress",
    "stage",
    "adherence_pct",
    "reps_of_target_pct",
    "total_reps",
    "morning_pain",
    "reference",
    "last_28_mornings",
    "flare_days",
    "patient_id",
)
# The clinician right after the alerts: further right, a wider table pushed it out of a laptop's view.
ADMIN_COLUMNS = (*TRIAGE_COLUMNS[:3], "clinician", *TRIAGE_COLUMNS[3:])

weeks = [iso_week_of(today), latest]
while len(weeks) < 26:
    weeks.append(previous_week(weeks[-1]))

st.title("Weekly review")
_phone.compact_rows()
# A clinician sees their own patients only: a clinician filter would offer one name, so there is none.
sees_every_clinician = viewer.clinician_scope is None
with st.container(key="review_filters"):
    if sees_every_clinician:
        week_col, clinician_col, search_col, ready_col, export_col = st.columns(
            [1, 1, 1.4, 0.9, 0.7], vertical_alignment="bottom"
        )
    else:
        week_col, search_col, ready_col, export_col = st.columns(
            [1, 1.4, 0.9, 0.7], vertical_alignment="bottom"
        )
bound_week = _shared.bind_param("review_week", "week", latest, parse=_week)
if st.session_state.review_week not in weeks:
    weeks.append(st.session_state.review_week)
week = week_col.selectbox(
    "Week",
    weeks,
    format_func=lambda w: (
        f"{w} ({parse_iso_week(w)[0]:%d %b}–{parse_iso_week(w)[1]:%d %b})"
        + (" · in progress" if w == iso_week_of(today) else "")
    ),
    **bound_week,
)
clinician = (
    _shared.clinician_filter(clinician_col, viewer, key="review_clinician") if sees_every_clinician else None
)
search = search_col.text_input(
    "Find patient", placeholder="id or name", **_shared.bind_param("review_search", "q", "")
)

ready_only = ready_col.toggle(
    "Ready to progress only",
    help="Only the patients on a programme who meet every readiness criterion this week",
    **_shared.bind_param(
        "review_ready", "ready", False, parse=lambda raw: raw == "1" or _shared.refuse(raw),
        to_text=lambda on: "1" if on else None,
    ),
)

caseload = _shared.weekly_review(viewer, week)
review = triage.filter_review(caseload, clinician, search, ready_only=ready_only)
with export_col.popover("Download", icon=":material/download:", width="stretch"):
    everyone = "all clinicians" if viewer.clinician_scope is None else f"{viewer.clinician_scope}'s patients"
    st.caption(
        f"Clinic report for week {week}, {plain(clinician or everyone)}"
        + ("; the search box does not narrow the report." if search.strip() else ".")
    )
    for fmt, label, icon in (
        ("pdf", "PDF", ":material/picture_as_pdf:"),
        ("xlsx", "Excel (XLSX)", ":material/table_view:"),
        ("csv", "CSV", ":material/csv:"),
    ):
        # A callable: the file is built (and the export audited) only when the button is clicked.
        st.download_button(
            label,
            data=_shared.clinic_report(viewer, fmt, week, clinician),
            file_name=exports.clinic_export_name(week, clinician, fmt, viewer.clinician_scope),
            mime=exports.EXPORT_MIME[fmt],
            icon=icon,
            on_click="ignore",
            key=f"download_clinic_{fmt}",
        )
figures = triage.key_figures(review)
monday, sunday = parse_iso_week(week)

narrowed = bool(clinician) or bool(search.strip()) or ready_only
with st.container(key="review_figures"):
    strip = st.columns(6)
    strip[0].metric("Patients shown" if narrowed else "Active patients", figures.active)
    strip[1].metric("Red", figures.red, help="Needs review this week")
    strip[2].metric("Amber", figures.amber, help="Watch")
    strip[3].metric("Green", figures.green, help="On track")
    strip[4].metric(
        "Adherence",
        formatting.percent(figures.mean_adherence_pct, blank="–"),
        help="Mean of the counted patients' adherence this week",
    )
    strip[5].metric(
        "Ready to progress",
        figures.ready,
        help="Patients on a programme who meet every readiness criterion on the week's last counted day: a "
        "prompt for your judgement, never an instruction to the patient",
    )
    st.caption(triage.figures_scope(figures.active, len(caseload), narrowed))

if review.empty:
    st.info("No patients match these filters for this week.")
    st.stop()

table = triage.triage_table(
    review, _shared.sparklines(viewer, min(sunday, today)), aggravating=_tolerance.aggravating(viewer, week)
)
columns = list(ADMIN_COLUMNS if sees_every_clinician else TRIAGE_COLUMNS)
st.caption(
    f"Worst first: {figures.red} red (needs review this week) and {figures.amber} amber (watch) on top, "
    f"then {figures.green} green (on track); scroll the table for more. Select a row to open the patient."
)
if figures.ready:
    st.caption(
        "“Ready → …” marks a patient on a programme who has met every readiness criterion for 14 days "
        "(settled, logged, adherent, no flare; the pain-monitoring model and Goom et al. 2016's staged "
        "programmes): a prompt for your judgement, never an instruction to the patient. Open the patient for "
        "the checklist."
    )
selection = st.dataframe(
    # Only the shown columns go to the browser; no Styler, so the grid gets plain values it can draw fast.
    table[columns].assign(last_28_mornings=triage.compact_lines(table["last_28_mornings"])),
    hide_index=True,
    width="stretch",
    # A fixed height keeps the grid virtual: it draws only the rows in view, not the whole caseload. The
    # header row keeps the default height.
    height=ROW_HEIGHT * min(len(table), VISIBLE_ROWS) + HEADER_HEIGHT + 3,
    row_height=ROW_HEIGHT,
    placeholder="",
    on_select="rerun",
    selection_mode="single-row",
    key=f"triage_{week}",
    column_order=columns,
    # Pixel widths: risk, patient and alerts (with the row marker) fit a phone's 358 px, and every column a
    # laptop's 980 px beside the sidebar; the grid stretches them when it is wider.
    column_config={
        # Coloured labels drawn by the grid itself, in the shared risk colours, the word inside. Not emoji:
        # a browser without an emoji font draws boxes. The grid picks the text colour (white on all three).
        "risk": st.column_config.MultiselectColumn(
            "Risk",
            width=68,
            options=list(vocabulary.RISK_LABELS.values()),
            color=[RISK_COLOURS[risk] for risk in vocabulary.RISK_LABELS],
            help="Red: needs review this week. Amber: watch. Green: on track.",
        ),
        "patient": st.column_config.TextColumn("Patient", width=106),
        "clinician": st.column_config.TextColumn("Clinician", width=92),
        "patient_id": st.column_config.TextColumn("ID", width=52),
        "adherence_pct": st.column_config.ProgressColumn(
            "Adherence",
            min_value=0,
            max_value=100,
            format="%.0f%%",
            width=84,
            help="Share of the daily rep target done, each day counted up to its target (so at most 100 %)",
        ),
        "reps_of_target_pct": st.column_config.NumberColumn(
            "Of target",
            format="%.0f%%",
            width=66,
            help="This week's reps against the week's target (each day's target summed, a programme's rest "
            "days at 0): over 100 % is more than prescribed, which the adherence, capped at each day's "
            "target, does not show",
        ),
        "total_reps": st.column_config.NumberColumn(
            "Reps", format="%d", width=54, help="Total reps this week"
        ),
        "morning_pain": st.column_config.TextColumn(
            "Morning pain",
            width=84,
            help="Mean morning pain this week; arrow: up, down or steady against last week",
        ),
        "reference": st.column_config.TextColumn(
            "Reference",
            width=80,
            help="The morning level this patient's rises are judged against: their usual level (the median "
            "of the last 14 days' mornings, once 4 are logged) or the acceptable level you set",
        ),
        "flare_days": st.column_config.NumberColumn(
            "Flares", format="%d", width=50, help="Days with a flare this week"
        ),
        "alerts": st.column_config.TextColumn("Alerts", width=146),
        "progress": st.column_config.TextColumn(
            "Progress",
            width=92,
            help="Ready → the next stage: on a programme and meeting every readiness criterion (a prompt for "
            "your judgement). Not yet: on a programme, a criterion not met. Blank: no programme, not judged",
        ),
        "stage": st.column_config.TextColumn(
            "Stage",
            width=104,
            help="The prescribed stage and the days in it; (from logs) when the patient has no programme",
        ),
        "last_28_mornings": st.column_config.LineChartColumn(
            "28 days",
            y_min=0,
            y_max=10,
            width=64,
            help="Logged morning pain (0–10), 28 days to the week's end; days without a score are skipped",
        ),
    },
)
rows = selection.selection.rows if selection else []
if rows:
    chosen = table.iloc[rows[0]]["patient_id"]
    st.switch_page(page_path("patient"), query_params={"patient": chosen, "week": week})
