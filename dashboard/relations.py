"""Named queries as DuckDB relations: run only when read, so a writer can stream them without pandas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from dashboard.db import Database, bind
from dashboard.sql import query


def named_relation(
    db: Database, name: str, /, columns: Sequence[str] | None = None, **params: Any
) -> duckdb.DuckDBPyRelation:
    """Return the named query with bound parameters as a relation, optionally just these columns in order."""
    statement = query(name)
    # The relation keeps its own cursor alive; nothing runs until it is read.
    relation = db.session().cursor.sql(statement.text, params=bind(statement, params))
    if columns is None:
        return relation
    return relation.select(*(duckdb.ColumnExpression(column) for column in columns))
