"""Secrets stay out of the repository, and the database file is readable by its owner only."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from dashboard.db import Database

REPO = Path(__file__).resolve().parent.parent

# Patterns that mean a real credential was committed; test fixtures use the words "test-only" or "example".
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}\b"),
    "argon2 hash": re.compile(
        r"\$argon2id?\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{16,}"
    ),
    "password or secret assignment": re.compile(
        r"""(?ix)\b(?:password|passwd|client_secret|cookie_secret|secret_key|api_key)\b\s*[:=]\s*
            ["']([^"'\s]{8,})["']"""
    ),
}
ALLOWED_VALUES = re.compile(r"(?i)test-only|example|dummy|placeholder|change-?me|xxx|\.\.\.|<|\{|\$")


def _tracked_files() -> list[Path]:
    """Return the files git tracks, plus untracked ones not ignored (what the next commit could add)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO, capture_output=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [REPO / name for name in listed.decode().split("\0") if name]


def test_no_secrets_in_the_repository():
    found = []
    for path in _tracked_files():
        binary = path.suffix in {".ttf", ".xlsx", ".png", ".pdf"}
        if not path.is_file() or binary or path.stat().st_size > 5_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for label, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                value = match.group(match.lastindex or 0)
                if label == "password or secret assignment" and ALLOWED_VALUES.search(value):
                    continue
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(REPO)}:{line}: {label}")
    assert not found, "possible secrets committed:\n" + "\n".join(found)


# Assembled from pieces so that this file does not trip its own scan.
@pytest.mark.parametrize("planted", [
    "-----BEGIN RSA " + "PRIVATE KEY-----",
    "cookie_" + 'secret = "a8f5f167f44f4964e6c998dee827110c"',
    "PASS" + "WORD: 'hunter2hunter2'",
    "AKIA" + "IOSFODNN7ABCDEFG",
])
def test_the_secret_patterns_find_planted_secrets(planted):
    hits = [label for label, pattern in SECRET_PATTERNS.items() if pattern.search(planted)]
    assert hits
    assignment = SECRET_PATTERNS["password or secret assignment"].search(planted)
    assert assignment is None or not ALLOWED_VALUES.search(assignment.group(1))


def test_streamlit_secrets_and_databases_are_ignored_by_git():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    # /data/ is the app's database folder, at the top level only (tests/data holds tracked test files).
    for entry in (".streamlit/secrets.toml", "*.duckdb", "*.duckdb.wal", "/data/"):
        assert entry in ignored
    tracked = {path.relative_to(REPO).as_posix() for path in _tracked_files()}
    assert ".streamlit/secrets.toml" not in tracked
    assert not [name for name in tracked if name.endswith((".duckdb", ".duckdb.wal"))]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_file_is_readable_by_its_owner_only(tmp_path):
    database = Database(tmp_path / "clinic.duckdb")
    try:
        assert _mode(tmp_path / "clinic.duckdb") == 0o600
    finally:
        database.close()


def test_existing_database_file_is_tightened_on_open(tmp_path):
    path = tmp_path / "clinic.duckdb"
    Database(path).close()
    path.chmod(0o644)
    database = Database(path)
    try:
        assert _mode(path) == 0o600
    finally:
        database.close()
