"""The benchmark's report: the generated files split per month, each month's cost set beside the
first month's, and the targets judged from the steps measured."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import StepResult, generate, month_step, month_verdicts, print_report

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
