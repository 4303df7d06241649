"""Given many charts, expect workers to draw them in order; given a clinic, expect a timing summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_charts import patient_days
from test_reports_clinic import AS_OF, WEEK, clinic_db  # noqa: F401  (the fixture)

from dashboard import charts
from dashboard.reports import pdf
from dashboard.reports.timing import time_clinic_pdf


def test_given_many_charts_expect_worker_pngs_in_order_and_same_as_in_process():
    arguments = [(patient_days(n),) for n in range(10, 10 + pdf.PROCESS_POOL_FROM)]
    with pdf.ChartPictures(charts.pain_and_reps_print_spec, iter(arguments), len(arguments)) as pictures:
        drawn = list(pictures)
    assert drawn == [pdf.chart_png(charts.pain_and_reps_print_spec(*args)) for args in arguments]


def test_given_few_charts_expect_them_drawn_here():
    with pdf.ChartPictures(charts.pain_and_reps_spec, [(patient_days(),)], 1) as pictures:
        assert pictures._pool is None
        (png,) = list(pictures)
    assert png.startswith(b"\x89PNG")


def test_print_spec_has_no_tooltips_and_a_white_background():
    spec = pdf.print_spec(charts.pain_and_reps_chart(patient_days()))
    assert "tooltip" not in str(spec) and spec["config"]["background"] == "white"


def test_print_pair_spec_has_no_legend_no_title_and_is_narrower_than_the_app_pair():
    spec = pdf.print_spec(charts.pain_and_reps_print_spec(patient_days()))
    assert "tooltip" not in str(spec) and spec["config"]["background"] == "white"
    colours = [layer["encoding"]["color"] for panel in spec["vconcat"] for layer in panel["layer"]
               if "color" in layer.get("encoding", {})]
    assert colours and all(colour["legend"] is None for colour in colours)
    assert all("title" not in panel for panel in spec["vconcat"])
    paper = pdf.png_size(pdf.chart_png(spec))
    app = pdf.png_size(pdf.chart_png(charts.pain_and_reps_spec(patient_days())))
    assert paper[0] < app[0] - 80  # the legends' column is gone


def test_clinic_timing_counts_pages_and_charts(clinic_db):  # noqa: F811
    result = time_clinic_pdf(clinic_db, WEEK, as_of=AS_OF)
    flagged = result["charts"]
    # The cover and triage, then the flagged patients two to a page.
    assert flagged > 0 and result["pages"] >= 1 + (flagged + 1) // 2
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0


_UNIMPORTABLE_MAIN = """
import sys, time, types
from test_charts import patient_days
from dashboard import charts
from dashboard.reports import pdf
# A host whose __main__ spawned workers cannot re-import (as under Streamlit's AppTest).
host = types.ModuleType("__main__")
host.__file__ = sys.argv[1]
sys.modules["__main__"] = host
count = pdf.PROCESS_POOL_FROM


def slowly_read_patients():
    # Like the clinic report, which reads each patient's days while the workers start (and here, die).
    for _ in range(count):
        yield (patient_days(),)
        time.sleep(0.5)


with pdf.ChartPictures(charts.pain_and_reps_print_spec, slowly_read_patients(), count) as pictures:
    pngs = list(pictures)
assert len(pngs) == pdf.PROCESS_POOL_FROM and all(png.startswith(b"\\x89PNG") for png in pngs)
print("drawn", len(pngs))
"""


def test_given_workers_that_cannot_start_expect_every_chart_drawn_here(tmp_path):
    tests_dir = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, "-c", _UNIMPORTABLE_MAIN, str(tmp_path / "gone.py")],
        cwd=tests_dir, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "gone.py" in result.stderr  # the spawned workers really failed to start
    assert f"drawn {pdf.PROCESS_POOL_FROM}" in result.stdout
