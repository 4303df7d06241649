"""Backups: a consistent snapshot of every table (DuckDB's EXPORT DATABASE), a manifest, and restoring."""

from __future__ import annotations

import datetime as dt
import graphlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.db import Database

MANIFEST_NAME = "manifest.json"
BACKUP_PREFIX = "rehab-backup_"
MANIFEST_FORMAT = 1
# Parquet keeps every type exactly (decimals, time zones, empty text apart from null), where CSV would not.
EXPORT_FORMAT = "parquet"
_STAMP = "%Y%m%dT%H%M%SZ"
_BACKUP_NAME = re.compile(rf"^{BACKUP_PREFIX}(\d{{8}}T\d{{6}}Z)(?:-(\d+))?$")
_LOAD_LINE = re.compile(r"""^COPY\s+("?)([^"\s]+)\1\s+FROM\s+'((?:[^']|'')*)'""", re.IGNORECASE)
_MACRO_LINE = re.compile(r'^CREATE MACRO ("?)(\w+)\1\s')
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead, explained in words the admin can act on."""


@dataclass(frozen=True)
class Backup:
    """One backup folder and what its manifest says."""

    path: Path
    created_at: dt.datetime
    schema_version: int
    tables: dict[str, int]

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Return how long ago the backup was taken."""
        return (now or dt.datetime.now(dt.UTC)) - self.created_at

    def describe(self, now: dt.datetime | None = None) -> str:
        """Return the backup in words: its folder, when it was taken and how long ago."""
        return (f"backup {self.path.name} taken {self.created_at:%Y-%m-%d %H:%M} UTC "
                f"({describe_age(self.age(now))} ago)")


@dataclass
class RestoreReport:
    """What a restore did: the tables it restored and anything that did not match the manifest."""

    target: Path
    backup: Backup
    restored: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether every table matched the manifest."""
        return not self.mismatches

    def report(self) -> str:
        """Return the restore in plain words."""
        if not self.ok:
            said = f"restore of {self.backup.path} does not match its manifest; {self.target} was removed:"
            return "\n  ".join([said, *self.mismatches])
        rows = sum(self.restored.values())
        lines = [f"restored {self.backup.describe()} into {self.target}: {len(self.restored)} tables, "
                 f"{rows} rows, every count and checksum as the manifest says"]
        lines += [
            f"  {table}: {count} row{'' if count == 1 else 's'}" for table, count in self.restored.items()
        ]
        return "\n".join(lines)


def describe_age(age: dt.timedelta) -> str:
    """Return an age in words: 3 days, 5 hours, 12 minutes, under a minute."""
    seconds = max(0, int(age.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"


def parse_interval(text: str, *, name: str = "--backup-every") -> dt.timedelta:
    """Return an interval written like 24h, 30m or 7d; raise ValueError naming the option and the value."""
    match = _DURATION.match(text or "")
    if match is None:
        raise ValueError(f"{name} {text!r}: write a whole number and a unit, like 24h, 30m or 7d")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 60:
        raise ValueError(f"{name} {text!r}: back up at most once a minute")
    return dt.timedelta(seconds=seconds)


def _sql_text(value: str) -> str:
    """Return a SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _owner_only(folder: Path) -> None:
    """Make a backup folder and every file in it readable by its owner only: it holds health data."""
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _table_files(folder: Path) -> dict[str, list[str]]:
    """Return which exported files load.sql copies into each table, by file name within the folder."""
    files: dict[str, list[str]] = {}
    for line in (folder / "load.sql").read_text(encoding="utf-8").splitlines():
        match = _LOAD_LINE.match(line.strip())
        if match:
            files.setdefault(match.group(2), []).append(Path(match.group(3).replace("''", "'")).name)
    return files


def _order_macros(schema: Path) -> None:
    """Put schema.sql's macros after the macros they call, so that IMPORT DATABASE can create each in turn.

    DuckDB writes them in catalog order, and a macro recreated after an upgrade comes after those calling it.
    """
    statements: list[str] = []
    for line in schema.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("CREATE ") or not statements:
            statements.append(line)
        else:
            statements[-1] += line  # a statement DuckDB wrote over several lines
    macros = {}
    for statement in statements:
        match = _MACRO_LINE.match(statement)
        if match:
            macros[match.group(2)] = statement
    calls = {
        name: [other for other in macros if other != name and re.search(rf'\b{other}"?\s*\(', text)]
        for name, text in macros.items()
    }
    ordered = [macros[name] for name in graphlib.TopologicalSorter(calls).static_order()]
    others = [statement for statement in statements if not _MACRO_LINE.match(statement)]
    schema.write_text("".join(others + ordered), encoding="utf-8")


def _new_backup_name(out_dir: Path, moment: dt.datetime) -> str:
    """Return a backup folder name for this moment that no backup in out_dir has yet."""
    base = BACKUP_PREFIX + moment.astimezone(dt.UTC).strftime(_STAMP)
    name, number = base, 1
    while (out_dir / name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def take_backup(db: Database, out_dir: str | os.PathLike[str], *, now: dt.datetime | None = None) -> Backup:
    """Export every table, as one snapshot, into a new timestamped folder under out_dir with its manifest."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BackupError(f"{out} is a file; give --out a folder for backups")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = _new_backup_name(out, moment)
    # Written under a hidden name and renamed when complete, so a half-written backup is never the newest.
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=out))
    export_dir = staging / "export"
    try:
        session = db.session()
        # One transaction: the counts see the snapshot the export wrote, whatever the app writes meanwhile.
        with db.transaction(session):
            tables = [row["table_name"] for row in session.rows("backup_tables")]
            # DuckDB binds no parameters in EXPORT DATABASE; the folder is ours and quoted as a literal.
            session.cursor.execute(f"export database {_sql_text(str(export_dir))} (format {EXPORT_FORMAT})")
            counts = {table: int(session.value("backup_table_rows", table_name=table)) for table in tables}
            version = int(session.value("schema_version"))
        session.cursor.close()
        _order_macros(export_dir / "schema.sql")
        files = _table_files(export_dir)
        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": moment.isoformat(),
            "schema_version": version,
            "database": db.path.name,
            "duckdb_version": duckdb.__version__,
            "tables": {table: {"rows": counts[table], "files": files.get(table, [])} for table in tables},
            "checksums": {
                path.name: _sha256(path) for path in sorted(export_dir.iterdir()) if path.is_file()
            },
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _owner_only(staging)
        final = out / name
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_backup(final)


def read_backup(folder: str | os.PathLike[str]) -> Backup:
    """Return the backup in a folder, from its manifest; raise BackupError when it is not one."""
    path = Path(folder)
    manifest = _manifest(path)
    return Backup(
        path=path,
        created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        schema_version=int(manifest["schema_version"]),
        tables={table: int(entry["rows"]) for table, entry in manifest["tables"].items()},
    )


def _manifest(folder: Path) -> dict:
    """Return a backup folder's manifest, or raise BackupError saying what is wrong with it."""
    manifest_path = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder")
    if not manifest_path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST_NAME}: it is not a backup folder made by rehab backup")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for key in ("created_at", "schema_version", "tables", "checksums"):
            manifest[key]  # noqa: B018 - every key must be there
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{manifest_path}: not a readable backup manifest ({error})") from None
    return manifest


def list_backups(out_dir: str | os.PathLike[str]) -> list[Path]:
    """Return the complete backup folders under out_dir, oldest first."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    found = []
    for path in out.iterdir():
        match = _BACKUP_NAME.match(path.name)
        if match and path.is_dir() and (path / MANIFEST_NAME).is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    return [path for _, path in sorted(found)]


def newest_backup(out_dir: str | os.PathLike[str]) -> Backup:
    """Return the newest backup under out_dir (or out_dir itself when it is a backup folder)."""
    folder = Path(out_dir)
    if (folder / MANIFEST_NAME).is_file():
        return read_backup(folder)
    backups = list_backups(folder)
    if not backups:
        raise BackupError(
            f"{folder} holds no backups (folders named {BACKUP_PREFIX}... with a {MANIFEST_NAME})"
        )
    return read_backup(backups[-1])


def prune_backups(out_dir: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete the oldest backups beyond the newest `keep`; return the folders deleted."""
    if keep < 1:
        raise ValueError(f"--keep {keep}: keep at least one backup")
    doomed = list_backups(out_dir)[:-keep]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def _check_files(folder: Path, manifest: dict) -> list[str]:
    """Return what differs between the exported files and the manifest's checksums."""
    export_dir = folder / "export"
    problems = []
    for name, expected in manifest["checksums"].items():
        path = export_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing from the backup")
        elif _sha256(path) != expected:
            problems.append(f"{name}: its checksum differs from the manifest's (changed or damaged)")
    listed = manifest["checksums"]
    extra = sorted(p.name for p in export_dir.iterdir() if p.is_file() and p.name not in listed)
    problems += [f"{name}: in the backup but not in its manifest" for name in extra]
    return problems


def _refuse_existing(target: Path) -> None:
    """Refuse a restore target that holds anything: a restore never overwrites a database."""
    wal = target.with_name(target.name + ".wal")
    if target.exists() and (target.is_dir() or target.stat().st_size > 0) or wal.exists():
        raise BackupError(
            f"{target} exists already; restore into a new file (--db NEW.duckdb), then move it into place "
            "with the dashboard stopped"
        )


def restore_backup(folder: str | os.PathLike[str], target: str | os.PathLike[str]) -> RestoreReport:
    """Rebuild a database at target (a new file) from a backup folder and check it against the manifest."""
    backup = newest_backup(folder)
    manifest = _manifest(backup.path)
    target_path = Path(target)
    _refuse_existing(target_path)
    problems = _check_files(backup.path, manifest)
    report = RestoreReport(target_path, backup)
    if problems:
        raise BackupError(f"{backup.path} does not match its manifest; nothing was restored:\n  "
                          + "\n  ".join(problems))
    os.umask(os.umask(0o077) | 0o077)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    target_path.unlink(missing_ok=True)  # an empty file DuckDB would refuse to open
    connection = duckdb.connect(str(target_path))
    try:
        # DuckDB binds no parameters in IMPORT DATABASE; the folder is quoted as a literal.
        connection.execute(f"import database {_sql_text(str(backup.path / 'export'))}")
    except duckdb.Error as error:
        connection.close()
        _remove_database(target_path)
        raise BackupError(f"{backup.path}: DuckDB could not import it: {error}") from None
    connection.close()
    # Opening it as the app does applies any newer migrations: a backup from an older version restores too.
    database = Database(target_path)
    try:
        session = database.session()
        for table, expected in backup.tables.items():
            try:
                found = int(session.value("backup_table_rows", table_name=table))
            except duckdb.Error:
                report.mismatches.append(f"{table}: missing after the restore (the manifest says {expected})")
                continue
            report.restored[table] = found
            if found != expected:
                report.mismatches.append(f"{table}: {found} rows restored, the manifest says {expected}")
    finally:
        database.close()
    if report.mismatches:
        _remove_database(target_path)
    return report


def _remove_database(path: Path) -> None:
    """Remove a database file and its write-ahead log."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def restore_to_temporary(folder: str | os.PathLike[str]) -> tuple[Path, RestoreReport]:
    """Restore the newest backup in folder into a new database in a private temporary folder."""
    scratch = Path(tempfile.mkdtemp(prefix="rehab-from-backup-"))
    report = restore_backup(folder, scratch / "clinic.duckdb")
    if not report.ok:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BackupError(report.report())
    return report.target, report


# ---- the running server's scheduled backups --------------------------------------------------------------


class BackupSchedule:
    """Take a backup every `interval` into out_dir and keep the newest `keep`; the clock is a seam."""

    def __init__(
        self, db: Database, out_dir: str | os.PathLike[str], interval: dt.timedelta, keep: int, *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        log: Callable[[str], None] = print,
    ):
        if keep < 1:
            raise ValueError(f"--keep {keep}: keep at least one backup")
        self.db, self.out_dir, self.interval, self.keep = db, Path(out_dir), interval, keep
        self.clock, self.log = clock, log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, now: dt.datetime) -> bool:
        """Return whether a backup is due: none yet, or the newest is at least one interval old."""
        backups = list_backups(self.out_dir)
        return not backups or now - read_backup(backups[-1]).created_at >= self.interval

    def run_once(self) -> Backup | None:
        """Take a backup when one is due and prune the oldest; return it, or None when none was due."""
        now = self.clock()
        if not self.due(now):
            return None
        taken = take_backup(self.db, self.out_dir, now=now)
        pruned = prune_backups(self.out_dir, self.keep)
        self.log(f"rehab: backed up to {taken.path}" + (f"; removed {len(pruned)} older" if pruned else ""))
        return taken

    def seconds_to_next(self, now: dt.datetime) -> float:
        """Return how long to wait before the next backup is due (at least a second)."""
        backups = list_backups(self.out_dir)
        if not backups:
            return 1.0
        left = read_backup(backups[-1]).created_at + self.interval - now
        return max(1.0, left.total_seconds())

    def _loop(self) -> None:
        """Back up when due until stopped; a failed backup is said and tried again an interval later."""
        while not self._stop.is_set():
            try:
                self.run_once()
                wait = self.seconds_to_next(self.clock())
            except Exception as error:  # the server keeps serving; the admin reads why in its log
                self.log(f"rehab: the scheduled backup into {self.out_dir} failed: {error}")
                wait = self.interval.total_seconds()
            self._stop.wait(wait)

    def start(self) -> None:
        """Start backing up in a background thread of this process (daemon: it ends with the server)."""
        self._thread = threading.Thread(target=self._loop, name="rehab-backups", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def zip_bytes(backup: Backup) -> bytes:
    """Return a backup folder as a zip (its folder name at the top), for downloading from the app."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(backup.path.rglob("*")):
            if path.is_file():
                archive.write(path, Path(backup.path.name) / path.relative_to(backup.path))
    return buffer.getvalue()
