"""Reading generated files back the way the pipeline will: by natural key."""

from __future__ import annotations

import csv
from pathlib import Path

from .conftest import read_csv, source_files


def natural_key(source: str, row: dict[str, str]) -> str:
    if source == "source_1":
        return row["Credential Number"]
    if source == "source_2":
        return row["Type License"].rsplit(" - ", 1)[1]
    return row["Operation"]


def snapshots(root: Path, source: str) -> list[tuple[str, dict[str, dict[str, str]]]]:
    """[(snapshot date, {natural key: row})] in date order."""
    out = []
    for path in source_files(root, source):
        rows = read_csv(path)
        header = rows[0]
        by_key = {}
        for values in rows[1:]:
            row = dict(zip(header, values))
            key = natural_key(source, row)
            assert key not in by_key, f"{path.name}: natural key {key} twice"
            by_key[key] = row
        stamp = path.stem.rsplit("_", 1)[1]
        out.append((f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}", by_key))
    return out


def truth(root: Path, name: str) -> list[dict[str, str]]:
    with open(root / "_truth" / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
