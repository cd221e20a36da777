"""Read one agency CSV file into a Parquet spool of text columns, streaming and columnar.

DuckDB's CSV reader does the parsing (parallel, in C++, never a Python object per row); the file's
header is matched to the source's canonical columns first, so a renamed header still fills its
column. Nothing is lost:
- a record with the wrong number of fields is kept as far as it can be read and flagged in
  `_parse_error` (fields beyond the header go to `_extra_fields`);
- a record DuckDB cannot read at all (an unterminated quote, an oversized line) is returned as a
  rejected record with its text and reason, for the rejects table.
The common case (a well-formed UTF-8 file) costs one parallel pass over the text and one over its
spool, which numbers the records; the tolerant, single-threaded pass runs only for files that need
it.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from leads_pipeline.config.errors import FileRejected
from leads_pipeline.config.registry import SourceSpec
from leads_pipeline.stages.ingest.content import Content, transcode_to_utf8
from leads_pipeline.stages.ingest.headers import HeaderMapping, map_headers

OVERFLOW_COLUMNS = 16
MAX_LINE_BYTES = 1 << 23
# DuckDB keeps this much of the text of a record it rejects.
REJECT_TEXT_LIMIT = 10_000
HEADERS_QUOTED = 12
HEADER_QUOTE_CHARS = 40
# The spool lives only until dlt has loaded it: LZ4 writes and reads with less CPU than Snappy
# at the same size (about a sixth of the CSV).
SPOOL_FORMAT = "FORMAT parquet, COMPRESSION lz4_raw"
HEADER_MAX_LINES = 64

NUL_REASON = "NUL character in a field"
LOST_SCHEMA = pa.schema([("good_before", pa.int64()), ("shift", pa.int64())])
FLAGGED_SCHEMA = pa.schema([("record_number", pa.int64()), ("reason", pa.string())])

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
    flags: list[str] = field(default_factory=list)  # what a person should know that no row says


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

    def __init__(
        self,
        path: Path,
        spec: SourceSpec,
        work_dir: Path,
        lineage: dict[str, object],
        content: Content,
        memory_limit: str = "1GB",
    ) -> None:
        self.path = path
        self.spec = spec
        self.work_dir = work_dir
        self.lineage = lineage
        self.content = content
        self.memory_limit = memory_limit
        self.token = uuid.uuid4().hex[:12]
        self._nul_flagged = 0

    def read(self) -> FileRead:
        if self.content.size == 0:
            raise FileRejected("it is empty (0 bytes): the export probably failed; ask the agency for it again")
        csv_path = self._utf8_copy()
        headers = self._headers(csv_path)
        flagged = self._strict_pass(csv_path, headers)
        lost: list[RejectedRecord] = []
        if flagged:
            # Some records broke the strict pass: read again, keeping whatever can be read.
            lost = self._tolerant_pass(csv_path, headers, flagged)
        self._drop_empty_blank_columns(headers)
        flags = [*self._flag_nul_characters(headers), *_cut_rejects(lost)]
        malformed = len({r.record_number for r in flagged} - {r.record_number for r in lost})
        malformed += self._nul_flagged
        records = self._count()
        if records == 0 and not lost:
            raise FileRejected(
                "it has a header row but no records: the export is probably incomplete (as the latest "
                "snapshot it would mark every facility inactive); ask the agency for the full file"
            )
        return FileRead(
            self.spool_path, records, self.content.encoding, headers, malformed=malformed, rejected=lost, flags=flags
        )

    @property
    def spool_path(self) -> Path:
        return self.work_dir / f"{self.token}.parquet"

    # -- steps ---------------------------------------------------------------------------------

    def _utf8_copy(self) -> Path:
        if self.content.encoding in ("utf-8", "utf-8-sig"):
            return self.path  # DuckDB reads UTF-8 and skips a UTF-8 byte-order mark itself
        target = self.work_dir / f"{self.token}.utf8.csv"
        transcode_to_utf8(self.path, target, self.content)
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
                f"it has no column for {wanted}; its headers are {quote_headers(header)}. "
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
        """The parallel pass of a well-formed file; returns the records it could not take.

        The records are numbered in a second pass, over the spool: `row_number()` while reading
        would hold the parse of the text to one core, while Parquet keeps the rows in the file's
        order (insertion order is preserved) and numbers them as it reads them, on every core.
        """
        width = len(headers.column_names)
        unnumbered = self.work_dir / f"{self.token}.unnumbered.parquet"
        with self._connect() as con:
            con.execute(
                f"COPY (SELECT {self._select_list(headers)}, "
                "CAST(NULL AS VARCHAR) AS _extra_fields, CAST(NULL AS VARCHAR) AS _parse_error "
                f"FROM {self._read_csv(csv_path, width, tolerant=False)}) TO {sql_literal(str(unnumbered))} "
                f"({SPOOL_FORMAT})"
            )
            rejected = self._rejects(con)
            if not rejected:
                con.execute(
                    "COPY (SELECT file_row_number + 1 AS _record_number, * EXCLUDE (file_row_number) "
                    f"FROM read_parquet({sql_literal(str(unnumbered))}, file_row_number = true)) "
                    f"TO {sql_literal(str(self.spool_path))} ({SPOOL_FORMAT})"
                )
        unnumbered.unlink(missing_ok=True)
        return rejected

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
            # A lost record shifts the rows after it: record number = row + lost records before it.
            # Per count of good rows before a lost record, the lost records up to it; an as-of join
            # finds each row's shift in one sorted pass (a count per row would be quadratic).
            shifts: dict[int, int] = {}
            for position, record in enumerate(lost, start=1):
                shifts[record.record_number - position] = position
            con.register(
                "lost",
                pa.table({"good_before": list(shifts), "shift": list(shifts.values())}, LOST_SCHEMA),
            )
            con.register(
                "flagged",
                pa.table(
                    {
                        "record_number": [r.record_number for r in flagged],
                        "reason": [_describe(r.reason) for r in flagged],
                    },
                    FLAGGED_SCHEMA,
                ),
            )
            overflow = ", ".join(f"c{i}" for i in range(width, width + OVERFLOW_COLUMNS))
            con.execute(
                f"COPY (SELECT numbered._record_number, {self._select_list(headers)}, "
                f"NULLIF(array_to_string(list_filter([{overflow}], x -> x IS NOT NULL), ','), '') AS _extra_fields, "
                f"flagged.reason AS _parse_error "
                f"FROM (SELECT scan._row + coalesce(lost.shift, 0) AS _record_number, scan.* "
                f"FROM read_parquet({sql_literal(str(scan))}) AS scan "
                "ASOF LEFT JOIN lost ON scan._row > lost.good_before) AS numbered "
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

    def _flag_nul_characters(self, headers: HeaderMapping) -> list[str]:
        """Records holding NUL characters are stored as read and flagged in `_parse_error`.

        A NUL in a text file is damage (a binary file is refused when one shows in its first block);
        the record is kept, since its other fields may be sound, and a person is told.
        """
        if not self.content.nul_bytes:
            return []
        names = [n for n in headers.column_names if n not in headers.dropped] + ["_extra_fields"]
        has_nul = " OR ".join(f"contains({_ident(n)}, chr(0))" for n in names)
        spool = sql_literal(str(self.spool_path))
        flagged = self.work_dir / f"{self.token}.flagged.parquet"
        with self._connect() as con:
            found, unflagged = con.execute(
                f"SELECT count(*) FILTER ({has_nul}), count(*) FILTER (({has_nul}) AND _parse_error IS NULL) "
                f"FROM read_parquet({spool})"
            ).fetchone()
            if not found:
                return []
            con.execute(
                f"COPY (SELECT * REPLACE (CASE WHEN {has_nul} THEN coalesce(_parse_error || ', ', '') "
                f"|| '{NUL_REASON}' ELSE _parse_error END AS _parse_error) FROM read_parquet({spool})) "
                f"TO {sql_literal(str(flagged))} ({SPOOL_FORMAT})"
            )
        flagged.replace(self.spool_path)
        self._nul_flagged = unflagged
        return [f"NUL characters in {found:,} record(s), kept as read and flagged in _parse_error ({NUL_REASON})"]

    @staticmethod
    def _rejects(con: duckdb.DuckDBPyConnection) -> list[RejectedRecord]:
        rows = con.execute(
            "SELECT line, string_agg(DISTINCT error_type, ', '), any_value(csv_line) "
            "FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
        records = []
        for line, kind, text in rows:
            text = str(text or "")
            if len(text) >= REJECT_TEXT_LIMIT:
                kind = f"{kind} (text cut to its first {REJECT_TEXT_LIMIT:,} characters)"
            records.append(RejectedRecord(int(line) - 1, str(kind), text))
        return records

    def _count(self) -> int:
        with self._connect() as con:
            return con.execute(f"SELECT count(*) FROM read_parquet({sql_literal(str(self.spool_path))})").fetchone()[0]

    def _connect(self) -> duckdb.DuckDBPyConnection:
        # Within the run's memory limit, spilling past it: memory stays flat as files grow.
        return duckdb.connect(config={"memory_limit": self.memory_limit, "preserve_insertion_order": True})


def _cut_rejects(rejected: list[RejectedRecord]) -> list[str]:
    cut = sum(1 for r in rejected if len(r.text) >= REJECT_TEXT_LIMIT)
    if not cut:
        return []
    return [
        f"{cut:,} unreadable record(s) too long to keep whole: raw.rejected_records holds only their first "
        f"{REJECT_TEXT_LIMIT:,} characters; ask the agency for a clean export"
    ]


def quote_headers(header: list[str]) -> str:
    """A file's headers for a message, each and all cut short: a refused file may not be a CSV at all."""
    shown = [h if len(h) <= HEADER_QUOTE_CHARS else h[: HEADER_QUOTE_CHARS - 1] + "…" for h in header[:HEADERS_QUOTED]]
    more = f" and {len(header) - HEADERS_QUOTED} more" if len(header) > HEADERS_QUOTED else ""
    return ", ".join(shown) + more


def _describe(reason: str) -> str:
    return ", ".join(REJECT_REASONS.get(part.strip(), part.strip().lower()) for part in reason.split(","))
