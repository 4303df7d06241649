"""Given a clinic with Markdown names, a 70.5 % week and an acknowledged alert, expect reports that read
alike: one rounding, acknowledgements shown, a week in progress said so, imported text as written."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from dashboard import alert_inbox, formatting, metrics
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.reports import clinic_report_csv, clinic_report_pdf, clinic_report_xlsx, patient_report_pdf
from dashboard.sample import SAMPLE_DIR
from tests.helpers import EXERCISES_HEADER, PAIN_HEADER, write_csv, write_text
from tests.test_plain_text import IMAGE_NAME, LINK_NAME
from tests.test_plain_text_pages import ACK_NOTE, CONDITION, EXERCISE, markdown_files

WEEK = "2026-W47"
AS_OF = dt.date(2026, 11, 23)
SYSTEM = Viewer.system()
MONDAY = dt.date(2026, 11, 16)


def test_given_halves_expect_them_rounded_up_as_a_person_rounds():
    assert formatting.percent(70.5) == "71%" and formatting.percent(69.5) == "70%"
    assert formatting.pain(2.25) == "2.3" and formatting.pain(2.675) == "2.7" and formatting.pain(3) == "3.0"
    assert formatting.number(70.5, 1) == "70.5" and formatting.count(737.5) == "738"
    assert formatting.rounded(70.5, 0) == 71.0 and formatting.rounded(None, 1) is None
    assert formatting.pain(float("nan"), blank="–") == "–" and formatting.percent(None) == ""


def rounding_files(folder) -> list:
    """Return P960's files: a 200-rep target met on four days of W47 and 187 reps on the fifth (70.5 %),
    and W47 mornings of 2, 2.5, 2 and 2.5 (a mean of 2.25)."""
    patients = write_text(
        folder, "round_patients.csv",
        "patient_id,name,clinician,condition,start_date,daily_rep_target\n"
        "P960,Half Way,Sam Patel,Achilles tendinopathy,2026-11-01,200\n",
    )
    mornings = {MONDAY + dt.timedelta(days=k): score for k, score in enumerate([2, 2.5, 2, 2.5])}
    before = {dt.date(2026, 11, 1) + dt.timedelta(days=k): 2 for k in range(15)}
    pain = write_csv(folder, "round_pain.csv", PAIN_HEADER, [
        ["P960", day.isoformat(), "morning", score, ""] for day, score in {**before, **mornings}.items()
    ])
    sets_reps = [(10, 20)] * 4 + [(11, 17)]
    exercises = write_csv(folder, "round_exercises.csv", EXERCISES_HEADER, [
        ["P960", day.isoformat(), "Calf raise", "isotonic", sets, reps, "", 20, 1, ""]
        for day, (sets, reps) in zip(mornings | {MONDAY + dt.timedelta(days=4): 0}, sets_reps, strict=True)
    ])
    return [patients, pain, exercises]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory) -> Database:
    """Return the sample clinic with P950, P951 (Markdown) and P960 (halves), P950's first W47 alert
    acknowledged with a Markdown note."""
    folder = tmp_path_factory.mktemp("readable")
    database = Database(folder / "clinic.duckdb")
    for files in (sorted(SAMPLE_DIR.glob("*.csv")), markdown_files(folder), rounding_files(folder)):
        result = import_paths(database, files, actor="test")
        assert result.ok, result.report()
    events = metrics.alert_events(database, SYSTEM, MONDAY, MONDAY + dt.timedelta(days=6), patient_id="P950")
    first = events.sort_values(["date", "rule"]).iloc[0]
    assert alert_inbox.acknowledge_alert(database, SYSTEM, "P950", first["rule"], first["date"], ACK_NOTE)
    return database


def pdf_text(data: bytes) -> str:
    """Return a PDF's text, lines joined by spaces."""
    return " ".join(page.extract_text().replace("\n", " ") for page in PdfReader(io.BytesIO(data)).pages)


def csv_rows(data: bytes) -> list[dict]:
    """Return a CSV report's rows as dicts by heading."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def sheet_rows(workbook: openpyxl.Workbook, name: str) -> list[dict]:
    """Return a sheet's rows as dicts by heading."""
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_figure_reads_the_same_in_the_pdf_the_xlsx_and_the_csv(clinic):
    review = metrics.weekly_review(clinic, SYSTEM, WEEK, as_of=AS_OF)
    p960 = review[review["patient_id"] == "P960"].iloc[0]
    assert p960["adherence_pct"] == pytest.approx(70.5) and p960["mean_morning_pain"] == pytest.approx(2.25)

    text = pdf_text(clinic_report_pdf(clinic, SYSTEM, WEEK, clinician="Sam Patel", as_of=AS_OF))
    assert "P960 Half Way" in text and "71%" in text and "2.0 → 2.3" in text

    workbook = openpyxl.load_workbook(io.BytesIO(clinic_report_xlsx(clinic, SYSTEM, WEEK, as_of=AS_OF)))
    summary = next(row for row in sheet_rows(workbook, "Summary") if row["Patient ID"] == "P960")
    assert summary["Adherence %"] == 71 and summary["Mean morning pain"] == 2.3
    cells = {cell.value: cell for cell in workbook["Summary"][1]}
    column = {heading: index for index, heading in enumerate(cells)}
    row = next(r for r in workbook["Summary"].iter_rows(min_row=2) if r[1].value == "P960")
    assert row[column["Adherence %"]].number_format == "0"
    assert row[column["Mean morning pain"]].number_format == "0.0"

    lines = csv_rows(clinic_report_csv(clinic, SYSTEM, WEEK, as_of=AS_OF))
    by_id = {line["Patient ID"]: line for line in lines}
    assert by_id["P960"]["Adherence %"] == "71" and by_id["P960"]["Mean morning pain"] == "2.3"


def test_a_week_in_progress_reads_in_progress_not_green(clinic):
    wednesday = MONDAY + dt.timedelta(days=2)
    text = pdf_text(clinic_report_pdf(clinic, SYSTEM, WEEK, clinician="Sam Patel", as_of=wednesday))
    assert "Week in progress" in text and "Triage (week so far)" in text
    assert "green" not in text
    lines = csv_rows(clinic_report_csv(clinic, SYSTEM, WEEK, as_of=wednesday))
    risks = {line["Risk"] for line in lines}
    assert "in progress" in risks and "green" not in risks
    assert {line["Week"] for line in lines} == {f"{WEEK} (in progress)"}
    # Once the week is over it is judged: green again.
    finished = csv_rows(clinic_report_csv(clinic, SYSTEM, WEEK, as_of=AS_OF))
    assert "green" in {line["Risk"] for line in finished}


def test_alert_lists_say_whether_by_whom_and_why_an_alert_was_acknowledged(clinic):
    today = dt.date.today()
    workbook = openpyxl.load_workbook(io.BytesIO(clinic_report_xlsx(clinic, SYSTEM, WEEK, as_of=today)))
    alerts = [row for row in sheet_rows(workbook, "Alerts") if row["Patient ID"] == "P950"]
    done = [row for row in alerts if row["Acknowledged"] == "acknowledged"]
    assert len(done) == 1 and done[0]["Acknowledged by"] == SYSTEM.username
    assert done[0]["Acknowledgement note"] == ACK_NOTE and done[0]["Acknowledged at"]
    still_open = [row for row in alerts if row not in done]
    assert still_open
    assert all(row["Acknowledged"] == "open" and not row["Acknowledged by"] for row in still_open)

    text = pdf_text(patient_report_pdf(clinic, SYSTEM, "P950", dt.date(2026, 10, 1), dt.date(2026, 11, 22)))
    assert f"acknowledged by {SYSTEM.username}" in text and "open" in text
    assert ACK_NOTE.replace(" ", "") in text.replace(" ", "")  # as written (a table cell may wrap it)
    clinic_text = pdf_text(clinic_report_pdf(clinic, SYSTEM, WEEK, clinician="Sam Patel"))
    assert f"acknowledged by {SYSTEM.username}" in clinic_text

    # A report as of a day before the acknowledgement shows the alert open.
    earlier = openpyxl.load_workbook(io.BytesIO(clinic_report_xlsx(clinic, SYSTEM, WEEK, as_of=AS_OF)))
    if dt.date.today() > AS_OF:
        assert all(row["Acknowledged"] == "open" for row in sheet_rows(earlier, "Alerts"))


def test_markdown_names_print_as_written_in_the_pdfs_and_the_xlsx(clinic):
    text = pdf_text(clinic_report_pdf(clinic, SYSTEM, WEEK, as_of=AS_OF))
    squeezed = text.replace(" ", "")
    for written in (IMAGE_NAME, LINK_NAME):
        assert written.replace(" ", "") in squeezed  # a narrow table cell may wrap a long name
    patient = pdf_text(patient_report_pdf(clinic, SYSTEM, "P951", dt.date(2026, 10, 1), AS_OF))
    assert f"P951 {LINK_NAME}" in patient and CONDITION in patient

    workbook = openpyxl.load_workbook(io.BytesIO(clinic_report_xlsx(clinic, SYSTEM, WEEK, as_of=AS_OF)))
    names = {row["Name"] for row in sheet_rows(workbook, "Summary")}
    assert {IMAGE_NAME, LINK_NAME} <= names
    notes = " ".join(str(row["Patient notes"]) for row in sheet_rows(workbook, "Daily"))
    assert "![n](http://127.0.0.1:9/note.png)" in notes and EXERCISE not in names
