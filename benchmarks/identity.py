"""Identity resolution at scale: the resolve step on about a million source records.

    uv run python benchmarks/identity.py [--records 1000000] [--work-dir DIR] [--keep]

Generates a bucket of `records` agency records (the project's demo generator, one month, with its
cross-source duplicates, sister-site traps and CRM export), loads it and builds dbt's first phase
(staging, record history, match keys, candidate pairs), then measures in one process:

    baseline     reading the whole graph's inputs (every paired record, name keys, candidate
                 pairs, CRM and its pairs) from the warehouse into Python, and nothing else
    whole graph  the resolve as it was before components, by part: read, score names, cluster,
                 match the CRM, write the identity tables
    resolve      the resolve step (by connected component): components in SQL, the simple ones
                 settled there, the rest read into Python in batches, the CRM pass, the write

and prints them, the step's time per million records beside the target (two minutes), and the
peak Python heap of the whole-graph resolve and of the step (tracemalloc, in passes of their own
so the times are untraced: Python's objects, not DuckDB's or Arrow's buffers). With --keep the
work directory stays for a second run, which skips the generation and loading.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "src"))

from leads_demo import generate_bucket  # noqa: E402
from leads_pipeline.config.settings import Settings  # noqa: E402
from leads_pipeline.run.pipeline import execute  # noqa: E402
from leads_pipeline.stages.identity import by_component  # noqa: E402
from leads_pipeline.stages.identity import resolve as identity  # noqa: E402
from leads_pipeline.stages.transform.phases import BEFORE_IDENTITY, build_args, run_dbt  # noqa: E402
from leads_pipeline.warehouse import Warehouse  # noqa: E402

TARGET_SECONDS_PER_MILLION = 120.0
SOURCES = 3


def timed(label: str, action):
    began = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - began
    print(f"  {label:<44} {seconds:8.1f} s", flush=True)
    return result, seconds


def python_heap_peak(action) -> float:
    """The most Python heap (MB) `action` held at once."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def whole_graph(warehouse: Warehouse) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    resolution = identity.resolve(*identity.read_inputs(warehouse).columns())
    identity.write_tables(warehouse, identity.identity_tables(resolution, now), now)


def whole_graph_by_part(warehouse: Warehouse) -> tuple[float, float]:
    """The baseline and the whole-graph resolve's scoring, clustering and matching, in seconds."""
    print("baseline: read the whole graph's inputs")
    (inputs, baseline) = timed("read records, names, pairs, CRM", lambda: identity.read_inputs(warehouse))

    print("whole graph (before components), by part")
    report = identity.ResolveReport()
    resolution, score_seconds = timed(
        "score names, cluster, match the CRM",
        lambda: identity.resolve(*inputs.columns(), report),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    tables, _ = timed("build the identity tables", lambda: identity.identity_tables(resolution, now))
    timed("write them in one transaction", lambda: identity.write_tables(warehouse, tables, now))
    return baseline, score_seconds


def prepare(work_dir: Path, records: int) -> Settings:
    """Generate and load the bucket, build dbt's first phase; skipped when already done."""
    bucket = work_dir / "bucket"
    settings = Settings.load(bucket_url=str(bucket), database=work_dir / "leads.duckdb", target="duckdb")
    ready = work_dir / ".prepared"
    if ready.exists():
        print(f"reusing {work_dir} (prepared earlier)")
        return settings
    print(f"preparing {records:,} records in {work_dir}")
    rows = -(-records // SOURCES)
    timed("generate bucket", lambda: generate_bucket(bucket, rows=rows, months=1, seed=7, start=date(2024, 11, 1)))
    timed("ingest and parse lookups", lambda: execute(settings, "leads ingest", do_ingest=True, do_transform=False))
    build = build_args(BEFORE_IDENTITY, with_tests=False)
    timed("dbt first phase (staging to candidate pairs)", lambda: run_dbt(settings, build))
    ready.touch()
    return settings


def measure(settings: Settings) -> None:
    with Warehouse.open(settings) as warehouse:
        baseline, score_seconds = whole_graph_by_part(warehouse)

        print("resolve step (by component), whole")
        full, seconds = timed("resolve_identities", lambda: by_component.resolve_identities(warehouse))

        print("peak Python heap, each in a traced pass")
        whole_heap = python_heap_peak(lambda: whole_graph(warehouse))
        step_heap = python_heap_peak(lambda: by_component.resolve_identities(warehouse))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_million = seconds / full.records * 1_000_000
    print()
    print(f"machine      {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"records      {full.records:,} source records, {full.pairs:,} candidate pairs, {full.names_scored:,} scored")
    print(f"result       {full.summary()}")
    print(
        f"components   largest {full.largest_component:,} records; Python held at most "
        f"{full.python_records_peak:,} records at once (batches of {by_component.BATCH_RECORDS:,})"
    )
    print(f"baseline     {baseline:6.1f} s  reading the whole graph's inputs")
    print(f"resolve      {seconds:6.1f} s  the step ({seconds / baseline:.1f}x the baseline)")
    print(f"             {score_seconds:6.1f} s  whole graph: scoring, clustering and CRM matching alone")
    print(f"per million  {per_million:6.1f} s  (target {TARGET_SECONDS_PER_MILLION:.0f} s)")
    print(f"python heap  {step_heap:6.0f} MB the step, {whole_heap:.0f} MB the whole graph")
    print(f"peak memory  {peak_mb:6.0f} MB (this process, both ways and DuckDB)")
    if per_million > TARGET_SECONDS_PER_MILLION:
        print("over target")
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="agency records to generate")
    parser.add_argument("--work-dir", type=Path, help="where the bucket and database go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory for another run")
    args = parser.parse_args()
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="identity-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        measure(prepare(work_dir, args.records))
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
