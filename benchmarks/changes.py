"""A later month with a chosen share of changed records, made from the first month's files.

Each agency file of the first month is written again under a later snapshot date, its rows in
reverse order (so the file is new to the ledger even when no record changed), with `rate` of its
records changed: half of them renamed, a quarter dropped and a quarter joined by a new record (a
copy under a new natural key). `rate=0` is a month whose every record is unchanged, in a file
that is not byte-identical to the last one, the case a re-exported snapshot is.
"""

from __future__ import annotations

import csv
import itertools
import shutil
import tempfile
from pathlib import Path

import numpy as np

from leads_pipeline.config.registry import Registry, SourceSpec

# Bytes pass through unchanged whatever the file's encoding: latin-1 maps every byte to a character.
BYTES = "latin-1"
# Records read, changed and written at a time.
CHUNK_ROWS = 200_000


def _spec_of(registry: Registry, relative: str) -> SourceSpec | None:
    return next((spec for spec in registry.lead_sources if relative.startswith(spec.folder + "/")), None)


def _column(header: list[str], spec: SourceSpec, canonical: str) -> int:
    for index, name in enumerate(header):
        if spec.canonical_column(name) == canonical:
            return index
    raise ValueError(f"{spec.name}: no column for {canonical} in {header}")


def changed_file(source: Path, target: Path, spec: SourceSpec, rate: float, seed: int) -> int:
    """Write `source` as a later snapshot with `rate` of its records changed; return its records.

    The file is read in parts of CHUNK_ROWS records, each part written reversed to a spool file,
    and the parts joined in reverse order: the memory held is one part's, not the file's (a 10 M
    record file held whole took about 20 GB in Python).
    """
    draws = np.random.default_rng(seed)  # drawn part by part: the same numbers as drawn at once
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(source, newline="", encoding=BYTES) as fh,
        tempfile.TemporaryDirectory(dir=target.parent, prefix=".parts-") as spool,
    ):
        reader = csv.reader(fh)
        header = next(reader)
        key = _column(header, spec, spec.natural_key)
        name = _column(header, spec, spec.parse["facility_names"][0])
        parts: list[Path] = []
        while rows := list(itertools.islice(reader, CHUNK_ROWS)):
            out: list[list[str]] = []
            for row, draw in zip(reversed(rows), draws.random(len(rows))[::-1], strict=True):
                if draw < rate / 2:
                    out.append([*row[:name], f"{row[name]} ANNEX", *row[name + 1 :]])
                elif draw < rate * 3 / 4:
                    continue
                else:
                    out.append(row)
                    if draw < rate:
                        out.append([*row[:key], f"{row[key]}9", *row[key + 1 :]])
            part = Path(spool) / f"{len(parts)}.csv"
            with open(part, "w", newline="", encoding=BYTES) as part_fh:
                csv.writer(part_fh, lineterminator="\r\n").writerows(out)
            parts.append(part)
            written += len(out)
        with open(target, "w", newline="", encoding=BYTES) as out_fh:
            csv.writer(out_fh, lineterminator="\r\n").writerow(header)
            for part in reversed(parts):
                with open(part, newline="", encoding=BYTES) as part_fh:
                    shutil.copyfileobj(part_fh, out_fh)
    return written


def changed_month(
    first: dict[Path, int], generated: Path, registry: Registry, rate: float, first_day: str, day: str, seed: int
) -> dict[Path, int]:
    """The first month's agency files as the month `day` (`YYYYMMDD`) with `rate` of their records
    changed, written beside them; the CRM export is not repeated."""
    files: dict[Path, int] = {}
    for path in sorted(first):
        spec = _spec_of(registry, path.relative_to(generated).as_posix())
        if spec is None or first_day not in path.name:
            continue
        target = path.with_name(path.name.replace(first_day, day))
        files[target] = changed_file(path, target, spec, rate, seed + len(files))
    return files
