"""The Accounts page in a browser, with the server running: an admin disables a signed-in clinician, whose
other browser loses access at its next action, and enables them again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_sessions_browser import (
    WAIT_MS,
    Server,
    _clinic,
    expect_signed_in,
    expect_signed_out,
    new_context,
    open_page,
    settle,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory) -> Iterator[Server]:
    """Serve the small clinic (admin, lea, tom, pat, dan) for the Accounts page."""
    folder: Path = tmp_path_factory.mktemp("accounts")
    server = Server(_clinic(folder / "clinic.duckdb"), folder / "streamlit.log", {})
    yield server
    server.stop()


def choose_account(page, username: str) -> None:
    """Pick an account in the Accounts page's select box."""
    box = page.get_by_label("Account", exact=True)
    box.click()
    # The select box searches as it is typed into; Enter takes the one match.
    page.keyboard.type(username)
    page.get_by_role("option", name=username, exact=True).wait_for()
    page.keyboard.press("Enter")
    settle(page)


def test_an_admin_disables_a_signed_in_clinician_whose_other_browser_loses_access(
    browser, accounts_server
) -> None:
    admin = new_context(browser, accounts_server.url).new_page()
    clinician = new_context(browser, accounts_server.url).new_page()
    try:
        sign_in(clinician, "dan")
        sign_in(admin, "admin")
        open_page(admin, "Accounts")
        choose_account(admin, "dan")
        admin.get_by_role("button", name="Disable").click()
        settle(admin)
        expect(admin.get_by_text("Disabled dan", exact=False)).to_be_visible(timeout=WAIT_MS)

        open_page(clinician, "Alerts inbox")  # the clinician's next action
        expect_signed_out(clinician, "no longer active")
        clinician.reload()  # the cookie names a session the server has ended
        expect_signed_out(clinician)

        choose_account(admin, "dan")
        admin.get_by_role("button", name="Enable").click()
        settle(admin)
        expect(admin.get_by_text("Enabled dan", exact=False)).to_be_visible(timeout=WAIT_MS)
        sign_in(clinician, "dan")
        expect_signed_in(clinician)
    finally:
        admin.context.close()
        clinician.context.close()
