"""DuckDB's own CSV reader on the import's files: the reference the import's rate is judged against."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

# The files the import phase reads, in the same order (bench.phases imports this module, so not from there).
CLINIC_FILES = ("patients", "programme", "pain", "exercises", "activities")


def _remove_database(path: Path) -> None:
    """Remove a database file and its write-ahead log, if any."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def bare_read_once(paths: list[Path], db_path: Path) -> tuple[float, int]:
    """Return the seconds `create table … as select * from read_csv(…)` of every file takes in a fresh
    DuckDB file, and the rows read; opening and closing the file are not counted, as for the import."""
    import duckdb

    _remove_database(db_path)
    connection = duckdb.connect(str(db_path))
    try:
        started = time.perf_counter()
        for index, path in enumerate(paths):
            # The reader sniffs each file, as a user's one-liner would.
            connection.execute(
                f"create table bare_{index} as select * from read_csv($path)", {"path": str(path)}
            )
        elapsed = time.perf_counter() - started
        rows = sum(
            connection.execute(f"select count(*) from bare_{index}").fetchone()[0]
            for index in range(len(paths))
        )
    finally:
        connection.close()
    _remove_database(db_path)
    return elapsed, rows


def bare_read_phase(args: dict) -> dict:
    """Time the bare read_csv of the clinic's files into a fresh DuckDB file (median over runs)."""
    paths = [Path(args["clinic_dir"]) / f"{name}.csv" for name in CLINIC_FILES]
    db_path = Path(args["db_path"])
    rows = 0
    for _ in range(args.get("warmup", 1)):
        _, rows = bare_read_once(paths, db_path)
    seconds = []
    for _ in range(args.get("runs", 3)):
        elapsed, rows = bare_read_once(paths, db_path)
        seconds.append(elapsed)
    median = statistics.median(seconds)
    return {
        "rows": rows,
        "median_s": median,
        "rows_per_s": rows / median,
        "min_s": min(seconds),
        "max_s": max(seconds),
        "runs_s": seconds,
    }
