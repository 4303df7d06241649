"""Two app servers (the sample clinic, and a clinic written by hand) and one headless chromium per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
from dashboard import auth
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]
OTHER_CLINIC = ROOT / "tests" / "data" / "other_clinic"
# Test-only accounts in the throwaway database: an admin, and Sam Patel's clinician account.
ACCOUNTS = {"admin": ("admin", None), "sam": ("clinician", "Sam Patel")}
PASSWORD = "test-only password"


def _require_chromium() -> None:
    """Fail in CI, skip elsewhere, when Debian's chromium is not installed."""
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the browser tests"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _serve(db_path: Path, log: Path) -> Iterator[str]:
    """Run `rehab serve` on a database file (as `make run` serves it) and yield its address."""
    try:
        server = StreamlitServer(db_path, log)
    except RuntimeError as error:
        pytest.fail(f"{error}:\n{log.read_text()}", pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


def _clinic_database(db_path: Path, files: list[Path]) -> Path:
    """Import log files into a new database with the test accounts, and close it for the server to open."""
    database = Database(db_path)
    result = import_paths(database, files, actor="test")
    assert result.ok, result.report()
    for username, (role, clinician) in ACCOUNTS.items():
        auth.add_user(database, username, PASSWORD, role, clinician=clinician)
    database.close()  # the server process opens it; DuckDB lets one process write a file
    return db_path


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the sample clinic and return its address."""
    _require_chromium()
    db_path = _clinic_database(
        tmp_path_factory.mktemp("browser") / "clinic.duckdb", sorted(SAMPLE_DIR.glob("*.csv"))
    )
    yield from _serve(db_path, tmp_path_factory.mktemp("browser-log") / "streamlit.log")


@pytest.fixture(scope="session")
def other_clinic_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the hand-written clinic in tests/data/other_clinic (not made by the sample generator)."""
    _require_chromium()
    db_path = _clinic_database(
        tmp_path_factory.mktemp("other-clinic") / "clinic.duckdb", sorted(OTHER_CLINIC.glob("*.csv"))
    )
    yield from _serve(db_path, tmp_path_factory.mktemp("other-clinic-log") / "streamlit.log")


@pytest.fixture(scope="session")
def browser(app_url: str):
    """Return one headless chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _tab(browser, base_url: str):
    """Yield a fresh tab on base_url, tall enough that a screenshot shows a whole page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, base_url=base_url)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser, app_url: str):
    """Return a fresh tab on the sample clinic."""
    yield from _tab(browser, app_url)


@pytest.fixture
def other_clinic_page(browser, other_clinic_url: str):
    """Return a fresh tab on the hand-written clinic."""
    yield from _tab(browser, other_clinic_url)
