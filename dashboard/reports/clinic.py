"""The weekly clinic report: triage of every patient for an ISO week, as PDF, XLSX or CSV."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import charts, formatting
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports import pdf as pages
from dashboard.reports.data import ClinicData, acknowledgement_words, clinic_data, context_days
from dashboard.reports.pdf import ChartPictures, ReportPDF, chart_png, hex_rgb, short_date
from dashboard.reports.programme import clinic_section as programme_section
from dashboard.reports.sheets import Column, Sheet, csv_bytes, xlsx_bytes
from dashboard.reports.tolerance import clinic_loads, clinic_section
from dashboard.vocabulary import RISK_MEANINGS, alert_word

TITLE = "Weekly clinic report"
# The print pair (no legend) at the scale the pair with its legends had: 813 CSS px across the 180 mm page.
# The key prints at that scale; each patient's pair at three quarters of it, so that two patients and the key
# share a page.
PAIR_MM_PER_PX = 180 / 813
PATIENT_MM_PER_PX = PAIR_MM_PER_PX * 0.75
IN_PROGRESS = "in progress"
# Where the chart titles go, in CSS px from the picture's top: the pain view starts 11 px down (its top
# axis label), the reps view charts.PRINT_SPACING below the pain view; each title 26.5 px above its view.
PAIR_TITLES = (
    (11 - 26.5, charts.PAIN_TITLE),
    (11 + charts.PAIN_HEIGHT + charts.PRINT_SPACING - 26.5, charts.REPS_TITLE),
)

SUMMARY_COLUMNS = [
    Column("risk", "Risk", "text", 8),
    Column("patient_id", "Patient ID", "text", 11),
    Column("name", "Name", "text", 22),
    Column("clinician", "Clinician", "text", 16),
    Column("week", "Week", "text", 10),
    Column("adherence_pct", "Adherence %", "percent", 12, formatting.PERCENT_PLACES),
    Column("days_on_target", "Days on target", "int", 10),
    Column("total_reps", "Total reps", "int", 10),
    Column("mean_morning_pain", "Mean morning pain", "number", 11, formatting.PAIN_PLACES),
    Column("prev_mean_morning_pain", "Mean morning pain, week before", "number", 14, formatting.PAIN_PLACES),
    Column("flare_days", "Flare days", "int", 8),
    Column("max_response", "Largest 24-hour response", "number", 12, formatting.PAIN_PLACES),
    Column("reason", "Reason", "text", 70),
]
ALERT_COLUMNS = [
    Column("date", "Date", "date", 12),
    Column("patient_id", "Patient ID", "text", 11),
    Column("name", "Name", "text", 22),
    Column("alert", "Alert", "text", 20),
    Column("severity", "Severity", "text", 9),
    Column("detail", "Detail", "text", 70),
    Column("status", "Acknowledged", "text", 13),
    Column("acknowledged_by", "Acknowledged by", "text", 16),
    Column("acknowledged_on", "Acknowledged at", "text", 17),
    Column("note", "Acknowledgement note", "text", 50),
]
DAILY_COLUMNS = [
    Column("patient_id", "Patient ID", "text", 11),
    Column("name", "Name", "text", 22),
    Column("date", "Date", "date", 12),
    Column("morning_pain", "Morning pain", "number", 9),
    Column("evening_pain", "Evening pain", "number", 9),
    Column("daily_reps", "Reps", "int", 8),
    Column("target", "Target reps", "int", 8),
    Column("response", "24-hour response", "number", 10),
    Column("response_status", "Response", "text", 10),
    Column("notes", "Patient notes", "text", 50),
]


def risk_words(risk: str, in_progress: bool) -> str:
    """Return a risk for reading: green is 'in progress' while the week runs, since it is not over yet."""
    return IN_PROGRESS if in_progress and risk == "green" else risk


def _summary_rows(data: ClinicData) -> list[dict]:
    """Return the triage table rows, one reason text per patient."""
    rows = []
    for row in data.review.to_dict(orient="records"):
        row["reason"] = "; ".join(row["reasons"])
        row["risk"] = risk_words(row["risk"], data.in_progress)
        if data.in_progress:
            row["week"] = f"{row['week']} ({IN_PROGRESS})"
        rows.append(row)
    return rows


def _alert_rows(data: ClinicData) -> list[dict]:
    """Return the week's alert events with the rule in words and whether, by whom and why acknowledged."""
    rows = data.events.to_dict(orient="records")
    for row in rows:
        row["alert"] = alert_word(row["rule"])
        row["status"] = "acknowledged" if row["acknowledged"] else "open"
        if row["acknowledged"]:
            row["acknowledged_on"] = f"{pd.Timestamp(row['acknowledged_at']):%Y-%m-%d %H:%M}"
        else:
            row["acknowledged_by"] = row["note"] = None
    return rows


def clinic_report_xlsx(
    db: Database, viewer: Viewer, week: str, clinician: str | None = None, as_of: dt.date | None = None
) -> bytes:
    """Return the weekly clinic report as a workbook: Summary, Alerts and Daily sheets."""
    data = clinic_data(db, viewer, week, clinician, as_of)
    return xlsx_bytes([
        Sheet("Summary", SUMMARY_COLUMNS, _summary_rows(data)),
        Sheet("Alerts", ALERT_COLUMNS, _alert_rows(data)),
        Sheet("Daily", DAILY_COLUMNS, data.daily.to_dict(orient="records")),
    ])


def clinic_report_csv(
    db: Database, viewer: Viewer, week: str, clinician: str | None = None, as_of: dt.date | None = None
) -> bytes:
    """Return the weekly clinic report's triage table as CSV."""
    data = clinic_data(db, viewer, week, clinician, as_of, daily=False)
    return csv_bytes(Sheet("Summary", SUMMARY_COLUMNS, _summary_rows(data)))


def _pain_change(row: dict) -> str:
    """Return last week's and this week's mean morning pain as 'before → now'."""
    before = formatting.pain(row["prev_mean_morning_pain"], blank="–")
    return f"{before} → {formatting.pain(row['mean_morning_pain'], blank='–')}"


def clinic_report_pdf(
    db: Database, viewer: Viewer, week: str, clinician: str | None = None, as_of: dt.date | None = None
) -> bytes:
    """Return the weekly clinic report as PDF: cover, triage table, then each red and amber patient."""
    data = clinic_data(db, viewer, week, clinician, as_of, daily=False)
    flagged = data.flagged().to_dict(orient="records")
    loads = clinic_loads(db, viewer, clinician, data.as_of)
    # Charts are built and drawn in worker processes while this one lays out the cover and triage pages.
    with ChartPictures(
        charts.pain_and_reps_print_spec,
        ((context_days(db, viewer, row["patient_id"], data.sunday, data.as_of),) for row in flagged),
        len(flagged),
    ) as pictures:
        return _clinic_pdf(data, flagged, pictures, loads)


def _clinic_pdf(data: ClinicData, flagged: list[dict], pictures: ChartPictures, loads=None) -> bytes:
    """Return the clinic PDF: cover, triage, then the flagged patients two to a page, each page with a key."""
    who = data.clinician or "all clinicians"
    pdf = ReportPDF(f"{TITLE} · {data.week}", who)
    pdf.set_subject(f"Clinic report for {data.week}, {who}")
    pdf.add_page()

    pdf.ln(6)
    pdf.heading(TITLE, size=22, space_after=4)
    pdf.paragraph(f"ISO week {data.week}: {short_date(data.monday)} – {short_date(data.sunday)}", size=12)
    pdf.paragraph(f"Clinician: {who}", size=12)
    as_of_text = short_date(data.as_of) if data.as_of else short_date(dt.date.today())
    pdf.paragraph(f"Data as of {as_of_text} · {len(data.review)} patients", size=10, colour=(90, 90, 90))
    if data.in_progress:
        pdf.paragraph(
            f"Week in progress: the figures are the week so far, to {as_of_text}. Patients without an alert "
            f"so far read '{IN_PROGRESS}': their week is not over.",
            size=10, colour=(90, 90, 90),
        )
    pdf.ln(6)
    counts = data.counts()
    pdf.risk_badges([
        (counts["red"], "red", charts.RISK_COLOURS["red"]),
        (counts["amber"], "amber", charts.RISK_COLOURS["amber"]),
        (counts["green"], IN_PROGRESS, IN_PROGRESS_COLOUR) if data.in_progress
        else (counts["green"], "green", charts.RISK_COLOURS["green"]),
    ])
    pdf.paragraph(
        f"Red: {RISK_MEANINGS['red']}. Amber: {RISK_MEANINGS['amber']}. "
        "Each red and amber patient has their last four weeks of pain and reps charted after the triage.",
        size=9, colour=(90, 90, 90),
    )
    pdf.ln(4)

    pdf.heading("Triage" + (" (week so far)" if data.in_progress else ""), size=14)
    rows, fills = [], []
    for row in data.review.to_dict(orient="records"):
        risk = risk_words(row["risk"], data.in_progress)
        rows.append([
            risk, f"{row['patient_id']}\n{row['name'] or ''}", row["clinician"] or "",
            formatting.percent(row["adherence_pct"], blank="–"),
            formatting.count(row["total_reps"], blank="–"), _pain_change(row),
            formatting.count(row["flare_days"], blank="–"),
            "\n".join(row["reasons"]) or "–",
        ])
        fills.append(hex_rgb(_risk_colour(risk)))
    pdf.text_table(
        ["Risk", "Patient", "Clinician", "Adherence", "Reps", "Morning pain (week before → this)", "Flares",
         "Reason"],
        rows, widths=(18, 26, 19, 21, 11, 21, 13, 51), fills=fills,
        align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "CENTER", "RIGHT", "LEFT"),
    )

    programme_section(pdf, data.review)
    if loads is not None:
        clinic_section(pdf, loads)

    acks = _acknowledgements_by_patient(data)
    key = chart_png(charts.print_key()) if flagged else None
    key_page = None
    for row, png in zip(flagged, pictures, strict=True):
        # A patient's reasons and charts stay on one page, and every page with charts carries the key.
        first_on_page = key_page != pdf.page_no()
        needed = _section_height(pdf, row, png, acks.get(row["patient_id"], []), first_on_page)
        if first_on_page:
            needed += _key_height(pdf, key)
        if needed > pdf.room():
            pdf.add_page()
        if key_page != pdf.page_no():
            _key(pdf, key)
            key_page = pdf.page_no()
        else:
            _separator(pdf)
        _patient_section(pdf, row, png, acks.get(row["patient_id"], []))
    return pdf.bytes()


IN_PROGRESS_COLOUR = "#6b7280"
SEPARATOR_MM = 5
KEY_TITLE = "Key to the charts on this page"


def _risk_colour(risk: str) -> str:
    """Return the fill of a risk label: the risk's colour, grey for a week in progress."""
    return charts.RISK_COLOURS.get(risk, IN_PROGRESS_COLOUR)


def _acknowledgements_by_patient(data: ClinicData) -> dict[str, list[str]]:
    """Return each patient's acknowledged alerts of the week, as lines of words."""
    lines: dict[str, list[str]] = {}
    for row in data.events.to_dict(orient="records"):
        if row["acknowledged"]:
            when = short_date(pd.Timestamp(row["date"]).date())
            lines.setdefault(row["patient_id"], []).append(
                f"{alert_word(row['rule'])} on {when}: {acknowledgement_words(row)}"
            )
    return lines


def _key_height(pdf: ReportPDF, png: bytes) -> float:
    """Return the height the key takes on a page in mm: its title, picture and the space after."""
    return pdf.text_height(KEY_TITLE, size=9, bold=True) + 1 + _picture_height(png, PAIR_MM_PER_PX) + 4


def _picture_height(png: bytes, mm_per_px: float) -> float:
    """Return a chart picture's height on the page in mm at mm_per_px millimetres per CSS pixel."""
    return pages.png_size(png)[1] / pages.CHART_SCALE * mm_per_px


def _key(pdf: ReportPDF, png: bytes) -> None:
    """Draw the key to the patient charts on this page (the lines, markers and colours)."""
    pdf.heading(KEY_TITLE, size=9, space_after=1)
    pdf.titled_chart(png, (), PAIR_MM_PER_PX, alt_text=charts.KEY_ALT_TEXT)
    pdf.ln(1)


def _separator(pdf: ReportPDF) -> None:
    """Draw a thin rule between two patients on one page."""
    y = pdf.get_y() + SEPARATOR_MM / 2 - 1.5
    pdf.set_draw_color(200, 200, 200)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_y(y + SEPARATOR_MM / 2)


def _heading_text(row: dict) -> str:
    """Return a flagged patient's heading: id, name and risk."""
    return f"{row['patient_id']} {row['name'] or ''} · {row['risk']}"


def _figures_text(row: dict) -> str:
    """Return a flagged patient's week in figures, rounded as everywhere."""
    return (
        f"Clinician {row['clinician'] or '–'} · "
        f"adherence {formatting.percent(row['adherence_pct'], blank='–')} · "
        f"{formatting.count(row['total_reps'], blank='–')} reps · "
        f"{formatting.count(row['days_on_target'], blank='–')} days on target · "
        f"mean morning pain {_pain_change(row)} · flare days {formatting.count(row['flare_days'], blank='–')}"
    )


def _section_height(
    pdf: ReportPDF, row: dict, png: bytes, acknowledged: list[str], first_on_page: bool
) -> float:
    """Return the height one patient's section takes in mm, as _patient_section draws it."""
    text = pdf.text_height(_heading_text(row), size=13, bold=True, indent=5) + 1
    text += pdf.text_height(_figures_text(row), size=8.5) + 1
    text += sum(pdf.text_height(f"• {reason}", size=9) for reason in row["reasons"])
    text += sum(pdf.text_height(f"✓ {line}", size=8.5) for line in acknowledged)
    above = max(-top for top, _ in PAIR_TITLES) * PATIENT_MM_PER_PX
    chart = 1.5 + above + _picture_height(png, PATIENT_MM_PER_PX) + 3
    return text + chart + (0 if first_on_page else SEPARATOR_MM)


def _patient_section(pdf: ReportPDF, row: dict, png: bytes, acknowledged: list[str]) -> None:
    """Draw one flagged patient: heading, figures, reasons, acknowledgements, then four weeks' charts."""
    colour = hex_rgb(charts.RISK_COLOURS.get(row["risk"], IN_PROGRESS_COLOUR))
    pdf.set_fill_color(*colour)
    pdf.rect(pdf.l_margin, pdf.get_y() + 0.5, 3, 5.5, style="F")
    pdf.set_x(pdf.l_margin + 5)
    pdf.heading(_heading_text(row), size=13, space_after=1)
    pdf.paragraph(_figures_text(row), size=8.5, colour=(70, 70, 70))
    pdf.ln(1)
    for text in row["reasons"]:
        pdf.paragraph(f"• {text}", size=9)
    for line in acknowledged:
        pdf.paragraph(f"✓ {line}", size=8.5, colour=(70, 70, 70))
    pdf.ln(1.5)
    alt_text = f"Pain and reps charts for {row['patient_id']}, the last four weeks"
    pdf.titled_chart(png, PAIR_TITLES, PATIENT_MM_PER_PX, alt_text=alt_text)
