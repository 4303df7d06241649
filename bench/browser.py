"""Time the weekly review page to interactive in headless chromium, against a Streamlit server we start."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.procinfo import peak_rss_mb

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TRIAGE_TABLE = "[data-testid='stDataFrame']"
PASSWORD_FIELD = "input[type='password']"
# Checked on every animation frame: Playwright's wait_for_selector backs off to polling every 500 ms, which
# would add up to half a second to a measured load.
SIGN_IN_SHOWN = f"""() => {{
    const field = document.querySelector("{PASSWORD_FIELD}");
    return !!field && field.getBoundingClientRect().height > 0;
}}"""
REVIEW_READY = f"""() => {{
    const grid = document.querySelector("{TRIAGE_TABLE}");
    return !!grid && grid.getBoundingClientRect().height > 0 && !!document.querySelector("{APP_IDLE}");
}}"""
BENCH_USER = "bench-admin"
PAGE_TIMEOUT_MS = 120_000


def _free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def login_required() -> bool:
    """Return whether the app asks for a sign-in (dashboard.auth exists and app.py uses the login page)."""
    app = (REPO / "dashboard" / "app.py").read_text()
    return (REPO / "dashboard" / "auth.py").exists() and "require_viewer" in app


def ensure_accounts(db_path: Path, count: int) -> dict[str, str] | None:
    """Create (or reset) count admin accounts; return name -> password (None when the app has no accounts).

    Streamlit caches the review per viewer, so each account's first visit runs the review's SQL.
    """
    try:
        from dashboard import auth
    except ImportError:
        return None
    from dashboard.db import Database

    accounts = {f"{BENCH_USER}-{index}" if index else BENCH_USER: secrets.token_urlsafe(18)
                for index in range(count)}
    database = Database(db_path)
    try:
        for name, password in accounts.items():
            if auth.current_viewer(database, name) is None:
                auth.add_user(database, name, password, "admin", actor="bench")
            else:
                auth.set_password(database, name, password, actor="bench")
    finally:
        database.close()
    return accounts


class StreamlitServer:
    """`rehab serve` (the app as `make run` starts it) on a free port; stopped by its own pid only."""

    def __init__(self, db_path: Path, log_path: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable, "-m", "dashboard.cli", "--db", str(db_path), "serve", "--port", str(self.port),
            "--address", "127.0.0.1", "--", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ]
        env = {**os.environ, "REHAB_DB": str(db_path), "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.wait_healthy()
        except RuntimeError:
            self.stop()  # a server that never answered must not outlive the caller
            raise

    def wait_healthy(self, timeout: float = 90) -> None:
        """Wait until the server answers its health check."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s")

    def stop(self) -> float | None:
        """Stop the server and return its peak RSS in MiB."""
        peak = peak_rss_mb(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return peak


def _load_once(browser, url: str, account: tuple[str, str] | None) -> dict:
    """Open the review page in a fresh browser context; return seconds to interactive (and to sign-in)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    frames: list[tuple[float, int]] = []
    # When the largest websocket frame (the triage table's data) arrives splits server time from browser time.
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: frames.append((time.perf_counter(), len(payload)))
    ))
    try:
        started = time.perf_counter()
        page.goto(url)
        signed_in_at = None
        if account is not None:
            page.wait_for_function(SIGN_IN_SHOWN, polling="raf")
            login_shown = time.perf_counter() - started
            page.get_by_role("textbox", name="Username").fill(account[0])
            page.locator(PASSWORD_FIELD).fill(account[1])
            page.get_by_role("button", name="Sign in").click()
            signed_in_at = time.perf_counter()
        page.wait_for_function(REVIEW_READY, polling="raf")
        ended = time.perf_counter()
        figures = {"seconds": ended - started}
        if frames:
            arrived, size = max(frames, key=lambda frame: frame[1])
            figures["table_data_at_s"] = arrived - started
            figures["table_data_bytes"] = size
        if signed_in_at is not None:
            figures["login_page_s"] = login_shown
            figures["after_sign_in_s"] = ended - signed_in_at
        return figures
    finally:
        context.close()


def time_review_page(db_path: Path, *, runs: int, warmup: int, week: str, work: Path, log=print) -> dict:
    """Return the review page's time to interactive: on a running server (the headline), and on fresh ones.

    Running server: new browser sessions, each signed in as an account that has not opened the review yet, so
    Streamlit's per-viewer query cache misses and the review's SQL runs. Fresh server: the first visit after
    `rehab serve` starts. Warm: an account that opened the review before (its rows come from the cache).
    """
    from playwright.sync_api import sync_playwright

    accounts = ensure_accounts(db_path, runs + 1) if login_required() else None
    names = list(accounts or {})

    def account(index: int) -> tuple[str, str] | None:
        return (names[index], accounts[names[index]]) if accounts else None

    url_path = f"/?week={week}"
    fresh: list[dict] = []
    running: list[dict] = []
    warm: list[dict] = []
    server_peaks: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for index in range(warmup + runs):
                server = StreamlitServer(db_path, work / "streamlit.log")
                try:
                    figures = _load_once(browser, server.url + url_path, account(0))
                    if index >= warmup:
                        fresh.append(figures)
                    if index == warmup + runs - 1:
                        for other in range(1, runs + 1):
                            running.append(_load_once(browser, server.url + url_path, account(other)))
                        for _ in range(runs):
                            warm.append(_load_once(browser, server.url + url_path, account(0)))
                finally:
                    server_peaks.append(server.stop() or 0.0)
                log(f"  browser: server {index + 1}/{warmup + runs}: first visit {figures['seconds']:.2f} s")
        finally:
            browser.close()
    seconds = [f["seconds"] for f in running]
    fresh_s = [f["seconds"] for f in fresh]
    warm_s = [f["seconds"] for f in warm]
    result = {
        "median_s": statistics.median(seconds),
        "runs_s": seconds,
        "fresh_server_median_s": statistics.median(fresh_s),
        "fresh_server_runs_s": fresh_s,
        "warm_median_s": statistics.median(warm_s),
        "warm_runs_s": warm_s,
        "server_peak_rss_mb": max(server_peaks),
        "login": accounts is not None,
        "method": (
            "Time from page.goto"
            + (" (through the sign-in form)" if accounts else "")
            + " until the triage table is visible and the app reports notRunning, each visit in a new "
            "browser context (no HTTP cache). The headline is a running `rehab serve` server with a new "
            "session whose viewer has not opened the review yet (Streamlit's query cache misses, the "
            "review's SQL runs). Fresh server: the first visit after `rehab serve` started (it opens the "
            "database and imports the pages' modules before it listens). Warm: a viewer whose review is "
            "already cached."
        ),
    }
    if all("table_data_at_s" in f for f in running):
        result["table_data_at_median_s"] = statistics.median(f["table_data_at_s"] for f in running)
        result["table_data_bytes"] = running[-1]["table_data_bytes"]
    if accounts:
        result["after_sign_in_median_s"] = statistics.median(f["after_sign_in_s"] for f in running)
        result["login_page_median_s"] = statistics.median(f["login_page_s"] for f in running)
    return result
