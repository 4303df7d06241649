"""The patient progress report: a patient's pain, loading, responses, stages and alerts over a date range."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import charts, formatting, patient_settings
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports.data import acknowledgement_words, patient_data
from dashboard.reports.pdf import ReportPDF, chart_pngs, short_date
from dashboard.reports.programme import patient_section as programme_section
from dashboard.reports.tolerance import patient_section as tolerance_section
from dashboard.vocabulary import alert_word, reference_words

TITLE = "Patient progress report"


def _stage_words(stage) -> str:
    """Return a stage name for reading."""
    return "–" if stage is None or pd.isna(stage) else str(stage).replace("_", " ")


def patient_report_pdf(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date | None = None,
    date_to: dt.date | None = None, pseudonymous: bool = False, as_of: dt.date | None = None,
) -> bytes:
    """Return a patient's progress report as PDF; pseudonymous prints the patient id without the name."""
    data = patient_data(db, viewer, patient_id, date_from, date_to, as_of)
    patient = data.patient
    shown = patient["patient_id"] if pseudonymous or not patient.get("name") else \
        f"{patient['patient_id']} {patient['name']}"
    pdf = ReportPDF(f"{TITLE} · {patient['patient_id']}",
                    f"{short_date(data.date_from)} – {short_date(data.date_to)}")
    pdf.set_subject(f"Progress report for patient {patient['patient_id']}")
    pdf.add_page()

    pdf.heading(f"{TITLE}: {shown}", size=18, space_after=2)
    # The settings in effect on the report's last day, as every rule reads them day by day.
    settings = patient_settings.settings_on(db, viewer, patient_id, data.date_to)
    last = data.days.iloc[-1] if not data.days.empty else None
    reference = reference_words(
        None if last is None or pd.isna(last["reference_pain"]) else float(last["reference_pain"]),
        settings.acceptable_pain is not None,
    )
    facts = [
        f"Period: {short_date(data.date_from)} – {short_date(data.date_to)}",
        f"Condition: {patient.get('condition') or '–'} · clinician: {patient.get('clinician') or '–'}",
        f"Programme started {short_date(patient['start_date'])}"
        + (f", discharged {short_date(patient['discharged_on'])}" if patient.get("discharged_on") else ""),
        f"On {short_date(data.date_to)}: daily target {settings.daily_rep_target} reps · pain ceiling "
        f"{settings.pain_ceiling:g} · flare when morning pain rises ≥ {settings.flare_threshold:g} the "
        f"morning after loading and ends at least that far above the reference level ({reference})",
    ]
    for line in facts:
        pdf.paragraph(line, size=10, colour=(60, 60, 60))
    pdf.ln(2)
    pdf.paragraph(_summary(data.days), size=10)
    pdf.ln(3)

    days, weeks = data.days, data.weeks
    figures = [
        ("Pain", charts.pain_chart(days)),
        ("Reps against target", charts.reps_chart(days)),
        ("24-hour response", charts.response_chart(days)),
        ("Stage timeline", charts.stage_timeline(days)),
        ("Weekly adherence", charts.weekly_adherence_chart(weeks)),
    ]
    if not data.activities.empty:
        activity = charts.activities_chart(data.activities, data.date_from, data.date_to)
        figures.append(("Other activities", activity))
    labels = [label for label, _ in figures]
    pictures = chart_pngs([chart for _, chart in figures])
    for label, png in zip(labels, pictures, strict=True):
        pdf.chart(png, alt_text=f"{label} for {patient['patient_id']}")

    if pdf.room() < 40:
        pdf.add_page()
    pdf.heading("Alerts", size=13)
    if data.events.empty:
        pdf.paragraph("No alerts in this period.", size=10)
    else:
        rows = [
            [short_date(row["date"]), alert_word(row["rule"]), row["severity"], row["detail"] or "",
             acknowledgement_words(row)]
            for row in data.events.to_dict(orient="records")
        ]
        pdf.text_table(
            ["Date", "Alert", "Severity", "Detail", "Acknowledged"], rows, widths=(22, 28, 16, 68, 46)
        )

    if not weeks.empty:
        if pdf.room() < 40:
            pdf.add_page()
        pdf.heading("Weekly adherence", size=13)
        rows = [
            [row["week"], formatting.percent(row["adherence_pct"], blank="–"),
             formatting.count(row["days_on_target"], blank="–"),
             formatting.count(row["total_reps"], blank="–"),
             formatting.pain(row["mean_morning_pain"], blank="–"), row["risk"]]
            for row in weeks.to_dict(orient="records")
        ]
        pdf.text_table(
            ["Week", "Adherence", "Days on target", "Total reps", "Mean morning pain", "Risk"], rows,
            widths=(30, 30, 30, 30, 35, 25), align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        )
    programme_section(pdf, db, viewer, patient_id, data.date_to, data.as_of)
    tolerance_section(pdf, db, viewer, patient_id, data.date_from, data.date_to, data.as_of)
    return pdf.bytes()


def _summary(days: pd.DataFrame) -> str:
    """Return one sentence on the period: logged days, mean pain first and last week, flares, stage now."""
    if days.empty:
        return "No programme days in this period."
    morning = pd.to_numeric(days["morning_pain"], errors="coerce")
    logged = int(morning.notna().sum())
    first = morning.head(7).mean()
    last = morning.tail(7).mean()
    flares = int((days["response_status"] == "flare").sum())
    stage = days["stage"].dropna()
    parts = [f"{logged} of {len(days)} days with morning pain logged"]
    if pd.notna(first) and pd.notna(last):
        first_week, last_week = formatting.pain(first), formatting.pain(last)
        parts.append(f"mean morning pain {first_week} in the first week → {last_week} in the last")
    parts.append(f"{flares} flare{'s' if flares != 1 else ''}")
    if not stage.empty:
        parts.append(f"current stage {_stage_words(stage.iloc[-1])}")
    return "; ".join(parts) + "."
