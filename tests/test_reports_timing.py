"""Given many charts, expect workers to draw them in order; given a clinic, expect a timing summary."""

from __future__ import annotations

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
    assert flagged > 0 and result["pages"] >= flagged + 1
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0
