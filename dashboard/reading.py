"""Read CSV and XLSX log files into staged string tables, each row tagged with its line number."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.logformats import HeaderError, LogFormat, detect_format, expected_formats, normalise_header

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
_XLSX_MAGIC = b"PK\x03\x04"

# The app's upload limit (server.maxUploadSize in .streamlit/config.toml, in MB): a CSV upload is at most this
# big. A workbook is bounded in line with it, by what it unpacks to and by the work reading it takes, so that
# a small file cannot keep the server busy for minutes (openpyxl spends about 10 µs of CPU on each XML tag).
UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024
# A sheet spells out every cell (<c r="B7" s="1"><v>45678</v></c> for "45678,"): about seven times the bytes
# of the same rows as CSV.
XLSX_MAX_UNPACKED_BYTES = 5 * UPLOAD_LIMIT_BYTES
# A log row takes 20 to 45 tags (<row>, then <c>, <v>, </v>, </c> per cell): about half a minute of reading.
XLSX_MAX_TAGS = 3_000_000
XLSX_MAX_ROWS = 100_000  # below the header, per sheet
XLSX_MAX_COLUMNS = 1_024  # column AMJ, where LibreOffice's sheets end; the widest log has 10 columns
XLSX_MAX_PARTS = 10_000  # a workbook saved by a spreadsheet program has a few dozen
_EXCEL_MAX_ROWS = 1_048_576
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # what spreadsheet programs write
_UNPACK_CHUNK = 1 << 20


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused, located as an editor shows it (the header is line 1)."""

    source: str
    reason: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value is not None:
            where.append(f"value {_show(self.value)}")
        return ", ".join(where) + f": {self.reason}"


def _show(value: str) -> str:
    """Return a cell for a message: quoted, with control characters visible, long text shortened."""
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


@dataclass(frozen=True)
class StagedSheet:
    """One sheet of one kind of log: a `line` column plus every column of its format, as text.

    The rows are either an Arrow table, or (table None) the temp view staged_rows of the session staged_in.
    """

    source: str
    fmt: LogFormat
    present_columns: tuple[str, ...]
    table: pa.Table | None
    row_count: int
    staged_in: Any = None

    @property
    def kind(self) -> str:
        """Return the log kind."""
        return self.fmt.kind


class FileRefused(Exception):
    """A file that cannot be read as a log; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def read_log_file(name: str, data: bytes | Path) -> list[StagedSheet]:
    """Return the staged sheets of a CSV or XLSX log (bytes or a path); raise FileRefused if unreadable."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRefused([Problem(name, f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx")])
    if suffix == ".xlsx":
        return _read_xlsx(name, raw)
    if raw.startswith(_XLSX_MAGIC):
        raise FileRefused([Problem(name, "this is an XLSX workbook, not CSV text: name it .xlsx")])
    return [_read_csv(name, raw)]


def _stage(
    source: str, header: list[str], columns: list[list[str | None]] | pa.Table, lines,
    trimmed: dict[str, pa.ChunkedArray] | None = None,
) -> StagedSheet:
    """Return a staged sheet with every format column, absent ones null.

    lines is a list of line numbers or an Arrow array; trimmed holds columns already trimmed, by name.
    """
    try:
        fmt = detect_format(header)
    except HeaderError as error:
        raise FileRefused([Problem(source, str(error), line=1)]) from None
    if isinstance(columns, pa.Table):
        by_name = {name: columns.column(index) for index, name in enumerate(header)}
        row_count = columns.num_rows
    else:
        by_name = {name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)}
        row_count = len(lines)
    trimmed = trimmed or {}
    arrays = [lines if isinstance(lines, pa.Array | pa.ChunkedArray) else pa.array(lines, pa.int64())]
    for column in fmt.columns:
        if column not in by_name:
            arrays.append(pa.nulls(row_count, pa.string()))
        elif column == "note":
            arrays.append(by_name[column])  # notes are kept exactly as written
        elif column in trimmed:
            arrays.append(trimmed[column])
        else:
            # Spreadsheets leave tabs, line breaks and no-break spaces around values; SQL's trim() only
            # removes spaces, so trim every kind of whitespace here, once, vectorised.
            arrays.append(pc.utf8_trim_whitespace(by_name[column]))
    table = pa.Table.from_arrays(arrays, names=["line", *fmt.columns])
    present = tuple(column for column in fmt.columns if column in by_name)
    return StagedSheet(source, fmt, present, table, table.num_rows)


def _read_csv(name: str, raw: bytes) -> StagedSheet:
    """Stage a CSV file, fast through Arrow when each row is one line, else through the csv module."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise FileRefused([Problem(name, "the file holds binary data (a NUL byte), not CSV text", line=line)])
    try:
        # Read the header as a CSV record, so any line ending works (CR-only files come from Excel for Mac).
        # Only the first lines are decoded here; Arrow checks that the rest is UTF-8 while parsing it.
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
        raw_header = next(csv.reader(text), [])
    except UnicodeDecodeError:
        raise FileRefused([_utf8_problem(name, raw)]) from None
    except csv.Error as error:
        _refuse_if_not_utf8(name, raw)
        raise FileRefused([Problem(name, f"the header is not readable as CSV: {error}", line=1)]) from None
    header = normalise_header(raw_header)
    if not header:
        _refuse_if_not_utf8(name, raw)
    if not header and raw.decode("utf-8-sig").strip():
        raise FileRefused([Problem(
            name,
            "line 1 is empty: the header must be on line 1. "
            f"Expected one of these headers (* = required):\n{expected_formats()}",
            line=1,
        )])
    try:
        # An unknown header is the one problem worth reporting: the rows cannot be checked without it.
        detect_format(header)
    except HeaderError as error:
        _refuse_if_not_utf8(name, raw)
        raise FileRefused([Problem(name, str(error), line=1)]) from None
    fast = _read_csv_arrow(raw, len(raw_header))
    if fast is not None:
        table = fast.select(list(range(len(header))))
        data_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - 1
        if table.num_rows == data_lines and _extra_cells_blank(fast, len(header)):
            del fast
            return _stage_arrow(name, header, table)
    _refuse_if_not_utf8(name, raw)
    return _read_csv_exact(name, raw, header)


def _stage_arrow(name: str, header: list[str], table: pa.Table) -> StagedSheet:
    """Stage rows Arrow parsed one per line, dropping wholly blank rows, without a trip through Python."""
    lines = pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), table.num_rows)), 1)
    wanted = set(detect_format(header).columns) - {"note"}
    trimmed = {
        column: pc.utf8_trim_whitespace(table.column(index))
        for index, column in enumerate(header)
        if column in wanted
    }
    # A wholly empty row is spreadsheet padding; only rows whose first cell is empty can be one.
    first = trimmed.get(header[0])
    if first is None or pc.any(pc.equal(first, "")).as_py():
        keep = _not_blank_rows(table)
        if not pc.all(keep).as_py():
            table = table.filter(keep)
            lines = lines.filter(keep)
            trimmed = {column: values.filter(keep) for column, values in trimmed.items()}
    return _stage(name, header, table, lines, trimmed)


def _refuse_if_not_utf8(name: str, raw: bytes) -> None:
    """Raise FileRefused naming the first byte that is not UTF-8, if any."""
    problem = _utf8_problem(name, raw)
    if problem:
        raise FileRefused([problem])


def _utf8_problem(name: str, raw: bytes) -> Problem | None:
    """Return a problem naming the line and column of the first byte that is not UTF-8, if any."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        bad = raw[error.start : error.start + 1].hex()
        return Problem(
            name,
            f"the file is not UTF-8 text (byte 0x{bad} at character {error.start - line_start + 1} "
            "of the line); save it as CSV UTF-8",
            line=line,
        )
    return None


def _read_csv_arrow(raw: bytes, field_count: int) -> pa.Table | None:
    """Return every data row as text columns, or None when Arrow cannot parse the file as a plain grid."""
    names = [f"c{index}" for index in range(field_count)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={column: pa.string() for column in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,  # an invalid byte sends the file to the exact reader, which names it
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None


def _extra_cells_blank(table: pa.Table, named: int) -> bool:
    """Return whether columns past the named header cells are all empty."""
    return all(
        pc.all(pc.equal(pc.utf8_trim_whitespace(table.column(index)), "")).as_py() in (True, None)
        for index in range(named, table.num_columns)
    )


def _not_blank_rows(table: pa.Table) -> pa.ChunkedArray:
    """Return a mask of rows with at least one non-empty cell; wholly empty rows are spreadsheet padding."""
    keep = None
    for column in table.columns:
        filled = pc.not_equal(pc.utf8_trim_whitespace(pc.fill_null(column, "")), "")
        keep = filled if keep is None else pc.or_(keep, filled)
    return keep


def _read_csv_exact(name: str, raw: bytes, header: list[str]) -> StagedSheet:
    """Stage a CSV file with the csv module, which knows the editor line each row starts on."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    problems: list[Problem] = []
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    try:
        next(reader)
        while True:
            start_line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                problems.append(Problem(name, _width_reason(row, header), line=start_line))
                continue
            if any(cell.strip() for cell in row[len(header):]):
                problems.append(Problem(name, _width_reason(row, header), line=start_line))
                continue
            lines.append(start_line)
            for index, column in enumerate(columns):
                column.append(row[index])
    except csv.Error as error:
        problems.append(Problem(name, f"not readable as CSV: {error}", line=reader.line_num))
    if problems:
        raise FileRefused(problems)
    return _stage(name, header, columns, lines)


def _width_reason(row: list[str], header: list[str]) -> str:
    """Return why a row does not fit the header."""
    return f"the row has {len(row)} values but the header has {len(header)} columns"


def _cell_text(value: object) -> str | None:
    """Return a spreadsheet cell as the text a CSV would hold; real date cells become ISO dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def _unreadable_workbook(name: str, error: Exception) -> Problem:
    """Return the problem for a workbook openpyxl cannot read."""
    return Problem(name, f"not a readable XLSX workbook ({type(error).__name__}: {error})")


def _read_xlsx(name: str, raw: bytes) -> list[StagedSheet]:
    """Stage every non-empty sheet of an XLSX workbook; each must be one of the log formats."""
    import openpyxl  # imported here: only XLSX imports pay for it

    _check_workbook_size(name, raw)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile's, the XML parser's and its own types
        raise FileRefused([_unreadable_workbook(name, error)]) from None
    sheets: list[StagedSheet] = []
    problems: list[Problem] = []
    try:
        for worksheet in workbook.worksheets:
            source = f"{name} [sheet {worksheet.title}]"
            rows = _sheet_rows(source, worksheet)
            first = next(rows, None)
            header = normalise_header(list(first[1] if first else []))
            if not header:
                # A sheet with values below an empty first row would otherwise be skipped without a word.
                filled = next((line for line, row in rows if _has_text(row)), None)
                if filled is not None:
                    problems.append(Problem(
                        source, f"row 1 is empty but row {filled} is not: the header must be on row 1", line=1
                    ))
                continue
            width = len(header)
            columns: list[list[str | None]] = [[] for _ in header]
            lines: list[int] = []
            for line, row in rows:
                if _has_text(row[width:]):  # past the header: its cells are only checked for a value
                    problems.append(Problem(source, "a value stands in a column with no header", line=line))
                    continue
                cells = [_cell_text(value) for value in row[:width]]
                if not any(cell and cell.strip() for cell in cells):
                    continue
                cells += [None] * (width - len(cells))
                lines.append(line)
                for index, column in enumerate(columns):
                    column.append(cells[index])
            try:
                sheets.append(_stage(source, header, columns, lines))
            except FileRefused as refused:
                problems.extend(refused.problems)
    except FileRefused:
        raise  # a sheet past the bounds: refused at once, before any more of it is read
    except Exception as error:  # a truncated or hand-edited workbook fails while streaming its rows
        raise FileRefused([_unreadable_workbook(name, error)]) from None
    finally:
        workbook.close()
    if problems:
        raise FileRefused(problems)
    if not sheets:
        raise FileRefused([Problem(name, "the workbook has no sheet with a header row", line=1)])
    return sheets


def _has_text(cells: tuple) -> bool:
    """Return whether any of a row's cells holds something other than whitespace."""
    if cells.count(None) == len(cells):  # counted in C: a wide row of empty cells costs next to nothing
        return False
    return any(cell is not None and str(cell).strip() for cell in cells)


def _refused(name: str, reason: str) -> FileRefused:
    """Return the refusal of a whole file for one reason."""
    return FileRefused([Problem(name, reason)])


def _mb(size: int) -> str:
    """Return a byte count in MB, as the upload limit is given (in KB below one MB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):,.0f} MB"


_SPLIT_IT = "; split the workbook or save its sheets as CSV"


def _check_workbook_size(name: str, raw: bytes) -> None:
    """Refuse a workbook that unpacks past the bounds, reading its parts with a byte cap before openpyxl does.

    The sizes the zip directory declares are checked first; each part is then unpacked without trusting its
    declared size, and the reading stops as soon as the workbook passes the bounds on bytes or XML tags.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as error:  # a damaged directory: BadZipFile, OSError, ValueError, NotImplementedError
        raise FileRefused([_unreadable_workbook(name, error)]) from None
    limit = f"{_mb(XLSX_MAX_UNPACKED_BYTES)} (five times the {_mb(UPLOAD_LIMIT_BYTES)} upload limit)"
    with archive:
        parts = archive.infolist()
        if len(parts) > XLSX_MAX_PARTS:
            raise _refused(name, f"the workbook has {len(parts):,} parts, more than the {XLSX_MAX_PARTS:,} "
                           f"a workbook may have{_SPLIT_IT}")
        declared = sum(part.file_size for part in parts)
        if declared > XLSX_MAX_UNPACKED_BYTES:
            raise _refused(name, f"the workbook unpacks to {_mb(declared)}, more than the {limit} a workbook "
                           f"may{_SPLIT_IT}")
        unpacked = tags = 0
        for part in parts:
            where = f"the workbook's part {part.filename!r}"
            if part.compress_type not in _ZIP_METHODS:
                raise _refused(name, f"{where} is compressed in a way spreadsheet programs do not use (zip "
                               f"method {part.compress_type}); save the workbook again from a spreadsheet")
            # Read past the size the part declares, beyond what the whole workbook may still unpack to: a part
            # that holds more than it says is measured, not trusted. (The reading stops at the bound, before
            # zipfile reaches this size and checks the checksum of a part it has not read to its end.)
            capped = copy.copy(part)
            capped.file_size = XLSX_MAX_UNPACKED_BYTES - unpacked + 2 * _UNPACK_CHUNK
            size = 0
            try:
                with archive.open(capped) as stream:
                    while chunk := stream.read(_UNPACK_CHUNK):
                        if size == 0 and b"<!DOCTYPE" in chunk[:4096]:
                            raise _refused(name, f"{where} declares a DTD, which workbooks never hold")
                        size += len(chunk)
                        unpacked += len(chunk)
                        tags += chunk.count(b"<")
                        if unpacked > XLSX_MAX_UNPACKED_BYTES:
                            raise _refused(name, f"the workbook unpacks to more than the {limit} a workbook "
                                           f"may, though it declares {_mb(declared)}{_SPLIT_IT}")
                        if tags > XLSX_MAX_TAGS:
                            raise _refused(name, f"the workbook holds more than {XLSX_MAX_TAGS:,} XML tags "
                                           "(cells, rows and text: a log row takes 20 to 45), more than a "
                                           f"workbook may{_SPLIT_IT}")
            except FileRefused:
                raise
            except Exception as error:  # a damaged part: a bad checksum, truncated data, a password
                raise FileRefused([_unreadable_workbook(name, error)]) from None
            if size != part.file_size:
                raise _refused(name, f"the workbook is damaged: {where} declares {part.file_size:,} bytes "
                               f"but holds {size:,}")


def _sheet_rows(source: str, worksheet: Any) -> Iterator[tuple[int, tuple]]:
    """Yield each row of a read-only sheet with its line, refusing a sheet past the row or column bounds.

    The range the sheet declares is checked first. openpyxl would pad every row to it (and stop at its last
    row), so it is then set aside and each row comes as long as its own last cell.
    """
    from openpyxl.utils import get_column_letter

    if (worksheet.max_row or 0) > XLSX_MAX_ROWS + 1 or (worksheet.max_column or 0) > XLSX_MAX_COLUMNS:
        raise FileRefused([Problem(
            source,
            f"the sheet says it spans {worksheet.calculate_dimension()} ({worksheet.max_row:,} rows by "
            f"{worksheet.max_column:,} columns), more than a sheet may: {XLSX_MAX_ROWS:,} rows below the "
            f"header and {XLSX_MAX_COLUMNS:,} columns (to {get_column_letter(XLSX_MAX_COLUMNS)}); "
            "copy the rows that hold data into a new sheet, or save it as CSV",
        )])
    worksheet.reset_dimensions()
    for line, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if len(row) > XLSX_MAX_COLUMNS:
            raise FileRefused([Problem(
                source,
                f"row {line} has a cell in column {get_column_letter(len(row))}, past column "
                f"{get_column_letter(XLSX_MAX_COLUMNS)} ({XLSX_MAX_COLUMNS:,} columns), where a sheet ends",
                line=line,
            )])
        # Rows past the bound are refused once one holds a value; empty ones (formatting) are passed over,
        # as far as the last row a spreadsheet can have.
        if line > XLSX_MAX_ROWS + 1 and (line > _EXCEL_MAX_ROWS or _has_text(row)):
            raise FileRefused([Problem(
                source,
                f"the sheet goes on past row {XLSX_MAX_ROWS + 1:,}: a sheet may hold at most "
                f"{XLSX_MAX_ROWS:,} rows below its header; split it or save it as CSV",
                line=line,
            )])
        yield line, row


# --- CSV files staged by DuckDB's own reader ---

_SCAN_CHUNK = 1 << 20  # small enough to stay in the CPU cache between the hash and the counts


@dataclass(frozen=True)
class CsvFileScan:
    """What one streaming pass over a CSV file learns: its digest and whether each row can be one line."""

    sha256: str
    newlines: int
    lone_carriage_return: bool
    nul_byte: bool
    ends_with_newline: bool
    head: bytes

    @property
    def data_lines(self) -> int:
        """Return the number of lines after the header, as an editor counts them."""
        return self.newlines + (0 if self.ends_with_newline else 1) - 1


def scan_csv_file(path: Path) -> CsvFileScan:
    """Read a file once, in small chunks, for its sha256 and line endings, without holding it in memory."""
    digest = hashlib.sha256()
    newlines = carriage_returns = crlf = 0
    nul_byte = previous_cr = False
    head = last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            if b"\r" in chunk:  # counting the pair is slow; most files have no CR at all
                carriage_returns += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n")
            crlf += previous_cr and chunk.startswith(b"\n")
            nul_byte = nul_byte or b"\x00" in chunk
            previous_cr = chunk.endswith(b"\r")
            head = head or chunk[: 1 << 16]
            last = chunk[-1:]
    return CsvFileScan(
        digest.hexdigest(), newlines, carriage_returns != crlf, nul_byte, last == b"\n", head
    )


def stage_csv_in_database(
    name: str, path: Path, session: Any, probe: Any = None
) -> tuple[CsvFileScan, StagedSheet | None]:
    """Stage a plain CSV file with DuckDB's reader into the session's temp view staged_rows.

    When the session is inside a transaction, pass probe, a session outside any: the file is read there
    first, because a statement that fails inside a transaction aborts it.

    Returns the file's scan and the staged sheet, or None for the sheet when the file is not a plain grid
    with one row per line (quoted line breaks, blank lines, CR-only line endings, ragged rows, bytes that
    are not UTF-8, an unusual header): those files are for read_log_file, which locates every problem.
    Nothing is left staged when None is returned. Raises OSError when the file cannot be read.
    """
    scan = scan_csv_file(path)
    header = _plain_header(scan)
    if header is None or scan.nul_byte or scan.lone_carriage_return or scan.data_lines < 1:
        return scan, None
    # DuckDB reads a path as a glob pattern (and some prefixes as URLs): give it an absolute path, and
    # leave names with pattern characters to the byte readers, so that it reads this file and no other.
    location = str(path.resolve())
    if any(character in location for character in "*?[]{}"):
        return scan, None
    fmt = detect_format(header)
    columns = {column: "varchar" for column in header}
    try:
        if probe is not None:
            probe.execute("probe_csv_file", path=location, columns=columns).fetchall()
        session.execute(f"stage_csv_{fmt.kind}", path=location, columns=columns)
    except duckdb.Error:
        # DuckDB's reader refuses what is not a plain grid (ragged rows, stray quotes, invalid UTF-8).
        return scan, None
    counts = session.rows("staged_csv_counts")[0]
    # Only line breaks inside quoted cells and skipped blank lines make fewer rows than lines (a lone CR,
    # the one thing that could make more, is excluded above), so equal counts mean row n is on line n + 1;
    # staged_csv_rows finds n from the row's id, which needs the ids consecutive and in file order.
    in_file_order = counts["insertion_order_kept"] and counts["row_id_span"] == counts["cells"]
    if counts["cells"] != scan.data_lines or not in_file_order:
        release_staged_csv(session)
        return scan, None
    session.execute("staged_csv_rows")
    present = tuple(column for column in fmt.columns if column in header)
    return scan, StagedSheet(name, fmt, present, None, counts["rows"], session)


def release_staged_csv(session: Any) -> None:
    """Drop the session's staged CSV rows, freeing their memory."""
    session.execute("drop_staged_rows")
    session.execute("drop_staged_csv_cells")


def _plain_header(scan: CsvFileScan) -> list[str] | None:
    """Return the header when its line is plain UTF-8 without quotes that names a log format with no blank
    trailing cells; None sends the file to the byte readers, which explain any problem."""
    end = scan.head.find(b"\n")
    if end < 0 or b'"' in scan.head[:end]:
        return None
    try:
        raw_header = next(csv.reader([scan.head[:end].rstrip(b"\r").decode("utf-8-sig")]), [])
    except (UnicodeDecodeError, csv.Error):
        return None
    header = normalise_header(raw_header)
    if not header or len(header) != len(raw_header):
        return None
    try:
        detect_format(header)
    except HeaderError:
        return None
    return header
