"""In a browser, on the sample clinic: the readiness checklist of the sample's ready patient (P008) is seen on
the patient page, each criterion met, with the words saying it is a prompt for the clinician's judgement; at
a laptop's and a phone's width. Screenshots of the Programme section go to screenshots/ for a human."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_app_browser import SCREENSHOTS, assert_no_exception, open_app, settle

pytestmark = pytest.mark.browser
# A loaded machine (two cores shared) can take longer than the default 5 s to sign in and run the page.
expect.set_options(timeout=30_000)

SIZES = {"laptop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}


def shoot_programme(page, name: str) -> None:
    """Save what a clinician sees of the Programme section, screen by screen, as screenshots for a human."""
    SCREENSHOTS.mkdir(exist_ok=True)
    parts = {
        "1_items": page.get_by_role("heading", name="Programme", exact=True),
        "2_checklist": page.locator(".st-key-readiness_checklist"),
        "3_adherence": page.get_by_text(re.compile(r"^Adherence per exercise in ")),
    }
    for part, locator in parts.items():
        locator.evaluate("element => element.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(400)  # let the grids draw what scrolled into view
        page.screenshot(path=str(SCREENSHOTS / f"{name}_{part}.png"))


@pytest.mark.parametrize("size", SIZES)
def test_the_ready_patients_checklist_is_seen_on_the_patient_page(page, size: str) -> None:
    open_app(page, "/patient?patient=P008&week=2026-W47")  # signed in at a laptop's width: the sidebar shows
    page.set_viewport_size(SIZES[size])
    checklist = page.locator(".st-key-readiness_checklist")
    checklist.scroll_into_view_if_needed()
    settle(page)
    expect(checklist.get_by_text("Ready to progress? Readiness checklist")).to_be_visible()
    expect(checklist.get_by_text(re.compile(r"^Ready to progress to isotonic"))).to_be_visible()
    for numbers in ("83 days in isometric", "14 of 14 logged", "86 %", "14 of 14 mornings (100 %)"):
        expect(checklist.get_by_text(numbers)).to_be_visible()
    assert checklist.get_by_text(re.compile(r"^met$|^met ·|met · ")).count() >= 1
    assert checklist.get_by_text("not met").count() == 0
    expect(checklist.get_by_text(re.compile("never an instruction to the patient"))).to_be_visible()
    expect(checklist.get_by_text(re.compile("Goom et al. 2016"))).to_be_visible()
    assert_no_exception(page)
    shoot_programme(page, f"20_programme_ready_patient_{size}")
    page.get_by_text("Add, change or stop an exercise").click()
    expect(page.get_by_role("button", name="Stop this exercise from this date")).to_be_visible()
    page.get_by_text("Add, change or stop an exercise").evaluate(
        "element => element.scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / f"20_programme_ready_patient_{size}_4_editor.png"))


def test_the_prescribed_stage_band_is_drawn_above_the_logged_stage(page) -> None:
    open_app(page, "/patient?patient=P009&week=2026-W47")
    page.set_viewport_size(SIZES["laptop"])
    title = page.get_by_text("upper band: prescribed stage · lower band: stage logged")
    expect(title).to_be_visible()
    title.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(400)
    assert_no_exception(page)
    page.screenshot(path=str(SCREENSHOTS / "21_prescribed_stage_band_laptop.png"))
