"""PDF pages for the reports: embedded DejaVu fonts, a header and footer on every page, charts as PNG."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import altair as alt
import vl_convert as vlc
from fpdf import FPDF, FontFace
from PIL import Image

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"
CONFIDENTIAL = "Confidential: contains patient health data"
# 1.5 device pixels per CSS pixel: a 640 px chart printed 169 mm wide is about 144 dpi, sharp on paper, and
# rasterises in about half the time of scale 2.
CHART_SCALE = 1.5
# vl-convert draws PNGs one at a time per process whatever the threads, so many charts go to worker processes;
# below this many, starting the workers (about a second each) costs more than it saves.
PROCESS_POOL_FROM = 8

_fonts_registered = False
_fonts_lock = threading.Lock()


def _register_chart_fonts() -> None:
    """Let vl-convert draw chart text in the same DejaVu Sans the pages use."""
    global _fonts_registered
    with _fonts_lock:
        if not _fonts_registered:
            vlc.register_font_directory(str(FONT_DIR))
            _fonts_registered = True


def _drop_tooltips(node) -> None:
    """Remove tooltip channels everywhere in a spec, in place: paper cannot show them and they cost time."""
    if isinstance(node, dict):
        encoding = node.get("encoding")
        if isinstance(encoding, dict):
            encoding.pop("tooltip", None)
        for value in node.values():
            _drop_tooltips(value)
    elif isinstance(node, list):
        for value in node:
            _drop_tooltips(value)


def print_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """Return a chart's Vega-Lite spec (or a fresh spec dict, changed in place) for paper: no tooltips."""
    # The builders are tested for schema validity; skipping Altair's validation here halves the build time.
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    _drop_tooltips(spec)
    spec.setdefault("config", {})["background"] = "white"  # the page is white: no alpha channel to embed
    return spec


def _palette_png(png: bytes) -> bytes:
    """Return a chart PNG in 256 colours: it looks the same and fpdf2 compresses a quarter the bytes."""
    # Pillow comes with fpdf2, which needs it for every image.
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
    paletted = rgb.quantize(256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    paletted.save(out, format="PNG", compress_level=1)  # fpdf2 decodes and recompresses it anyway
    return out.getvalue()


def chart_png(chart: alt.TopLevelMixin | dict) -> bytes:
    """Return a chart rendered offline as a paletted PNG at CHART_SCALE times its size."""
    _register_chart_fonts()
    return _palette_png(vlc.vegalite_to_png(print_spec(chart), scale=CHART_SCALE))


def chart_pngs(charts: Sequence[alt.TopLevelMixin]) -> list[bytes]:
    """Return several charts rendered (vl-convert builds the scenes of several threads at once)."""
    if len(charts) <= 1:
        return [chart_png(chart) for chart in charts]
    with ThreadPoolExecutor(max_workers=min(4, len(charts))) as pool:
        return list(pool.map(chart_png, charts))


def _build_and_render(build: Callable[..., alt.TopLevelMixin | dict], args: tuple) -> bytes:
    """Return the PNG of build(*args); runs in a worker process, so build must be a module-level function."""
    return chart_png(build(*args))


def _workers() -> int:
    """Return how many worker processes to draw charts in: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


class ChartPictures:
    """The PNGs of build(*args) for each argument tuple, in order, drawn while the caller lays out pages.

    With many charts, each is built and drawn in a worker process (spawned, so no DuckDB connection or
    vl-convert runtime is inherited); the work starts as soon as this is made. Use it as a context manager.
    """

    def __init__(
        self, build: Callable[..., alt.TopLevelMixin | dict], arguments: Iterable[tuple], count: int
    ) -> None:
        self._build = build
        self._pool: ProcessPoolExecutor | None = None
        if count >= PROCESS_POOL_FROM and _workers() >= 2:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=_workers(), mp_context=context)
        self._jobs = [(args, self._submit(args)) for args in arguments]

    def _submit(self, args: tuple) -> Future[bytes] | None:
        """Queue one chart for a worker, or return None to draw it here (no pool, or the pool broke)."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(_build_and_render, self._build, args)
        except BrokenProcessPool:
            # A worker could not start or died (e.g. the host process's __main__ cannot be re-imported by
            # a spawned child, as under AppTest): draw this chart and the rest in this process.
            self.close()
            return None

    def __iter__(self) -> Iterator[bytes]:
        for args, future in self._jobs:
            if future is None:
                yield _build_and_render(self._build, args)
                continue
            try:
                yield future.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): draw the rest here
                yield _build_and_render(self._build, args)

    def __enter__(self) -> ChartPictures:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers, dropping charts not drawn yet."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height in pixels, read from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """Return a #rrggbb colour as an RGB tuple."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def short_date(day: dt.date) -> str:
    """Return a date as '16 Nov 2026'."""
    return f"{day.day} {day:%b %Y}"


class ReportPDF(FPDF):
    """An A4 report: title header and 'page X of Y' plus confidentiality footer on every page."""

    def __init__(self, title: str, subtitle: str = ""):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.report_subtitle = subtitle
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 20, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()
        self.set_title(title)
        self.set_creator("tendon rehab dashboard")
        self.set_font(FONT, "", 10)

    def header(self) -> None:
        """Draw the report title and subtitle above a thin rule."""
        self.set_y(9)
        self.set_font(FONT, "B", 9)
        self.set_text_color(60, 60, 60)
        self.cell(self.epw / 2, 5, self.report_title, align="L")
        self.set_font(FONT, "", 9)
        self.cell(self.epw / 2, 5, self.report_subtitle, align="R")
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_y(20)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, "", 10)

    def footer(self) -> None:
        """Draw the confidentiality notice and page X of Y."""
        self.set_y(-13)
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(self.epw * 0.7, 6, CONFIDENTIAL, align="L")
        self.cell(self.epw * 0.3, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def room(self) -> float:
        """Return the height left on this page above the footer."""
        return self.page_break_trigger - self.get_y()

    def text_height(self, text: str, size: float = 10, *, bold: bool = False, indent: float = 0) -> float:
        """Return the height heading or paragraph would give text, in mm, without drawing it."""
        self.set_font(FONT, "B" if bold else "", size)
        width = self.epw - indent
        height = self.multi_cell(width, size * 0.5, text, align="L", dry_run=True, output="HEIGHT")
        self.set_font(FONT, "", 10)
        return float(height)

    def heading(self, text: str, size: float = 14, space_after: float = 2) -> None:
        """Write a bold heading."""
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(space_after)
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str, size: float = 10, colour: tuple[int, int, int] = (0, 0, 0)) -> None:
        """Write wrapped body text."""
        self.set_font(FONT, "", size)
        self.set_text_color(*colour)
        # Left-aligned: fpdf2 justifies by default, which spreads a long name across the line.
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def chart(self, chart: alt.TopLevelMixin | bytes, width: float | None = None, alt_text: str = "") -> None:
        """Place a chart (or its PNG) at full width, starting a new page when it would not fit."""
        png = chart if isinstance(chart, bytes) else chart_png(chart)
        pixels_w, pixels_h = png_size(png)
        width = min(width or self.epw, pixels_w / CHART_SCALE * 0.2646)  # never enlarge beyond 96 dpi size
        height = width * pixels_h / pixels_w
        if height > self.room():
            self.add_page()
        self.image(io.BytesIO(png), x=self.l_margin, y=self.get_y(), w=width, h=height, alt_text=alt_text)
        self.set_y(self.get_y() + height + 3)

    def titled_chart(
        self, png: bytes, titles: Sequence[tuple[float, str]], mm_per_px: float, alt_text: str = "",
        title_px: float = 13, title_colour: tuple[int, int, int] = (34, 34, 34),
    ) -> None:
        """Place a chart PNG at mm_per_px millimetres per CSS pixel with titles written as text.

        Each title is (top, text): top in CSS pixels from the image's top, negative for above the image.
        Title and picture move to a new page together when they would not fit.
        """
        pixels_w, pixels_h = png_size(png)
        width, height = pixels_w / CHART_SCALE * mm_per_px, pixels_h / CHART_SCALE * mm_per_px
        line = title_px * mm_per_px * 1.3
        above = max([-top for top, _ in titles if top < 0], default=0) * mm_per_px
        if above + height > self.room():
            self.add_page()
        top = self.get_y() + above
        self.image(io.BytesIO(png), x=self.l_margin, y=top, w=width, h=height, alt_text=alt_text)
        self.set_font(FONT, "", title_px * mm_per_px / 0.3528)  # the size the chart's own titles had
        self.set_text_color(*title_colour)
        for title_top, text in titles:
            self.set_xy(self.l_margin, top + title_top * mm_per_px)
            self.cell(width, line, text, align="L")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, "", 10)
        self.set_xy(self.l_margin, top + height + 3)

    def risk_badges(self, badges: Sequence[tuple[int, str, str]]) -> None:
        """Draw one coloured box per (patient count, label, #rrggbb colour)."""
        box_w, box_h, gap = 50, 22, 6
        y = self.get_y()
        for index, (count, label, colour) in enumerate(badges):
            x = self.l_margin + index * (box_w + gap)
            self.set_fill_color(*hex_rgb(colour))
            self.rect(x, y, box_w, box_h, style="F")
            self.set_text_color(255, 255, 255)
            self.set_xy(x, y + 2)
            self.set_font(FONT, "B", 18)
            self.cell(box_w, 10, str(count), align="C")
            self.set_xy(x, y + 12)
            self.set_font(FONT, "", 10)
            self.cell(box_w, 7, label, align="C")
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, y + box_h + 6)

    def text_table(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
        *, fills: Sequence[tuple[int, int, int] | None] | None = None, fill_column: int = 0,
        align: Sequence[str] | None = None, font_size: float = 8,
    ) -> None:
        """Draw a table that wraps long cells and repeats its headings after a page break."""
        self.set_font(FONT, "", font_size)
        self.set_draw_color(210, 210, 210)
        self.set_fill_color(255, 255, 255)  # cells without a fill of their own stay white
        heading_style = FontFace(family=FONT, emphasis="BOLD", fill_color=(232, 238, 245), size_pt=font_size)
        with self.table(
            col_widths=tuple(widths), headings_style=heading_style, line_height=font_size * 0.5,
            text_align=tuple(align) if align else "LEFT", borders_layout="HORIZONTAL_LINES",
            repeat_headings=1, first_row_as_headings=True, padding=1.2, width=self.epw,
        ) as table:
            row = table.row()
            for text in headings:
                row.cell(text)
            for index, values in enumerate(rows):
                row = table.row()
                for column, text in enumerate(values):
                    fill = fills[index] if fills and column == fill_column else None
                    if fill:
                        badge = FontFace(fill_color=fill, color=(255, 255, 255), emphasis="BOLD")
                        row.cell(text, style=badge)
                    else:
                        row.cell(text)
        self.set_font(FONT, "", 10)
        self.ln(3)

    def bytes(self) -> bytes:
        """Return the finished document."""
        return bytes(self.output())
