"""Buckets generated once per test session, and readers for them."""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

import pytest

from leads_demo import generate_bucket

# The real samples live beside the project (../shared/data/real); an env var can point elsewhere.
REAL = Path(
    os.environ.get(
        "LEADS_REAL_SAMPLES",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "real",
    )
)
SOURCES = ("source_1", "source_2", "source_3")
ROWS, MONTHS, START = 1500, 4, date(2024, 10, 1)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def source_files(root: Path, source: str) -> list[Path]:
    return sorted((root / "technical_exercise" / source).glob("*.csv"))


@pytest.fixture(scope="session")
def bucket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bucket")
    generate_bucket(out, rows=ROWS, months=MONTHS, seed=7, start=START)
    return out


@pytest.fixture(scope="session")
def clean_bucket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate_bucket(out, rows=ROWS, months=2, seed=7, start=START, quirks=0)
    return out


@pytest.fixture(scope="session")
def real_root() -> Path:
    if not (REAL / "technical_exercise").is_dir():
        pytest.skip(f"real sample files not found at {REAL} (the shared folder is absent)")
    return REAL
