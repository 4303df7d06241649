"""Fixtures shared by the whole suite: real DuckDB files in tmp_path, never mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR


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
