"""The main flows on a clinic the sample generator did not write: its ids, names, dates and columns."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_app_browser import assert_no_exception, open_app, select_first_row, settle, shoot

pytestmark = pytest.mark.browser

WEEK = "2025-W10"  # the hand-written clinic's last week (3-9 March 2025); see tests/data/other_clinic


def test_review_of_an_old_week_shows_its_patients_worst_first(other_clinic_page) -> None:
    page = open_app(other_clinic_page, f"/?week={WEEK}")
    page.get_by_role("heading", name="Weekly review").wait_for()
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    assert_no_exception(page)
    # Siobhán is red (a flare and pain above her ceiling); Łukasz is green; the other two are amber.
    caption = re.compile(r"^Worst first: 1 red .* and 2 amber .* then 1 green")
    expect(page.get_by_text(caption)).to_be_visible()
    expect(page.get_by_role("combobox", name="Week")).to_have_value("2025-W10 (03 Mar–09 Mar)")
    shoot(page, "20_other_clinic_review")


def test_the_red_patient_opens_with_her_charts(other_clinic_page) -> None:
    page = open_app(other_clinic_page, f"/?week={WEEK}")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    select_first_row(page, grid)
    page.wait_for_url(re.compile(r"/patient\?.*patient=HS-0101"))
    expect(page.get_by_role("heading", name=re.compile("Siobhán O'Neill"))).to_be_visible()
    settle(page)
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
        "[data-testid='stVegaLiteChart'] svg\").length > 0"
    )
    assert_no_exception(page)
    expect(page.get_by_text("Proximal hamstring tendinopathy (left)")).to_be_visible()
    expect(page.get_by_text("flare", exact=True).first).to_be_visible()
    shoot(page, "21_other_clinic_patient")


def test_a_patient_who_never_logged_opens_without_an_error(other_clinic_page) -> None:
    page = open_app(other_clinic_page, f"/patient?patient=PT-EMPTY&week={WEEK}")
    expect(page.get_by_role("heading", name=re.compile("PT-EMPTY"))).to_be_visible()
    settle(page)
    assert_no_exception(page)
    # Said in words, not drawn as empty charts (and never as zero pain).
    notice = "Nothing logged in this range: no pain scores, exercises or activities."
    expect(page.get_by_text(notice)).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(0)
    shoot(page, "22_other_clinic_no_logs")


def test_the_alerts_inbox_lists_the_clinics_alerts(other_clinic_page) -> None:
    page = open_app(other_clinic_page, "/alerts?period=0")
    page.get_by_role("heading", name="Alerts inbox").wait_for()
    settle(page)
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(r"^\d+ open alerts?,"))).to_be_visible()
    shoot(page, "23_other_clinic_alerts")


def _workbook() -> bytes:
    """Return an XLSX workbook as a spreadsheet saves it: patients and pain sheets, real date cells."""
    import datetime as dt
    import io

    import openpyxl

    book = openpyxl.Workbook()
    patients = book.active
    patients.title = "Patients"
    patients.append(["Patient ID", "Name", "Start date", "Daily rep target"])
    # Starts after the clinic's last week (2025-W10), so the other tests' review of that week is unchanged.
    patients.append(["XL-1", "Aoife Ní Bhriain", dt.datetime(2025, 3, 10), 75])
    pain = book.create_sheet("Pain")
    pain.append(["Patient ID", "Date", "Time of day", "Pain"])
    pain.append(["XL-1", dt.datetime(2025, 3, 10), "Morning", 2.5])
    pain.append(["XL-1", dt.datetime(2025, 3, 11), "morning", 3.0])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_spreadsheet_is_checked_then_imported_and_its_patient_opens(other_clinic_page) -> None:
    page = open_app(other_clinic_page, "/import")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files=[{
        "name": "from-the-front-desk.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _workbook(),
    }])
    settle(page)
    page.get_by_text("patients read 1, would add 1").first.wait_for()
    expect(page.get_by_text("pain read 2, would add 2").first).to_be_visible()
    page.get_by_role("button", name=re.compile("^Import 1 accepted file")).click()
    settle(page)
    page.get_by_text("Imported.").wait_for()
    assert_no_exception(page)
    shoot(page, "24_other_clinic_xlsx_imported")

    # The session cookie keeps the sign-in when the address changes: no form this time.
    open_app(page, "/patient?patient=XL-1&week=2025-W11&range=4", user=None)
    expect(page.get_by_role("heading", name=re.compile("Aoife Ní Bhriain · XL-1"))).to_be_visible()
    expect(page.get_by_text("75 reps")).to_be_visible()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    assert_no_exception(page)
