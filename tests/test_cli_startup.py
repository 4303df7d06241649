"""Given the commands that write JSON or CSV, expect them to start without pandas or an argon2 hash.

The output is DuckDB's (dashboard/output.py write_relation); importing pandas or hashing a password costs a
whole process most of its start-up time. Timings are not asserted: the modules a command loads are.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dashboard import auth
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-22"
COMMANDS = {
    "alerts": ["alerts", "--from", "2026-08-01", "--to", AS_OF, "--as-of", AS_OF],
    "review": ["review", "--week", "2026-W47", "--as-of", AS_OF],
    "response": ["response", "--patient", "P007", "--as-of", AS_OF],
    "audit": ["audit"],
}

# Runs the command in a fresh interpreter, then reports what it loaded. The argon2 dummy hash counts as made
# when dashboard.auth was imported and holds one.
PROBE = """
import json, sys
from dashboard.cli import main
status = main(sys.argv[1:])
sys.stdout.flush()
auth = sys.modules.get("dashboard.auth")
loaded = {
    "status": status,
    "pandas": "pandas" in sys.modules,
    "dummy_hash": getattr(auth, "_DUMMY_HASH", None) is not None,
    "vocabulary_read": "RULES" in vars(sys.modules.get("dashboard.vocabulary", sys)),
}
print(json.dumps(loaded), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of a closed database holding the sample clinic, migrated and its metrics stored."""
    path = tmp_path_factory.mktemp("startup") / "clinic.duckdb"
    database = Database(path)
    result = import_paths(database, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    database.close()
    return path


def _run(sample_path: Path, argv: list[str]) -> tuple[str, dict]:
    """Run `rehab --db SAMPLE argv` in a new interpreter; return its stdout and what it had loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(sample_path), *argv],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("output_format", ["json", "csv"])
def test_given_json_or_csv_output_expect_the_command_without_pandas_or_a_password_hash(
    sample_path, command, output_format
):
    out, loaded = _run(sample_path, [*COMMANDS[command], "--format", output_format])

    assert loaded["status"] == 0
    assert out.strip(), "the command wrote nothing"
    if output_format == "json":
        assert json.loads(out), "the command wrote an empty array"
    assert not loaded["pandas"], f"rehab {command} --format {output_format} imported pandas"
    assert not loaded["dummy_hash"], f"rehab {command} --format {output_format} computed an argon2 hash"
    assert not loaded["vocabulary_read"], f"rehab {command} --format {output_format} read the vocabulary"


def test_given_help_expect_every_command_listed_without_pandas():
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from dashboard.cli import build_parser; build_parser(); "
         "print('pandas' in sys.modules, 'argon2' in sys.modules)"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert done.stdout.split() == ["False", "False"]


def test_given_an_unknown_username_expect_a_dummy_hash_made_by_the_servers_hasher_on_first_use(
    db, monkeypatch
):
    # Given a server whose hasher is cheap, and no dummy hash made yet
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)
    # When someone signs in with a name no account has
    outcome = auth.attempt_login(db, "nobody", "correct horse battery")
    # Expect the usual refusal, after verifying against a hash at the server's parameters, kept for the next
    assert outcome.message == auth.WRONG_CREDENTIALS
    made = auth._DUMMY_HASH
    assert made is not None and made.startswith("$argon2id$") and "m=8,t=1,p=1" in made
    auth.attempt_login(db, "someone else", "correct horse battery")
    assert auth._DUMMY_HASH == made == auth.dummy_hash()
