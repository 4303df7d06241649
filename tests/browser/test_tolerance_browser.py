"""In a browser, on the sample clinic: a patient's page shows what they tolerate, on a laptop and on a phone,
and the Loads and flares page shows the clinic view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_app_browser import WEEK, open_app, settle, shoot

pytestmark = pytest.mark.browser
# A shared machine can take longer than Playwright's 5 s to finish a rerun after sign-in.
expect.set_options(timeout=30_000)

SECTION = ".st-key-tolerance_section"
VIEWPORTS = {"laptop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request, browser, app_url: str):
    """Yield a fresh tab on the sample clinic at a laptop's or a phone's size, and the size's name."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=app_url)
    context.set_default_timeout(30_000)
    yield context.new_page(), request.param
    context.close()


def test_a_sample_patient_page_shows_what_they_tolerate(sized_page) -> None:
    page, size = sized_page
    open_app(page, f"/patient?patient=P010&week={WEEK}")
    section = page.locator(SECTION)
    section.scroll_into_view_if_needed()
    settle(page)
    expect(section.get_by_role("heading", name="What this patient tolerates")).to_be_visible()
    expect(section.get_by_text("Run was followed by a morning", exact=False)).to_be_visible()
    expect(section.get_by_text("not proof of cause", exact=False).first).to_be_visible()
    # The table (the grid draws its cells on a canvas) and the two charts, drawn.
    expect(section.locator("[data-testid='stDataFrame']")).to_be_visible()
    charts = section.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
        box = charts.nth(index).bounding_box()
        assert box and box["width"] <= VIEWPORTS[size]["width"], "no chart wider than the screen"
    expect(section.get_by_text("per 100 reps", exact=False).first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    # The page scrolls inside the app, so a screen at a time: the heading and sentence, the table, each chart.
    heading = section.get_by_role("heading", name="What this patient tolerates")
    parts = (heading, section.locator("[data-testid='stDataFrame']"), charts.nth(0), charts.nth(1))
    for step, part in enumerate(parts, start=1):
        part.scroll_into_view_if_needed()
        page.wait_for_timeout(400)
        page.screenshot(path=str(_path(f"tolerance_{size}_{step}")))


def test_loads_and_flares_shows_the_clinic_view(sized_page) -> None:
    page, size = sized_page
    open_app(page, "/loads?from=2026-09-28&to=2026-11-22")
    expect(page.get_by_role("heading", name="Loads and flares")).to_be_visible()
    headline = page.get_by_text("Most often followed by worse mornings: run (activity)", exact=False)
    expect(headline).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    shoot(page, f"loads_and_flares_{size}")


def _path(name: str):
    """Return where a screenshot goes (the folder shoot() writes to)."""
    from tests.browser.test_app_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
