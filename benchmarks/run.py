"""`leads bench`: the pipeline at scale, beside DuckDB's own CSV load of the same files.

    uv run leads bench --records 1000000 [--months 1] [--change-rates 0,0.08] [--big-file-gb 5]
                       [--work-dir DIR] [--keep]

Generates `records` records per source and month (the project's demo generator), then measures,
each in its own process and on the same files:

    baseline             DuckDB read_csv(all_varchar = true) into tables, fresh database
    leads ingest         fresh database
    leads transform      on that database
    leads run            the whole pipeline, fresh database
    leads run (no new)   again, with no new file
    leads run (month k)  after each further month's files land (`--months`, each with its own
                         baseline): a month should cost what its files cost, however many
                         months came before it
    leads run (R changed) after a month made from the first one with a share R of its records
                         changed (`--change-rates`, each with its own baseline; benchmarks/changes.py):
                         a month should cost what changed in it
    5 GB file            optional: one big file, baseline and `leads ingest`, for peak memory

and prints wall time, records/s, MB/s, peak memory and the ratio to the baseline for each, with the
machine, and the targets each figure is held to. The figures are also written as JSON under
benchmarks/out/.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import Measured, run_measured

PROJECT_DIR = Path(__file__).resolve().parents[1]
OUT_DIR = PROJECT_DIR / "benchmarks" / "out"
MB = 1 << 20
GB = 1 << 30

# The targets the figures are held to (see docs/performance.md).
INGEST_MAX_RATIO = 1.5
RUN_MAX_RATIO = 3.0
NO_NEW_FILE_MAX_SECONDS = 10.0
BIG_FILE_MAX_PEAK = 2 * GB
IDENTITY_MAX_SECONDS_PER_MILLION = 120.0
# A later month at the demo's change rate (about 8%), and one with no changed record.
CHANGED_MONTH_MAX_RATIO = 3.0
UNCHANGED_MONTH_MAX_RATIO = 1.5
# Disk at a benchmark's peak, per million records per source, measured at 10 M: the first
# month's files (the CRM export included), each further month's, and the database at its largest
# (during the transform: its tables and DuckDB's spill). A lower bound: the history that further
# months add to the database is not counted.
FIRST_MONTH_FILES_PER_MILLION = 0.90 * GB
LATER_MONTH_FILES_PER_MILLION = 0.81 * GB
DATABASE_PER_MILLION = 2.5 * GB
# The database `leads ingest` writes, per GB of CSV (the one-big-file step).
INGESTED_PER_CSV_GB = 0.75
# dbt models whose time is identity resolution (matching, clustering, id assignment)
IDENTITY_MODELS = re.compile(r"match|cluster|identit|resol|pair|candidate", re.IGNORECASE)


@dataclass
class StepResult:
    name: str
    seconds: float
    peak_rss_bytes: int
    records: int
    bytes: int
    baseline_seconds: float | None = None
    returncode: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    phase_peaks_mb: dict[str, int] = field(default_factory=dict)
    load_average: float = 0.0  # the machine's 5-minute load average when the step ended
    models: list[tuple[str, float]] = field(default_factory=list)
    lookups: list[tuple[str, int, float]] = field(default_factory=list)  # (lookup, new values, seconds)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else None

    def row(self) -> list[str]:
        rate = f"{self.records / self.seconds:,.0f}" if self.records and self.seconds else "-"
        speed = f"{self.bytes / MB / self.seconds:,.1f}" if self.bytes and self.seconds else "-"
        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        return [
            self.name,
            f"{self.records:,}" if self.records else "-",
            f"{self.bytes / MB:,.0f}" if self.bytes else "-",
            f"{self.seconds:,.1f}",
            rate,
            speed,
            f"{self.peak_rss_bytes / MB:,.0f}",
            ratio,
            f"{self.load_average:.1f}",
        ]


@dataclass
class Bucket:
    """The generated files, split into the first month (with the CRM export) and the later ones."""

    generated: Path
    first: dict[Path, int]  # path -> records
    later: list[dict[Path, int]]  # one per further month, oldest first
    generator: str
    days: list[str]  # the snapshot days (YYYYMMDD), first month first

    @staticmethod
    def size(files: dict[Path, int]) -> int:
        return sum(p.stat().st_size for p in files)


def machine() -> dict[str, Any]:
    memory = 0
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    with open("/proc/cpuinfo", encoding="ascii") as handle:
        cpu = next((line.split(":", 1)[1].strip() for line in handle if "model name" in line), platform.processor())
    import dlt
    import duckdb

    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / GB, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dlt": dlt.__version__,
        "bytecode_compiled": _bytecode_compiled(Path(dlt.__file__).parent),
    }


def _bytecode_compiled(package: Path) -> bool:
    """Whether the installed packages start from compiled bytecode: without it, and with Python
    told not to write `__pycache__` (PYTHONDONTWRITEBYTECODE), every process start compiles
    every module it imports, seconds that every measured step pays."""
    cached = package / "__pycache__"
    return (cached.is_dir() and any(cached.iterdir())) or not os.environ.get("PYTHONDONTWRITEBYTECODE")


# The measured months lie in one year, as most months do: a new year's first snapshot is staged in
# full (a two-digit year is read in a window around the snapshot's year), a cost of January alone.
FIRST_MONTH = date(2024, 1, 1)


def generate(work_dir: Path, records: int, seed: int, say: Callable[[str], None], months: int = 2) -> Bucket:
    from leads_demo import generate_bucket

    name = "leads_demo"
    target = work_dir / "generated"
    if target.exists():
        shutil.rmtree(target)
    say(f"generating {records:,} records per source and month, {months} months ({name})")
    began = time.perf_counter()
    summary = generate_bucket(target, rows=records, months=months, seed=seed, start=FIRST_MONTH, truth=False)
    say(f"generated in {time.perf_counter() - began:.0f}s")
    later_days = [f"{day:%Y%m%d}" for day in summary.snapshots[1:]]
    first: dict[Path, int] = {}
    later: list[dict[Path, int]] = [{} for _ in later_days]
    for relative, count in summary.files.items():
        path = target / relative
        month = next((i for i, day in enumerate(later_days) if day in path.name), None)
        if relative.startswith("technical_exercise/") and month is not None:
            later[month][path] = count
        else:
            first[path] = count
    return Bucket(target, first, later, name, [f"{day:%Y%m%d}" for day in summary.snapshots])


class BenchRefused(ValueError):
    """The benchmark cannot run as asked; nothing was generated or measured."""


def disk_needed(
    records: int, steps: tuple[str, ...], months: int, big_file_gb: float, change_rates: tuple[float, ...] = ()
) -> int:
    """Bytes of disk the benchmark needs at its peak (see DATABASE_PER_MILLION)."""
    millions = records / 1_000_000
    files = FIRST_MONTH_FILES_PER_MILLION * millions
    if "month" in steps:
        files += LATER_MONTH_FILES_PER_MILLION * millions * months
    files += LATER_MONTH_FILES_PER_MILLION * millions * len(change_rates)
    builds = {"ingest", "transform", "run"} & set(steps)
    database = DATABASE_PER_MILLION * millions if builds else 0.0
    # The big file and its database come after the other databases are removed.
    big_file = big_file_gb * GB * (1 + INGESTED_PER_CSV_GB)
    return int(files + max(database, big_file))


def _reclaimable(work_dir: Path) -> int:
    """Bytes a new benchmark in `work_dir` removes before it writes: the last one's files and databases."""
    paths = [*(work_dir / "generated").rglob("*"), *work_dir.glob("*.duckdb*")]
    return sum(path.stat().st_size for path in paths if path.is_file())


def check_request(
    records: int,
    steps: tuple[str, ...],
    months: int,
    big_file_gb: float,
    work_dir: Path,
    change_rates: tuple[float, ...] = (),
    spark: bool = False,
) -> None:
    """Refuse, before anything is generated, a benchmark that cannot run or cannot fit on the disk."""
    if spark:
        from leads_pipeline.config.errors import ConfigError
        from leads_pipeline.spark.session import require_spark

        try:
            require_spark()
        except ConfigError as missing:
            raise BenchRefused(f"--target spark: {missing}") from None
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise BenchRefused(f"unknown steps {', '.join(sorted(unknown))}: choose from {', '.join(STEPS)}")
    if months < 1:
        raise BenchRefused(f"--months must be at least 1, got {months}")
    if records < 1:
        raise BenchRefused(f"--records must be at least 1, got {records}")
    outside = [rate for rate in change_rates if not 0 <= rate <= 1]
    if outside:
        raise BenchRefused(f"--change-rates are shares of the records, from 0 to 1: got {outside}")
    if change_rates and not {"run", "transform"} & set(steps):
        raise BenchRefused("--change-rates measure months on a built database: keep the run or transform step")
    needed = disk_needed(records, steps, months, big_file_gb, change_rates)
    free = shutil.disk_usage(work_dir).free + _reclaimable(work_dir)
    if free < needed:
        raise BenchRefused(
            f"{records:,} records per source need about {needed / GB:,.1f} GB of disk at the peak and "
            f"{work_dir} has {free / GB:,.1f} GB free: pass --work-dir on a larger disk, or fewer --records"
        )


def month_step(month: int) -> str:
    """The name of the step that runs after the `month`-th month's files land (the first is 1)."""
    return f"leads run (month {month})"


def change_step(rate: float) -> str:
    """The name of the step that runs after a month with `rate` of its records changed lands."""
    return f"leads run ({rate:.0%} changed)"


def steps_later(day: str, months: int) -> str:
    """The snapshot day (`YYYYMMDD`) `months` months after `day`."""
    year, month = int(day[:4]), int(day[4:6]) - 1 + months
    return f"{year + month // 12}{month % 12 + 1:02d}01"


def _place(files: dict[Path, int], generated: Path, bucket: Path) -> None:
    """Put files into the bucket (hard links), stamped now: a newly arrived file is newer than the last."""
    now = time.time()
    for path in files:
        target = bucket / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        os.utime(target, (now, now))


def _leads_command() -> list[str]:
    script = Path(sys.executable).with_name("leads")
    return [str(script)] if script.exists() else [sys.executable, "-m", "leads_pipeline.cli"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADS_")}
    env.update(
        {
            "LEADS_TARGET": "duckdb",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "COLUMNS": "160",
        }
    )
    return env


def _remove_database(database: Path) -> None:
    from leads_pipeline.config.settings import Settings

    for path in (database, database.with_name(database.name + ".wal"), database.with_name(database.name + ".lock")):
        path.unlink(missing_ok=True)
    shutil.rmtree(Settings.load(database=database, target="duckdb").state_dir, ignore_errors=True)


# The progress line of each finished model ("model ok   leads (22.1s)"), the identity step's
# included: both dbt builds count, where dbt's run_results.json keeps only the last.
MODEL_LINE = re.compile(r"^\s*model\s+\w+\s+(\S+) \(([\d.]+)s\)")


def _dbt_models(lines: list[str]) -> list[tuple[str, float]]:
    timed = [(m.group(1), float(m.group(2))) for line in lines if (m := MODEL_LINE.match(line))]
    return sorted(timed, key=lambda item: -item[1])


# The line each lookup ends with ("parsed phones: 1,234 new values in 5.6s").
LOOKUP_LINE = re.compile(r"^\s*parsed (\w+): ([\d,]+) new values in ([\d.]+)s")


def _lookups(lines: list[str]) -> list[tuple[str, int, float]]:
    timed = [
        (m.group(1), int(m.group(2).replace(",", "")), float(m.group(3)))
        for line in lines
        if (m := LOOKUP_LINE.match(line))
    ]
    return sorted(timed, key=lambda item: -item[2])


def _phase_bounds(measured: Measured) -> list[tuple[str, float, float]]:
    marks = {
        "startup": 0.0,
        "raw": measured.first_line_at("ingest:"),
        "lookups": measured.first_line_at("parsing ") or measured.first_line_at("lookups"),
        "transform": measured.first_line_at("transform:"),
        "end": measured.seconds,
    }
    known = [(name, at) for name, at in marks.items() if at is not None]
    return [(name, at, following) for (name, at), (_, following) in zip(known, known[1:], strict=False)]


def _phases(measured: Measured) -> dict[str, float]:
    """Where the time of an ingest or run went, from when its progress lines arrived (approximate)."""
    return {name: round(end - start, 2) for name, start, end in _phase_bounds(measured)}


def _phase_peaks(measured: Measured) -> dict[str, int]:
    """Peak memory (MB) within each phase."""
    return {name: measured.peak_between(start, end) // MB for name, start, end in _phase_bounds(measured)}


class Bench:
    def __init__(self, work_dir: Path, say: Callable[[str], None], verbose: bool = False) -> None:
        self.work_dir = work_dir
        self.say = say
        self.verbose = verbose
        self.env = _environment()
        self.results: list[StepResult] = []
        self.after_step: Callable[[], None] = lambda: None

    def baseline(self, name: str, files: dict[Path, int]) -> StepResult:
        database = self.work_dir / "baseline.duckdb"
        command = [sys.executable, str(PROJECT_DIR / "benchmarks" / "baseline.py"), str(database), *map(str, files)]
        result = self._record(name, command, files, pipeline=False)
        _remove_database(database)
        return result

    def leads(
        self,
        name: str,
        arguments: list[str],
        files: dict[Path, int],
        baseline: StepResult | None,
        note: str = "",
        env: dict[str, str] | None = None,
    ) -> StepResult:
        return self._record(name, [*_leads_command(), *arguments], files, baseline, note, env=env)

    def _record(
        self,
        name: str,
        command: list[str],
        files: dict[Path, int],
        baseline: StepResult | None = None,
        note: str = "",
        pipeline: bool = True,
        env: dict[str, str] | None = None,
    ) -> StepResult:
        self.say(f"measuring {name}")
        measured = run_measured(command, env=env or self.env, cwd=PROJECT_DIR, echo=self.say if self.verbose else None)
        result = StepResult(
            name=name,
            seconds=round(measured.seconds, 2),
            peak_rss_bytes=measured.peak_rss_bytes,
            records=sum(files.values()),
            bytes=Bucket.size(files),
            baseline_seconds=baseline.seconds if baseline else None,
            returncode=measured.returncode,
            phases=_phases(measured) if pipeline else {},
            phase_peaks_mb=_phase_peaks(measured) if pipeline else {},
            note=note,
            load_average=round(os.getloadavg()[1], 1),
        )
        transformed = "transform: dbt build" in measured.output
        if pipeline and transformed:
            result.models = _dbt_models([line for _, line in measured.lines])
        if pipeline:
            result.lookups = _lookups([line for _, line in measured.lines])
        if measured.returncode not in (0, 6):
            errors = [line for _, line in measured.lines if line.startswith("error:")]
            result.note = f"failed with exit code {measured.returncode}: " + (errors[-1] if errors else "see output")
            self.results.append(result)
            self.after_step()
            tail = "\n".join(line for _, line in measured.lines[-25:])
            self.say(f"  {name} failed with exit code {measured.returncode}:\n{tail}")
            raise StepFailed(name)
        if measured.returncode == 6:
            result.note = (result.note + "; " if result.note else "") + "data tests failed (tables built)"
        self.results.append(result)
        self.after_step()
        self.say(f"  {name}: {result.seconds:.1f}s, peak {result.peak_rss_bytes / MB:,.0f} MB")
        return result


STEPS = ("ingest", "transform", "run", "idle", "month")


def steps_from(text: str) -> tuple[str, ...]:
    """The steps named in a comma-separated option (`ingest, transform`)."""
    return tuple(step.strip() for step in text.split(",") if step.strip())


MONTH_STEP = re.compile(r"^leads run \(month \d+\)$")
CHANGE_STEP = re.compile(r"^leads run \(\d+% changed\)$")


def rates_from(text: str) -> tuple[float, ...]:
    """`0,0.08` -> (0.0, 0.08); a value that is not a number is refused."""
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise BenchRefused(f"--change-rates takes comma-separated numbers such as 0,0.08, got {text!r}") from None


class StepFailed(Exception):
    """A measured step failed: the steps that depend on it are not measured."""


def run_benchmark(
    records: int,
    work_dir: Path | None = None,
    big_file_gb: float = 0.0,
    keep: bool = False,
    seed: int = 7,
    say: Callable[[str], None] = print,
    verbose: bool = False,
    steps: tuple[str, ...] = STEPS,
    months: int = 1,
    change_rates: tuple[float, ...] = (),
    spark: bool = False,
) -> dict[str, Any]:
    """Measure the chosen steps (ingest, transform, run, idle, month).

    `idle` and `month` run on the database `run` built, or else the one `ingest` and `transform`
    built; `month` adds `months` further months, one run each; then one month per change rate.
    With `spark`, a fresh `leads run` of the first month on the Spark target follows, beside the
    same baseline.
    """
    work_dir = Path(work_dir or PROJECT_DIR / "benchmarks" / "out" / f"work-{records}").resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    check_request(records, steps, months, big_file_gb, work_dir, change_rates, spark)
    host = machine()
    say(f"machine: {host['cores']} cores, {host['memory_gb']} GB memory, {host['cpu']}")
    if not host["bytecode_compiled"]:
        say(
            "note: PYTHONDONTWRITEBYTECODE is set and the installed packages have no bytecode, so every "
            "step's start compiles them (seconds each); `uv sync --compile-bytecode` compiles them once"
        )
    bucket = generate(work_dir, records, seed, say, months=1 + months if "month" in steps else 1)
    bench = Bench(work_dir, say, verbose)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"bench-{records}-{datetime.now():%Y%m%d-%H%M%S}.json"
    report: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "records_per_source": records,
        "generator": bucket.generator,
        "machine": host,
        "steps": [],
    }

    def save() -> None:  # after every step, so a long run leaves what it measured so far
        report["steps"] = [asdict(r) | {"ratio": r.ratio} for r in bench.results]
        out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")

    bench.after_step = save
    bucket_dir = work_dir / "bucket"
    shutil.rmtree(bucket_dir, ignore_errors=True)
    _place(bucket.first, bucket.generated, bucket_dir)
    ingest_db, run_db = work_dir / "ingest.duckdb", work_dir / "run.duckdb"
    _remove_database(ingest_db)
    _remove_database(run_db)
    common = ["--bucket-url", str(bucket_dir)]

    try:
        base = bench.baseline("baseline: DuckDB read_csv", bucket.first)
        built = None  # the database the later steps (idle, month) run on
        if "ingest" in steps:
            bench.leads("leads ingest", ["ingest", *common, "--database", str(ingest_db)], bucket.first, base)
            if "transform" in steps:
                bench.leads("leads transform", ["transform", "--database", str(ingest_db)], bucket.first, base)
                built = ingest_db
            elif not keep:
                _remove_database(ingest_db)
        if "run" in steps:
            if built:  # one database of this size on disk at a time
                _remove_database(built)
            bench.leads("leads run (fresh database)", ["run", *common, "--database", str(run_db)], bucket.first, base)
            built = run_db
        if built:
            arguments = ["run", *common, "--database", str(built)]
            if "idle" in steps:
                bench.leads("leads run (no new file)", arguments, {}, None)
            if "month" in steps:
                for number, files in enumerate(bucket.later, start=2):
                    base_month = bench.baseline(f"baseline: month {number}", files)
                    _place(files, bucket.generated, bucket_dir)
                    bench.leads(month_step(number), arguments, files, base_month)
            changed_months(bench, bucket, bucket_dir, arguments, change_rates, seed)
            if not keep:
                _remove_database(built)

        if spark:
            spark_run(bench, work_dir, bucket, base)
        if big_file_gb:
            big_file(bench, work_dir, big_file_gb, bucket)

    except StepFailed as failed:
        say(f"stopped: {failed} failed; the steps after it were not measured")

    print_report(report, bench.results, records, say)
    say(f"figures written to {out}")
    if not keep:
        shutil.rmtree(bucket.generated, ignore_errors=True)
        shutil.rmtree(bucket_dir, ignore_errors=True)
    return report


def spark_run(bench: Bench, work_dir: Path, bucket: Bucket, base: StepResult) -> None:
    """A fresh `leads run` of the first month on Spark (`LEADS_SPARK_MASTER`, default all cores),
    its lake and state in the work folder, beside the first month's baseline."""
    bucket_dir = work_dir / "spark-bucket"
    shutil.rmtree(bucket_dir, ignore_errors=True)
    _place(bucket.first, bucket.generated, bucket_dir)
    lake = work_dir / "spark-warehouse"
    shutil.rmtree(lake, ignore_errors=True)
    database = work_dir / "spark.duckdb"
    _remove_database(database)
    env = {**bench.env, "LEADS_TARGET": "spark", "LEADS_SPARK_WAREHOUSE": str(lake)}
    env.update({k: v for k, v in os.environ.items() if k.startswith("LEADS_SPARK_")})
    arguments = ["run", "--bucket-url", str(bucket_dir), "--database", str(database)]
    try:
        bench.leads("leads run on Spark (fresh)", arguments, bucket.first, base, env=env)
    finally:
        shutil.rmtree(lake, ignore_errors=True)
        shutil.rmtree(bucket_dir, ignore_errors=True)
        _remove_database(database)


def changed_months(
    bench: Bench, bucket: Bucket, bucket_dir: Path, arguments: list[str], rates: tuple[float, ...], seed: int
) -> None:
    """One month per change rate, after the generated ones, each beside its own baseline."""
    from benchmarks.changes import changed_month
    from leads_pipeline.config.registry import load_registry

    registry = load_registry(PROJECT_DIR / "sources.yml")
    for offset, rate in enumerate(rates, start=1):
        day = steps_later(bucket.days[-1], offset)
        files = changed_month(bucket.first, bucket.generated, registry, rate, bucket.days[0], day, seed + offset)
        base = bench.baseline(f"baseline: {rate:.0%} changed", files)
        _place(files, bucket.generated, bucket_dir)
        bench.leads(change_step(rate), arguments, files, base)


def big_file(bench: Bench, work_dir: Path, size_gb: float, bucket: Bucket) -> None:
    """One agency file of `size_gb` (the first month's Oklahoma file, its records repeated)."""
    sample = next(p for p in bucket.first if p.name.startswith("source_2_"))
    folder = work_dir / "big" / "technical_exercise" / "source_2"
    shutil.rmtree(work_dir / "big", ignore_errors=True)
    folder.mkdir(parents=True)
    target = folder / sample.name
    wanted = int(size_gb * GB)
    bench.say(f"writing a {size_gb:g} GB file from {sample.name}")
    with sample.open("rb") as handle:
        header = handle.readline()
        body = handle.read()
    if not body.endswith(b"\n"):
        body += b"\r\n"
    copies = 0
    with target.open("wb") as out:
        out.write(header)
        written = len(header)
        while written < wanted:
            out.write(body)
            written += len(body)
            copies += 1
    records = copies * bucket.first[sample]
    files = {target: records}
    base = bench.baseline(f"baseline: one {size_gb:g} GB file", files)
    database = work_dir / "big.duckdb"
    _remove_database(database)
    bench.leads(
        f"leads ingest: one {size_gb:g} GB file",
        ["ingest", "--bucket-url", str(work_dir / "big"), "--database", str(database), "--source", "source_2"],
        files,
        base,
    )
    _remove_database(database)
    shutil.rmtree(work_dir / "big", ignore_errors=True)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-|-".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_report(report: dict[str, Any], results: list[StepResult], records: int, say: Callable[[str], None]) -> None:
    host = report["machine"]
    say("")
    say(
        f"leads bench: {records:,} records per source and month ({report['generator']}); "
        f"machine: {host['cores']} cores, {host['memory_gb']} GB, {host['cpu']}; "
        f"DuckDB {host['duckdb']}, dlt {host['dlt']}"
    )
    header = ["step", "records", "MB", "seconds", "records/s", "MB/s", "peak MB", "x baseline", "load avg"]
    say(_table(header, [r.row() for r in results]))
    by_name = {r.name: r for r in results}
    say("")
    for r in results:
        if r.phases:
            say(
                f"{r.name}: "
                + ", ".join(f"{k} ≈{v:.1f}s (peak {r.phase_peaks_mb.get(k, 0):,} MB)" for k, v in r.phases.items())
            )
        if r.lookups:
            say(
                "  lookups: "
                + ", ".join(f"{n} {count:,} values {s:.1f}s ({count / s:,.0f}/s)" for n, count, s in r.lookups if s)
            )
        if r.models:
            say("  slowest models: " + ", ".join(f"{n} {s:.1f}s" for n, s in r.models[:6]))
        if r.note:
            say(f"  note: {r.note}")
    say("")
    say("targets:")
    ingest = by_name.get("leads ingest")
    if ingest and ingest.ratio is not None:
        verdict = _verdict(ingest.ratio <= INGEST_MAX_RATIO)
        say(f"  ingest <= {INGEST_MAX_RATIO}x baseline: {ingest.ratio:.2f}x — {verdict}")
    first = first_month(results)
    if first and first.baseline_seconds:
        ratio = first.seconds / first.baseline_seconds
        how = "" if first.name == "leads run (fresh database)" else " as ingest plus transform, measured apart"
        say(f"  full run <= {RUN_MAX_RATIO}x baseline: {ratio:.2f}x{how} — {_verdict(ratio <= RUN_MAX_RATIO)}")
    idle = by_name.get("leads run (no new file)")
    if idle:
        say(
            f"  run with no new file < {NO_NEW_FILE_MAX_SECONDS:.0f}s: {idle.seconds:.1f}s — "
            f"{_verdict(idle.seconds < NO_NEW_FILE_MAX_SECONDS)}"
        )
    for line in month_verdicts(results):
        say(f"  {line}")
    for r in results:
        if CHANGE_STEP.match(r.name) and r.ratio is not None:
            target = UNCHANGED_MONTH_MAX_RATIO if r.name.startswith("leads run (0%") else CHANGED_MONTH_MAX_RATIO
            say(f"  {r.name} <= {target}x its baseline: {r.ratio:.2f}x — {_verdict(r.ratio <= target)}")
    transform = by_name.get("leads transform")
    if transform:
        models = [(n, s) for n, s in transform.models if IDENTITY_MODELS.search(n)]
        identity = sum(s for _, s in models)
        budget = IDENTITY_MAX_SECONDS_PER_MILLION * transform.records / 1_000_000
        if models:
            say(
                f"  identity resolution (models {', '.join(n for n, _ in models)}): {identity:.1f}s for "
                f"{transform.records:,} records (budget {budget:.0f}s) — {_verdict(identity <= budget)}"
            )
        else:
            say(
                f"  identity resolution: no identity model in the project yet; the whole transform took "
                f"{transform.seconds:.1f}s for {transform.records:,} records (budget {budget:.0f}s)"
            )
    big = next((r for r in results if r.name.startswith("leads ingest: one")), None)
    if big:
        say(
            f"  peak memory ingesting one {big.bytes / GB:.1f} GB file < {BIG_FILE_MAX_PEAK / GB:.0f} GB: "
            f"{big.peak_rss_bytes / MB:,.0f} MB — {_verdict(big.peak_rss_bytes < BIG_FILE_MAX_PEAK)}"
        )


def _succeeded(result: StepResult) -> bool:
    return result.returncode in (0, 6)  # 6: data tests failed, tables built


def first_month(results: list[StepResult]) -> StepResult | None:
    """What the first month cost as a whole: the fresh `leads run`, or else `leads ingest` and
    `leads transform` measured apart (one process start more), added up."""
    by_name = {r.name: r for r in results}
    run = by_name.get("leads run (fresh database)")
    if run and _succeeded(run):
        return run
    ingest, transform = by_name.get("leads ingest"), by_name.get("leads transform")
    if not (ingest and transform and _succeeded(ingest) and _succeeded(transform)):
        return None
    return replace(ingest, name="leads ingest + leads transform", seconds=ingest.seconds + transform.seconds)


def month_verdicts(results: list[StepResult]) -> list[str]:
    """How each month's run compares with the first month's, per MB of its files.

    The first month is the fresh `leads run`, or else `leads ingest` plus `leads transform`. A
    month that costs what its files cost is about 1x; a cost that followed the history loaded so
    far would grow with each month (the k-th month's run would be about k times the first's).
    """
    first = first_month(results)
    months = [r for r in results if MONTH_STEP.match(r.name) and r.bytes and _succeeded(r)]
    if not first or not first.seconds or not first.bytes or not months:
        return []
    lines = []
    for result in months:
        expected = first.seconds * result.bytes / first.bytes
        lines.append(
            f"new month in proportion to its files, {result.name}: {result.seconds:.1f}s against "
            f"{expected:.1f}s for the first month scaled to its size ({result.seconds / expected:.2f}x)"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--big-file-gb", type=float, default=0.0)
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--months", type=int, default=1, help="further months the month step adds, one run each")
    parser.add_argument("--change-rates", default="", help="comma-separated shares, e.g. 0,0.08: one month each")
    args = parser.parse_args(argv)
    try:
        run_benchmark(
            args.records,
            args.work_dir,
            args.big_file_gb,
            args.keep,
            args.seed,
            verbose=args.verbose,
            steps=steps_from(args.steps),
            months=args.months,
            change_rates=rates_from(args.change_rates),
        )
    except BenchRefused as refused:
        parser.error(str(refused))


if __name__ == "__main__":
    main()
