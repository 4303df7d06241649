"""Given the sample clinic, expect a patient progress report with every chart, alerts and pseudonymity."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.metrics import UnknownPatient
from dashboard.reports import patient_report_pdf
from dashboard.sample import SAMPLE_DIR

AS_OF = dt.date(2026, 11, 23)
ADMIN = Viewer.system()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory) -> Database:
    """Return a database holding the sample clinic."""
    database = Database(tmp_path_factory.mktemp("patient") / "clinic.duckdb")
    result = import_paths(database, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    return database


@pytest.fixture(scope="module")
def named(clinic) -> PdfReader:
    """Return P002's report for October and November, with the name."""
    data = patient_report_pdf(clinic, ADMIN, "P002", dt.date(2026, 10, 1), dt.date(2026, 11, 22), as_of=AS_OF)
    return PdfReader(io.BytesIO(data))


def _text(reader: PdfReader) -> str:
    """Return all text of a PDF, lines joined by spaces."""
    return " ".join(page.extract_text().replace("\n", " ") for page in reader.pages)


def test_patient_report_names_the_patient_and_period(named):
    text = _text(named)
    assert "Patient progress report: P002 José Mensah" in text
    assert "1 Oct 2026 – 22 Nov 2026" in text
    assert "Léa Moreau" in text and "proximal hamstring tendinopathy" in text
    assert "≥ 2" in text  # the flare threshold sentence needs the embedded Unicode font


def test_patient_report_has_all_charts_alerts_and_weekly_adherence(named):
    images = sum(len(page.images) for page in named.pages)
    assert images == 6  # pain, reps, response, stage timeline, weekly adherence, activities
    text = _text(named)
    assert "rising soreness" in text and "morning pain 2 → 3 → 6 → 7 (+5, 16–19 Nov)" in text
    assert "Weekly adherence" in text and "2026-W40" in text and "2026-W47" in text
    for number, page in enumerate(named.pages, start=1):
        page_text = page.extract_text()
        assert "Confidential: contains patient health data" in page_text
        assert f"Page {number} of {len(named.pages)}" in page_text


def test_given_pseudonymous_expect_id_without_name(clinic):
    data = patient_report_pdf(
        clinic, ADMIN, "P001", dt.date(2026, 11, 1), dt.date(2026, 11, 22), pseudonymous=True, as_of=AS_OF
    )
    reader = PdfReader(io.BytesIO(data))
    text = _text(reader)
    assert "P001" in text
    assert "Zoë" not in text and "Lefèvre" not in text
    assert "Lefèvre" not in str(reader.metadata)


def test_given_accented_name_expect_it_printed(clinic):
    data = patient_report_pdf(clinic, ADMIN, "P001", dt.date(2026, 11, 1), dt.date(2026, 11, 22), as_of=AS_OF)
    assert "Zoë Lefèvre" in _text(PdfReader(io.BytesIO(data)))


def test_given_patient_of_another_clinician_expect_unknown_patient(clinic):
    sam = Viewer("sam", "clinician", "Sam Patel")
    with pytest.raises(UnknownPatient):
        patient_report_pdf(clinic, sam, "P002", dt.date(2026, 11, 1), dt.date(2026, 11, 22), as_of=AS_OF)


def test_fonts_ship_inside_the_package():
    from dashboard.reports.pdf import FONT_DIR

    assert (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert FONT_DIR.parent.name == "dashboard"  # inside the package, so a wheel carries them
