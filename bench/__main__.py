"""`python -m bench`: measure import, metrics, memory and page load on generated clinics; assert nothing."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import CLINIC_METRIC_KEYS
from bench.procinfo import describe_machine
from bench.report import evaluate_targets, write_markdown
from bench.runner import PhaseFailed, run_phase

BENCH_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
PUSHING_TOO_HARD = 1  # archetype index in dashboard.sample: the patient with a flare in the last week


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the command line, with the smoke defaults filled in when --smoke is given."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a tiny clinic and one run, well under a minute")
    parser.add_argument("--out", type=Path, default=None,
                        help="work folder for generated clinics and databases (default bench/out)")
    parser.add_argument("--results", type=Path, default=None,
                        help="folder for results.json and RESULTS.md (default bench/, or --out with --smoke)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="clinic sizes in patients")
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None, help="timed runs per measurement (median reported)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed runs before the timed ones")
    parser.add_argument("--browser-patients", type=int, default=None)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--large", action="store_true",
                        help="the 30,000-patient clinic only (make bench-large), into bench/large/")
    parser.add_argument("--no-peer", action="store_true", help="skip the vectorised pandas peer")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite RESULTS.md from the existing results.json (after editing FINDINGS.md)")
    args = parser.parse_args(argv)
    smoke = args.smoke
    defaults = {
        "out": BENCH_DIR / "out" / ("smoke" if smoke else "full"),
        "sizes": [50] if smoke else ([30000] if args.large else [1000, 10000]),
        "days": 60 if smoke else 365,
        "runs": 1 if smoke else 5,
        "warmup": 0 if smoke else 1,
        "browser_patients": 50 if smoke else 2000,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.results is None:
        args.results = args.out if smoke else (BENCH_DIR / "large" if args.large else BENCH_DIR)
    if args.large:
        args.no_browser = True
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every phase, write results.json and RESULTS.md, and print where they are."""
    args = parse_args(argv)
    if args.report_only:
        results = json.loads((args.results / "results.json").read_text())
        write_markdown(results, args.results / "RESULTS.md", BENCH_DIR / "FINDINGS.md")
        print(f"wrote {args.results / 'RESULTS.md'}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)
    end = dt.date(2026, 11, 22)  # dashboard.sample.SAMPLE_END, a Sunday
    as_of = end
    week = f"{as_of.isocalendar()[0]}-W{as_of.isocalendar()[1]:02d}"
    settings = {
        "sizes": args.sizes, "days": args.days, "seed": 7, "end": end.isoformat(), "runs": args.runs,
        "warmup": args.warmup, "week": week, "as_of": as_of.isoformat(),
        "detail_from": (end - dt.timedelta(days=args.days - 1)).isoformat(),
        "alerts_from": (end - dt.timedelta(days=args.days - 1)).isoformat(),
        "browser_patients": None if args.no_browser else args.browser_patients,
    }
    results = {
        "mode": "smoke" if args.smoke else "full",
        "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(CHROMIUM),
        "settings": settings,
        "clinics": {},
        "browser": {},
        "targets": [],
    }
    started = time.perf_counter()

    def save() -> None:
        results["targets"] = evaluate_targets(results)
        (args.results / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        write_markdown(results, args.results / "RESULTS.md", BENCH_DIR / "FINDINGS.md")

    for size in args.sizes:
        print(f"clinic of {size} patients x {args.days} days", flush=True)
        results["clinics"][str(size)] = bench_clinic(size, args, settings)
        save()
    if args.no_browser:
        results["browser"] = browser_skipped("--no-browser was given")
    else:
        results["browser"] = bench_browser(args, settings)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    results["total_wall_s"] = time.perf_counter() - started
    save()
    print(f"wrote {args.results / 'results.json'} and {args.results / 'RESULTS.md'}", flush=True)
    return 0


def clinic_paths(out: Path, size: int, days: int) -> tuple[Path, Path]:
    """Return a clinic's CSV folder and its imported database."""
    return out / f"clinic_{size}x{days}", out / f"clinic_{size}x{days}.duckdb"


def patient_id(index: int, patients: int) -> str:
    """Return the id dashboard.sample gives the patient at this index."""
    return f"P{index + 1:0{max(3, len(str(patients)))}d}"


def _phase(
    name: str, phase_args: dict, section: dict, key: str, *, timeout: float | None = None
) -> dict | None:
    """Run a phase into section[key]; on failure record the reason with the metric keys null."""
    try:
        figures = run_phase(name, phase_args, timeout=timeout, log=print)
    except PhaseFailed as failure:
        print(f"  {key}: FAILED: {failure}", flush=True)
        section[key] = {"error": str(failure)}
        return None
    section[key] = figures
    return figures


def bench_clinic(size: int, args: argparse.Namespace, settings: dict) -> dict:
    """Generate, import and query one clinic; return its figures."""
    clinic_dir, db_path = clinic_paths(args.out, size, args.days)
    section: dict = {"patients": size, "days": args.days}
    generated = _phase("generate", {"out_dir": str(clinic_dir), "patients": size, "days": args.days,
                                    "seed": settings["seed"], "end": settings["end"]}, section, "generation")
    if generated:
        section["rows"] = generated["rows"]
        section["generate_s"] = generated["generate_s"]
        section["csv_mb"] = generated["csv_bytes"] / 2**20
        imported = _phase("import", {"clinic_dir": str(clinic_dir), "db_path": str(db_path),
                                     "runs": args.runs, "warmup": args.warmup}, section, "import")
        _phase("bare_read", {"clinic_dir": str(clinic_dir), "db_path": str(args.out / f"bare_{size}.duckdb"),
                             "runs": args.runs, "warmup": args.warmup}, section, "bare_read")
        # The same import with the maintained metrics' refresh switched off: how much of the distance to the
        # bare reader is the import's own checks and inserts, and how much the refresh the issue asks for.
        unrefreshed_db = args.out / f"unrefreshed_{size}.duckdb"
        _phase("import", {"clinic_dir": str(clinic_dir), "db_path": str(unrefreshed_db), "runs": args.runs,
                          "warmup": args.warmup, "metrics_refresh": False}, section, "import_without_refresh")
        unrefreshed_db.unlink(missing_ok=True)
        profile_db = args.out / f"profile_{size}.duckdb"
        _phase("import_profile", {"clinic_dir": str(clinic_dir), "db_path": str(profile_db)},
               section, "import_profile")
        profile_db.unlink(missing_ok=True)
    else:
        imported = None
    common = {"db_path": str(db_path), "week": settings["week"], "as_of": settings["as_of"],
              "alerts_from": settings["alerts_from"], "runs": args.runs, "warmup": max(1, args.warmup)}
    for metric in ("review_week", "alerts_year", "patient_detail"):
        if imported is None:
            section[metric] = {"error": "no imported database"}
            continue
        extra = {"patient_id": patient_id(PUSHING_TOO_HARD, size), "detail_from": settings["detail_from"]}
        _phase("metric", {**common, **extra, "metric": metric}, section, metric)
    for output_format in ("json", "csv"):
        key = f"cli_alerts_{output_format}"
        if imported is None:
            section[key] = {"error": "no imported database"}
            continue
        _phase("cli_alerts", {**common, "format": output_format}, section, key)
    if args.no_peer:
        section["peer"] = {"error": "--no-peer was given"}
    elif imported is None:
        section["peer"] = {"error": "no imported database"}
    else:
        _phase("peer", common, section, "peer")
    _ratios(section)
    phases = ("import", "review_week", "alerts_year", "patient_detail", "cli_alerts_json", "cli_alerts_csv")
    peaks = [section[p]["peak_rss_mb"] for p in phases if section.get(p, {}).get("peak_rss_mb") is not None]
    # The product's phases only: the sample generator, the bare reader and the pandas peer are yardsticks,
    # and the profiled import repeats the import with timers; their memory is reported but not counted here.
    section["peak_rss_mb"] = max(peaks) if peaks else None
    _fill_missing(section)
    return section


def _ratios(section: dict) -> None:
    """Set the speed-ups against the peer and the import's share of the bare reader, measured in this run."""
    peer = section.get("peer") or {}
    alerts = (section.get("alerts_year") or {}).get("median_s")
    review = (section.get("review_week") or {}).get("median_s")
    peer_all = (peer.get("alerts_all") or {}).get("median_s")
    peer_review = (peer.get("review") or {}).get("median_s")
    section["speedup"] = {
        "alerts_vs_peer": peer_all / alerts if (peer_all and alerts) else None,
        "review_vs_peer": peer_review / review if (peer_review and review) else None,
    }
    imported = (section.get("import") or {}).get("rows_per_s")
    bare = (section.get("bare_read") or {}).get("rows_per_s")
    section["import_share_of_bare"] = imported / bare if (imported and bare) else None
    unrefreshed = (section.get("import_without_refresh") or {}).get("rows_per_s")
    section["import_without_refresh_share_of_bare"] = unrefreshed / bare if (unrefreshed and bare) else None


def _fill_missing(section: dict) -> None:
    """Give every metric key a value, null when its phase did not produce one."""
    for dotted in CLINIC_METRIC_KEYS:
        parts = dotted.split(".")
        target = section
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target.setdefault(parts[-1], None)
    imported = section.get("import", {})
    if imported.get("rows_per_s") is None:
        imported["rows_per_s"] = None


def browser_skipped(reason: str) -> dict:
    """Return the browser section of a run that did not load the page."""
    print(f"browser: skipped ({reason})", flush=True)
    return {
        "skipped": reason, "patients": None, "fresh_server_median_s": None, "median_s": None,
        "server_peak_rss_mb": None,
    }


def bench_browser(args: argparse.Namespace, settings: dict) -> dict:
    """Time the review page to interactive in headless chromium on a clinic of browser_patients."""
    if not os.access(CHROMIUM, os.X_OK):
        return browser_skipped(f"{CHROMIUM} is not installed")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return browser_skipped("playwright is not installed")
    from bench.browser import time_review_page

    size = args.browser_patients
    print(f"browser: review page of a {size}-patient clinic", flush=True)
    clinic_dir, db_path = clinic_paths(args.out, size, args.days)
    section: dict = {}
    if not _phase("generate", {"out_dir": str(clinic_dir), "patients": size, "days": args.days,
                               "seed": settings["seed"], "end": settings["end"]}, section, "generation"):
        return {**browser_skipped("the clinic could not be generated"), **section}
    app_db = args.out / f"app_{size}x{args.days}.duckdb"
    imported_db = clinic_paths(args.out, size, args.days)[1]
    if size in args.sizes and imported_db.exists():
        # The same clinic was imported above; a copy keeps the app's writes (accounts, audit) out of it.
        app_db.unlink(missing_ok=True)
        shutil.copyfile(imported_db, app_db)
    elif not _phase("import", {"clinic_dir": str(clinic_dir), "db_path": str(app_db), "runs": 1, "warmup": 0},
                  section, "import"):
        return {**browser_skipped("the clinic could not be imported"), **section}
    try:
        figures = time_review_page(app_db, runs=args.runs, warmup=args.warmup, week=settings["week"],
                                   work=args.out, log=print)
    except Exception as error:  # noqa: BLE001 - a broken page is a result to report, not a crash
        print(f"  browser: FAILED: {error}", flush=True)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return {**browser_skipped(f"the page did not load: {first_line}"), "error": str(error)}
    return {"patients": size, **figures}


if __name__ == "__main__":
    sys.exit(main())
