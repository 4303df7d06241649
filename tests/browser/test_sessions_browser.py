"""Sign-in sessions in a browser: a reload and a second tab stay signed in; sign-out, a password change, a
disabled account and the idle limit end the session; the cookie is HttpOnly, SameSite=Strict and tamper-proof;
and no page asks anything of a host other than the server's own.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

import bench.browser
from bench.browser import StreamlitServer
from dashboard import auth, sessions
from dashboard.db import Database
from dashboard.importer import import_paths

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLINIC = ROOT / "tests" / "data" / "other_clinic"  # small: these tests are about sign-in, not the review
SCREENSHOTS = ROOT / "screenshots"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PASSWORD = "test-only password"
NEW_PASSWORD = "test-only new passphrase"
SHORT_IDLE_LIMIT = "10s"
SAMPLE_WEEK = "2026-W47"
# Playwright's expect waits 5 s by default; a sign-in on a busy two-core machine can take longer.
WAIT_MS = 60_000
PAGES = {  # nav label -> the heading its page shows
    "Weekly review": "Weekly review", "Patient detail": None, "Alerts inbox": "Alerts inbox",
    "Log entry": "Log entry", "Patient settings": "Patient settings", "Import logs": "Import logs",
}


class Server:
    """`rehab serve` on one clinic database, restartable on the same port (a tab reconnects to it)."""

    def __init__(self, db_path: Path, log: Path, env: dict[str, str]):
        self.db_path, self.log, self.env, self.port = db_path, log, env, None
        self.start()

    def start(self) -> None:
        """Start the server (on the port it had before, after a restart)."""
        with pytest.MonkeyPatch.context() as patch:
            for name, value in self.env.items():
                patch.setenv(name, value)
            if self.port is not None:
                patch.setattr(bench.browser, "_free_port", lambda: self.port)
            try:
                self.server = StreamlitServer(self.db_path, self.log)
            except RuntimeError as error:
                pytest.fail(f"{error}:\n{self.log.read_text()}", pytrace=False)
        self.port, self.url = self.server.port, self.server.url

    def stop(self) -> None:
        """Stop the server, which lets another process write the database."""
        self.server.stop()


def _clinic(db_path: Path) -> Path:
    """Import the small clinic and add the accounts, then close it for the server to open."""
    database = Database(db_path)
    assert import_paths(database, sorted(CLINIC.glob("*.csv")), actor="test").ok
    auth.add_user(database, "admin", PASSWORD, "admin")
    # lea and tom for most tests; pat has a password changed and dan is disabled, so nobody else is affected.
    for name in ("lea", "tom", "pat", "dan"):
        auth.add_user(database, name, PASSWORD, "clinician", clinician="Léa Moreau")
    database.close()
    return db_path


@pytest.fixture(scope="module")
def clinic_server(tmp_path_factory) -> Iterator[Server]:
    """Serve the small clinic with the default idle limit."""
    folder = tmp_path_factory.mktemp("sessions")
    server = Server(_clinic(folder / "clinic.duckdb"), folder / "streamlit.log", {})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory) -> Iterator[Server]:
    """Serve the small clinic with an idle limit of a few seconds (the setting, as a clinic would set it)."""
    folder = tmp_path_factory.mktemp("sessions-idle")
    server = Server(_clinic(folder / "clinic.duckdb"), folder / "streamlit.log",
                    {sessions.IDLE_LIMIT_ENV_VAR: SHORT_IDLE_LIMIT})
    yield server
    server.stop()


def new_context(browser, url: str):
    """Return a new browser profile (its own cookies) on a server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=url)
    context.set_default_timeout(WAIT_MS)
    return context


@pytest.fixture
def context(browser, clinic_server):
    """Return a new browser profile on the small clinic."""
    context = new_context(browser, clinic_server.url)
    yield context
    context.close()


def settle(page) -> None:
    """Wait until the app has finished a rerun."""
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_timeout(300)  # let the last deltas paint
    page.wait_for_selector(IDLE, state="attached")


def shoot(page, name: str) -> None:
    """Save a screenshot under screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"sessions_{name}.png"), full_page=True)


def sign_in(page, user: str = "lea", password: str = PASSWORD, path: str = "/") -> dict:
    """Open a path, sign in through the form, and return the session cookie the browser then holds."""
    page.goto(path)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect_signed_in(page)
    return wait_for_cookie(page.context, page)


def expect_signed_in(page) -> None:
    """Expect the page to show the app to a signed-in viewer."""
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    expect(page.get_by_label("Password", exact=True)).to_have_count(0, timeout=WAIT_MS)


def expect_signed_out(page, notice: str | re.Pattern | None = None) -> None:
    """Expect the sign-in form and no patient data; with a notice, expect it said."""
    expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0, timeout=WAIT_MS)
    if notice is not None:
        expect(page.locator("[data-testid='stAlert']").filter(has_text=notice)).to_be_visible(timeout=WAIT_MS)


def session_cookie(context) -> dict | None:
    """Return the browser's session cookie as the browser stores it, or None."""
    found = [cookie for cookie in context.cookies() if cookie["name"] == sessions.COOKIE_NAME]
    return found[0] if found else None


def wait_for_cookie(context, page) -> dict:
    """Return the session cookie once the signed-in page has fetched it."""
    for _ in range(300):
        cookie = session_cookie(context)
        if cookie is not None:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError("the browser never received its session cookie")


def open_page(page, label: str) -> None:
    """Click a page in the sidebar's navigation (the next action of a clinician)."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=label).click()
    settle(page)


def run_cli(db_path: Path, *args: str, stdin: str = "") -> None:
    """Run `rehab` as the server's admin does (the server stopped: DuckDB lets one process write)."""
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "--db", str(db_path), *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr


# ---- staying signed in -----------------------------------------------------------------------------------


def test_a_reload_keeps_you_signed_in_on_the_same_page(context) -> None:
    page = context.new_page()
    sign_in(page)
    open_page(page, "Alerts inbox")
    page.reload()
    expect_signed_in(page)
    expect(page.get_by_role("heading", name="Alerts inbox")).to_be_visible(timeout=WAIT_MS)
    assert page.url.endswith("/alerts")
    shoot(page, "01_after_reload")


def test_a_second_tab_is_signed_in_and_a_new_browser_is_not(context, browser, clinic_server) -> None:
    first = context.new_page()
    sign_in(first, "tom")
    second = context.new_page()
    second.goto("/")
    expect_signed_in(second)
    expect(second.get_by_text(re.compile("Signed in as tom"))).to_be_visible(timeout=WAIT_MS)
    stranger = new_context(browser, clinic_server.url)
    try:
        other = stranger.new_page()
        other.goto("/")
        expect_signed_out(other)
    finally:
        stranger.close()


def test_a_deep_link_signs_in_to_the_page_it_names_and_survives_a_reload(context) -> None:
    page = context.new_page()
    sign_in(page, "admin", path="/patient?patient=HS-0101&week=2025-W10")
    expect(page.get_by_role("heading", name=re.compile("HS-0101"))).to_be_visible(timeout=WAIT_MS)
    page.reload()
    expect_signed_in(page)
    expect(page.get_by_role("heading", name=re.compile("HS-0101"))).to_be_visible(timeout=WAIT_MS)


# ---- ending the session ----------------------------------------------------------------------------------


def test_signing_out_in_one_tab_ends_the_other_at_its_next_action(context) -> None:
    first = context.new_page()
    sign_in(first)
    second = context.new_page()
    second.goto("/")
    expect_signed_in(second)

    first.get_by_role("button", name="Sign out").click()
    expect_signed_out(first, "You are signed out.")
    for _ in range(50):  # the signed-out page asks the server to clear the cookie
        if session_cookie(context) is None:
            break
        first.wait_for_timeout(100)
    assert session_cookie(context) is None

    open_page(second, "Alerts inbox")
    expect_signed_out(second, "signed out (here or in another tab)")
    shoot(second, "02_other_tab_after_sign_out")
    second.reload()
    expect_signed_out(second)


def test_a_password_change_and_a_disabled_account_end_their_sessions_and_a_restart_alone_does_not(
    browser, clinic_server
) -> None:
    tabs = {}
    for user in ("pat", "dan", "lea"):  # one browser each
        tabs[user] = new_context(browser, clinic_server.url).new_page()
        sign_in(tabs[user], user)
    try:
        # The admin's commands need the server stopped (DuckDB lets one process write the file).
        clinic_server.stop()
        try:
            run_cli(clinic_server.db_path, "user", "passwd", "pat", stdin=NEW_PASSWORD + "\n")
            run_cli(clinic_server.db_path, "user", "disable", "dan")
        finally:
            clinic_server.start()
        # Each tab reconnects to the restarted server; its next action finds out what became of its session.
        for page in tabs.values():
            settle(page)
            if page.get_by_role("button", name="Sign out").count():
                open_page(page, "Alerts inbox")
        expect_signed_out(tabs["pat"], "password of this account was changed")
        shoot(tabs["pat"], "03_after_password_change")
        expect_signed_out(tabs["dan"], "no longer active")
        expect_signed_in(tabs["lea"])
        expect(tabs["lea"].get_by_role("heading", name="Alerts inbox")).to_be_visible(timeout=WAIT_MS)
        for user, page in tabs.items():  # the cookies of pat and dan name sessions that have ended
            page.reload()
            (expect_signed_in if user == "lea" else expect_signed_out)(page)
        sign_in(tabs["pat"], "pat", NEW_PASSWORD)
    finally:
        for page in tabs.values():
            page.context.close()


def test_an_idle_session_is_signed_out_and_use_keeps_it_alive(browser, idle_server) -> None:
    limit = sessions.parse_duration(SHORT_IDLE_LIMIT).total_seconds()
    context = new_context(browser, idle_server.url)
    try:
        page = context.new_page()
        sign_in(page)
        # Each click comes well within the limit of the last run's start (a slow run counts against it).
        for label in ("Alerts inbox", "Weekly review"):
            page.wait_for_timeout(limit * 1000 * 0.4)
            open_page(page, label)
            expect_signed_in(page)
        page.wait_for_timeout((limit + 1.5) * 1000)
        open_page(page, "Alerts inbox")
        expect_signed_out(page, "after 10 seconds without activity")
        shoot(page, "04_idle")
        page.reload()  # the cookie names a session that has ended
        expect_signed_out(page)
    finally:
        context.close()


# ---- the cookie ------------------------------------------------------------------------------------------


def test_the_cookie_is_http_only_strict_and_invisible_to_scripts(context) -> None:
    page = context.new_page()
    cookie = sign_in(page)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes
    assert sessions.COOKIE_NAME not in page.evaluate("document.cookie")
    assert PASSWORD not in cookie["value"]


def test_a_tampered_cookie_is_refused(context) -> None:
    page = context.new_page()
    cookie = sign_in(page)
    session_id, signature = cookie["value"].rsplit(".", 1)
    changed = session_id[:-1] + ("A" if session_id[-1] != "A" else "B")
    for value in (f"{changed}.{signature}", f"{session_id}.{signature[::-1]}", session_id):
        context.add_cookies([{**cookie, "value": value}])
        page.reload()
        expect_signed_out(page)
    context.add_cookies([cookie])  # the genuine cookie still works
    page.reload()
    expect_signed_in(page)


# ---- nothing leaves the machine --------------------------------------------------------------------------


def test_every_request_goes_to_the_servers_own_origin(browser, app_url) -> None:
    origin = urllib.parse.urlsplit(app_url)

    def same_host(url: str) -> bool:
        """Return whether a URL (http or ws) is on the server's own host and port."""
        parts = urllib.parse.urlsplit(url)
        return (parts.hostname, parts.port) == (origin.hostname, origin.port)

    requested: list[str] = []
    context = new_context(browser, app_url)
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        page.on("websocket", lambda socket: requested.append(socket.url))
        sign_in(page, "admin", path=f"/?week={SAMPLE_WEEK}")
        page.get_by_role("heading", name="Weekly review").wait_for()
        for label, heading in PAGES.items():
            open_page(page, label)
            if heading:
                expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT_MS)
        page.goto(f"/patient?patient=P001&week={SAMPLE_WEEK}")
        expect_signed_in(page)
        page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
        settle(page)
        shoot(page, "05_patient_charts")
    finally:
        context.close()
    assert any(url.startswith("ws") for url in requested), "the app's websocket was not recorded"
    outside = sorted({url for url in requested if not (url.startswith(("data:", "blob:")) or same_host(url))})
    assert not outside, "the browser asked other hosts:\n" + "\n".join(outside)
