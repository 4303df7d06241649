"""Main flows in a browser: sign in, review, open a red patient, acknowledge, import, scoping, downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WEEK = "2026-W47"  # the sample clinic's last complete week
ROW_HEIGHT = 35  # st.dataframe's default row height; the header row is as tall
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PASSWORD = "test-only password"  # the accounts conftest.py creates in the throwaway database
# A report is drawn when asked for; on a loaded 2-core machine that took over Playwright's 30 s default.
DOWNLOAD_WAIT_MS = 120_000
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "patients.csv"


def open_app(page, path: str, user: str | None = "admin"):
    """Open a path of the app, sign in through the form as user, and wait until the page has run."""
    page.goto(path)
    # The app reports "not running" before its first run starts, so wait for a page title first.
    page.locator("[data-testid='stMain'] h1").first.wait_for()
    settle(page)
    if user is not None:
        sign_in(page, user)
    return page


def sign_in(page, user: str, password: str = PASSWORD) -> None:
    """Fill in and submit the sign-in form, then wait for the page the address asked for."""
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("[data-testid='stMain'] h1").first).not_to_have_text("Tendon rehab")
    settle(page)


def settle(page) -> None:
    """Wait until the app has finished a rerun."""
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_timeout(300)  # let the last deltas paint
    page.wait_for_selector(IDLE, state="attached")


def shoot(page, name: str) -> None:
    """Save a screenshot under screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_no_exception(page) -> None:
    """Fail when the app shows a Python exception."""
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def select_first_row(page, grid) -> None:
    """Tick the first row of a selectable st.dataframe (a canvas grid) by clicking its row marker."""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT + ROW_HEIGHT / 2)
    settle(page)


def test_review_then_open_a_red_patient_and_see_the_charts(page) -> None:
    open_app(page, f"/?week={WEEK}")
    page.get_by_role("heading", name="Weekly review").wait_for()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    assert_no_exception(page)
    expect(page.get_by_text("Active patients")).to_be_visible()
    # The grid stays at most 20 rows tall (plus header) so it draws only the rows in view, not the caseload.
    assert grid.bounding_box()["height"] <= ROW_HEIGHT * 21 + 10
    expect(page.get_by_text(re.compile(r"^Worst first: \d+ red"))).to_be_visible()
    shoot(page, "01_weekly_review")
    # The table's toolbar offers no CSV download: that export would bypass the audit trail.
    grid.hover()
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)

    select_first_row(page, grid)  # red patients come first
    page.wait_for_url(re.compile(r"/patient\?.*patient=P0\d\d"))
    page.get_by_role("heading", name="Patient detail").wait_for()
    settle(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for()
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='stVegaLiteChart'] canvas, "
        "[data-testid='stVegaLiteChart'] svg\") !== null"
    )
    assert_no_exception(page)
    expect(page.get_by_text("Red", exact=True).first).to_be_visible()
    shoot(page, "02_patient_detail")


def test_deep_link_opens_a_patient_at_a_week(page) -> None:
    open_app(page, "/patient?patient=P010&week=2026-W46&range=4")
    expect(page.get_by_role("heading", name=re.compile("P010"))).to_be_visible()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    assert_no_exception(page)


def test_acknowledge_an_alert(page) -> None:
    open_app(page, "/alerts?period=0")
    caption = page.get_by_text(re.compile(r"^\d+ open alerts?,"))
    before = int(caption.inner_text().split()[0])
    shoot(page, "03_alerts_inbox")

    select_first_row(page, page.locator("[data-testid='stDataFrame']").first)
    page.get_by_label("Note").fill("phoned the patient; halved the load")
    shoot(page, "04_alert_acknowledge_form")
    page.get_by_role("button", name="Acknowledge").click()
    settle(page)
    page.get_by_text(re.compile(r"^Acknowledged ")).wait_for()
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(rf"^{before - 1} open alerts?,"))).to_be_visible()


def upload(page, name: str, content: bytes) -> None:
    """Put one file into the page's file uploader."""
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    settle(page)


def test_import_a_good_file_after_the_check_and_refuse_a_bad_one(page) -> None:
    open_app(page, "/import")
    shoot(page, "05_import_empty")
    good = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-23,morning,2,\nP007,2026-11-23,evening,3,\n"
    upload(page, "good.csv", good)
    page.get_by_text("would add 2").wait_for()
    expect(page.get_by_text("All 1 file passed the checks.")).to_be_visible()
    shoot(page, "06_import_checked")
    page.get_by_role("button", name=re.compile("^Import 1 accepted file")).click()
    settle(page)
    page.get_by_text("Imported.").wait_for()
    expect(page.get_by_text("good.csv: pain read 2, added 2").first).to_be_visible()
    shoot(page, "07_import_done")

    bad = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-24,morning,12,\nP999,2026-11-24,noon,3,\n"
    upload(page, "bad.csv", bad)
    page.get_by_text(re.compile("REFUSED bad.csv")).wait_for()
    settle(page)
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert_no_exception(page)
    shoot(page, "08_import_refused")


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("09_log_entry", "/log-entry?patient=P002", "Log entry"),
        ("10_settings", "/settings?patient=P002", "Patient settings"),
        ("11_review_filtered", f"/?week={WEEK}&clinician=Sam+Patel", "Weekly review"),
    ],
)
def test_other_pages_render(page, name: str, path: str, heading: str) -> None:
    open_app(page, path)
    page.get_by_role("heading", name=heading).wait_for()
    assert_no_exception(page)
    shoot(page, name)


def sample_patients() -> dict[str, dict[str, str]]:
    """Return the sample clinic's patients by id."""
    import csv

    with SAMPLE.open(encoding="utf-8") as file:
        return {row["patient_id"]: row for row in csv.DictReader(file)}


def test_an_unauthenticated_browser_sees_no_patient(page) -> None:
    patients = sample_patients()
    assert len(patients) == 24
    for path in ("/", f"/?week={WEEK}", "/patient?patient=P002", "/alerts?period=0", "/settings", "/import"):
        open_app(page, path, user=None)
        expect(page.get_by_label("Username")).to_be_visible()
        assert_no_exception(page)
        html = page.content()
        for patient_id, row in patients.items():
            assert patient_id not in html, (path, patient_id)
            assert row["name"] not in html, (path, row["name"])
        assert "Weekly review" not in html and "Sign out" not in html
        if path == "/":
            shoot(page, "00_sign_in")


def test_a_clinician_cannot_open_another_clinicians_patient(page) -> None:
    patients = sample_patients()
    assert patients["P002"]["clinician"] != "Sam Patel"
    open_app(page, f"/patient?patient=P002&week={WEEK}", user="sam")
    expect(page.get_by_text(re.compile("^Patient not found"))).to_be_visible()
    settle(page)
    assert_no_exception(page)
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(0)
    html = page.content()
    assert patients["P002"]["name"] not in html
    assert patients["P002"]["condition"] not in html
    # Sam's own patients are the only ones on offer.
    page.locator("[data-testid='stSelectbox']").filter(has_text="Patient").first.click()
    options = page.locator("[role='option']").all_inner_texts()
    mine = {pid for pid, row in patients.items() if row["clinician"] == "Sam Patel"}
    assert options and {option.split(" · ")[0] for option in options} <= mine
    page.keyboard.press("Escape")
    shoot(page, "12_clinician_deep_link_not_found")


def test_a_download_from_the_review_page_is_a_pdf(page) -> None:
    open_app(page, f"/?week={WEEK}", user="sam")
    page.get_by_role("button", name=re.compile("Download")).click()
    shoot(page, "13_review_downloads")
    with page.expect_download(timeout=DOWNLOAD_WAIT_MS) as download_info:
        page.get_by_role("button", name="PDF").click()
    download = download_info.value
    # Sam's unfiltered report holds Sam's patients, and its name says so.
    assert download.suggested_filename == f"clinic-report_sam-patel_{WEEK}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_a_pseudonymous_patient_report_downloads_from_the_patient_page(page) -> None:
    open_app(page, f"/patient?patient=P010&week={WEEK}", user="sam")
    page.get_by_role("button", name=re.compile("Progress report")).click()
    page.get_by_text("Pseudonymous (id only)").click()
    settle(page)
    shoot(page, "14_patient_report_download")
    with page.expect_download(timeout=DOWNLOAD_WAIT_MS) as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("patient-report_P010_")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
