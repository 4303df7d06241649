"""`python -m bench --smoke` runs every benchmark phase on a tiny clinic and reports every metric key.

No timing is asserted: the figures depend on the machine; only their presence and shape are checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _bench_keys():
    """Return bench/__init__.py's lists of metric keys."""
    spec = importlib.util.spec_from_file_location("bench_keys", REPO / "bench" / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _get(section: dict, dotted: str):
    """Return section[a][b] for 'a.b', failing the test when a level is missing."""
    value = section
    for part in dotted.split("."):
        assert isinstance(value, dict) and part in value, f"missing key {dotted!r}"
        value = value[part]
    return value


def test_smoke_run_reports_every_metric(tmp_path: Path) -> None:
    """Given a tiny clinic, expect results.json and RESULTS.md with every metric key, each a number."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert (tmp_path / "RESULTS.md").read_text().startswith("# Benchmark results")
    keys = _bench_keys()

    for key in keys.TOP_LEVEL_KEYS:
        assert key in results, f"missing top-level key {key!r}"
    assert results["mode"] == "smoke"
    for key in ("cpu_model", "cores", "ram_gib", "python", "duckdb"):
        assert results["machine"][key], f"machine.{key} is empty"

    assert list(results["clinics"]) == ["50"]
    clinic = results["clinics"]["50"]
    for dotted in keys.CLINIC_METRIC_KEYS:
        value = _get(clinic, dotted)
        assert value is None or isinstance(value, int | float), f"{dotted} is {value!r}"
    # Every phase of the tiny clinic ran: a null here would mean a phase failed.
    failed = {
        name: phase["error"] for name, phase in clinic.items() if isinstance(phase, dict) and "error" in phase
    }
    assert not failed, failed
    for dotted in keys.CLINIC_METRIC_KEYS:
        assert _get(clinic, dotted) is not None, f"{dotted} was not measured"
    assert _get(clinic, "rows.total") == _get(clinic, "import.rows") > 0
    assert clinic["peer"]["agrees_alerts"] is True, clinic["peer"].get("alert_differences")
    assert clinic["peer"]["agrees_review"] is True, clinic["peer"].get("review_differences")
    assert clinic["cli_alerts_json"]["result_rows"] == clinic["cli_alerts_csv"]["result_rows"] == (
        clinic["alerts_year"]["result_rows"][0]
    )

    browser = {"browser": results["browser"]}
    for dotted in keys.BROWSER_METRIC_KEYS:
        value = _get(browser, dotted)
        assert value is None or isinstance(value, int | float), f"{dotted} is {value!r}"
    if os.access("/usr/bin/chromium", os.X_OK):
        assert results["browser"]["median_s"] is not None, results["browser"]

    assert [target["name"] for target in results["targets"]] == [
        "a year of alerts vs the pandas peer's alerts and review",
        "the weekly review vs the pandas peer's review",
        "one patient's year (the patient page's queries)",
        "`rehab alerts` for a year as JSON, whole process",
        "`rehab alerts` for a year as CSV, whole process",
        "import from CSV vs the bare read_csv of the same files",
        "peak RSS (import, metrics and CLI phases)",
        "review page interactive (2,000 patients; running server, review not cached)",
        "review page interactive (2,000 patients; first visit after a server start)",
    ]
    # Targets are judged only at the sizes they name, never on the smoke clinic.
    assert all(target["holds"] is None for target in results["targets"])
