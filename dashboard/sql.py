"""Named SQL statements read from the queries folder, one statement per file."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the SQL inside the package; a source checkout or editable install keeps it at the top level.
_CANDIDATE_DIRS = (_PACKAGE_DIR / "queries", _PACKAGE_DIR.parent / "queries")

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")


def queries_dir() -> Path:
    """Return the folder holding the project's SQL files."""
    for candidate in _CANDIDATE_DIRS:
        if (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError(f"no queries folder found in {', '.join(map(str, _CANDIDATE_DIRS))}")


@dataclass(frozen=True)
class Query:
    """One SQL statement and the facts its header comment states."""

    name: str
    path: Path
    text: str

    @property
    def header(self) -> dict[str, str]:
        """Return the `-- Key: value` lines at the top of the file."""
        fields: dict[str, str] = {}
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            key, sep, value = line[2:].partition(":")
            if sep and key.strip():
                fields[key.strip().lower()] = value.strip()
        return fields

    @property
    def body(self) -> str:
        """Return the statement without comments."""
        return _LINE_COMMENT.sub("", self.text).strip()

    @property
    def parameters(self) -> frozenset[str]:
        """Return the `$named` parameters the statement binds."""
        return frozenset(_PARAMETER.findall(_STRING_LITERAL.sub("''", self.body)))


@functools.cache
def all_queries() -> dict[str, Query]:
    """Return every query by name; names are file stems and must be unique."""
    found: dict[str, Query] = {}
    for path in sorted(queries_dir().rglob("*.sql")):
        if path.stem in found:
            raise ValueError(f"two SQL files are named {path.stem!r}: {found[path.stem].path} and {path}")
        found[path.stem] = Query(path.stem, path, path.read_text(encoding="utf-8"))
    return found


def query(name: str) -> Query:
    """Return the query with this name."""
    try:
        return all_queries()[name]
    except KeyError:
        raise KeyError(f"no SQL file named {name}.sql under {queries_dir()}") from None


def queries_in(folder: str) -> list[Query]:
    """Return the queries in one subfolder of queries/, in file-name order."""
    base = queries_dir() / folder
    return [q for q in all_queries().values() if q.path.parent == base]
