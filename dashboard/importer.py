"""Validate log files completely, then write each accepted file in one transaction, or nothing of it."""

from __future__ import annotations

import concurrent.futures
import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from dashboard.db import Database, Session
from dashboard.logformats import IMPORT_ORDER, HeaderError, detect_format, normalise_header
from dashboard.reading import (
    _XLSX_MAGIC,
    FileRefused,
    Problem,
    StagedSheet,
    read_log_file,
    release_staged_csv,
    stage_csv_in_database,
)
from dashboard.sql import query

MAX_LISTED_PROBLEMS = 50
# Whether a real import reads the next file while the one before it is written (off: one step at a time, as
# the step-by-step profile in bench/phases.py needs).
READ_AHEAD = True
# How a pain score that differs from the stored one is told to the command line; the app words it its own way.
REPLACE_HINT = "nothing is overwritten unless you import with --replace"
_ENTRY_INSERTS = {
    "programme": "insert_programme_items",
    "exercises": "insert_exercise_entries",
    "activities": "insert_activity_entries",
}


@dataclass
class SheetCounts:
    """What one sheet held and what importing it did."""

    source: str
    kind: str
    read: int
    added: int = 0
    skipped: int = 0
    replaced: int = 0


@dataclass
class FileOutcome:
    """One file's sheets, and the problems that refuse it (none when it was accepted)."""

    name: str
    sha256: str
    sheets: list[StagedSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: list[SheetCounts] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """Return whether the file has no problems."""
        return not self.problems

    def referenced_patient_ids(self) -> set[str]:
        """Return the patient ids this file's log sheets (not its patients sheets) refer to."""
        ids: set[str] = set()
        for sheet in self.sheets:
            if sheet.kind != "patients":
                ids.update(_trimmed_ids(sheet))
        return ids

    def patient_ids(self) -> set[str]:
        """Return the patient ids this file's patients sheets add."""
        ids: set[str] = set()
        for sheet in self.sheets:
            if sheet.kind == "patients":
                ids.update(_trimmed_ids(sheet))
        return ids


def _trimmed_ids(sheet: StagedSheet) -> set[str]:
    """Return a sheet's non-blank patient ids (staging has trimmed them)."""
    if sheet.table is None:
        raise ValueError(f"{sheet.source}: patient ids are read only from sheets staged as Arrow tables")
    return {v.strip() for v in sheet.table.column("patient_id").to_pylist() if v and v.strip()}


@dataclass
class ImportResult:
    """The outcome of one import command: every file, accepted or refused."""

    files: list[FileOutcome]
    dry_run: bool

    @property
    def ok(self) -> bool:
        """Return whether every file was accepted."""
        return all(outcome.accepted for outcome in self.files)

    def totals(self) -> dict[str, SheetCounts]:
        """Return counts summed per kind over the accepted files, in import order."""
        totals = {kind: SheetCounts("all files", kind, 0) for kind in IMPORT_ORDER}
        for outcome in self.files:
            for counts in outcome.counts:
                total = totals[counts.kind]
                total.read += counts.read
                total.added += counts.added
                total.skipped += counts.skipped
                total.replaced += counts.replaced
        return {kind: total for kind, total in totals.items() if total.read}

    def report(self, max_problems: int = MAX_LISTED_PROBLEMS) -> str:
        """Return the human report: per file what was read, added and skipped, or why it was refused."""
        verb = "would add" if self.dry_run else "added"
        lines: list[str] = []
        for outcome in self.files:
            if outcome.accepted:
                for counts in outcome.counts:
                    lines.append(_count_line(counts.source, counts, verb))
                continue
            count = len(outcome.problems)
            plural = "s" if count != 1 else ""
            lines.append(f"REFUSED {outcome.name}: {count} problem{plural}; nothing from it was written")
            lines.extend(f"  {problem}" for problem in outcome.problems[:max_problems])
            if count > max_problems:
                lines.append(f"  ... and {count - max_problems} more problems in {outcome.name}")
        totals = self.totals()
        if totals:
            lines.append("Dry run, nothing written. Totals:" if self.dry_run else "Totals:")
            lines.extend(_count_line(kind, counts, verb) for kind, counts in totals.items())
        return "\n".join(lines)


def _count_line(label: str, counts: SheetCounts, verb: str) -> str:
    """Return one 'read, added, skipped' line."""
    text = (
        f"{label}: {counts.kind} read {counts.read}, {verb} {counts.added}, "
        f"skipped {counts.skipped} already imported"
    )
    if counts.replaced:
        text += f", replaced {counts.replaced}"
    return text


Source = bytes | Path | OSError


def import_paths(
    database: Database, paths: Iterable[str | Path], *, replace: bool = False, dry_run: bool = False,
    actor: str = "cli",
) -> ImportResult:
    """Import log files from disk, reading each only when its turn comes; see import_sources."""
    sources: list[tuple[str, Source]] = [(str(path), path) for path in map(Path, paths)]
    # The command line's process runs nothing else, so DuckDB's memory can be capped for the whole
    # database; the app shares its connection between sessions and leaves the limit alone.
    database.session().execute("import_memory_limit")
    try:
        return import_sources(database, sources, replace=replace, dry_run=dry_run, actor=actor)
    finally:
        database.session().execute("import_memory_reset")


@dataclass
class _Pending:
    """A file without patients, checked and written one at a time after the files that add patients."""

    outcome: FileOutcome
    data: Source
    order: int
    refused_while_writing: bool = False


def import_sources(
    database: Database, sources: list[tuple[str, Source]], *, replace: bool = False,
    dry_run: bool = False, actor: str = "cli",
) -> ImportResult:
    """Check and write the files that add patients, then every other file one at a time, each in its own
    transaction (on a dry run, all in one transaction that is rolled back)."""
    outcomes, first, later = _plan(sources)
    _validate(database, first, replace=replace)
    if dry_run:
        _dry_run(database, first, later, replace=replace, actor=actor)
    else:
        # Each file commits on its own; the maintained metrics are computed once, after the last.
        with database.batched_refresh():
            _run(database, None, first, later, replace=replace, actor=actor, refused_any=False)
    return ImportResult(outcomes, dry_run)


def import_together(
    database: Database, sources: list[tuple[str, Source]], *, replace: bool = False, actor: str = "cli"
) -> ImportResult:
    """Check and write several sources as one: every file in one transaction, or (if any is refused) none.

    The checks and messages are an import's; the files are written in the same order, with their audit rows,
    but nothing is committed until the last is written.
    """
    outcomes, first, later = _plan(sources)
    _validate(database, first, replace=replace)
    try:
        with database.transaction() as session:
            _run(database, session, first, later, replace=replace, actor=actor, refused_any=False)
            if not all(outcome.accepted for outcome in outcomes):
                raise _RollBack
    except _RollBack:
        pass
    except _Replay as replay:
        # Refused only once the files before it were written (in this transaction, now rolled back).
        replay.outcome.problems.extend(replay.problems)
    if not all(outcome.accepted for outcome in outcomes):
        for outcome in outcomes:
            outcome.counts.clear()  # nothing of any file was written
    return ImportResult(outcomes, dry_run=False)


def _plan(sources: list[tuple[str, Source]]) -> tuple[list[FileOutcome], list[FileOutcome], list[_Pending]]:
    """Return every file's outcome (in the order given), the files that add patients (read now), and the
    other files in write order; a CSV whose header names a log kind is left unread until its turn."""
    outcomes: list[FileOutcome] = []
    first: list[FileOutcome] = []
    later: list[_Pending] = []
    for name, data in sources:
        outcome = FileOutcome(name, "")
        outcomes.append(outcome)
        kind = _csv_kind(name, data)
        if kind is not None and kind != "patients":
            later.append(_Pending(outcome, data, IMPORT_ORDER.index(kind)))
            continue
        _read_into(outcome, data)
        if not outcome.accepted:
            continue
        if any(sheet.kind == "patients" for sheet in outcome.sheets):
            first.append(outcome)
        else:
            order = min(IMPORT_ORDER.index(sheet.kind) for sheet in outcome.sheets)
            later.append(_Pending(outcome, data, order))
    # The order files were written in before they were processed one at a time: by their first log kind.
    later.sort(key=lambda pending: pending.order)
    return outcomes, first, later


def _csv_kind(name: str, data: Source) -> str | None:
    """Return the log kind a CSV's first line names, or None when the file must be read to know."""
    if Path(name).suffix.lower() != ".csv" or isinstance(data, OSError):
        return None
    try:
        if isinstance(data, Path):
            with data.open("rb") as handle:
                head = handle.read(1 << 16)
        else:
            head = bytes(data[: 1 << 16])
    except OSError:
        return None
    ends = [index for index in (head.find(b"\n"), head.find(b"\r")) if index >= 0]
    if not ends or head.startswith(_XLSX_MAGIC) or b"\x00" in head or b'"' in head[: min(ends)]:
        return None  # quoted header cells may hold line breaks: read the whole file to be sure
    try:
        header = normalise_header(next(csv.reader([head[: min(ends)].decode("utf-8-sig")]), []))
        return detect_format(header).kind
    except (UnicodeDecodeError, csv.Error, HeaderError, ValueError):
        return None


def _run(
    database: Database, session: Session | None, first: list[FileOutcome], later: list[_Pending], *,
    replace: bool, actor: str, refused_any: bool,
) -> None:
    """Write the files that add patients, then check and write the others one at a time, freeing each.

    Without a session each file gets its own transaction; with one (a dry run) everything runs in it and a
    file refused after it wrote rows raises _Replay.
    """
    state = _WriteState(refused_any=refused_any)
    for outcome in _write_order([outcome for outcome in first if outcome.accepted]):
        _write_one(database, session, outcome, replace=replace, actor=actor, state=state)
    # A real import reads each later file (once the patients are stored) on a cursor of its own while the
    # one before it is checked and written; a dry run reads each inside its one transaction, in its turn.
    ahead = _ReadAhead(database, later) if session is None and READ_AHEAD else None
    try:
        for pending in later:
            if pending.refused_while_writing:
                continue
            # One cursor reads, checks and writes the file: a CSV staged by DuckDB's reader lives in that
            # cursor's temp tables.
            if ahead:
                working = ahead.take(pending)
            else:
                working = _read_on(session or database.session(), pending, in_transaction=session is not None)
            _check_and_write(database, session, pending.outcome, working, replace=replace, actor=actor)
    finally:
        if ahead:
            ahead.close()


class _ReadAhead:
    """Reads the later files one ahead, each on its own cursor, in a thread of its own.

    Reading a file (its scan, and DuckDB's reader staging it in the cursor's temp tables) depends on nothing
    stored, so it can run while the file before it is checked and written; DuckDB runs each cursor's work
    on its own threads and lets go of Python's lock while it does.
    """

    def __init__(self, database: Database, later: list[_Pending]):
        self._database = database
        self._queue = list(later)
        self._reading: dict[int, concurrent.futures.Future[Session]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read")
        self._start_next()

    def _start_next(self) -> None:
        """Start reading the next file not yet started."""
        if self._queue:
            pending = self._queue.pop(0)
            # The cursor is made here: the connection hands out cursors to one thread at a time.
            cursor = self._database.session()
            self._reading[id(pending)] = self._pool.submit(_read_on, cursor, pending)

    def take(self, pending: _Pending) -> Session:
        """Return the cursor holding this file once it is read, and start reading the next one."""
        future = self._reading.pop(id(pending))
        self._start_next()
        return future.result()

    def close(self) -> None:
        """Wait for any reading still going on (an import that stopped early) and close its cursors."""
        self._queue.clear()
        for future in self._reading.values():
            try:
                future.result().cursor.close()
            except Exception:  # noqa: BLE001 - the import already failed or finished; this only frees memory
                pass
        self._reading.clear()
        self._pool.shutdown(wait=True)


def _read_on(working: Session, pending: _Pending, *, in_transaction: bool = False) -> Session:
    """Read the pending file into its outcome on the cursor working (the dry run's session when
    in_transaction), unless it was read already; return working."""
    if not pending.outcome.sheets:
        pending.outcome.problems = []
        try:
            _read_into(pending.outcome, pending.data, working, in_transaction=in_transaction)
        except BaseException:
            if not in_transaction:
                working.cursor.close()  # closing the cursor drops whatever it staged
            raise
    return working


def _check_and_write(
    database: Database, session: Session | None, outcome: FileOutcome, working: Session, *, replace: bool,
    actor: str,
) -> None:
    """Check one read file against what is stored now and write it; free its rows and its cursor."""
    try:
        outcome.counts = []
        if outcome.accepted:
            # Checked against what is stored now, earlier files of this import included: their patients
            # are known, a refused file's are not, and a conflict with an earlier file is a conflict.
            for sheet in outcome.sheets:
                outcome.problems.extend(_sheet_problems(working, sheet, [], replace=replace))
        if outcome.accepted:
            _write_one(
                database, session, outcome, replace=replace, actor=actor, state=_WriteState(),
                working=working,
            )
        if any(sheet.table is None for sheet in outcome.sheets):
            release_staged_csv(working)
    finally:
        if session is None:
            working.cursor.close()  # after an error, closing the cursor drops what it staged
    # This file is done: free its rows (and Arrow's cached memory).
    outcome.sheets = []
    pa.default_memory_pool().release_unused()


class _Replay(Exception):
    """Raised in a dry run when a file is refused after writing rows: the run restarts without it."""

    def __init__(self, outcome: FileOutcome, problems: list[Problem]):
        super().__init__(outcome.name)
        self.outcome = outcome
        self.problems = problems


def _write_one(
    database: Database, session: Session | None, outcome: FileOutcome, *, replace: bool, actor: str,
    state: _WriteState, working: Session | None = None,
) -> None:
    """Write one file in its own transaction (on working, the cursor that staged it, if given) or in the
    dry run's; refuse it whole if it fails."""
    try:
        if session is None:
            with database.transaction(working) as own:
                _write_file(own, outcome, replace=replace, actor=actor, state=state)
        else:
            _write_file(session, outcome, replace=replace, actor=actor, state=state)
        return
    except _Refused as refused:
        # Found only once earlier files of this import are stored: the file is refused whole.
        problems = refused.problems
    except duckdb.ConstraintException as error:
        # Validation should have caught this; the transaction keeps the file all-or-nothing anyway.
        problems = [Problem(outcome.name, f"the database refused the rows: {error}")]
    if session is not None:
        raise _Replay(outcome, problems)
    outcome.counts.clear()
    outcome.problems.extend(problems)
    state.refused_any = True


def _dry_run(
    database: Database, first: list[FileOutcome], later: list[_Pending], *, replace: bool, actor: str
) -> None:
    """Run the real import in one transaction, keep its counts, and roll everything back.

    A file refused after writing rows is dropped and the rest replayed: the counts are those a real import
    gives.
    """
    refused_any = False
    while True:
        try:
            with database.transaction() as session:
                _run(database, session, first, later, replace=replace, actor=actor, refused_any=refused_any)
                raise _RollBack
        except _RollBack:
            return
        except _Replay as replay:
            replay.outcome.counts.clear()
            replay.outcome.problems.extend(replay.problems)
            replay.outcome.sheets = []
            for pending in later:
                if pending.outcome is replay.outcome:
                    pending.refused_while_writing = True
                elif not pending.refused_while_writing:
                    pending.outcome.sheets = []  # read and checked again in the replay
            refused_any = True


def _write_order(accepted: list[FileOutcome]) -> list[FileOutcome]:
    """Return files so that each comes after the files adding the patients its logs refer to."""
    remaining = sorted(accepted, key=lambda o: min(IMPORT_ORDER.index(sheet.kind) for sheet in o.sheets))
    provided = {id(o): o.patient_ids() for o in remaining}
    from_others = {
        id(o): o.referenced_patient_ids() & set().union(*(provided[id(x)] for x in remaining if x is not o))
        - provided[id(o)]
        for o in remaining
    }
    ordered: list[FileOutcome] = []
    written: set[str] = set()
    while remaining:
        # A cycle (each file needs the other's patients) cannot be written file by file; the first goes first.
        ready = next((o for o in remaining if from_others[id(o)] <= written), remaining[0])
        remaining.remove(ready)
        ordered.append(ready)
        written |= provided[id(ready)]
    return ordered


def _read_into(
    outcome: FileOutcome, data: Source, session: Session | None = None, *, in_transaction: bool = False
) -> None:
    """Read one file into its outcome's staged sheets, or record why it cannot be read.

    With a session, a plain CSV file on disk is staged by DuckDB's reader into that session's temp tables,
    without its bytes passing through Python; anything else (uploaded bytes, XLSX, CSV files that are not
    a plain grid) is read by read_log_file into an Arrow table.
    """
    if isinstance(data, Path) and session is not None and Path(outcome.name).suffix.lower() == ".csv":
        probe = database_probe = None
        if in_transaction:
            # A reader error inside the dry run's transaction would abort it: try the file on a cursor of
            # its own first.
            database_probe = session.cursor.cursor()
            probe = Session(database_probe)
        try:
            scan, sheet = stage_csv_in_database(Path(outcome.name).name, data, session, probe)
        except OSError as error:
            data = error
        else:
            if sheet is not None:
                outcome.sha256 = scan.sha256
                outcome.sheets = [sheet]
                return
        finally:
            if database_probe is not None:
                database_probe.close()
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as error:
            data = error
    if isinstance(data, OSError):
        outcome.problems = [Problem(outcome.name, f"cannot read the file: {data.strerror or data}")]
        return
    outcome.sha256 = hashlib.sha256(data).hexdigest()
    try:
        outcome.sheets = read_log_file(Path(outcome.name).name, data)
    except FileRefused as refused:
        outcome.problems = refused.problems


def _validate(database: Database, outcomes: list[FileOutcome], *, replace: bool) -> None:
    """Find every problem in every file; a refused file's patients no longer count as part of the import."""
    while True:
        import_patient_ids = sorted(set().union(*(o.patient_ids() for o in outcomes if o.accepted)))
        newly_refused = False
        for outcome in outcomes:
            if not outcome.accepted:
                continue
            session = database.session()
            for sheet in outcome.sheets:
                outcome.problems.extend(_sheet_problems(session, sheet, import_patient_ids, replace=replace))
            newly_refused = newly_refused or not outcome.accepted
        if not newly_refused:
            return


def _sheet_problems(
    session: Session, sheet: StagedSheet, import_patient_ids: list[str], *, replace: bool
) -> list[Problem]:
    """Return the problems of one staged sheet: bad cells, then conflicts with what is stored."""
    _expose_staged_rows(session, sheet)
    try:
        params = {} if sheet.kind == "patients" else {"import_patient_ids": import_patient_ids}
        problems = [
            Problem(sheet.source, row["reason"], row["line"], row["column_name"], row["cell"] or "")
            for row in session.rows(f"validate_{sheet.kind}", **params)
        ]
        if problems or replace or sheet.kind not in ("patients", "pain"):
            return problems
        session.register("typed_rows", _typed_rows(session, sheet))
        problems.extend(_stored_conflicts(session, sheet))
        session.unregister("typed_rows")
        return problems
    finally:
        _hide_staged_rows(session, sheet)


def _expose_staged_rows(session: Session, sheet: StagedSheet) -> None:
    """Make the sheet's rows this session's staged_rows."""
    if sheet.table is not None:
        session.register("staged_rows", sheet.table)
    elif sheet.staged_in is not session:
        # Rows DuckDB's reader staged are temp tables, which only the cursor that made them can see.
        raise RuntimeError(f"{sheet.source} was staged on another cursor")


def _hide_staged_rows(session: Session, sheet: StagedSheet) -> None:
    """Let go of a registered Arrow table (it stays in memory as long as it is registered); rows staged by
    DuckDB stay until the file is done."""
    if sheet.table is not None:
        session.unregister("staged_rows")


def _typed_rows(session: Session, sheet: StagedSheet) -> duckdb.DuckDBPyRelation:
    """Return the typed rows of staged_rows as a lazy relation, to register as typed_rows.

    DuckDB types the rows each time a statement reads them, within its memory limit, instead of a typed
    copy of the whole sheet being held in Python.
    """
    return session.cursor.sql(query(f"typed_{sheet.kind}").text)


def _stored_conflicts(session: Session, sheet: StagedSheet) -> list[Problem]:
    """Return pain scores or patient details in typed_rows that differ from the stored ones."""
    problems = []
    if sheet.kind == "pain":
        for row in session.rows("pain_conflicts"):
            stored = ", ".join(f"{float(score):g}" for score in row["stored_scores"])
            problems.append(Problem(
                sheet.source,
                f"conflicts with the {row['time_of_day']} score {stored} already stored for "
                f"{row['patient_id']} on {row['date']}; {REPLACE_HINT}",
                row["line"], "pain", f"{float(row['pain']):g}",
            ))
    elif sheet.kind == "patients":
        for row in session.rows("patient_changes", present_columns=list(sheet.present_columns)):
            problems.append(Problem(
                sheet.source,
                f"patient {row['patient_id']} is stored with {row['column_name']} {row['stored']!r}; "
                "import with --replace to change it",
                row["line"], row["column_name"], row["incoming"] or "",
            ))
    return problems


class _Refused(Exception):
    """Raised inside a file's transaction when a sheet conflicts with rows an earlier file just stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _RollBack(Exception):
    """Raised to undo a dry run's writes after counting them."""


@dataclass
class _WriteState:
    """What the files written so far in one import did, which decides what must be checked again."""

    written_kinds: set[str] = field(default_factory=set)
    refused_any: bool = False


def _write_file(
    session: Session, outcome: FileOutcome, *, replace: bool, actor: str, state: _WriteState
) -> None:
    """Write every sheet of one file, patients first, recording counts and an audit row."""
    outcome.counts = []
    for sheet in sorted(outcome.sheets, key=lambda s: IMPORT_ORDER.index(s.kind)):
        counts = _write_sheet(
            session, sheet, outcome.sha256, replace=replace, actor=actor, state=state
        )
        state.written_kinds.add(sheet.kind)
        outcome.counts.append(counts)
        session.execute(
            "record_audit", actor=actor, action="import", patient_id=None,
            detail=f"{sheet.source}: {counts.kind} read {counts.read}, added {counts.added}, "
            f"skipped {counts.skipped}, replaced {counts.replaced}",
        )


def _write_sheet(
    session: Session, sheet: StagedSheet, sha256: str, *, replace: bool, actor: str, state: _WriteState,
) -> SheetCounts:
    """Insert one validated sheet, skipping rows already stored; with replace, archive what it replaces."""
    counts = SheetCounts(sheet.source, sheet.kind, sheet.row_count)
    if sheet.kind == "programme":
        # imports.kind cannot name a fifth kind (migration 0015): programme sheets have a log of their own.
        import_id = session.value(
            "insert_programme_import", source=sheet.source, sha256=sha256, imported_by=actor,
            rows_read=counts.read,
        )
    else:
        import_id = session.value(
            "insert_import", source=sheet.source, kind=sheet.kind, sha256=sha256, imported_by=actor,
            rows_read=counts.read,
        )
    _expose_staged_rows(session, sheet)
    if state.refused_any and sheet.kind != "patients":
        # A file refused while writing took its patients with it: logs that name them must now be refused.
        # (This file's own patients sheets are already written in this transaction.)
        problems = [
            Problem(sheet.source, row["reason"], row["line"], row["column_name"], row["cell"] or "")
            for row in session.rows(f"validate_{sheet.kind}", import_patient_ids=[])
        ]
        if problems:
            raise _Refused(problems)
    session.register("typed_rows", _typed_rows(session, sheet))
    if sheet.kind in state.written_kinds and not replace:
        # Validation compared with what was stored before the import; earlier sheets have added to it since.
        conflicts = _stored_conflicts(session, sheet)
        if conflicts:
            raise _Refused(conflicts)
    if sheet.kind == "patients":
        counts.added = session.value("insert_patients", import_id=import_id)
        if replace:
            changes = session.rows("patient_changes", present_columns=list(sheet.present_columns))
            for change in changes:
                session.execute(
                    "record_audit", actor=actor, action="patient_changed_by_import",
                    patient_id=change["patient_id"],
                    detail=f"{change['column_name']}: {change['stored']} -> {change['incoming']} "
                    f"({sheet.source})",
                )
            if changes:
                session.execute("update_patients", present_columns=list(sheet.present_columns))
            counts.replaced = len({change["patient_id"] for change in changes})
    elif sheet.kind == "pain":
        if replace:
            conflicts = session.rows("pain_conflicts")
            for conflict in conflicts:
                stored = ", ".join(f"{float(score):g}" for score in conflict["stored_scores"])
                session.execute(
                    "record_audit", actor=actor, action="pain_changed_by_import",
                    patient_id=conflict["patient_id"],
                    detail=f"{conflict['time_of_day']} pain on {conflict['date']}: {stored} -> "
                    f"{float(conflict['pain']):g} ({sheet.source})",
                )
            entry_ids = sorted({i for row in conflicts for i in row["stored_entry_ids"]})
            if entry_ids:
                session.execute("archive_pain_entries", entry_ids=entry_ids, import_id=import_id)
                counts.replaced = session.value("delete_pain_entries", entry_ids=entry_ids)
        counts.added = session.value("insert_pain_entries", import_id=import_id)
    else:
        counts.added = session.value(_ENTRY_INSERTS[sheet.kind], import_id=import_id)
    counts.skipped = counts.read - counts.added - (counts.replaced if sheet.kind == "patients" else 0)
    session.execute(
        "update_programme_import_counts" if sheet.kind == "programme" else "update_import_counts",
        import_id=import_id, rows_added=counts.added, rows_skipped=counts.skipped,
        rows_replaced=counts.replaced,
    )
    if counts.added or counts.replaced:
        session.touch(session.value("typed_row_patients"))
    session.unregister("typed_rows")
    _hide_staged_rows(session, sheet)
    return counts
