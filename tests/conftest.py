"""Fixtures shared by the whole suite: real DuckDB files in tmp_path, never mocks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from dashboard.db import Database, close_database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR
from tests.clinic import Clinic

# CI replays the same generated examples on every run, so a landing never depends on a lucky draw; local runs
# keep exploring new examples (and `make fuzz` runs a longer campaign).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Return a fresh, migrated clinic database."""
    database = Database(tmp_path / "clinic.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a closed database file holding the shipped sample clinic, imported once per test process."""
    path = tmp_path_factory.mktemp("sample") / "clinic.duckdb"
    database = Database(path)
    result = import_paths(database, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    database.close()
    return path


@pytest.fixture
def sample_db(tmp_path: Path, sample_db_file: Path) -> Iterator[Database]:
    """Return a database holding the shipped sample clinic: a copy of the file imported once (3 s each)."""
    shutil.copyfile(sample_db_file, tmp_path / "clinic.duckdb")
    database = Database(tmp_path / "clinic.duckdb")
    yield database
    database.close()


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    """Return an empty clinic whose database is closed after the test."""
    built = Clinic(tmp_path)
    yield built
    close_database(built.path)
