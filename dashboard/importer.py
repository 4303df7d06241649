"""Validate log files completely, then write each accepted file in one transaction, or nothing of it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.db import Database, Session
from dashboard.logformats import IMPORT_ORDER
from dashboard.reading import FileRefused, Problem, StagedSheet, read_log_file

MAX_LISTED_PROBLEMS = 50
_ENTRY_INSERTS = {"exercises": "insert_exercise_entries", "activities": "insert_activity_entries"}


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


def import_paths(
    database: Database, paths: Iterable[str | Path], *, replace: bool = False, dry_run: bool = False,
    actor: str = "cli",
) -> ImportResult:
    """Import log files from disk; see import_sources."""
    sources = []
    for path in map(Path, paths):
        try:
            sources.append((str(path), path.read_bytes()))
        except OSError as error:
            sources.append((str(path), error))
    return import_sources(database, sources, replace=replace, dry_run=dry_run, actor=actor)


def import_sources(
    database: Database, sources: list[tuple[str, bytes | OSError]], *, replace: bool = False,
    dry_run: bool = False, actor: str = "cli",
) -> ImportResult:
    """Validate every file, then write each valid one in its own transaction (all undone on a dry run)."""
    outcomes = [_read(name, data) for name, data in sources]
    _validate(database, outcomes, replace=replace)
    accepted = _write_order([outcome for outcome in outcomes if outcome.accepted])
    state = _WriteState()
    if dry_run:
        _write_all_then_roll_back(database, accepted, replace=replace, actor=actor)
    else:
        for outcome in accepted:
            try:
                with database.transaction() as session:
                    _write_file(session, outcome, replace=replace, actor=actor, state=state)
            except _Refused as refused:
                # Found only once earlier files of this import are stored: the file is refused whole.
                outcome.counts.clear()
                outcome.problems.extend(refused.problems)
                state.refused_any = True
            except duckdb.ConstraintException as error:
                # Validation should have caught this; the transaction keeps the file all-or-nothing anyway.
                outcome.counts.clear()
                outcome.problems.append(Problem(outcome.name, f"the database refused the rows: {error}"))
                state.refused_any = True
    return ImportResult(outcomes, dry_run)


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


def _read(name: str, data: bytes | OSError) -> FileOutcome:
    """Read one file into staged sheets, or record why it cannot be read."""
    if isinstance(data, OSError):
        problem = Problem(name, f"cannot read the file: {data.strerror or data}")
        return FileOutcome(name, "", problems=[problem])
    outcome = FileOutcome(name, hashlib.sha256(data).hexdigest())
    try:
        outcome.sheets = read_log_file(Path(name).name, data)
    except FileRefused as refused:
        outcome.problems = refused.problems
    return outcome


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


def _sheet_problems(session: Session, sheet: StagedSheet, import_patient_ids: list[str], *, replace: bool):
    """Return the problems of one staged sheet: bad cells, then conflicts with what is stored."""
    session.register("staged_rows", sheet.table)
    params = {} if sheet.kind == "patients" else {"import_patient_ids": import_patient_ids}
    problems = [
        Problem(sheet.source, row["reason"], row["line"], row["column_name"], row["cell"] or "")
        for row in session.rows(f"validate_{sheet.kind}", **params)
    ]
    if problems or replace or sheet.kind not in ("patients", "pain"):
        return problems
    session.register("typed_rows", session.arrow(f"typed_{sheet.kind}"))
    problems.extend(_stored_conflicts(session, sheet))
    session.unregister("typed_rows")
    return problems


def _stored_conflicts(session: Session, sheet: StagedSheet) -> list[Problem]:
    """Return pain scores or patient details in typed_rows that differ from the stored ones."""
    problems = []
    if sheet.kind == "pain":
        for row in session.rows("pain_conflicts"):
            stored = ", ".join(f"{float(score):g}" for score in row["stored_scores"])
            problems.append(Problem(
                sheet.source,
                f"conflicts with the {row['time_of_day']} score {stored} already stored for "
                f"{row['patient_id']} on {row['date']}; "
                "nothing is overwritten unless you import with --replace",
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


def _write_all_then_roll_back(database: Database, outcomes: list[FileOutcome], *, replace: bool, actor: str):
    """Run the real writes in one transaction, keep their counts, and roll everything back.

    A file refused while writing is dropped and the rest replayed: the counts are those a real import gives.
    """
    remaining = list(outcomes)
    refused_any = False
    while True:
        failed: FileOutcome | None = None
        state = _WriteState(refused_any=refused_any)
        try:
            with database.transaction() as session:
                for outcome in remaining:
                    try:
                        _write_file(session, outcome, replace=replace, actor=actor, state=state)
                    except _Refused as refused:
                        failed, problems = outcome, refused.problems
                        raise _RollBack from None
                    except duckdb.ConstraintException as error:
                        problem = Problem(outcome.name, f"the database refused the rows: {error}")
                        failed, problems = outcome, [problem]
                        raise _RollBack from None
                raise _RollBack
        except _RollBack:
            pass
        if failed is None:
            return
        failed.counts.clear()
        failed.problems.extend(problems)
        remaining.remove(failed)
        refused_any = True


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
        counts = _write_sheet(session, sheet, outcome.sha256, replace=replace, actor=actor, state=state)
        state.written_kinds.add(sheet.kind)
        outcome.counts.append(counts)
        session.execute(
            "record_audit", actor=actor, action="import", patient_id=None,
            detail=f"{sheet.source}: {counts.kind} read {counts.read}, added {counts.added}, "
            f"skipped {counts.skipped}, replaced {counts.replaced}",
        )


def _write_sheet(
    session: Session, sheet: StagedSheet, sha256: str, *, replace: bool, actor: str, state: _WriteState
) -> SheetCounts:
    """Insert one validated sheet, skipping rows already stored; with replace, archive what it replaces."""
    counts = SheetCounts(sheet.source, sheet.kind, sheet.table.num_rows)
    import_id = session.value(
        "insert_import", source=sheet.source, kind=sheet.kind, sha256=sha256, imported_by=actor,
        rows_read=counts.read,
    )
    session.register("staged_rows", sheet.table)
    if state.refused_any and sheet.kind != "patients":
        # A file refused while writing took its patients with it: logs that name them must now be refused.
        # (This file's own patients sheets are already written in this transaction.)
        problems = [
            Problem(sheet.source, row["reason"], row["line"], row["column_name"], row["cell"] or "")
            for row in session.rows(f"validate_{sheet.kind}", import_patient_ids=[])
        ]
        if problems:
            raise _Refused(problems)
    session.register("typed_rows", session.arrow(f"typed_{sheet.kind}"))
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
            entry_ids = sorted({i for row in session.rows("pain_conflicts") for i in row["stored_entry_ids"]})
            if entry_ids:
                session.execute("archive_pain_entries", entry_ids=entry_ids, import_id=import_id)
                counts.replaced = session.value("delete_pain_entries", entry_ids=entry_ids)
        counts.added = session.value("insert_pain_entries", import_id=import_id)
    else:
        counts.added = session.value(_ENTRY_INSERTS[sheet.kind], import_id=import_id)
    counts.skipped = counts.read - counts.added - (counts.replaced if sheet.kind == "patients" else 0)
    session.execute(
        "update_import_counts", import_id=import_id, rows_added=counts.added, rows_skipped=counts.skipped,
        rows_replaced=counts.replaced,
    )
    session.unregister("typed_rows")
    session.unregister("staged_rows")
    return counts
