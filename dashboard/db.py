"""The clinic database: one DuckDB connection per process, a cursor per query, migrations on open."""

from __future__ import annotations

import functools
import graphlib
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from dashboard.sql import Query, queries_in, query

if TYPE_CHECKING:
    # Only for the hints: DuckDB's .df() imports pandas when a frame is asked for, so the commands that write
    # JSON or CSV from a relation start without it.
    import pandas as pd

DEFAULT_DB_PATH = Path("data") / "clinic.duckdb"
DB_ENV_VAR = "REHAB_DB"


class DatabaseError(RuntimeError):
    """A database problem explained in words a clinic's admin can act on."""

    def __init__(self, message: str, *, held: bool = False):
        super().__init__(message)
        # Another process (the running dashboard, another command) holds the file: the CLI names a way round.
        self.held = held


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the database path: the explicit one, else $REHAB_DB, else data/clinic.duckdb."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(DB_ENV_VAR)
    return Path(from_env) if from_env else DEFAULT_DB_PATH


def bind(statement: Query, params: dict[str, Any]) -> dict[str, Any]:
    """Return exactly the parameters the statement uses, refusing missing or unknown ones."""
    missing = statement.parameters - params.keys()
    unknown = params.keys() - statement.parameters
    if missing or unknown:
        raise TypeError(
            f"{statement.name}.sql: missing parameters {sorted(missing)}, "
            f"unknown parameters {sorted(unknown)}"
        )
    return {name: params[name] for name in statement.parameters}


def arrow_to_frame(table: Any) -> pd.DataFrame:
    """Return an Arrow table as a DataFrame (dates as datetime.date, lists as Python lists)."""
    import pandas as pd
    import pyarrow as pa

    lists = [field.name for field in table.schema if pa.types.is_list(field.type)]
    # As frame() gives them: a boolean column with missing values is pandas' nullable boolean.
    nullable = [
        field.name for field in table.schema
        if pa.types.is_boolean(field.type) and table.column(field.name).null_count
    ]
    # DuckDB's own conversion makes a Python object of every string; Arrow's hands pandas its buffers, and
    # split blocks spare it copying same-typed columns into one block.
    frame = table.drop_columns(lists + nullable).to_pandas(split_blocks=True)
    for position, field in enumerate(table.schema):
        if field.name in lists:
            # Python lists, not the NumPy array per cell that to_pandas makes.
            frame.insert(position, field.name, table.column(field.name).to_pylist())
        elif field.name in nullable:
            frame.insert(position, field.name, table.column(field.name).to_pandas(
                types_mapper={pa.bool_(): pd.BooleanDtype()}.get))
    return frame


class Session:
    """A cursor that runs named queries; inside `Database.transaction` all its work commits together."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self.cursor = cursor
        # The patients this session's writes touched (None: everyone); their maintained metrics are
        # recomputed just before the transaction commits.
        self.touched: set[str] | None = set()

    def touch(self, patient_ids: Any = None) -> None:
        """Declare that this transaction changed the metrics' sources of these patients (None: everyone)."""
        if patient_ids is None or self.touched is None:
            self.touched = None
        else:
            self.touched.update([patient_ids] if isinstance(patient_ids, str) else patient_ids)

    def execute(self, name: str, /, **params: Any) -> duckdb.DuckDBPyConnection:
        """Run the named statement with bound parameters."""
        statement = query(name)
        return self.cursor.execute(statement.text, bind(statement, params))

    def frame(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the named query and return its rows as a DataFrame."""
        return self.execute(name, **params).df()

    def rows(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run the named query and return its rows as dicts."""
        result = self.execute(name, **params)
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    def value(self, name: str, /, **params: Any) -> Any:
        """Run the named query and return the first column of its first row."""
        # All of it: DuckDB 2 refuses other work on a cursor whose result is not read to its end.
        rows = self.execute(name, **params).fetchall()
        return rows[0][0] if rows else None

    def arrow(self, name: str, /, **params: Any) -> Any:
        """Run the named query and return an Arrow table without an extra copy."""
        statement = query(name)
        return self.cursor.sql(statement.text, params=bind(statement, params)).to_arrow_table()

    def register(self, view_name: str, data: Any) -> None:
        """Expose an Arrow table or DataFrame to this cursor's queries under a fixed name."""
        self.cursor.register(view_name, data)

    def unregister(self, view_name: str) -> None:
        """Remove a registered table."""
        self.cursor.unregister(view_name)


class Database:
    """One DuckDB file, opened once per process; every query runs on its own cursor."""

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        # Writes inside batched_refresh leave their patients pending until the batch ends.
        self._batching = 0
        self._batch_lock = threading.Lock()
        # What a read-only handle has read once: no process can write the file while it holds it.
        self._read_once: dict[str, list[dict[str, Any]]] = {}
        if not read_only:
            # Health data: every file this process creates from here on (the database, DuckDB's write-ahead
            # log after each checkpoint, exported reports) is readable by its owner only.
            os.umask(os.umask(0o077) | 0o077)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as error:
            if "Conflicting lock" in str(error):
                raise DatabaseError(
                    f"{self.path} is held by another process, the running dashboard (rehab serve) or another "
                    "rehab command: DuckDB lets one process open a database file at a time.", held=True,
                ) from error
            raise DatabaseError(
                f"cannot open {self.path}: {error}. DuckDB lets one process write a file at a time; "
                "stop the app or the other command using it and try again."
            ) from error
        if read_only:
            self._refuse_unmigrated()
            return
        _restrict_permissions(self.path)
        self.migrate()
        from dashboard import metric_store

        metric_store.keep_current(self)

    def _refuse_unmigrated(self) -> None:
        """Refuse a read-only file an older version wrote: its tables and macros are not this version's."""
        try:
            missing = self._pending_migrations()
        except duckdb.CatalogException:  # no schema_migrations table: nothing was ever applied
            missing = self._pending_migrations(applied=set())
        if missing:
            self.close()
            raise DatabaseError(
                f"{self.path} was written by an older version of the dashboard ({len(missing)} of this "
                f"version's migrations, from {migration_version(missing[0]):04d} on, are not applied), so it "
                "cannot be read read-only; open it once for writing (any rehab command, or the app) to bring "
                "it up to date"
            )

    def _pending_migrations(self, applied: set[int] | None = None) -> list[Query]:
        """Return this version's migrations not yet applied to the file (or not in applied), in order."""
        if applied is None:
            applied = {row["version"] for row in self.rows("schema_migrations_applied")}
        return [
            statement for statement in queries_in("migrations")
            if migration_version(statement) not in applied | {0}
        ]

    def session(self) -> Session:
        """Return a session on a fresh cursor, for one query or one thread."""
        return Session(self._connection.cursor())

    def frame(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the named query on a fresh cursor and return a DataFrame."""
        return self.session().frame(name, **params)

    def arrow(self, name: str, /, **params: Any) -> Any:
        """Run the named query on a fresh cursor and return an Arrow table."""
        return self.session().arrow(name, **params)

    def rows(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run the named query on a fresh cursor and return dicts."""
        return self.session().rows(name, **params)

    def rows_while_open(self, name: str, /) -> list[dict[str, Any]]:
        """Return a parameterless query's rows, read once per read-only handle (DuckDB lets no writer in)."""
        if not self.read_only:
            return self.rows(name)
        if name not in self._read_once:
            self._read_once[name] = self.rows(name)
        return self._read_once[name]

    def value(self, name: str, /, **params: Any) -> Any:
        """Run the named query on a fresh cursor and return one value."""
        return self.session().value(name, **params)

    @contextmanager
    def transaction(self, session: Session | None = None) -> Iterator[Session]:
        """Yield a session whose statements commit together, or not at all.

        Given a session (one whose temp tables the work needs), the transaction runs on it and leaves it
        open; otherwise on a fresh cursor, closed afterwards. The patients its writes touched are recorded as
        pending with them, and their maintained metrics computed again once it has committed.
        """
        from dashboard import metric_store  # the store's refresh runs the metric macros

        own = session is None
        session = self.session() if session is None else session
        session.touched = set()
        session.cursor.execute("begin transaction")
        touched = False
        try:
            yield session
            touched = session.touched is None or bool(session.touched)
            if touched:
                metric_store.mark_pending(session, session.touched)
        except BaseException:
            session.cursor.execute("rollback")
            raise
        else:
            session.cursor.execute("commit")
        finally:
            session.touched = set()
            if own:
                session.cursor.close()
        if touched and not self._batching:
            metric_store.refresh(self)

    @contextmanager
    def batched_refresh(self) -> Iterator[None]:
        """Refresh the maintained metrics once, at the end, for the writes made inside (an import's files)."""
        from dashboard import metric_store

        with self._batch_lock:
            self._batching += 1
        try:
            yield
        finally:
            with self._batch_lock:
                self._batching -= 1
            if not self._batching:
                metric_store.refresh(self)

    def schema_version(self) -> int:
        """Return the highest applied migration number."""
        return int(self.value("schema_version"))

    def migrate(self) -> None:
        """Apply pending migrations in order, all in one transaction, then refresh changed macros."""
        with self.transaction() as session:
            session.execute("schema_migrations_create")
        pending = self._pending_migrations()
        if pending:
            # A table rebuilt over several files (set aside, create, copy, drop) is never left half done.
            with self.transaction() as session:
                for statement in pending:
                    session.cursor.execute(statement.text)
                    session.execute(
                        "schema_migrations_record", version=migration_version(statement), name=statement.name
                    )
        self._refresh_macros()

    def _refresh_macros(self) -> None:
        """Recreate the SQL macros when their text changed since they were last defined."""
        digest = hashlib.sha256("\n".join(m.text for m in queries_in("macros")).encode()).hexdigest()
        if self.value("schema_macros_digest") == digest:
            return
        with self.transaction() as session:
            for statement in _macros_in_dependency_order():
                session.cursor.execute(statement.text)
            session.execute("schema_macros_record", digest=digest)

    def close(self) -> None:
        """Close the process's connection."""
        self._connection.close()


@functools.cache
def _macros_in_dependency_order() -> tuple[Query, ...]:
    """Return the SQL macros ordered so that each comes after the macros its body calls (once per process)."""
    by_name = {statement.name: statement for statement in queries_in("macros")}
    calls = {
        name: [other for other in by_name if other != name and re.search(rf"\b{other}\s*\(", statement.body)]
        for name, statement in by_name.items()
    }
    sorter = graphlib.TopologicalSorter(calls)
    return tuple(by_name[name] for name in sorter.static_order())


def migration_version(statement: Query) -> int:
    """Return the number a migration file name starts with."""
    prefix = statement.name.split("_", 1)[0]
    if not prefix.isdigit():
        raise ValueError(f"migration {statement.path} must start with a number, like 0001_")
    return int(prefix)


def _restrict_permissions(path: Path) -> None:
    """Make the database readable by its owner only: it holds health data."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        if candidate.exists():
            candidate.chmod(0o600)


_open_databases: dict[Path, Database] = {}
_open_lock = threading.Lock()


def open_database(path: str | os.PathLike[str] | None = None) -> Database:
    """Return this process's one connection to the database at path, opening it on first use."""
    resolved = resolve_db_path(path).resolve()
    with _open_lock:
        if resolved not in _open_databases:
            _open_databases[resolved] = Database(resolved)
        return _open_databases[resolved]


def close_database(path: str | os.PathLike[str] | None = None) -> None:
    """Close and forget this process's connection to the database at path."""
    resolved = resolve_db_path(path).resolve()
    with _open_lock:
        database = _open_databases.pop(resolved, None)
    if database is not None:
        database.close()
