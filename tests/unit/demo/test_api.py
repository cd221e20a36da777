"""The public entry point: arguments, summary, progress, and refusal to mix runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from leads_demo import GenerationSummary, generate_bucket


def test_summary_progress_and_optional_parts(tmp_path: Path) -> None:
    messages: list[str] = []
    summary = generate_bucket(
        tmp_path,
        rows=200,
        months=2,
        seed=1,
        start=date(2024, 3, 15),
        crm=False,
        truth=False,
        progress=messages.append,
    )
    assert isinstance(summary, GenerationSummary)
    assert summary.snapshots == [date(2024, 3, 1), date(2024, 4, 1)]
    assert summary.crm_records == 0 and summary.truth_dir is None
    assert not (tmp_path / "crm").exists() and not (tmp_path / "_truth").exists()
    assert summary.source_records == sum(summary.files.values()) > 0
    assert summary.records_per_second > 0
    assert messages and messages[-1].startswith("done")


def test_refuses_to_mix_with_another_runs_snapshots(tmp_path: Path) -> None:
    generate_bucket(tmp_path, rows=100, months=2, seed=1, start=date(2024, 1, 1))
    generate_bucket(tmp_path, rows=100, months=2, seed=2, start=date(2024, 1, 1))  # same dates: fine
    with pytest.raises(FileExistsError, match="empty folder"):
        generate_bucket(tmp_path, rows=100, months=1, seed=1, start=date(2024, 6, 1))


@pytest.mark.parametrize("bad", [{"rows": 0}, {"months": 0}, {"quirks": -1.0}])
def test_rejects_impossible_arguments(tmp_path: Path, bad: dict) -> None:
    with pytest.raises(ValueError):
        generate_bucket(tmp_path, **{"rows": 10, **bad})
