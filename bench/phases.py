"""Benchmark phases, each run in its own process so that its peak memory is its own.

Run as `python -m bench.phases NAME ARGS_JSON OUT_JSON`; the phase writes its figures to OUT_JSON, always
with `peak_rss_mb`, the process's VmHWM.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.import_speed import bare_read_phase
from bench.peer import peer_phase
from bench.procinfo import current_rss_mb, peak_rss_mb

REPO = Path(__file__).resolve().parent.parent
KINDS = ("patients", "programme", "pain", "exercises", "activities")


def _timed_runs(action: Callable[[], object], runs: int, warmup: int) -> tuple[list[float], object]:
    """Return the seconds of each timed run after the warm-up runs, and the last run's result."""
    result = None
    for _ in range(warmup):
        result = action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def _summary(seconds: list[float]) -> dict:
    """Return the median, spread and every run."""
    return {
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "runs_s": seconds,
    }


def _csv_paths(clinic_dir: str) -> list[Path]:
    """Return the CSV logs and the programme file of a generated clinic."""
    return [Path(clinic_dir) / f"{kind}.csv" for kind in KINDS]


def generate(args: dict) -> dict:
    """Write a deterministic clinic's CSVs unless the same clinic is already there."""
    from dashboard.sample import write_clinic

    folder = Path(args["out_dir"])
    marker = folder / "clinic.json"
    # A changed generator must not be measured on an older clinic: its source is part of the key.
    generator = hashlib.sha256((REPO / "dashboard" / "sample.py").read_bytes()).hexdigest()
    wanted = {key: args[key] for key in ("patients", "days", "seed", "end")}
    wanted["generator_sha256"] = generator
    if marker.exists() and all(p.exists() for p in _csv_paths(folder)):
        known = json.loads(marker.read_text())
        if known.get("params") == wanted:
            return {**known, "reused": True}
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    written = write_clinic(
        folder, patients=args["patients"], days=args["days"], seed=args["seed"], end=args["end"]
    )
    seconds = time.perf_counter() - started
    rows = {path.stem: count for path, count in written.items()}
    facts = {
        "params": wanted,
        "generate_s": seconds,
        "rows": {**rows, "total": sum(rows.values())},
        "csv_bytes": sum(path.stat().st_size for path in written),
    }
    marker.write_text(json.dumps(facts, indent=2))
    return {**facts, "reused": False}


def _fresh_database(path: Path):
    """Return a new, migrated database at path, removing any earlier file."""
    from dashboard.db import Database

    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return Database(path)


def import_clinic(args: dict) -> dict:
    """Import the four CSVs into a fresh database, warm-up plus timed runs; keep the last database."""
    from dashboard.importer import import_paths

    if not args.get("metrics_refresh", True):
        _switch_off_metrics_refresh()
    paths = _csv_paths(args["clinic_dir"])
    work = Path(args["db_path"])
    migrate_s: list[float] = []
    rows_read: list[int] = []

    def one_import() -> None:
        started = time.perf_counter()
        database = _fresh_database(work)
        migrate_s.append(time.perf_counter() - started)
        try:
            started = time.perf_counter()
            result = import_paths(database, paths, actor="bench")
            elapsed = time.perf_counter() - started
            if not result.ok:
                raise RuntimeError(result.report(max_problems=5))
            rows_read.append(sum(counts.read for counts in result.totals().values()))
        finally:
            database.close()
        return elapsed

    timings = [one_import() for _ in range(args["warmup"])]
    timings = [one_import() for _ in range(args["runs"])]
    summary = _summary(timings)
    rows = rows_read[-1]
    return {
        **summary,
        "rows": rows,
        "rows_per_s": rows / summary["median_s"],
        "migrate_median_s": statistics.median(migrate_s),
        "db_bytes": work.stat().st_size,
    }


def _switch_off_metrics_refresh() -> None:
    """Leave this process's writes unrefreshed: the import alone, a yardstick and no product path."""
    from dashboard import metric_store

    # Every write path reaches the maintained metrics through this one function (dashboard/db.py).
    metric_store.refresh = lambda database, **options: None


def import_profile(args: dict) -> dict:
    """Import once more with every named statement timed, to show where the import spends its time."""
    from dashboard import db as dbmodule
    from dashboard import importer, reading

    spent: dict[str, float] = {}
    calls: dict[str, int] = {}
    rss_peak: dict[str, float] = {}
    depth = [0]
    current = ["(python, file reads, other)"]
    sampling = threading.Event()

    def sample_rss() -> None:
        # Which step holds the most memory: resident size sampled every 50 ms, kept per running step.
        while not sampling.wait(0.05):
            rss = current_rss_mb()
            if rss is not None and rss > rss_peak.get(current[0], 0.0):
                rss_peak[current[0]] = rss

    def timing(label: str, function: Callable) -> Callable:
        def wrapper(*a, **k):
            if depth[0]:
                return function(*a, **k)
            depth[0] += 1
            name = label if label != "sql" else a[1]
            current[0] = name
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                depth[0] -= 1
                current[0] = "(python, file reads, other)"
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
                calls[name] = calls.get(name, 0) + 1
        return wrapper

    session_cls = dbmodule.Session
    for method in ("execute", "frame", "rows", "value", "arrow"):
        setattr(session_cls, method, timing("sql", getattr(session_cls, method)))
    # Plain CSV files are staged by DuckDB (its statements are timed by name, stage_csv_*); the byte readers
    # (Arrow or the csv module) handle uploads, workbooks and CSV files that are not a plain grid.
    importer.read_log_file = timing("read_log_file (Arrow or csv module, staging)", reading.read_log_file)
    reading.scan_csv_file = timing("scan_csv_file (sha256, line endings)", reading.scan_csv_file)
    importer.hashlib.sha256 = timing("sha256", importer.hashlib.sha256)

    # One file at a time: with read-ahead the next file's steps would overlap this one's on the counters.
    importer.READ_AHEAD = False
    database = _fresh_database(Path(args["db_path"]))
    spent.clear()
    calls.clear()
    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    started = time.perf_counter()
    paths = _csv_paths(args["clinic_dir"])
    result = importer.import_paths(database, paths, actor="bench")
    total = time.perf_counter() - started
    sampling.set()
    sampler.join()
    database.close()
    if not result.ok:
        raise RuntimeError(result.report(max_problems=5))
    steps = sorted(
        ({"step": name, "seconds": seconds, "calls": calls[name], "share": seconds / total,
          "rss_peak_mb": rss_peak.get(name)}
         for name, seconds in spent.items()),
        key=lambda step: -step["seconds"],
    )
    accounted = sum(step["seconds"] for step in steps)
    other = "(python, file reads, other)"
    steps.append({"step": other, "seconds": total - accounted, "calls": None,
                  "share": (total - accounted) / total, "rss_peak_mb": rss_peak.get(other)})
    return {"total_s": total, "steps": steps}


def _metrics_call(args: dict) -> tuple[Callable[[], object], object]:
    """Return a zero-argument call of the metric the phase measures, and its open database."""
    from dashboard import metrics
    from dashboard.access import Viewer
    from dashboard.db import Database
    from dashboard.weeks import parse_iso_week

    # Read-only, as the outside checks open it: the import phase left the store current.
    database = Database(args["db_path"], read_only=True)
    viewer = Viewer.system()
    as_of = dt.date.fromisoformat(args["as_of"])
    monday, sunday = parse_iso_week(args["week"])
    what = args["metric"]
    if what == "review_week":
        return (lambda: metrics.weekly_review(database, viewer, args["week"], as_of=as_of)), database
    if what == "alerts_week":
        return (
            lambda: metrics.alert_events(database, viewer, date_from=monday, date_to=sunday, as_of=as_of)
        ), database
    if what == "alerts_year":
        first = dt.date.fromisoformat(args["alerts_from"])
        return (
            lambda: metrics.alert_events(database, viewer, date_from=first, date_to=as_of, as_of=as_of)
        ), database
    if what == "patient_detail":
        patient = args["patient_id"]
        date_from = dt.date.fromisoformat(args["detail_from"])

        def detail():
            return (
                metrics.patient_days(database, viewer, patient, date_from, as_of, as_of=as_of),
                metrics.responses(database, viewer, patient, date_from, as_of, as_of=as_of),
                metrics.alert_events(database, viewer, patient_id=patient, as_of=as_of),
            )
        return detail, database
    raise ValueError(f"unknown metric {what}")


def metric(args: dict) -> dict:
    """Time one metric on an imported clinic, then profile its main statement once."""
    call, database = _metrics_call(args)
    seconds, result = _timed_runs(call, args["runs"], args["warmup"])
    frames = result if isinstance(result, tuple) else (result,)
    figures = {**_summary(seconds), "result_rows": [len(frame) for frame in frames]}
    statement = {"review_week": "weekly_review", "alerts_year": "alert_events"}.get(args["metric"])
    if statement:
        try:
            figures["profile"] = profile_statement(database, statement, _statement_params(args))
        except Exception as error:  # noqa: BLE001 - a profile is a bonus; the timings above stand
            figures["profile"] = {"error": str(error)}
    database.close()
    return figures


def _statement_params(args: dict) -> dict:
    """Return the parameters the metric runners bind for the benchmark's week."""
    from dashboard.weeks import parse_iso_week

    monday, sunday = parse_iso_week(args["week"])
    as_of = dt.date.fromisoformat(args["as_of"])
    first = dt.date.fromisoformat(args["alerts_from"]) if args.get("alerts_from") else monday
    return {"week_start": monday, "as_of": as_of, "clinician_scope": None,
            "date_from": first, "date_to": as_of if args.get("alerts_from") else sunday, "patient_id": None}


def profile_statement(database, name: str, params: dict, top: int = 8) -> dict:
    """Run a named statement once under DuckDB's JSON profiler (EXPLAIN ANALYZE); return its top operators."""
    from dashboard.db import bind
    from dashboard.sql import query

    statement = query(name)
    cursor = database.session().cursor
    out = Path(tempfile.mkdtemp()) / "profile.json"
    cursor.execute("pragma enable_profiling = 'json'")
    cursor.execute(f"pragma profiling_output = '{out}'")
    started = time.perf_counter()
    used = {key: value for key, value in params.items() if key in statement.parameters}
    cursor.execute(statement.text, bind(statement, used))
    cursor.fetchall()
    elapsed = time.perf_counter() - started
    cursor.execute("pragma disable_profiling")
    tree = json.loads(out.read_text())
    shutil.rmtree(out.parent, ignore_errors=True)
    operators: list[dict] = []

    def walk(node: dict) -> None:
        info = node.get("extra_info") or {}
        keys = ("Projections", "Conditions", "Table", "Groups")
        detail = next((info[key] for key in keys if info.get(key)), "")
        operators.append({"operator": node.get("type") or node.get("operator_type"),
                          "seconds": node.get("timing", node.get("operator_timing", 0.0)),
                          "rows": node.get("intermediate_rows", node.get("operator_cardinality")),
                          "detail": str(detail)[:160]})
        for child in node.get("children", []):
            walk(child)

    for root in tree.get("operator", tree.get("children", [])):
        walk(root)
    operators.sort(key=lambda op: -(op["seconds"] or 0))
    return {"statement": name, "wall_s": elapsed, "operator_s": tree.get("query", {}).get("cpu_time"),
            "top_operators": operators[:top]}


def cli_alerts(args: dict) -> dict:
    """Time `rehab alerts` for the year as a whole process, writing JSON or CSV to a file; check its rows."""
    out = Path(tempfile.mkdtemp()) / f"alerts.{args['format']}"
    command = [
        sys.executable, "-m", "dashboard.cli", "--db", args["db_path"], "alerts",
        "--from", args["alerts_from"], "--to", args["as_of"], "--as-of", args["as_of"],
        "--format", args["format"],
    ]

    def one_run() -> int:
        with out.open("wb") as stream:
            completed = subprocess.run(command, cwd=REPO, stdout=stream, stderr=subprocess.PIPE, timeout=600)
        if completed.returncode != 0:
            raise RuntimeError(completed.stderr.decode(errors="replace")[-2000:])
        return out.stat().st_size

    seconds, size = _timed_runs(one_run, args["runs"], args["warmup"])
    if args["format"] == "json":
        rows = len(json.loads(out.read_text(encoding="utf-8")))
    else:
        with out.open(encoding="utf-8", newline="") as stream:
            rows = sum(1 for _ in csv.reader(stream)) - 1
    shutil.rmtree(out.parent, ignore_errors=True)
    # The command's own memory, not this timing process's: the largest child's peak resident size.
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {**_summary(seconds), "bytes": size, "result_rows": rows, "child_peak_rss_mb": child_peak}


PHASES = {
    "generate": generate,
    "import": import_clinic,
    "import_profile": import_profile,
    "metric": metric,
    "cli_alerts": cli_alerts,
    "bare_read": bare_read_phase,
    "peer": peer_phase,
}


def main(argv: list[str]) -> int:
    """Run one phase and write its figures, plus this process's peak RSS, as JSON."""
    name, args_json, out_path = argv
    figures = PHASES[name](json.loads(args_json))
    figures["peak_rss_mb"] = max(peak_rss_mb() or 0.0, figures.get("child_peak_rss_mb") or 0.0)
    Path(out_path).write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
