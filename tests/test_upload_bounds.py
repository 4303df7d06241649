"""Workbooks that spread or unpack far past what they hold are refused at once, with the reason, by `rehab
import` and by the app's Import page alike; nothing of them is written.

The bombs are built here: a workbook that says it spans the whole grid, and one that unpacks to 300 MB of
empty cells (honest about its size, or lying in its zip directory). The command-line runs happen in a
subprocess with a generous timeout, only so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from helpers import DATA_TABLES, count, query_rows
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.db import Database, close_database, open_database
from dashboard.reading import (
    UPLOAD_LIMIT_BYTES,
    XLSX_MAX_ROWS,
    XLSX_MAX_UNPACKED_BYTES,
    FileRefused,
    read_log_file,
)

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
HANG_GUARD_S = 120  # far above what a refusal takes; it only stops a regression from hanging the suite
SHEET = "xl/worksheets/sheet1.xml"

# The smallest workbook openpyxl opens: content types, the package and workbook relationships, one sheet.
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="pain" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
}


def text_cell(ref: str, text: str) -> str:
    """Return a cell holding text inline."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


PAIN_HEADER_ROW = (
    '<row r="1">' + "".join(
        text_cell(f"{column}1", name)
        for column, name in zip("ABCD", ("patient_id", "date", "time_of_day", "pain"), strict=True)
    ) + "</row>"
)


def pain_row(line: int, patient_id: str = "P1") -> str:
    """Return one valid pain row as sheet XML."""
    return (
        f'<row r="{line}">{text_cell(f"A{line}", patient_id)}{text_cell(f"B{line}", "2026-01-05")}'
        f'{text_cell(f"C{line}", "morning")}<c r="D{line}"><v>3</v></c></row>'
    )


def write_workbook(
    path: Path, rows: Iterable[bytes | str], *, dimension: str | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write a one-sheet workbook whose sheet XML is streamed from rows (pieces of <sheetData>)."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open(SHEET, "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for piece in rows:
                sheet.write(piece.encode() if isinstance(piece, str) else piece)
            sheet.write(b"</sheetData></worksheet>")
    return path


def declare_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size a zip member declares, in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + struct.unpack_from("<H", data, entry + 28)[0]] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, size)
    path.write_bytes(bytes(data))
    return path


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """Yield piece, in 1 MB runs, until about total bytes."""
    run = piece * max(1, (1 << 20) // len(piece))
    for _ in range(max(1, total // len(run))):
        yield run


def whole_grid_bomb(folder: Path) -> Path:
    """Return a few-KB workbook that says it spans A1:XFD1048576: a header and one cell in the last row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "pain"
    sheet.append(["patient_id", "date", "time_of_day", "pain"])
    sheet.cell(row=1_048_576, column=16_384, value=1)
    path = folder / "whole-grid.xlsx"
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def empty_cells_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a workbook of a few hundred KB that unpacks to 300 MB of empty cells, declaring that size."""
    folder = tmp_path_factory.mktemp("bombs")
    row = b"<row>" + b"<c/>" * 1000 + b"</row>"
    return write_workbook(folder / "empty-cells.xlsx", [PAIN_HEADER_ROW, *repeated(row, 300 * 10**6)])


def rehab_import(db: Path, *files: Path) -> subprocess.CompletedProcess:
    """Run `rehab import` in a child process (stopped by the hang guard), in the files' folder so that the
    report names them as a clinic's admin would, and return its result."""
    code = "import sys; from dashboard.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), "import", *(file.name for file in files)],
        capture_output=True, text=True, cwd=files[0].parent, timeout=HANG_GUARD_S,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def nothing_written(db: Path) -> bool:
    """Return whether the database holds no imported rows and no import in its audit trail."""
    tables = [table for table in DATA_TABLES if table not in ("schema_migrations", "audit_log")]
    return all(count(db, table) == 0 for table in tables) and query_rows(
        db, "select count(*) from audit_log where action = 'import'"
    ) == [(0,)]


def declared_mb(path: Path) -> str:
    """Return what a workbook's zip directory says it unpacks to, in MB as a refusal words it."""
    return f"{sum(info.file_size for info in zipfile.ZipFile(path).infolist()) / 2**20:,.0f} MB"


def refusal(path: Path) -> str:
    """Return the reason read_log_file gives for refusing a workbook."""
    with pytest.raises(FileRefused) as refused:
        read_log_file(path.name, path.read_bytes())
    return str(refused.value)


# --- the bounds are the app's upload limit ---------------------------------------------------------------


def test_the_bounds_are_set_against_the_apps_upload_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert UPLOAD_LIMIT_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024
    assert XLSX_MAX_UNPACKED_BYTES == 5 * UPLOAD_LIMIT_BYTES


# --- the two bombs, through `rehab import` ---------------------------------------------------------------


def test_a_workbook_that_says_it_spans_the_whole_grid_is_refused_naming_the_sheet_and_range(
    tmp_path: Path,
) -> None:
    bomb = whole_grid_bomb(tmp_path)
    assert bomb.stat().st_size < 10_000
    db = tmp_path / "clinic.duckdb"
    result = rehab_import(db, bomb)
    assert result.returncode == 1, result.stderr
    assert (
        "whole-grid.xlsx [sheet pain]: the sheet says it spans A1:XFD1048576 (1,048,576 rows by 16,384 "
        f"columns), more than a sheet may: {XLSX_MAX_ROWS:,} rows below the header and 1,024 columns"
    ) in result.stderr
    assert "REFUSED whole-grid.xlsx: 1 problem; nothing from it was written" in result.stderr
    assert nothing_written(db)


def test_a_workbook_of_300_mb_of_empty_cells_is_refused_by_the_size_it_declares(
    tmp_path: Path, empty_cells_bomb: Path
) -> None:
    assert empty_cells_bomb.stat().st_size < 1_000_000
    db = tmp_path / "clinic.duckdb"
    result = rehab_import(db, empty_cells_bomb)
    assert result.returncode == 1, result.stderr
    assert sum(info.file_size for info in zipfile.ZipFile(empty_cells_bomb).infolist()) > 280 * 2**20
    assert (
        f"empty-cells.xlsx: the workbook unpacks to {declared_mb(empty_cells_bomb)}, more than the 100 MB "
        "(five times the 20 MB upload limit) a workbook may; split the workbook or save its sheets as CSV"
    ) in result.stderr
    assert nothing_written(db)


def test_the_same_bomb_lying_about_its_size_is_refused_while_unpacking(
    tmp_path: Path, empty_cells_bomb: Path
) -> None:
    lying = declare_size(Path(shutil.copy(empty_cells_bomb, tmp_path / "lying.xlsx")), SHEET, 4_000)
    assert sum(info.file_size for info in zipfile.ZipFile(lying).infolist()) < 10_000
    db = tmp_path / "clinic.duckdb"
    result = rehab_import(db, lying)
    assert result.returncode == 1, result.stderr
    # Empty cells are one tag each: the count of tags stops the unpacking after about 12 MB.
    assert "lying.xlsx: the workbook holds more than 3,000,000 XML tags (cells, rows and text: a log row " \
        "takes 20 to 45), more than a workbook may" in result.stderr
    assert nothing_written(db)


def test_a_part_lying_about_its_size_is_unpacked_no_further_than_the_bound(tmp_path: Path) -> None:
    # Blank space between rows is no tag at all: only the byte cap can stop this one.
    padding = repeated(b" " * 1024, 150 * 10**6)
    lying = declare_size(write_workbook(tmp_path / "blank.xlsx", [PAIN_HEADER_ROW, *padding]), SHEET, 4_000)
    db = tmp_path / "clinic.duckdb"
    result = rehab_import(db, lying)
    assert result.returncode == 1, result.stderr
    assert "blank.xlsx: the workbook unpacks to more than the 100 MB (five times the 20 MB upload limit) " \
        "a workbook may, though it declares 5 KB" in result.stderr
    assert nothing_written(db)


# --- the other bounds, read directly -----------------------------------------------------------------------


def test_a_sheet_without_a_range_is_refused_at_the_first_value_past_the_row_bound(tmp_path: Path) -> None:
    last = XLSX_MAX_ROWS + 2
    book = write_workbook(tmp_path / "long.xlsx", [PAIN_HEADER_ROW, pain_row(2), pain_row(last)])
    assert refusal(book) == (
        f"long.xlsx [sheet pain], line {last}: the sheet goes on past row "
        f"{XLSX_MAX_ROWS + 1:,}: a sheet may hold at most {XLSX_MAX_ROWS:,} rows below its header; split it "
        "or save it as CSV"
    )


def test_empty_rows_past_the_row_bound_are_passed_over(tmp_path: Path) -> None:
    formatted = f'<row r="{XLSX_MAX_ROWS + 50}" s="1" customFormat="1"/>'
    book = write_workbook(tmp_path / "formatted.xlsx", [PAIN_HEADER_ROW, pain_row(2), formatted])
    [sheet] = read_log_file(book.name, book.read_bytes())
    assert sheet.row_count == 1


def test_a_cell_past_the_last_column_is_refused_at_once(tmp_path: Path) -> None:
    wide = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    rows = [PAIN_HEADER_ROW, wide, *[pain_row(line) for line in range(3, 9)]]
    book = write_workbook(tmp_path / "wide.xlsx", rows)
    assert refusal(book) == (
        "wide.xlsx [sheet pain], line 2: row 2 has a cell in column XFD, past column AMJ (1,024 columns), "
        "where a sheet ends"
    )


def test_a_range_that_says_less_than_the_sheet_holds_loses_no_row(tmp_path: Path) -> None:
    # openpyxl stops at the last row a sheet says it has; the reader reads every row there is.
    rows = [PAIN_HEADER_ROW, *[pain_row(line, f"P{line}") for line in range(2, 7)]]
    book = write_workbook(tmp_path / "short-range.xlsx", rows, dimension="A1:D2")
    [sheet] = read_log_file(book.name, book.read_bytes())
    assert sheet.table.column("patient_id").to_pylist() == ["P2", "P3", "P4", "P5", "P6"]


def test_a_part_holding_less_than_it_declares_is_refused_as_damaged(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "damaged.xlsx", [PAIN_HEADER_ROW, pain_row(2)])
    real = zipfile.ZipFile(book).getinfo(SHEET).file_size
    declare_size(book, SHEET, real + 500)
    assert refusal(book) == (
        f"damaged.xlsx: the workbook is damaged: the workbook's part '{SHEET}' declares {real + 500:,} bytes "
        f"but holds {real:,}"
    )


def test_a_workbook_needing_a_newer_zip_version_is_refused_as_unreadable(tmp_path: Path) -> None:
    # Python's zipfile raises NotImplementedError, not BadZipFile, for a directory entry needing zip 6.4.
    book = write_workbook(tmp_path / "newer.xlsx", [PAIN_HEADER_ROW, pain_row(2)])
    data = bytearray(book.read_bytes())
    struct.pack_into("<H", data, data.index(b"PK\x01\x02") + 6, 64)
    book.write_bytes(bytes(data))
    assert refusal(book) == (
        "newer.xlsx: not a readable XLSX workbook (NotImplementedError: zip file version 6.4)"
    )


def test_a_part_compressed_in_a_way_spreadsheets_never_use_is_refused(tmp_path: Path) -> None:
    # bzip2 unpacks without a cap on what one read returns; spreadsheet programs only store or deflate.
    book = write_workbook(tmp_path / "bzip2.xlsx", [PAIN_HEADER_ROW, pain_row(2)], method=zipfile.ZIP_BZIP2)
    assert "is compressed in a way spreadsheet programs do not use (zip method 12)" in refusal(book)


def test_a_workbook_within_the_bounds_still_imports(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "fine.xlsx", [PAIN_HEADER_ROW, pain_row(2), pain_row(3, "P2")])
    [sheet] = read_log_file(book.name, book.read_bytes())
    assert sheet.table.column("patient_id").to_pylist() == ["P1", "P2"]


# --- the app's Import page uses the same bounds ------------------------------------------------------------

PASSWORD = "test-only password"


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REHAB_DB at a fresh database with one admin account."""
    path = tmp_path / "clinic.duckdb"
    database = Database(path)
    auth.add_user(database, "admin", PASSWORD, "admin")
    database.close()
    monkeypatch.setenv("REHAB_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()
    close_database(path)


def import_page() -> AppTest:
    """Sign in as the admin and open the Import page; the AppTest timeout is the hang guard."""
    at = AppTest.from_file(APP, default_timeout=HANG_GUARD_S)
    at.run()
    fields = {field.label: field for field in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(PASSWORD)
    next(button for button in at.button if button.label == "Sign in").click().run()
    at.switch_page("app_pages/import_logs.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("bomb", ["whole grid", "empty cells"])
def test_the_import_page_refuses_both_bombs_with_the_reason_and_offers_nothing_to_write(
    app_db: Path, tmp_path: Path, empty_cells_bomb: Path, bomb: str
) -> None:
    path = whole_grid_bomb(tmp_path) if bomb == "whole grid" else empty_cells_bomb
    reason = "the sheet says it spans A1:XFD1048576"
    if bomb == "empty cells":
        reason = f"the workbook unpacks to {declared_mb(path)}, more than the 100 MB"
    at = import_page()
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception, [e.message for e in at.exception]
    report = at.code[0].value
    assert f"REFUSED {path.name}: 1 problem; nothing from it was written" in report
    assert reason in report
    assert at.error and "1 of 1 file refused" in at.error[0].value
    assert not [button for button in at.button if button.label.startswith("Import")]
    # The app holds the database open: read it through the app's own connection.
    session = open_database(app_db).session()
    assert session.cursor.execute("select count(*) from imports").fetchone() == (0,)
    assert session.cursor.execute("select count(*) from audit_log where action = 'import'").fetchone() == (0,)
