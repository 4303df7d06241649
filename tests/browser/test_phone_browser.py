"""Pages a clinician can read on a phone (390 x 844) and on a laptop (1440 x 1000), in chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_app_browser import WEEK, assert_no_exception, open_app, settle, shoot

pytestmark = pytest.mark.browser
# A shared machine can take longer than Playwright's 5 s to finish a rerun after sign-in.
expect.set_options(timeout=30_000)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 1000}


def _context_page(browser, app_url: str, viewport: dict):
    """Yield a fresh tab of the given size on the sample clinic."""
    context = browser.new_context(viewport=viewport, base_url=app_url)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, app_url: str):
    """Return a phone-sized tab."""
    yield from _context_page(browser, app_url, PHONE)


@pytest.fixture
def laptop(browser, app_url: str):
    """Return a laptop-sized tab."""
    yield from _context_page(browser, app_url, LAPTOP)


def test_on_a_phone_the_review_shows_risk_name_and_alerts_on_the_first_screen(phone) -> None:
    open_app(phone, f"/?week={WEEK}")
    grid = phone.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    assert_no_exception(phone)
    shoot(phone, "phone_01_review")
    box = grid.bounding_box()
    # The header and the first (red) patient's row are on the first screen: it began 1,000 px down.
    assert box["y"] + 35 + 68 <= PHONE["height"], f"the table starts {box['y']:.0f} px down"
    # The grid's accessible header names the columns it draws: risk, name and alerts first.
    expect(grid.locator("[role='columnheader']").first).to_be_attached()  # drawn after the canvas
    headers = grid.locator("[role='columnheader']").all_inner_texts()
    assert headers[:3] == ["Risk", "Patient", "Alerts"], headers
    # The headline figures sit in one compact row, all on screen.
    figures = phone.locator(".st-key-review_figures [data-testid='stMetric']").all()
    tops = {round(figure.bounding_box()["y"]) for figure in figures}
    assert len(figures) >= 5 and len(tops) == 1, tops
    assert all(figure.bounding_box()["x"] + figure.bounding_box()["width"] <= PHONE["width"]
               for figure in figures)


def test_on_a_phone_the_patient_charts_fit_the_width_with_their_legends(phone) -> None:
    open_app(phone, f"/patient?patient=P002&week={WEEK}")
    charts = phone.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for()
    phone.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
        "[data-testid='stVegaLiteChart'] svg\").length >= 5"
    )
    settle(phone)
    assert_no_exception(phone)
    shoot(phone, "phone_02_patient")
    assert charts.count() >= 5
    for index in range(charts.count()):
        drawn = charts.nth(index).locator("canvas, svg.marks").first
        box = drawn.bounding_box()
        # The whole drawing, legend and the latest days included, is within the screen's width.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)


def test_on_a_phone_the_sidebar_closes_after_a_page_is_chosen(phone) -> None:
    open_app(phone, f"/?week={WEEK}")
    sidebar = phone.locator("[data-testid='stSidebar']")
    phone.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar.get_by_role("link", name="Patient detail")).to_be_visible()
    sidebar.get_by_role("link", name="Patient detail").click()
    phone.get_by_role("heading", name="Patient detail").wait_for()
    settle(phone)
    phone.wait_for_function(
        "() => document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().right <= 0"
    )
    shoot(phone, "phone_03_after_navigation")


def test_on_a_laptop_the_review_table_fits_beside_the_sidebar(laptop) -> None:
    open_app(laptop, f"/?week={WEEK}")
    grid = laptop.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    assert_no_exception(laptop)
    shoot(laptop, "laptop_01_review")
    expect(grid.locator("[role='columnheader']").first).to_be_attached()  # drawn after the canvas
    headers = grid.locator("[role='columnheader']").all_inner_texts()
    # An admin reads whose patient each is; the grid stays within the page.
    assert headers[:4] == ["Risk", "Patient", "Alerts", "Clinician"], headers
    assert grid.bounding_box()["x"] + grid.bounding_box()["width"] <= LAPTOP["width"]


def test_the_patient_stays_chosen_after_another_page_and_back(laptop) -> None:
    open_app(laptop, f"/patient?patient=P010&week={WEEK}")
    expect(laptop.get_by_role("heading", name="Tomás Walsh · P010")).to_be_visible()
    laptop.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Alerts inbox").click()
    laptop.get_by_role("heading", name="Alerts inbox").wait_for()
    settle(laptop)
    laptop.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Patient detail").click()
    laptop.get_by_role("heading", name="Patient detail").wait_for()
    settle(laptop)
    expect(laptop.get_by_role("heading", name="Tomás Walsh · P010")).to_be_visible()
    shoot(laptop, "laptop_02_patient_kept")
