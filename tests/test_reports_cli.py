"""Given `rehab report`, expect files in the format the extension names, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dashboard.cli import main
from dashboard.db import close_database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> str:
    """Return the path of a sample clinic database, closed again so the CLI can open it."""
    from dashboard.db import open_database

    path = tmp_path_factory.mktemp("cli") / "clinic.duckdb"
    result = import_paths(open_database(path), sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok
    yield str(path)
    close_database(path)


def test_clinic_xlsx_and_csv_from_extension(db_path, tmp_path: Path):
    xlsx, csv_file = tmp_path / "week.xlsx", tmp_path / "week.csv"
    args = ["--db", db_path, "report", "clinic", "--week", "2026-W47", "--as-of", "2026-11-23"]
    assert main([*args, "--clinician", "Léa Moreau", "--out", str(xlsx)]) == 0
    assert main([*args, "--out", str(csv_file)]) == 0
    assert openpyxl.load_workbook(xlsx).sheetnames == ["Summary", "Alerts", "Daily"]
    assert "José Mensah" in csv_file.read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week.csv", "week.xlsx"]  # no temporary files left


def test_given_unknown_extension_expect_clear_error_and_no_file(db_path, tmp_path: Path, capsys):
    out = tmp_path / "week.txt"
    assert main(["--db", db_path, "report", "clinic", "--week", "2026-W47", "--out", str(out)]) == 2
    assert "'.txt' is not a report format" in capsys.readouterr().err
    assert not out.exists()
    patient = ["--db", db_path, "report", "patient", "--patient", "P002"]
    assert main([*patient, "--out", str(tmp_path / "p.xlsx")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_given_failure_expect_old_report_untouched(db_path, tmp_path: Path, capsys):
    out = tmp_path / "week.csv"
    out.write_text("previous report")
    assert main(["--db", db_path, "report", "clinic", "--week", "2026-W99", "--out", str(out)]) == 2
    assert "no week 99" in capsys.readouterr().err
    assert out.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["week.csv"]


def test_given_unknown_patient_expect_exit_1(db_path, tmp_path: Path, capsys):
    out = tmp_path / "p.pdf"
    assert main(["--db", db_path, "report", "patient", "--patient", "P999", "--out", str(out)]) == 1
    assert "P999" in capsys.readouterr().err and not out.exists()


def test_patient_pdf_pseudonymous(db_path, tmp_path: Path):
    out = tmp_path / "p.pdf"
    argv = ["--db", db_path, "report", "patient", "--patient", "P007", "--pseudonymous", "--out", str(out)]
    assert main(argv) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
