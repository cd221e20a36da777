"""The benchmark: the generated files split per month, each month's cost set beside the first
month's, the targets judged from the steps measured, and a request that cannot run refused first."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks import run
from benchmarks.changes import changed_month
from benchmarks.run import (
    GB,
    BenchRefused,
    StepResult,
    change_step,
    check_request,
    disk_needed,
    generate,
    month_step,
    month_verdicts,
    print_report,
    run_benchmark,
)
from leads_pipeline.cli import app
from leads_pipeline.config.registry import load_registry
from tests.conftest import PROJECT_ROOT

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
        (["--change-rates", "0,abc"], "--change-rates takes comma-separated numbers"),
        (["--change-rates", "1.5"], "--change-rates are shares of the records, from 0 to 1"),
        (["--target", "snowflake"], "--target is duckdb or spark, not snowflake"),
    ],
)
def test_leads_bench_says_what_is_wrong_with_its_options(tmp_path: Path, arguments: list[str], message: str):
    result = CliRunner().invoke(app, ["bench", "--work-dir", str(tmp_path), *arguments])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "generated").exists()


def test_a_spark_benchmark_without_spark_is_refused_before_it_generates(tmp_path: Path, monkeypatch):
    from leads_pipeline.config.errors import ConfigError
    from leads_pipeline.spark import session

    def no_java() -> None:
        raise ConfigError("no Java found: install a JRE 17 or newer")

    monkeypatch.setattr(session, "require_spark", no_java)
    result = CliRunner().invoke(app, ["bench", "--work-dir", str(tmp_path), "--target", "spark", "--records", "10"])
    assert result.exit_code == 2
    assert "--target spark: no Java found" in result.output
    assert not (tmp_path / "generated").exists()


def keyed_rows(path: Path, spec) -> dict[str, list[str]]:
    with open(path, newline="", encoding="latin-1") as fh:
        header, *rows = list(csv.reader(fh))
    (key,) = [i for i, name in enumerate(header) if spec.canonical_column(name) == spec.natural_key]
    return {row[key]: row for row in rows}


@pytest.mark.parametrize("rate", [0.0, 0.2])
def test_a_month_with_a_chosen_share_of_changed_records(tmp_path: Path, rate: float):
    bucket = generate(tmp_path, records=600, seed=5, say=lambda _: None, months=1)
    registry = load_registry(PROJECT_ROOT / "sources.yml")
    files = changed_month(bucket.first, bucket.generated, registry, rate, bucket.days[0], "20250301", seed=9)
    assert len(files) == 3 and all("20250301" in path.name for path in files)
    for path, count in files.items():
        before_path = path.with_name(path.name.replace("20250301", bucket.days[0]))
        spec = next(s for s in registry.lead_sources if s.name in path.name)
        before, after = keyed_rows(before_path, spec), keyed_rows(path, spec)
        assert len(after) == count
        # A file new to the ledger even when nothing changed in it.
        assert path.read_bytes() != before_path.read_bytes()
        dropped = before.keys() - after.keys()
        added = after.keys() - before.keys()
        changed = [key for key in before.keys() & after.keys() if before[key] != after[key]]
        expected = rate * len(before)
        for share, found in ((0.5, changed), (0.25, dropped), (0.25, added)):
            assert expected * share * 0.5 <= len(found) <= expected * share * 1.5, (path.name, share)


def test_a_changed_month_is_judged_on_its_own_baseline():
    lines = targets([step(change_step(0.08), 30.0, 10, baseline=5.0), step(change_step(0.0), 6.0, 10, baseline=5.0)])
    assert "  leads run (8% changed) <= 3.0x its baseline: 6.00x — MISSED" in lines
    assert "  leads run (0% changed) <= 1.5x its baseline: 1.20x — met" in lines


def test_a_step_after_the_benchmark_held_much_memory_reports_its_own_peak():
    """A child inherits its parent's high-water mark: a small step run after the benchmark held a
    large file in memory must not report the benchmark's peak as its own."""
    import resource
    import sys

    from benchmarks.measure import run_measured

    held = b"x" * (1 << 30)  # what the benchmark held, e.g. a whole file being rewritten
    del held
    parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert parent_peak >= 1 << 30
    measured = run_measured([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert 0 < measured.peak_rss_bytes < 300 * (1 << 20), measured.peak_rss_bytes


@pytest.mark.slow  # generates a bucket and runs `leads ingest`
def test_keep_leaves_the_files_and_the_database_of_an_ingest_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "OUT_DIR", tmp_path / "out")
    report = run_benchmark(300, tmp_path / "work", keep=True, steps=("ingest",), say=lambda _: None)
    assert [step["name"] for step in report["steps"]] == ["baseline: DuckDB read_csv", "leads ingest"]
    assert all(step["returncode"] == 0 for step in report["steps"])
    assert (tmp_path / "work" / "ingest.duckdb").is_file()
    assert list((tmp_path / "work" / "bucket").rglob("*.csv"))
