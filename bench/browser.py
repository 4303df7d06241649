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


def ensure_account(db_path: Path) -> str | None:
    """Create (or reset) an admin account for the benchmark and return its password; None without accounts."""
    try:
        from dashboard import auth
    except ImportError:
        return None
    from dashboard.db import Database

    password = secrets.token_urlsafe(18)
    database = Database(db_path)
    try:
        if auth.current_viewer(database, BENCH_USER) is None:
            auth.add_user(database, BENCH_USER, password, "admin", actor="bench")
        else:
            auth.set_password(database, BENCH_USER, password, actor="bench")
    finally:
        database.close()
    return password


class StreamlitServer:
    """`streamlit run dashboard/app.py` on a free port with REHAB_DB set; stopped by its own pid only."""

    def __init__(self, db_path: Path, log_path: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
            "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ]
        env = {**os.environ, "REHAB_DB": str(db_path), "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_healthy()

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


def _load_once(browser, url: str, password: str | None) -> dict:
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
        if password is not None:
            page.wait_for_selector(PASSWORD_FIELD, state="visible")
            login_shown = time.perf_counter() - started
            page.get_by_role("textbox", name="Username").fill(BENCH_USER)
            page.locator(PASSWORD_FIELD).fill(password)
            page.get_by_role("button", name="Sign in").click()
            signed_in_at = time.perf_counter()
        page.wait_for_selector(TRIAGE_TABLE, state="visible")
        page.wait_for_selector(APP_IDLE, state="attached")
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
    """Return the review page's time to interactive: fresh server (cold cache) and fresh session (warm)."""
    from playwright.sync_api import sync_playwright

    password = ensure_account(db_path) if login_required() else None
    url_path = f"/?week={week}"
    cold: list[dict] = []
    warm: list[dict] = []
    server_peaks: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # Cold: a server just started, so Streamlit's query cache is empty and the review runs its SQL.
            for index in range(warmup + runs):
                server = StreamlitServer(db_path, work / "streamlit.log")
                try:
                    figures = _load_once(browser, server.url + url_path, password)
                    if index >= warmup:
                        cold.append(figures)
                    if index == warmup + runs - 1:
                        # Warm: new sessions on the same server; the review comes from st.cache_data.
                        for _ in range(runs):
                            warm.append(_load_once(browser, server.url + url_path, password))
                finally:
                    server_peaks.append(server.stop() or 0.0)
                log(f"  browser: server {index + 1}/{warmup + runs}: {figures['seconds']:.2f} s")
        finally:
            browser.close()
    cold_s = [f["seconds"] for f in cold]
    warm_s = [f["seconds"] for f in warm]
    result = {
        "first_s": cold_s[0],
        "median_s": statistics.median(cold_s),
        "runs_s": cold_s,
        "warm_median_s": statistics.median(warm_s),
        "warm_runs_s": warm_s,
        "server_peak_rss_mb": max(server_peaks),
        "login": password is not None,
        "method": (
            "Each run starts a fresh `streamlit run` (cold st.cache_data, so the weekly review SQL runs) and "
            "opens a new browser context; time from page.goto"
            + (" (through the sign-in form, as the bench-admin account)" if password else "")
            + " until the triage table is visible and the app reports notRunning. Warm runs: new sessions on "
            "the last server, the review served from st.cache_data."
        ),
    }
    if all("table_data_at_s" in f for f in cold):
        result["table_data_at_median_s"] = statistics.median(f["table_data_at_s"] for f in cold)
        result["table_data_bytes"] = cold[-1]["table_data_bytes"]
    if password is not None:
        result["after_sign_in_median_s"] = statistics.median(f["after_sign_in_s"] for f in cold)
        result["login_page_median_s"] = statistics.median(f["login_page_s"] for f in cold)
    return result
