"""Given every SQL file under queries/, expect the header conventions kept and the statement to run.

Files are discovered when the tests run, so new files are covered without touching this module. A statement
runs against a migrated database holding the sample clinic, inside a transaction that is rolled back. Its
parameters are bound by name from BINDINGS; a parameter with no rule fails, asking for one to be added.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from dashboard.db import Database, migration_version
from dashboard.importer import import_paths
from dashboard.reading import read_log_file
from dashboard.sample import SAMPLE_DIR, SAMPLE_END
from dashboard.sql import Query, all_queries, queries_dir

# One value per parameter name, chosen to hit real rows of the sample clinic. Add a rule when you add a name.
BINDINGS: dict[str, Any] = {
    # viewers and patients
    "clinician_scope": None,
    "patient_id": "P001",
    "import_patient_ids": ["P001"],
    "present_columns": ["patient_id", "name", "start_date"],
    # dates: the sample clinic's last twelve weeks
    "as_of": SAMPLE_END,
    "date": SAMPLE_END - dt.timedelta(days=2),
    "date_from": SAMPLE_END - dt.timedelta(days=27),
    "date_to": SAMPLE_END,
    "start": SAMPLE_END - dt.timedelta(days=6),
    "end": SAMPLE_END,
    "week_start": SAMPLE_END - dt.timedelta(days=SAMPLE_END.weekday()),
    "occurred_at": dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
    "locked_until": dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    "discharged_on": None,
    "now": dt.datetime(2026, 11, 20, 9, 45, tzinfo=dt.UTC),
    "must_change_password": True,
    "limit": 50,
    "offset": 0,
    # the maintained metrics (horizon a month past the sample clinic's last day)
    "horizon": SAMPLE_END + dt.timedelta(days=31),
    "first_patient": "P001",
    "last_patient": "P010",
    "patient_ids": ["P001", "P002"],
    "chunk_size": 10,
    "first_week": SAMPLE_END - dt.timedelta(days=SAMPLE_END.weekday() + 14),
    "last_week": SAMPLE_END - dt.timedelta(days=SAMPLE_END.weekday()),
    "range_weeks": 8,
    # imports
    "import_id": 1,
    "entry_ids": [1, 2],
    "source": "test.csv",
    "kind": "pain",
    "sha256": "0" * 64,
    "imported_by": "test",
    "rows_read": 1,
    "rows_added": 0,
    "rows_skipped": 1,
    "rows_replaced": 0,
    # CSV staging by DuckDB's reader (stage_csv_<kind> binds the sample file of its own kind instead)
    "path": "sample_data/pain.csv",
    "columns": {"patient_id": "varchar", "date": "varchar", "time_of_day": "varchar", "pain": "varchar"},
    # audit and accounts
    "actor": "test",
    "action": "test",
    "detail": "a test detail",
    "username": "test_user",
    "email": "test@example.org",
    "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "role": "clinician",
    "clinician": "Sam Patel",
    "disabled": True,
    "max_failures": 5,
    "min_points": 8,
    # sign-in sessions
    "session_hash": "0" * 64,
    "handoff_hash": "1" * 64,
    "started_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
    "handoff_expires_at": dt.datetime(2026, 11, 20, 9, 1, tzinfo=dt.UTC),
    "seen_at": dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
    "ended_at": dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    "end_reason": "signed out",
    # patient settings and alerts
    "stage": "isometric",
    "effective_from": dt.date(2026, 11, 16),
    "sets_acceptable_pain": True,
    "acceptable_pain": 3.0,
    "changed_by": "admin",
    "reason": "flare after the match",
    "day": dt.date(2026, 11, 16),
    "daily_rep_target": 90,
    "pain_ceiling": 5,
    "flare_threshold": 2,
    "rule": "flare",
    "acknowledged_by": "test",
    "note": "a test note",
    # programme items
    "exercise": "Heavy slow calf raise",
    "sets": 3,
    "reps": 15,
    "days": "mon,wed,fri",
    "hold_s": None,
    "load_kg": 20.0,
    "recorded_by": "test",
    # bookkeeping
    "digest": "0" * 64,
    "version": 9999,
    "name": "9999_test",
    # backups
    "table_name": "patients",
}

# Which log kind a statement reading staged_rows or typed_rows works on, by a word in its name.
KIND_WORDS = {
    "patient": "patients", "pain": "pain", "exercise": "exercises", "activit": "activities",
    "programme": "programme",
}
SAMPLE_FILES = {
    "patients": "patients.csv",
    "pain": "pain.csv",
    "exercises": "exercises.csv",
    "activities": "activities.csv",
    # The sample clinic has no programme file yet: a small one for its patients (an absolute path).
    "programme": Path(__file__).resolve().parent / "data" / "programme.csv",
}

KEYWORDS = (
    "select",
    "from",
    "where",
    "with",
    "as",
    "join",
    "left",
    "inner",
    "outer",
    "cross",
    "on",
    "group",
    "by",
    "order",
    "having",
    "limit",
    "union",
    "all",
    "distinct",
    "insert",
    "into",
    "values",
    "update",
    "set",
    "delete",
    "create",
    "replace",
    "table",
    "macro",
    "sequence",
    "primary",
    "key",
    "references",
    "default",
    "check",
    "not",
    "null",
    "and",
    "or",
    "case",
    "when",
    "then",
    "else",
    "end",
    "cast",
    "in",
    "is",
    "between",
    "like",
    "exists",
    "over",
    "partition",
    "qualify",
    "returning",
    "asc",
    "desc",
    "integer",
    "varchar",
    "date",
    "double",
    "decimal",
    "boolean",
    "timestamptz",
    "bigint",
    "true",
    "false",
    "if",
    "coalesce",
    "count",
    "sum",
    "max",
    "min",
)
_UPPER_KEYWORD = re.compile(r"\b(" + "|".join(word.upper() for word in KEYWORDS) + r")\b")
_HEADER_KEY = re.compile(r"^-- ([A-Z][A-Za-z]*):")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")

QUERIES = sorted(all_queries().values(), key=lambda q: str(q.path))


def relative(statement: Query) -> str:
    """Return the file's path under queries/."""
    return str(statement.path.relative_to(queries_dir()))


def header_sections(statement: Query) -> list[tuple[str, str]]:
    """Return the leading comment's `-- Key:` sections in order, continuation lines joined to their key."""
    sections: list[tuple[str, str]] = []
    for line in statement.text.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER_KEY.match(line)
        if match:
            sections.append((match.group(1), line[match.end() :].strip()))
        elif sections:
            key, text = sections[-1]
            sections[-1] = (key, f"{text} {line[2:].strip()}")
    return sections


def code_only(statement: Query) -> str:
    """Return the statement without comments, string literals or quoted identifiers."""
    body = re.sub(r"'(?:[^']|'')*'", "''", statement.body)
    return re.sub(r'"(?:[^"]|"")*"', '""', body)


def is_select(statement: Query) -> bool:
    """Return whether the statement is a query (not DDL or DML)."""
    return re.match(r"(with|select)\b", statement.body) is not None


ids = [relative(q) for q in QUERIES]


def test_given_the_queries_folder_expect_files_to_check():
    assert len(QUERIES) > 20
    assert {q.path.parent.name for q in QUERIES} >= {"schema", "migrations", "macros", "importing"}


@pytest.mark.parametrize("statement", QUERIES, ids=ids)
def test_given_a_sql_file_expect_the_returns_grain_parameters_header(statement):
    keys = [key for key, _ in header_sections(statement)]
    assert keys[:3] == ["Returns", "Grain", "Parameters"], (
        f"{relative(statement)} must start with `-- Returns:`, `-- Grain:` and `-- Parameters:` lines, "
        "in that "
        f"order; it starts with {keys[:3]}"
    )
    for key, text in header_sections(statement)[:3]:
        assert text, f"{relative(statement)}: the `-- {key}:` line is empty"


@pytest.mark.parametrize("statement", QUERIES, ids=ids)
def test_given_a_sql_file_expect_its_declared_parameters_to_be_the_ones_it_binds(statement):
    text = dict(header_sections(statement)).get("Parameters", "")
    declared = set(_PARAM.findall(text))
    if text.strip().lower() == "none":
        assert not statement.parameters, (
            f"{relative(statement)} says `-- Parameters: none` but binds "
            f"{', '.join('$' + p for p in sorted(statement.parameters))}"
        )
    else:
        assert declared, f"{relative(statement)}: list parameters as `$name`, or write `-- Parameters: none`"
        assert declared == set(statement.parameters), (
            f"{relative(statement)}: the header declares {sorted(declared)} but the statement binds "
            f"{sorted(statement.parameters)}"
        )


@pytest.mark.parametrize(
    "statement", [q for q in QUERIES if is_select(q)], ids=[relative(q) for q in QUERIES if is_select(q)]
)
def test_given_a_select_query_expect_it_to_end_with_select_star_from_final(statement):
    assert re.search(r"\bselect \* from final\s*;?\s*$", statement.body), (
        f"{relative(statement)}: a query is a chain of named CTEs ending in `select * from final`"
    )


@pytest.mark.parametrize("statement", QUERIES, ids=ids)
def test_given_a_sql_file_expect_lowercase_keywords(statement):
    found = sorted({m.group(1) for m in _UPPER_KEYWORD.finditer(code_only(statement))})
    assert not found, f"{relative(statement)}: write SQL in lowercase (found {', '.join(found)})"


# --- every file runs ---


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A migrated database holding the sample clinic, shared by the run tests (each rolls back)."""
    path = tmp_path_factory.mktemp("sql") / "clinic.duckdb"
    database = Database(path)
    result = import_paths(
        database, [*sorted(SAMPLE_DIR.glob("*.csv")), SAMPLE_FILES["programme"]], actor="test"
    )
    assert result.ok, result.report()
    yield database
    database.close()


@pytest.fixture(scope="module")
def staged_samples():
    """The first rows of each sample log as the importer stages them."""
    samples = {}
    for kind, name in SAMPLE_FILES.items():
        lines = (SAMPLE_DIR / name).read_bytes().splitlines(keepends=True)[:40]
        (sheet,) = read_log_file(name, b"".join(lines))
        samples[kind] = sheet.table
    return samples


def kind_of(statement: Query) -> str:
    """Return the log kind a statement reading staged_rows or typed_rows works on."""
    for word, kind in KIND_WORDS.items():
        if word in statement.name:
            return kind
    pytest.fail(
        f"{relative(statement)} reads staged_rows or typed_rows, but its name says no log kind: "
        "name it after "
        f"one ({', '.join(KIND_WORDS)}) or add a rule to KIND_WORDS in tests/test_sql_files.py"
    )


def bind_parameters(statement: Query) -> dict[str, Any]:
    """Return a value for every parameter of the statement, from BINDINGS."""
    unknown = sorted(statement.parameters - BINDINGS.keys())
    if unknown:
        pytest.fail(
            f"{relative(statement)} binds {', '.join('$' + p for p in unknown)}, which the SQL file test "
            "cannot "
            "guess: add a rule (name -> sensible value) to BINDINGS in tests/test_sql_files.py"
        )
    return {name: BINDINGS[name] for name in statement.parameters}


def csv_staging_parameters(kind: str) -> dict[str, Any]:
    """Return the sample file of a kind and its header, as a stage_csv_<kind> statement binds them."""
    path = SAMPLE_DIR / SAMPLE_FILES[kind]
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    return {"path": str(path), "columns": {name: "varchar" for name in header}}


@pytest.mark.parametrize("statement", QUERIES, ids=ids)
def test_given_a_sql_file_expect_it_to_run_on_a_database_with_the_sample_clinic(
    statement, clinic, staged_samples
):
    if statement.path.parent.name == "migrations":
        applied = {row["version"] for row in clinic.rows("schema_migrations_applied")}
        assert migration_version(statement) in applied, f"{relative(statement)} was not applied on open"
        return
    params = bind_parameters(statement)
    session = clinic.session()
    code = code_only(statement)
    if "path" in statement.parameters:
        # stage_csv_<kind> reads its own kind; a statement for any CSV file reads the pain sample.
        kind = next((kind for word, kind in KIND_WORDS.items() if word in statement.name), "pain")
        params.update(csv_staging_parameters(kind))
    if re.search(r"\bstaged_csv_cells\b", code) and not re.search(r"\btable staged_csv_cells\b", code):
        # Reads the cells a stage_csv_<kind> statement made on this cursor.
        session.execute("stage_csv_pain", **csv_staging_parameters("pain"))
    creates_staged_rows = re.search(r"\bview (if exists )?staged_rows\b", code)
    if re.search(r"\b(staged_rows|typed_rows)\b", code) and not creates_staged_rows:
        kind = kind_of(statement)
        session.register("staged_rows", staged_samples[kind])
        if re.search(r"\btyped_rows\b", code):
            session.register("typed_rows", session.arrow(f"typed_{kind}"))
    session.cursor.execute("begin transaction")
    try:
        result = session.cursor.execute(statement.text, params)
        if result.description:
            result.fetchall()
    except Exception as error:  # report the file and its bindings, not a bare DuckDB trace
        pytest.fail(f"{relative(statement)} failed with {params}: {type(error).__name__}: {error}")
    finally:
        session.cursor.execute("rollback")
        session.cursor.close()


def test_given_the_binder_expect_a_missing_rule_to_fail_with_advice():
    fake = Query("fake_query", queries_dir() / "fake" / "fake_query.sql", "select $no_such_binding_rule as x")
    with pytest.raises(pytest.fail.Exception, match="add a rule"):
        bind_parameters(fake)


def test_given_the_rules_expect_every_file_parameter_covered_or_reported():
    unknown = {relative(q): sorted(q.parameters - BINDINGS.keys()) for q in QUERIES}
    assert not {name: params for name, params in unknown.items() if params}, (
        "add rules for these parameters to BINDINGS in tests/test_sql_files.py"
    )


def test_given_the_checks_expect_them_to_catch_broken_conventions():
    bad = Query(
        "bad",
        queries_dir() / "x" / "bad.sql",
        "-- Returns: rows.\n-- Grain: one row.\n-- Parameters: $a\nSELECT $b as x from t where y = 'SELECT'",
    )
    assert dict(header_sections(bad))["Parameters"] == "$a"
    assert _UPPER_KEYWORD.findall(code_only(bad)) == ["SELECT"]
    assert is_select(Query("q", bad.path, "with a as (select 1)\nselect * from a"))
