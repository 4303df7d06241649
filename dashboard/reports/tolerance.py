"""What patients tolerate, in the reports: a patient's table and sentence, and the clinic's top five loads."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import tolerance
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports.pdf import ReportPDF, short_date

# The clinic report lists this many of the clinic view's loads, the most often aggravating first.
TOP_LOADS = 5
METHOD = (
    "Each loading day's 24-hour response is the next morning's pain against that morning's (above 0: worse). "
    "A load's days are compared with the patient's other loading days; at least 4 days each side and a "
    "morning 1.0 point worse or more reads as likely aggravating. An association, not proof of cause."
)
GREY = (90, 90, 90)


def _number(value, places: int = 1) -> str:
    """Return a number to a fixed number of places ('0.0', never '-0.0'), or an en dash when missing."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{float(value):.{places}f}"
    return f"{0:.{places}f}" if float(text) == 0 else text


def _dose(kind: str, dose) -> str:
    """Return a load's usual dose with its unit: '96 reps' or '35 min'."""
    if dose is None or pd.isna(dose):
        return "–"
    return f"{float(dose):.0f} {'reps' if kind == 'exercise' else 'min'}"


def patient_section(
    pdf: ReportPDF, db: Database, viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date,
    as_of: dt.date | None,
) -> None:
    """Add 'What this patient tolerates': the sentence, then one row per load kind."""
    rows = tolerance.patient_tolerance(db, viewer, patient_id, date_from, date_to, as_of=as_of)
    if pdf.room() < 50:
        pdf.add_page()
    pdf.heading("What this patient tolerates", size=13)
    pdf.paragraph(tolerance.summary(rows), size=10)
    pdf.paragraph(METHOD, size=8, colour=GREY)
    pdf.ln(1)
    if rows.empty:
        return
    table = [
        [row["name"], row["kind"], str(int(row["days_done"])), _number(row["mean_response_with"]),
         str(int(row["days_without"])), _number(row["mean_response_without"]), _number(row["difference"]),
         str(int(row["flares_with"])), _dose(row["kind"], row["dose"]), row["verdict"]]
        for row in rows.to_dict(orient="records")
    ]
    pdf.text_table(
        ["Load", "Kind", "Days done", "Next morning with", "Days without", "Next morning without",
         "Difference", "Flares after", "Usual dose", "Verdict"],
        table, widths=(34, 14, 11, 16, 14, 17, 17, 12, 16, 29),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
    )


def clinic_loads(
    db: Database, viewer: Viewer, clinician: str | None, last_day: dt.date
) -> tuple[dt.date, dt.date, pd.DataFrame]:
    """Return the 8 weeks up to last_day and the clinic view's top loads over the report's patients."""
    date_from, date_to, _ = tolerance.default_range(None, last_day, last_day)
    if clinician and viewer.clinician_scope not in (None, clinician):
        return date_from, date_to, pd.DataFrame(columns=tolerance.CLINIC_COLUMNS)  # none of the viewer's
    # An admin's report of one clinician counts that clinician's patients only, as its triage does.
    scoped = Viewer(viewer.username, "clinician", clinician) if clinician else viewer
    rows = tolerance.clinic_tolerance(db, scoped, date_from, date_to, as_of=last_day)
    return date_from, date_to, rows.head(TOP_LOADS)


def clinic_section(pdf: ReportPDF, loads: tuple[dt.date, dt.date, pd.DataFrame]) -> None:
    """Add the clinic's top five loads: who did them and for how many they were likely aggravating."""
    date_from, date_to, rows = loads
    if pdf.room() < 45:
        pdf.add_page()
    pdf.heading("Loads most often followed by worse mornings", size=14)
    pdf.paragraph(
        f"Loading days {short_date(date_from)} – {short_date(date_to)}, the top {TOP_LOADS} of the clinic "
        f"view. {METHOD}", size=8, colour=GREY,
    )
    pdf.ln(1)
    if rows.empty:
        pdf.paragraph("No loading days with both mornings logged in these weeks.", size=10)
        return
    table = [
        [row["name"], row["kind"], str(int(row["patients"])), str(int(row["days_done"])),
         f"{int(row['patients_aggravated'])} of {int(row['patients'])}", _number(row["mean_difference"], 2)]
        for row in rows.to_dict(orient="records")
    ]
    pdf.text_table(
        ["Load", "Kind", "Patients", "Days done", "Likely aggravating for", "Mean difference"],
        table, widths=(58, 20, 20, 20, 34, 28),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
