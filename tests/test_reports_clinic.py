"""Given the sample clinic plus a hostile patient, expect complete, scoped and inert clinic reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from dashboard import charts
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.reports import clinic_report_csv, clinic_report_pdf, clinic_report_xlsx
from dashboard.reports.data import reason
from dashboard.reports.sheets import neutralise
from dashboard.sample import SAMPLE_DIR

WEEK = "2026-W47"
AS_OF = dt.date(2026, 11, 23)
EVIL_NAME = "=cmd|' /C calc'!A0"
EVIL_NOTE = '=HYPERLINK("http://x","y")'
ADMIN = Viewer.system()


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """Write a CSV log with proper quoting."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def hostile_files(folder: Path) -> list[Path]:
    """Return log files adding a patient whose name and notes are spreadsheet formulas."""
    patients = _write_csv(
        folder / "hostile_patients.csv",
        ["patient_id", "name", "clinician", "condition", "start_date"],
        [["P900", EVIL_NAME, "Sam Patel", "Achilles tendinopathy", "2026-11-01"]],
    )
    pain_rows = [["P900", f"2026-11-{day:02d}", "morning", 2, ""] for day in range(1, 16)]
    pain_rows.append(["P900", "2026-11-16", "morning", 3, EVIL_NOTE])
    pain_rows.append(["P900", "2026-11-17", "morning", 3, "@SUM(1+1)"])
    pain_header = ["patient_id", "date", "time_of_day", "pain", "note"]
    pain = _write_csv(folder / "hostile_pain.csv", pain_header, pain_rows)
    exercises = _write_csv(
        folder / "hostile_exercises.csv",
        ["patient_id", "date", "exercise", "stage", "sets", "reps", "hold_s", "load_kg", "pain_during",
         "note"],
        [["P900", "2026-11-18", "Calf raise", "isotonic", 2, 10, "", 20, 2, "+1 set extra"]],
    )
    return [patients, pain, exercises]


@pytest.fixture(scope="session")
def clinic_db(tmp_path_factory) -> Database:
    """Return a database with the sample clinic and the hostile patient P900 (Sam Patel's)."""
    folder = tmp_path_factory.mktemp("clinic")
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    database = Database(folder / "clinic.duckdb")
    result = import_paths(database, sorted(folder.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    result = import_paths(database, hostile_files(folder), actor="test")
    assert result.ok, result.report()
    return database


@pytest.fixture(scope="session")
def sam_pdf(clinic_db) -> PdfReader:
    """Return Sam Patel's weekly clinic report as a parsed PDF."""
    data = clinic_report_pdf(clinic_db, ADMIN, WEEK, clinician="Sam Patel", as_of=AS_OF)
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data))


@pytest.fixture(scope="session")
def workbook(clinic_db) -> openpyxl.Workbook:
    """Return the whole clinic's weekly workbook, opened with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(clinic_report_xlsx(clinic_db, ADMIN, WEEK, as_of=AS_OF)))


def _text(reader: PdfReader) -> str:
    """Return all text of a PDF."""
    return "\n".join(page.extract_text() for page in reader.pages)


def test_given_rules_expect_reasons_in_words():
    assert reason("rising_streak", "morning pain 2 → 3 → 6 → 7 (16–19 Nov)") == \
        "rising soreness: morning pain 2 → 3 → 6 → 7 (16–19 Nov)"
    assert reason("not_logging", "not logging since 12 Nov") == "not logging since 12 Nov"
    assert reason("low_adherence", None) == "low adherence"


def test_given_formula_text_expect_a_quote_prefix_in_csv():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "\nx"):
        assert neutralise(text) == "'" + text
    assert neutralise("José") == "José"


def test_clinic_pdf_cover_triage_and_sections(sam_pdf):
    text = _text(sam_pdf)
    assert "Weekly clinic report" in text and WEEK in text and "Sam Patel" in text
    assert "16 Nov 2026 – 22 Nov 2026" in text
    for patient in ("P010", "Tomás Walsh", "P013", "Zoë Sørensen", "P900"):
        assert patient in text
    assert "rising soreness: morning pain 2 → 3 → 6 → 7 (+5, 16–19 Nov); usual 3" in text.replace("\n", " ")
    assert "José Mensah" not in text  # Léa Moreau's patient
    assert EVIL_NAME in text  # printed as plain text: a PDF runs nothing


def test_clinic_pdf_every_page_has_header_footer_and_page_count(sam_pdf):
    pages = len(sam_pdf.pages)
    assert pages >= 4
    for number, page in enumerate(sam_pdf.pages, start=1):
        text = page.extract_text()
        assert "Weekly clinic report" in text
        assert "Confidential: contains patient health data" in text
        assert f"Page {number} of {pages}" in text


def test_clinic_pdf_flagged_patient_pages_carry_charts_and_their_key(sam_pdf):
    chart_pages = [page for page in sam_pdf.pages if "Key to the charts on this page" in page.extract_text()]
    assert chart_pages
    for page in chart_pages:  # the chart titles are the page's text, not part of the picture
        text = page.extract_text()
        assert charts.PAIN_TITLE in text and charts.REPS_TITLE in text
        assert 2 <= len(page.images) <= 3  # the key and one or two patients' charts


def _alt_texts(data: bytes) -> list[str]:
    """Return the alternative texts of the PDF's figures, in order."""
    return [text.decode("utf-16-be") if text.startswith("\ufeff".encode("utf-16-be")) else text.decode()
            for text in re.findall(rb"/Alt \((.*?)\)", data)]


def test_clinic_pdf_puts_two_patients_to_a_page_each_page_with_the_key(clinic_db):
    data = clinic_report_pdf(clinic_db, ADMIN, WEEK, clinician="Sam Patel", as_of=AS_OF)
    reader = PdfReader(io.BytesIO(data))
    flagged = ["P010", "P900", "P004", "P013", "P019"]
    alts = [text.strip("\ufeff") for text in _alt_texts(data) if text.strip("\ufeff")]
    patients = [text for text in alts if text.startswith("Pain and reps charts for")]
    keys = [text for text in alts if charts.KEY_ALT_TEXT in text]
    assert sorted(text.split()[5].rstrip(",") for text in patients) == sorted(flagged)
    chart_pages = [page for page in reader.pages if "Key to the charts on this page" in page.extract_text()]
    assert len(keys) == len(chart_pages) == -(-len(flagged) // 2)  # half the patients' pages, rounded up
    assert max(len(page.images) for page in chart_pages) == 3


def test_clinic_pdf_with_no_flagged_patient_has_no_key(clinic_db):
    viewer = Viewer("nobody", "clinician", "Nobody Here")
    text = _text(PdfReader(io.BytesIO(clinic_report_pdf(clinic_db, viewer, WEEK, as_of=AS_OF))))
    assert "Key to the patient charts" not in text and "Triage" in text


def test_clinic_pdf_for_a_clinician_viewer_is_scoped(clinic_db):
    lea = Viewer("lea", "clinician", "Léa Moreau")
    text = _text(PdfReader(io.BytesIO(clinic_report_pdf(clinic_db, lea, WEEK, as_of=AS_OF))))
    assert "José Mensah" in text
    assert "Tomás Walsh" not in text and "P900" not in text


def test_workbook_sheets_headers_and_frozen_rows(workbook):
    assert workbook.sheetnames == ["Summary", "Alerts", "Daily"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width > 5
    summary = workbook["Summary"]
    headings = [cell.value for cell in summary[1]]
    assert headings[:3] == ["Risk", "Patient ID", "Name"] and "Reason" in headings


def test_workbook_values_numbers_and_dates_are_typed(workbook):
    summary = workbook["Summary"]
    headings = [cell.value for cell in summary[1]]
    body = summary.iter_rows(min_row=2, values_only=True)
    rows = {row[1]: dict(zip(headings, row, strict=True)) for row in body}
    p002 = rows["P002"]
    assert p002["Risk"] == "red" and p002["Name"] == "José Mensah"
    assert isinstance(p002["Total reps"], int | float) and p002["Total reps"] > 0
    assert "rising soreness" in p002["Reason"]
    daily = workbook["Daily"]
    dates = [row[2] for row in daily.iter_rows(min_row=2, values_only=True)]
    assert dates and all(isinstance(value, dt.datetime) for value in dates)
    week = {dt.date(2026, 11, 16) + dt.timedelta(days=k) for k in range(7)}
    assert {value.date() for value in dates} <= week
    alerts = workbook["Alerts"]
    assert all(isinstance(row[0], dt.datetime) for row in alerts.iter_rows(min_row=2, values_only=True))
    assert daily.cell(row=2, column=3).number_format == "yyyy-mm-dd"


def test_workbook_has_no_formulas_and_hostile_text_is_inert(workbook):
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} is not marked as text"
                    texts.append(cell.value)
    # Plain text cells marked as text (quotePrefix), the apostrophe not part of the value.
    assert EVIL_NAME in texts and EVIL_NOTE in texts
    assert "+1 set extra" in texts and "@SUM(1+1)" in texts


def test_csv_is_the_triage_table_with_inert_text(clinic_db):
    data = clinic_report_csv(clinic_db, ADMIN, WEEK, as_of=AS_OF)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    headings, body = rows[0], rows[1:]
    assert headings[:3] == ["Risk", "Patient ID", "Name"]
    by_id = {row[1]: row for row in body}
    assert by_id["P002"][0] == "red"
    assert by_id["P900"][2] == "'" + EVIL_NAME
    assert float(by_id["P002"][headings.index("Total reps")]) > 0
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r", "\n"))
    risks = [row[0] for row in body]
    assert risks == sorted(risks, key=["red", "amber", "green"].index)
