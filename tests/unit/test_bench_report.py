"""The benchmark: the generated files split per month, each month's cost set beside the first
month's, the targets judged from the steps measured, and a request that cannot run refused first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks import run
from benchmarks.run import (
    GB,
    BenchRefused,
    StepResult,
    check_request,
    disk_needed,
    generate,
    month_step,
    month_verdicts,
    print_report,
    run_benchmark,
)
from leads_pipeline.cli import app

MB = 1 << 20


def step(name: str, seconds: float, size_mb: int = 0, returncode: int = 0, baseline: float | None = None) -> StepResult:
    return StepResult(name, seconds, 0, records=0, bytes=size_mb * MB, baseline_seconds=baseline, returncode=returncode)


def targets(results: list[StepResult]) -> list[str]:
    machine = {"cores": 2, "memory_gb": 24, "cpu": "cpu", "duckdb": "1", "dlt": "1"}
    lines: list[str] = []
    print_report({"machine": machine, "generator": "demo"}, results, 1000, lines.append)
    return lines[lines.index("targets:") + 1 :]


def test_each_later_month_holds_only_its_own_agency_files(tmp_path: Path):
    bucket = generate(tmp_path, records=40, seed=3, say=lambda _: None, months=3)
    assert len(bucket.later) == 2
    days = []
    for files in bucket.later:
        assert files and all("technical_exercise" in path.parts for path in files)
        (day,) = {path.stem.rsplit("_", 1)[1] for path in files}
        days.append(day)
    assert days == sorted(days) and len(set(days)) == 2
    # the first month: every agency's first file, and the CRM export
    first_agency_files = [path for path in bucket.first if "technical_exercise" in path.parts]
    assert len(first_agency_files) == 3 and not any(day in path.name for path in first_agency_files for day in days)
    assert any("crm" in path.parts for path in bucket.first)
    generated = sum(1 for path in (tmp_path / "generated").rglob("*.csv") if "_truth" not in path.parts)
    assert len(bucket.first) + sum(len(files) for files in bucket.later) == generated


def test_a_month_is_set_beside_the_fresh_run_scaled_to_its_size():
    results = [step("leads run (fresh database)", 100.0, 200), step(month_step(2), 60.0, 100)]
    (line,) = month_verdicts(results)
    assert "leads run (month 2): 60.0s against 50.0s" in line and "(1.20x)" in line


def test_without_a_fresh_run_the_first_month_is_ingest_plus_transform():
    results = [
        step("leads ingest", 30.0, 300),
        step("leads transform", 60.0),
        step(month_step(2), 45.0, 150),
        step(month_step(3), 90.0, 150),
    ]
    lines = month_verdicts(results)
    assert [line.split(":")[0].rsplit(", ", 1)[1] for line in lines] == [month_step(2), month_step(3)]
    assert "(1.00x)" in lines[0] and "(2.00x)" in lines[1]


def test_a_failed_month_or_first_month_gives_no_verdict():
    assert month_verdicts([step("leads run (fresh database)", 100.0, 200), step(month_step(2), 5.0, 100, 1)]) == []
    assert month_verdicts([step("leads run (fresh database)", 9.0, 200, 1), step(month_step(2), 60.0, 100)]) == []


def test_the_full_run_is_judged_on_the_fresh_run_or_else_on_ingest_plus_transform():
    apart = [step("leads ingest", 30.0, 300, baseline=10.0), step("leads transform", 60.0)]
    full = [line for line in targets(apart) if "full run" in line]
    assert full == ["  full run <= 3.0x baseline: 9.00x as ingest plus transform, measured apart — MISSED"]
    fresh = [*apart, step("leads run (fresh database)", 25.0, 300, baseline=10.0)]
    assert [line for line in targets(fresh) if "full run" in line] == ["  full run <= 3.0x baseline: 2.50x — met"]


def test_a_benchmark_that_does_not_fit_on_the_disk_is_refused_before_it_generates(tmp_path: Path, monkeypatch):
    needed = disk_needed(10_000_000, ("ingest", "transform", "idle"), 1, 0.0)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(run.shutil, "disk_usage", lambda _: usage._replace(free=needed - GB))
    with pytest.raises(BenchRefused, match=r"--work-dir on a larger disk, or fewer --records"):
        run_benchmark(10_000_000, tmp_path, steps=("ingest", "transform", "idle"), say=lambda _: None)
    assert not (tmp_path / "generated").exists()

    # what the last benchmark left in the same folder is removed first, so it counts as free
    (tmp_path / "ingest.duckdb").write_bytes(b"")
    os.truncate(tmp_path / "ingest.duckdb", 2 * GB)
    check_request(10_000_000, ("ingest", "transform", "idle"), 1, 0.0, tmp_path)


def test_the_disk_a_benchmark_needs_grows_with_records_months_and_the_big_file():
    first = disk_needed(1_000_000, ("ingest", "transform"), 1, 0.0)
    assert disk_needed(2_000_000, ("ingest", "transform"), 1, 0.0) == pytest.approx(2 * first, abs=1)
    assert (
        disk_needed(1_000_000, ("ingest", "transform", "month"), 3, 0.0)
        > disk_needed(1_000_000, ("ingest", "transform", "month"), 1, 0.0)
        > first
    )
    assert disk_needed(1_000_000, ("ingest", "transform"), 1, 50.0) > first + 50 * GB


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--steps", "ingest,nap"], "unknown steps nap"),
        (["--records", "0"], "--records must be at least 1"),
    ],
)
def test_leads_bench_says_what_is_wrong_with_its_options(tmp_path: Path, arguments: list[str], message: str):
    result = CliRunner().invoke(app, ["bench", "--work-dir", str(tmp_path), *arguments])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "generated").exists()
