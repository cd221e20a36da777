"""Fixtures reading the real agency samples from ../shared/data/real/ (skipped when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]
REAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"

Rows = list[dict[str, str]]


def _read(relative: str) -> Rows:
    path = REAL_DIR / relative
    if not path.is_file():
        pytest.skip(
            f"real sample file {path} is absent: these tests need the shared samples "
            "checked out at ../shared/data/real/ beside the project root"
        )
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def nevada_rows() -> Rows:
    return _read("technical_exercise/source_1/source_1_20241101.csv")


@pytest.fixture(scope="module")
def oklahoma_rows() -> Rows:
    return _read("technical_exercise/source_2/source_2_20241101.csv")


@pytest.fixture(scope="module")
def texas_rows() -> Rows:
    return _read("technical_exercise/source_3/source_3_20241101.csv")


@pytest.fixture(scope="module")
def crm_rows() -> Rows:
    return _read("crm/salesforce_leads_20241101.csv")
