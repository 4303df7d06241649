"""In a browser: a patient named with a Markdown image or link opens as text, fetching and linking nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.app_pages._text import WORD_JOINER
from tests.browser.conftest import PASSWORD, _clinic_database, _serve, _tab
from tests.test_plain_text import IMAGE_NAME, LINK_NAME
from tests.test_plain_text_pages import CONDITION, markdown_files

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
TRAP = "127.0.0.1:9"  # the address the names point at: nothing listens there


@pytest.fixture(scope="module")
def markdown_clinic_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the sample clinic plus P950 (an image as a name) and P951 (a link as a name)."""
    from dashboard.sample import SAMPLE_DIR

    folder = tmp_path_factory.mktemp("markdown-clinic")
    files = sorted(SAMPLE_DIR.glob("*.csv")) + markdown_files(folder)
    db_path = _clinic_database(folder / "clinic.duckdb", files)
    yield from _serve(db_path, tmp_path_factory.mktemp("markdown-clinic-log") / "streamlit.log")


@pytest.fixture
def markdown_page(browser, markdown_clinic_url: str):
    """Return a fresh tab on the Markdown clinic."""
    yield from _tab(browser, markdown_clinic_url)


def settle(page) -> None:
    """Wait until the app has finished a rerun."""
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, state="attached")


def open_signed_in(page, path: str) -> None:
    """Open a path and sign in as the admin through the form."""
    page.goto(path)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=30_000)
    settle(page)


@pytest.mark.parametrize(("patient_id", "name"), [("P950", IMAGE_NAME), ("P951", LINK_NAME)])
def test_a_markdown_name_opens_as_text_and_fetches_nothing(markdown_page, patient_id: str, name: str) -> None:
    page = markdown_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_signed_in(page, f"/patient?patient={patient_id}&week=2026-W47")
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    settle(page)
    # What a reader sees: the word joiners that stop bare links are invisible.
    texts = [text.replace(WORD_JOINER, "") for text in page.locator("h3").all_inner_texts()]
    assert f"{name} · {patient_id}" in texts
    expect(page.get_by_text(re.compile(r"^\[Achilles\]"))).to_have_text(
        re.compile(re.escape(CONDITION).replace(":", f":{WORD_JOINER}?"))
    )
    page.wait_for_timeout(1000)  # time for any image the page asked for to be requested
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"plain_text_{patient_id}.png"), full_page=True)

    assert not [url for url in requests if TRAP in url]
    assert page.locator(f"a[href*='{TRAP}'], img[src*='{TRAP}']").count() == 0
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_role("link", name=re.compile("Session expired")).count() == 0
    assert main.locator("img").count() == 0
