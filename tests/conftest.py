"""Fixtures shared by the whole suite: real DuckDB files in tmp_path, never mocks."""

from __future__ import annotations

import os
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


@pytest.fixture
def sample_db(db: Database) -> Database:
    """Return a database holding the shipped sample clinic."""
    result = import_paths(db, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    return db


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    """Return an empty clinic whose database is closed after the test."""
    built = Clinic(tmp_path)
    yield built
    close_database(built.path)
