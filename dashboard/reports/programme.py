"""The loading programme in the reports: a patient's prescription and readiness checklist, and the clinic's
patients ready to progress."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import formatting, metrics, programme
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports.pdf import ReportPDF, short_date
from dashboard.vocabulary import STAGE_LABELS
from dashboard.weeks import iso_week_of

GREY = (90, 90, 90)
PROMPT = (
    "Ready to progress is a prompt for your judgement, grounded in the pain-monitoring model (Silbernagel "
    "2007) and the staged programmes for proximal hamstring tendinopathy (Goom et al. 2016); it is never an "
    "instruction to the patient."
)


def stage_words(stage: str | None) -> str:
    """Return a stage in the clinic's words, or an en dash."""
    return STAGE_LABELS.get(stage, "–") if isinstance(stage, str) else "–"


def checklist_rows(progress: dict) -> list[list[str]]:
    """Return the five readiness criteria, each met or not, with its numbers."""

    def met(value: bool) -> str:
        return "met" if value else "not met"

    adherence = formatting.number(progress["adherence_14_pct"], 1, blank="none (rest days only)")
    return [
        ["Stage below plyometric, at least 14 days in it", met(progress["stage_ok"]),
         f"{stage_words(progress['stage'])}, {progress['days_in_stage']} days"],
        ["At least 10 of the 14 mornings logged", met(progress["logging_ok"]),
         f"{progress['mornings_logged']} of 14"],
        ["No flare, rising soreness or pain above ceiling in the 14 days, none active",
         met(progress["calm_ok"]),
         f"{progress['high_events_dated']} dated"
         + (", one still active" if progress["high_event_active"] else "")],
        ["Adherence over the 14 days at least 80 %", met(progress["adherence_ok"]), f"{adherence} %"],
        ["Mornings at most the reference level + 1 on at least 80 % of logged days",
         met(progress["settled_ok"]), f"{progress['mornings_settled']} of {progress['mornings_logged']}"],
    ]


def _dose(item: dict) -> str:
    """Return an item's dose as prescribed: '3 × 15, 40 kg' or '5 × 1, 45 s'."""
    dose = f"{int(item['sets'])} × {int(item['reps'])}"
    if not pd.isna(item["hold_s"]):
        dose += f", {item['hold_s']:g} s"
    if not pd.isna(item["load_kg"]):
        dose += f", {item['load_kg']:g} kg"
    return dose


def patient_section(
    pdf: ReportPDF, db: Database, viewer: Viewer, patient_id: str, date_to: dt.date, as_of: dt.date | None,
) -> None:
    """Add 'Loading programme': the items in effect on the report's last day and the readiness checklist."""
    items = programme.items_in_effect(db, viewer, patient_id, date_to)
    if pdf.room() < 50:
        pdf.add_page()
    pdf.heading("Loading programme", size=13)
    if items.empty:
        pdf.paragraph(
            f"No programme prescribed on {short_date(date_to)}: the daily rep target applies and the stage "
            "is read from the logs.", size=10,
        )
        return
    rows = [
        [row["exercise"], stage_words(row["stage"]), _dose(row), row["days"],
         short_date(row["effective_from"])]
        for row in items.to_dict(orient="records")
    ]
    pdf.paragraph(f"Prescribed on {short_date(date_to)}:", size=10)
    pdf.text_table(["Exercise", "Stage", "Dose", "Days", "Since"], rows, widths=(60, 36, 40, 26, 28))
    progress = metrics.patient_progress(db, viewer, patient_id, iso_week_of(date_to), as_of=as_of or date_to)
    if progress is None or progress["ready_to_progress"] is None:
        return
    if pdf.room() < 45:
        pdf.add_page()
    verdict = (
        f"Ready to progress to {stage_words(progress['next_stage']).lower()}."
        if progress["ready_to_progress"] else "Not ready to progress yet."
    )
    pdf.heading(f"Ready to progress? (on {short_date(progress['day'])})", size=11)
    pdf.paragraph(verdict, size=10)
    pdf.text_table(["Criterion", "", "Numbers"], checklist_rows(progress), widths=(110, 20, 60))
    pdf.paragraph(PROMPT, size=8, colour=GREY)


def clinic_section(pdf: ReportPDF, review: pd.DataFrame) -> None:
    """Add the patients ready to progress, with the stage they are in and the next one."""
    ready = review[review["ready_to_progress"].fillna(False).astype(bool)]
    if pdf.room() < 35:
        pdf.add_page()
    pdf.heading("Ready to progress", size=14)
    pdf.paragraph(PROMPT, size=8, colour=GREY)
    if ready.empty:
        pdf.paragraph("No patient on a programme meets all five criteria this week.", size=10)
        return
    rows = [
        [f"{row['patient_id']}\n{row['name'] or ''}", row["clinician"] or "",
         f"{stage_words(row['stage'])}, {int(row['days_in_stage'])} days", stage_words(row["next_stage"])]
        for row in ready.to_dict(orient="records")
    ]
    pdf.text_table(["Patient", "Clinician", "Stage now", "Next stage"], rows, widths=(50, 40, 55, 45))
