"""The generated files have the real files' headers and their CSV dialect."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import MONTHS, SOURCES, read_csv, source_files

QUOTED_CELL = re.compile(r'(?:^|,)"((?:[^"]|"")*)"(?=,|\r\n|$)')


def test_layout_has_one_file_per_source_and_month(bucket: Path) -> None:
    for source in SOURCES:
        names = [p.name for p in source_files(bucket, source)]
        assert names == [f"{source}_{d}.csv" for d in ("20241001", "20241101", "20241201", "20250101")]
    assert [p.name for p in (bucket / "crm").glob("*.csv")] == ["salesforce_leads_20250101.csv"]
    assert not list((bucket / "_truth").glob("source_*.csv"))


def test_headers_equal_the_real_files(bucket: Path, real_root: Path) -> None:
    for source in SOURCES:
        real = read_csv(next((real_root / "technical_exercise" / source).glob("*.csv")))[0]
        for path in source_files(bucket, source):
            assert read_csv(path)[0] == real, path.name
    real_crm = read_csv(next((real_root / "crm").glob("*.csv")))[0]
    assert read_csv(next((bucket / "crm").glob("*.csv")))[0] == real_crm


def test_sheets_dialect_crlf_between_records_no_final_newline(bucket: Path) -> None:
    summary_files = _summary_files(bucket)
    for path in [*bucket.glob("technical_exercise/*/*.csv"), *bucket.glob("crm/*.csv")]:
        raw = path.read_bytes()
        assert not raw.endswith(b"\n"), path.name
        raw.decode("utf-8")
        rows = read_csv(path)
        width = len(rows[0])
        assert all(len(r) == width for r in rows), path.name
        # Records are separated by CRLF; a line break inside a cell is a bare LF.
        assert raw.count(b"\r\n") == len(rows) - 1, path.name
        assert b"\r" not in raw.replace(b"\r\n", b""), path.name
        rel = path.relative_to(bucket).as_posix()
        assert summary_files[rel] == len(rows) - 1, rel


def test_multiline_caregiver_cell_is_one_record(bucket: Path) -> None:
    rows = read_csv(source_files(bucket, "source_2")[0])
    caregiver = rows[0].index("Primary Caregiver")
    cells = [r[caregiver] for r in rows[1:]]
    assert all(re.fullmatch(r"[^\n]+\n \n (Primary Caregiver|Director)", c) for c in cells)


def test_quotes_only_where_needed(bucket: Path) -> None:
    for path in bucket.glob("technical_exercise/*/*.csv"):
        text = path.read_text(encoding="utf-8")
        for match in QUOTED_CELL.finditer(text):
            cell = match.group(1)
            assert re.search(r'[,\n]|""', cell), f"{path.name}: needless quotes around {cell!r}"


def test_every_month_is_about_rows_records(bucket: Path) -> None:
    for source in SOURCES:
        counts = [len(read_csv(p)) - 1 for p in source_files(bucket, source)]
        assert len(counts) == MONTHS
        assert all(1300 <= c <= 1800 for c in counts), (source, counts)


def _summary_files(bucket: Path) -> dict[str, int]:
    import json

    return json.loads((bucket / "_truth" / "summary.json").read_text())["files"]
