"""The weekly clinic report: triage of every patient for an ISO week, as PDF, XLSX or CSV."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import charts
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports import pdf as pages
from dashboard.reports.data import ClinicData, clinic_data, context_days
from dashboard.reports.pdf import ChartPictures, ReportPDF, chart_png, hex_rgb, short_date
from dashboard.reports.sheets import Column, Sheet, csv_bytes, xlsx_bytes
from dashboard.vocabulary import alert_word

TITLE = "Weekly clinic report"
# The print pair (no legend) at the scale the pair with its legends had: 813 CSS px across the 180 mm page.
PAIR_MM_PER_PX = 180 / 813
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
    Column("adherence_pct", "Adherence %", "percent", 12),
    Column("days_on_target", "Days on target", "int", 10),
    Column("total_reps", "Total reps", "int", 10),
    Column("mean_morning_pain", "Mean morning pain", "number", 11),
    Column("prev_mean_morning_pain", "Mean morning pain, week before", "number", 14),
    Column("flare_days", "Flare days", "int", 8),
    Column("max_response", "Largest 24-hour response", "number", 12),
    Column("reason", "Reason", "text", 70),
]
ALERT_COLUMNS = [
    Column("date", "Date", "date", 12),
    Column("patient_id", "Patient ID", "text", 11),
    Column("name", "Name", "text", 22),
    Column("alert", "Alert", "text", 20),
    Column("severity", "Severity", "text", 9),
    Column("detail", "Detail", "text", 70),
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


def _summary_rows(data: ClinicData) -> list[dict]:
    """Return the triage table rows, one reason text per patient."""
    rows = []
    for row in data.review.to_dict(orient="records"):
        row["reason"] = "; ".join(row["reasons"])
        for key in ("mean_morning_pain", "prev_mean_morning_pain"):
            if row[key] is not None and not pd.isna(row[key]):
                row[key] = round(float(row[key]), 2)
        rows.append(row)
    return rows


def _alert_rows(data: ClinicData) -> list[dict]:
    """Return the week's alert events with the rule in words."""
    rows = data.events.to_dict(orient="records")
    for row in rows:
        row["alert"] = alert_word(row["rule"])
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


def _number(value, places: int = 1) -> str:
    """Return a number as short text, or an en dash when missing."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.{places}f}".rstrip("0").rstrip(".") if places else f"{float(value):.0f}"


def _pain_change(row: dict) -> str:
    """Return last week's and this week's mean morning pain as 'before → now'."""
    return f"{_number(row['prev_mean_morning_pain'])} → {_number(row['mean_morning_pain'])}"


def clinic_report_pdf(
    db: Database, viewer: Viewer, week: str, clinician: str | None = None, as_of: dt.date | None = None
) -> bytes:
    """Return the weekly clinic report as PDF: cover, triage table, then each red and amber patient."""
    data = clinic_data(db, viewer, week, clinician, as_of, daily=False)
    flagged = data.flagged().to_dict(orient="records")
    # Charts are built and drawn in worker processes while this one lays out the cover and triage pages.
    with ChartPictures(
        charts.pain_and_reps_print_spec,
        ((context_days(db, viewer, row["patient_id"], data.sunday, data.as_of),) for row in flagged),
        len(flagged),
    ) as pictures:
        return _clinic_pdf(data, flagged, pictures)


def _clinic_pdf(data: ClinicData, flagged: list[dict], pictures: ChartPictures) -> bytes:
    """Return the clinic PDF: cover, triage table, then a page per flagged patient with their picture."""
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
    pdf.ln(6)
    pdf.risk_badges(data.counts())
    pdf.paragraph(
        "Red: pushing too hard, flare or pain above ceiling. "
        "Amber: low adherence, load spike or not logging. "
        "Each red and amber patient has a page with their last four weeks of pain and reps.",
        size=9, colour=(90, 90, 90),
    )
    pdf.ln(4)

    pdf.heading("Triage", size=14)
    rows, fills = [], []
    for row in data.review.to_dict(orient="records"):
        rows.append([
            row["risk"], f"{row['patient_id']}\n{row['name'] or ''}", row["clinician"] or "",
            _number(row["adherence_pct"], 0) + ("%" if not pd.isna(row["adherence_pct"]) else ""),
            _number(row["total_reps"], 0), _pain_change(row), _number(row["flare_days"], 0),
            "\n".join(row["reasons"]) or "–",
        ])
        fills.append(hex_rgb(charts.RISK_COLOURS.get(row["risk"], "#777777")))
    pdf.text_table(
        ["Risk", "Patient", "Clinician", "Adherence", "Reps", "Morning pain (week before → this)", "Flares",
         "Reason"],
        rows, widths=(13, 26, 20, 20, 11, 21, 13, 56), fills=fills,
        align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "CENTER", "RIGHT", "LEFT"),
    )

    # One key explains every patient's chart: at the end of the triage pages when it fits there, else
    # under the first patient's heading (never a page of its own).
    key = chart_png(charts.print_key()) if flagged else None
    key_here = key is not None and pdf.room() >= _key_height(key) + 22
    if key_here:
        pdf.ln(2)
        _key(pdf, key)
    key_page = pdf.page_no() if key_here else pdf.page_no() + 1
    for index, (row, png) in enumerate(zip(flagged, pictures, strict=True)):
        _patient_section(pdf, row, png, key_page, key if index == 0 and not key_here else None)
    return pdf.bytes()


def _key_height(png: bytes) -> float:
    """Return the key picture's height on the page in mm."""
    return pages.png_size(png)[1] / pages.CHART_SCALE * PAIR_MM_PER_PX


def _key(pdf: ReportPDF, png: bytes) -> None:
    """Draw the one key to every patient's pain and reps charts (the lines, markers and colours)."""
    pdf.heading("Key to the patient charts", size=12, space_after=1)
    pdf.paragraph(
        "Each red and amber patient's page shows morning and evening pain above reps per day; "
        "the lines, markers and colours mean:", size=9, colour=(90, 90, 90),
    )
    pdf.ln(1)
    pdf.titled_chart(png, (), PAIR_MM_PER_PX, alt_text=charts.KEY_ALT_TEXT)


def _patient_section(
    pdf: ReportPDF, row: dict, png: bytes, key_page: int, key: bytes | None = None
) -> None:
    """Add one flagged patient's page: reasons, figures, then their pain and reps charts (the key first)."""
    pdf.add_page()
    colour = hex_rgb(charts.RISK_COLOURS.get(row["risk"], "#777777"))
    pdf.set_fill_color(*colour)
    pdf.rect(pdf.l_margin, pdf.get_y() + 0.5, 3, 7, style="F")
    pdf.set_x(pdf.l_margin + 5)
    pdf.heading(f"{row['patient_id']} {row['name'] or ''} · {row['risk']}", size=14, space_after=1)
    pdf.paragraph(
        f"Clinician {row['clinician'] or '–'} · adherence {_number(row['adherence_pct'], 0)}% · "
        f"{_number(row['total_reps'], 0)} reps · {_number(row['days_on_target'], 0)} days on target · "
        f"mean morning pain {_pain_change(row)} · flare days {_number(row['flare_days'], 0)}",
        size=9, colour=(70, 70, 70),
    )
    if key is not None:
        pdf.ln(2)
        _key(pdf, key)
    pdf.ln(1)
    for text in row["reasons"]:
        pdf.paragraph(f"• {text}", size=10)
    pdf.ln(2)
    pdf.paragraph(f"Last four weeks (key to the lines and colours on page {key_page}):", size=9,
                  colour=(70, 70, 70))
    pdf.ln(1)
    alt_text = f"Pain and reps charts for {row['patient_id']}"
    pdf.titled_chart(png, PAIR_TITLES, PAIR_MM_PER_PX, alt_text=alt_text)
