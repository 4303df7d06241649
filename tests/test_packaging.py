"""Given a built (non-editable) wheel, expect it to find the SQL and the sample clinic inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CHECK = """
import json, sys
import dashboard, dashboard.sample, dashboard.sql
print(json.dumps({
    "package": dashboard.__file__,
    "queries": str(dashboard.sql.queries_dir()),
    "sample": str(dashboard.sample.SAMPLE_DIR),
    "query_count": len(dashboard.sql.all_queries()),
}))
"""


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory):
    """The project's wheel, built by pip (hatchling) and unpacked into a folder outside the repo."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert build.returncode == 0, f"pip wheel failed:\n{build.stdout}\n{build.stderr}"
    (wheel,) = out.glob("*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def run_unpacked(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Python with only the unpacked wheel (not the checkout) providing the dashboard package."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "REHAB_DB")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_given_the_wheel_expect_queries_and_sample_data_inside_the_package(unpacked_wheel, tmp_path):
    checked = run_unpacked(unpacked_wheel, tmp_path, "-c", CHECK)
    assert checked.returncode == 0, checked.stderr
    found = json.loads(checked.stdout)
    package = unpacked_wheel / "dashboard"
    assert Path(found["package"]).parent == package, "the checkout, not the wheel, was imported"
    assert Path(found["queries"]) == package / "queries"
    assert Path(found["sample"]) == package / "sample_data"
    shipped = len(list((REPO / "queries").rglob("*.sql")))
    assert found["query_count"] == shipped
    for name in ("patients.csv", "pain.csv", "exercises.csv", "activities.csv"):
        assert (package / "sample_data" / name).read_bytes() == (REPO / "sample_data" / name).read_bytes()


def test_given_the_wheel_expect_rehab_demo_to_load_the_sample_clinic(unpacked_wheel, tmp_path):
    db = tmp_path / "demo" / "clinic.duckdb"
    first = run_unpacked(unpacked_wheel, tmp_path, "-m", "dashboard.cli", "--db", str(db), "demo")
    assert first.returncode == 0, first.stderr
    assert "patients: patients read 24, added 24, skipped 0 already imported" in first.stdout
    assert "exercises: exercises read" in first.stdout
    assert db.exists()
