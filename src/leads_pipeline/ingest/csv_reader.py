"""Read one agency CSV file into a Parquet spool of text columns, streaming and columnar.

DuckDB's CSV reader does the parsing (parallel, in C++, never a Python object per row); the file's
header is matched to the source's canonical columns first, so a renamed header still fills its
column. Nothing is lost:
- a record with the wrong number of fields is kept as far as it can be read and flagged in
  `_parse_error` (fields beyond the header go to `_extra_fields`);
- a record DuckDB cannot read at all (an unterminated quote, an oversized line) is returned as a
  rejected record with its text and reason, for the rejects table.
The common case (a well-formed UTF-8 file) costs one parallel pass; the tolerant, single-threaded
pass runs only for files that need it.
"""

from __future__ import annotations

import codecs
import csv
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from leads_pipeline.errors import FileRejected
from leads_pipeline.ingest.headers import HeaderMapping, map_headers
from leads_pipeline.registry import SourceSpec
from leads_pipeline.warehouse import STREAMING_MEMORY_LIMIT

SNIFF_BYTES = 1 << 16
OVERFLOW_COLUMNS = 16
MAX_LINE_BYTES = 1 << 23
TRANSCODE_CHUNK = 1 << 22
# The spool lives only until dlt has loaded it: LZ4 writes and reads with less CPU than Snappy
# at the same size (about a sixth of the CSV).
SPOOL_FORMAT = "FORMAT parquet, COMPRESSION lz4_raw"
HEADER_MAX_LINES = 64

# DuckDB's reject types, in the words the rejects table and alerts use.
REJECT_REASONS = {
    "MISSING COLUMNS": "too few fields",
    "TOO MANY COLUMNS": "too many fields",
    "UNQUOTED VALUE": "broken quoting",
    "INVALID ENCODING": "invalid characters for the file's encoding",
    "LINE SIZE OVER MAXIMUM": f"record longer than {MAX_LINE_BYTES >> 20} MB",
    "INVALID STATE": "unterminated quote",
}


@dataclass(frozen=True)
class RejectedRecord:
    record_number: int
    reason: str
    text: str


@dataclass
class FileRead:
    """What reading a file produced: the spool, its counts and everything worth reporting."""

    spool_path: Path
    records: int
    encoding: str
    headers: HeaderMapping
    malformed: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sniff_encoding(head: bytes) -> str:
    """Decide how to decode a file from its first bytes; refuse files that are not text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileRejected(
            "it is not a text CSV (it holds NUL bytes: a binary file, or UTF-16 without a "
            "byte-order mark); export it again as a UTF-8 CSV"
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is no evidence of another encoding.
        if exc.start < len(head) - 4:
            return "cp1252"
    return "utf-8"


def _cp1252_lenient(error: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined; keep them as their Latin-1 characters, never drop."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cp1252_lenient", _cp1252_lenient)


def transcode_to_utf8(source: Path, target: Path, encoding: str) -> None:
    """Stream a file into UTF-8 in fixed-size chunks, so memory stays flat for any size."""
    errors = "cp1252_lenient" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(TRANSCODE_CHUNK):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))


def read_header(path: Path) -> list[str] | None:
    """The file's first record, parsed as CSV (a header may itself hold quoted commas)."""
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as handle:
        lines = (line for index, line in enumerate(handle) if index < HEADER_MAX_LINES)
        return next(csv.reader(lines), None)


def sql_literal(value: object) -> str:
    """A Python value as a typed DuckDB literal (lineage columns are constants per file)."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        # A moment in UTC, written as such: dlt then loads the spool as it is, with no rewrite to
        # add the time zone its timestamp columns carry.
        moment = value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        return f"CAST('{moment.isoformat(sep=' ')}+00:00' AS TIMESTAMPTZ)"
    if isinstance(value, date):
        return f"CAST('{value.isoformat()}' AS DATE)"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class CsvFileReader:
    """Reads one local file of a source; `read()` returns a FileRead with a Parquet spool."""

    def __init__(self, path: Path, spec: SourceSpec, work_dir: Path, lineage: dict[str, object]) -> None:
        self.path = path
        self.spec = spec
        self.work_dir = work_dir
        self.lineage = lineage
        self.token = uuid.uuid4().hex[:12]

    def read(self) -> FileRead:
        if self.path.stat().st_size == 0:
            raise FileRejected("it is empty (0 bytes): the export probably failed; ask the agency for it again")
        with self.path.open("rb") as handle:
            encoding = sniff_encoding(handle.read(SNIFF_BYTES))
        csv_path = self._utf8_copy(encoding)
        headers = self._headers(csv_path)
        flagged = self._strict_pass(csv_path, headers)
        if encoding == "utf-8" and any("INVALID ENCODING" in r.reason for r in flagged):
            # Valid UTF-8 at the start but not further on: the file is cp1252 after all.
            encoding = "cp1252"
            csv_path = self._utf8_copy(encoding)
            flagged = self._strict_pass(csv_path, headers)
        lost: list[RejectedRecord] = []
        if flagged:
            # Some records broke the strict pass: read again, keeping whatever can be read.
            lost = self._tolerant_pass(csv_path, headers, flagged)
        self._drop_empty_blank_columns(headers)
        malformed = len({r.record_number for r in flagged} - {r.record_number for r in lost})
        records = self._count()
        if records == 0 and not lost:
            raise FileRejected(
                "it has a header row but no records: the export is probably incomplete (as the latest "
                "snapshot it would mark every facility inactive); ask the agency for the full file"
            )
        return FileRead(self.spool_path, records, encoding, headers, malformed=malformed, rejected=lost)

    @property
    def spool_path(self) -> Path:
        return self.work_dir / f"{self.token}.parquet"

    # -- steps ---------------------------------------------------------------------------------

    def _utf8_copy(self, encoding: str) -> Path:
        if encoding in ("utf-8", "utf-8-sig"):
            return self.path  # DuckDB reads UTF-8 and skips a UTF-8 byte-order mark itself
        target = self.work_dir / f"{self.token}.utf8.csv"
        transcode_to_utf8(self.path, target, encoding)
        return target

    def _headers(self, csv_path: Path) -> HeaderMapping:
        header = read_header(csv_path)
        if not header or all(not h.strip() for h in header):
            raise FileRejected("it has no header row; the first line must name the columns")
        headers = map_headers(header, self.spec)
        missing_required = [c for c in self.spec.required if c in headers.missing]
        if missing_required:
            wanted = "; ".join(f"{c} (headers: {', '.join(self.spec.columns[c])})" for c in missing_required)
            raise FileRejected(
                f"it has no column for {wanted}; its headers are {', '.join(header)}. "
                "Add the new spelling to sources.yml or fix the file"
            )
        return headers

    def _read_csv(self, csv_path: Path, width: int, tolerant: bool) -> str:
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        options = [
            f"columns={columns}",
            "header=true",
            "auto_detect=false",
            "delim=','",
            "quote='\"'",
            "escape='\"'",
            "strict_mode=true",
            "store_rejects=true",
            f"max_line_size={MAX_LINE_BYTES}",
        ]
        if tolerant:
            # Short records are padded, long ones spill into overflow columns (DuckDB cannot pad
            # in parallel when quoted cells hold newlines, hence one thread here).
            options += ["null_padding=true", "parallel=false"]
        return f"read_csv({sql_literal(str(csv_path))}, {', '.join(options)})"

    def _select_list(self, headers: HeaderMapping) -> str:
        data = [f"c{i} AS {_ident(name)}" for i, name in enumerate(headers.column_names)]
        lineage = [f"{sql_literal(v)} AS {_ident(k)}" for k, v in self.lineage.items()]
        return ", ".join(data + lineage)

    def _strict_pass(self, csv_path: Path, headers: HeaderMapping) -> list[RejectedRecord]:
        """The one parallel pass of a well-formed file; returns the records it could not take."""
        width = len(headers.column_names)
        with self._connect() as con:
            con.execute(
                f"COPY (SELECT row_number() OVER () AS _record_number, {self._select_list(headers)}, "
                "CAST(NULL AS VARCHAR) AS _extra_fields, CAST(NULL AS VARCHAR) AS _parse_error "
                f"FROM {self._read_csv(csv_path, width, tolerant=False)}) TO {sql_literal(str(self.spool_path))} "
                f"({SPOOL_FORMAT})"
            )
            return self._rejects(con)

    def _tolerant_pass(
        self, csv_path: Path, headers: HeaderMapping, flagged: list[RejectedRecord]
    ) -> list[RejectedRecord]:
        """Read padded and widened, then number the rows as records of the file and flag them."""
        width = len(headers.column_names)
        scan = self.work_dir / f"{self.token}.scan.parquet"
        with self._connect() as con:
            con.execute(
                f"COPY (SELECT row_number() OVER () AS _row, * FROM "
                f"{self._read_csv(csv_path, width + OVERFLOW_COLUMNS, tolerant=True)}) "
                f"TO {sql_literal(str(scan))} ({SPOOL_FORMAT})"
            )
            lost = self._rejects(con)
            # A lost record shifts the rows after it: record number = row + lost records before.
            con.execute("CREATE TEMP TABLE lost(good_before BIGINT)")
            if lost:
                con.executemany(
                    "INSERT INTO lost VALUES (?)",
                    [(r.record_number - position,) for position, r in enumerate(lost, start=1)],
                )
            con.execute("CREATE TEMP TABLE flagged(record_number BIGINT, reason VARCHAR)")
            con.executemany(
                "INSERT INTO flagged VALUES (?, ?)", [(r.record_number, _describe(r.reason)) for r in flagged]
            )
            shift = "(SELECT count(*) FROM lost WHERE good_before < _row)" if lost else "0"
            overflow = ", ".join(f"c{i}" for i in range(width, width + OVERFLOW_COLUMNS))
            con.execute(
                f"COPY (SELECT numbered._record_number, {self._select_list(headers)}, "
                f"NULLIF(array_to_string(list_filter([{overflow}], x -> x IS NOT NULL), ','), '') AS _extra_fields, "
                f"flagged.reason AS _parse_error "
                f"FROM (SELECT _row + {shift} AS _record_number, * "
                f"FROM read_parquet({sql_literal(str(scan))})) AS numbered "
                "LEFT JOIN flagged ON flagged.record_number = numbered._record_number "
                f"ORDER BY numbered._record_number) TO {sql_literal(str(self.spool_path))} "
                f"({SPOOL_FORMAT})"
            )
        scan.unlink(missing_ok=True)
        return lost

    def _drop_empty_blank_columns(self, headers: HeaderMapping) -> None:
        """A blank-named column without a single value is spreadsheet residue: drop it, say so."""
        if not headers.blank_columns:
            return
        spool = sql_literal(str(self.spool_path))
        with self._connect() as con:
            counts = con.execute(
                "SELECT "
                + ", ".join(f"count({_ident(n)})" for n in headers.blank_columns)
                + f" FROM read_parquet({spool})"
            ).fetchone()
            headers.dropped = [n for n, filled in zip(headers.blank_columns, counts, strict=True) if filled == 0]
            if not headers.dropped:
                return
            trimmed = self.work_dir / f"{self.token}.trimmed.parquet"
            exclude = ", ".join(_ident(n) for n in headers.dropped)
            con.execute(
                f"COPY (SELECT * EXCLUDE ({exclude}) FROM read_parquet({spool})) "
                f"TO {sql_literal(str(trimmed))} ({SPOOL_FORMAT})"
            )
        trimmed.replace(self.spool_path)

    @staticmethod
    def _rejects(con: duckdb.DuckDBPyConnection) -> list[RejectedRecord]:
        rows = con.execute(
            "SELECT line, string_agg(DISTINCT error_type, ', '), any_value(csv_line) "
            "FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
        return [RejectedRecord(int(line) - 1, str(kind), str(text or "")) for line, kind, text in rows]

    def _count(self) -> int:
        with self._connect() as con:
            return con.execute(f"SELECT count(*) FROM read_parquet({sql_literal(str(self.spool_path))})").fetchone()[0]

    @staticmethod
    def _connect() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(config={"memory_limit": STREAMING_MEMORY_LIMIT, "preserve_insertion_order": True})


def _describe(reason: str) -> str:
    return ", ".join(REJECT_REASONS.get(part.strip(), part.strip().lower()) for part in reason.split(","))
