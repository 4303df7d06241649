"""Benchmarks (issues 7 and 16): import against DuckDB's own reader, the metrics against a vectorised pandas
peer, whole-process CLI output, peak memory and page load on large clinics.

`python -m bench` reports numbers and asserts no timings; `python -m bench --smoke` runs a tiny version.
"""

# Every metric the benchmark reports, as dotted paths into results.json; a value is null when a phase was
# skipped or failed (its reason is recorded next to it), so the set of keys never depends on the machine.
CLINIC_METRIC_KEYS = (
    "rows.total",
    "generate_s",
    "import.median_s",
    "import.rows_per_s",
    "import.peak_rss_mb",
    "bare_read.rows_per_s",
    "import_share_of_bare",
    "import_without_refresh.median_s",
    "import_without_refresh_share_of_bare",
    "review_week.median_s",
    "review_week.peak_rss_mb",
    "alerts_year.median_s",
    "alerts_year.peak_rss_mb",
    "patient_detail.median_s",
    "patient_detail.peak_rss_mb",
    "cli_alerts_json.median_s",
    "cli_alerts_json.peak_rss_mb",
    "cli_alerts_csv.median_s",
    "cli_alerts_csv.peak_rss_mb",
    "peer.alerts_all.median_s",
    "peer.review.median_s",
    "speedup.alerts_vs_peer",
    "speedup.review_vs_peer",
    "peak_rss_mb",
)
BROWSER_METRIC_KEYS = (
    "browser.patients",
    "browser.fresh_server_median_s",
    "browser.median_s",
    "browser.server_peak_rss_mb",
)
TOP_LEVEL_KEYS = ("mode", "taken_at", "machine", "settings", "clinics", "browser", "targets")
