"""Ground truth next to the files, under OUT/_truth/ (no source glob reaches it).

records.csv      one row per listing that appears in at least one snapshot:
                 source, natural_key, facility_id, operator_id, first_snapshot_date,
                 last_snapshot_date. Listings with one facility_id are one lead; a shared
                 operator_id with different facility_ids marks sister sites (never merge).
events.csv       source, natural_key, snapshot_date, change_type (inserted / updated /
                 deleted), changed_columns (contract column names, comma-joined, for
                 updates), facility_id. Every listing of the first snapshot is inserted.
crm_matches.csv  facility_id, crm_id, is_deleted, match_on (phone / address_name).
summary.json     parameters, per-file record counts, duplicate / trap / event / quirk counts.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

RECORDS_HEADER = (
    "source",
    "natural_key",
    "facility_id",
    "operator_id",
    "first_snapshot_date",
    "last_snapshot_date",
)
EVENTS_HEADER = (
    "source",
    "natural_key",
    "snapshot_date",
    "change_type",
    "changed_columns",
    "facility_id",
)
CRM_HEADER = ("facility_id", "crm_id", "is_deleted", "match_on")


class TruthWriter:
    """Plain CSV (LF line ends). Keys, ids and dates never need quoting, so rows are joined
    directly; only changed_columns, which holds commas, is quoted.

    Rows go to one part file per source (and per snapshot for events) and are joined at
    the end, so the order (source, snapshot, facility) does not depend on chunking.
    """

    def __init__(self, folder: Path, sources: tuple[str, ...], snapshots: list[str]) -> None:
        self.folder = folder
        self._parts = folder / ".parts"
        self._parts.mkdir(parents=True, exist_ok=True)
        self._records = {s: self._part(f"records_{s}") for s in sources}
        self._events = {(s, d): self._part(f"events_{s}_{d}") for s in sources for d in snapshots}
        self._crm = self._part("crm")
        self.crm = csv.writer(self._crm, lineterminator="\n")

    def _part(self, name: str) -> TextIO:
        return open(self._parts / name, "w", newline="", encoding="utf-8")

    def records(self, source: str, lines: list[str]) -> None:
        """Lines of records.csv (see RECORDS_HEADER) for one source."""
        _write(self._records[source], lines)

    def events(self, source: str, day: str, lines: list[str]) -> None:
        """Lines of events.csv (see EVENTS_HEADER); changed_columns already quoted."""
        _write(self._events[(source, day)], lines)

    def close(self) -> None:
        for name, header, parts in (
            ("records.csv", RECORDS_HEADER, list(self._records.values())),
            ("events.csv", EVENTS_HEADER, list(self._events.values())),
            ("crm_matches.csv", CRM_HEADER, [self._crm]),
        ):
            with open(self.folder / name, "w", newline="", encoding="utf-8") as out:
                out.write(",".join(header) + "\n")
                for part in parts:
                    part.close()
                    with open(part.name, encoding="utf-8") as fh:
                        shutil.copyfileobj(fh, out, 1 << 20)
                    os.remove(part.name)
        self._parts.rmdir()

    def write_summary(self, summary: dict[str, Any]) -> None:
        (self.folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


def _write(fh: TextIO, lines: Iterable[str]) -> None:
    text = "\n".join(lines)
    if text:
        fh.write(text)
        fh.write("\n")


class Tally:
    """Counts gathered while streaming, for summary.json."""

    def __init__(self) -> None:
        self.facilities = 0
        self.listings: Counter[str] = Counter()
        self.cross_source_facilities = 0
        self.within_source_facilities = 0
        self.true_pairs = 0
        self.cross_source_pairs = 0
        self.within_source_pairs = 0
        self.operators = 0
        self.sister_sites = 0
        self.trap_pairs = 0
        self.events: dict[str, Counter[str]] = {}
        self.quirks: dict[str, Counter[str]] = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "facilities": self.facilities,
            "listings": dict(sorted(self.listings.items())),
            "duplicates": {
                "cross_source_facilities": self.cross_source_facilities,
                "within_source_facilities": self.within_source_facilities,
                "true_pairs": self.true_pairs,
                "cross_source_pairs": self.cross_source_pairs,
                "within_source_pairs": self.within_source_pairs,
            },
            "traps": {
                "operators": self.operators,
                "sister_sites": self.sister_sites,
                "sister_pairs": self.trap_pairs,
            },
            "events": {s: dict(sorted(c.items())) for s, c in sorted(self.events.items())},
            "quirks": {s: dict(sorted(c.items())) for s, c in sorted(self.quirks.items())},
        }
