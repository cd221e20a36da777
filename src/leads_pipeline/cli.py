"""The `leads` command: parse the options, call the pipeline, print what happened."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from leads_pipeline.errors import LeadsError
from leads_pipeline.ingest.source import FileOutcome
from leads_pipeline.pipeline import Progress, RunReport, execute
from leads_pipeline.settings import Settings
from leads_pipeline.transform import NodeResult

app = typer.Typer(
    help="Agency licensing files in a bucket -> one de-duplicated table of leads (main_gold.leads).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(help="The project's own demo data.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

BucketOption = Annotated[
    str | None,
    typer.Option(
        "--bucket-url", help="gs://…, s3://…, file://… or a folder [env LEADS_BUCKET_URL; default data/landing]"
    ),
]
DatabaseOption = Annotated[
    Path | None, typer.Option("--database", help="DuckDB file [env LEADS_DATABASE; default leads.duckdb]")
]
TargetOption = Annotated[
    str | None, typer.Option("--target", help="duckdb or postgres [env LEADS_TARGET; default duckdb]")
]
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Ingest only this source (repeatable); default all in sources.yml")
]


def _settings(bucket_url: str | None, database: Path | None, target: str | None) -> Settings:
    return Settings.load(bucket_url=bucket_url, database=database, target=target)


def _print_file(outcome: FileOutcome) -> None:
    if outcome.status == "loaded":
        extra = []
        if outcome.malformed:
            extra.append(f"{outcome.malformed} malformed")
        if outcome.rejected:
            extra.append(f"{outcome.rejected} unreadable")
        if outcome.drift:
            extra.append("schema drift: " + "; ".join(f"{k} {v}" for k, v in outcome.drift.items()))
        note = f" ({', '.join(extra)})" if extra else ""
        err.print(f"  loaded   {outcome.relative_path}: {outcome.rows:,} rows{note}")
    else:
        err.print(f"  [yellow]{outcome.status:<8}[/] {outcome.relative_path}: {outcome.message}")


def _print_node(node: NodeResult) -> None:
    mark = "[red]FAIL[/]" if node.failed else "ok"
    kind = "test " if node.resource_type in ("test", "unit_test") else "model"
    detail = f" — {node.message.splitlines()[0]}" if node.failed and node.message else ""
    err.print(f"  {kind} {mark:<4} {node.name} ({node.seconds:.1f}s){detail}")


PROGRESS = Progress(message=lambda text: err.print(f"[dim]{text}[/]"), file=_print_file, node=_print_node)


def _summarize(report: RunReport, settings: Settings) -> None:
    if report.ingest is not None:
        table = Table(title="ingested", title_justify="left", show_edge=False)
        for column in ("source", "new files", "rows", "malformed", "unreadable", "skipped/refused"):
            table.add_column(column, justify="left" if column == "source" else "right")
        by_source: dict[str, list[FileOutcome]] = {}
        for outcome in report.ingest.files:
            by_source.setdefault(outcome.source, []).append(outcome)
        for source, files in sorted(by_source.items()):
            loaded = [f for f in files if f.status == "loaded"]
            table.add_row(
                source,
                str(len(loaded)),
                f"{sum(f.rows for f in loaded):,}",
                str(sum(f.malformed for f in loaded)),
                str(sum(f.rejected for f in loaded)),
                str(len(files) - len(loaded)),
            )
        if not by_source:
            out.print("ingested: no new files")
        else:
            out.print(table)
    if report.transform is not None:
        t = report.transform
        failed = t.failed_tests
        out.print(
            f"transformed: {t.count('model')} models, {t.count('test') + t.count('unit_test')} tests"
            + (f", [red]{len(failed)} failed: {', '.join(n.name for n in failed)}[/]" if failed else ", all passed")
        )
        _print_gold_counts(settings)
    if report.transform_skipped:
        out.print(report.transform_skipped.replace("transform skipped", "transform: skipped", 1))
        _print_gold_counts(settings)
    out.print(f"done in {report.seconds:.1f}s — database {settings.warehouse_label}")


def _print_gold_counts(settings: Settings) -> None:
    from leads_pipeline.warehouse import Warehouse

    with Warehouse.open(settings) as warehouse:
        counts = []
        for table in ("leads", "data_quality_issues"):
            if warehouse.table_exists("main_gold", table):
                counts.append(
                    f"main_gold.{table}: {warehouse.query(f'SELECT count(*) FROM main_gold.{table}')[0][0]:,} rows"
                )
    if counts:
        out.print("; ".join(counts))


def _run(command: str, settings: Settings, do_ingest: bool, do_transform: bool, only: list[str] | None = None) -> None:
    try:
        report = execute(settings, command, do_ingest, do_transform, PROGRESS, only)
    except LeadsError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(exc.exit_code) from None
    _summarize(report, settings)
    if report.transform and report.transform.failed_tests:
        err.print(
            f"[red]error:[/] {len(report.transform.failed_tests)} data tests failed; the tables are built, "
            "see main_gold.data_quality_issues and the dbt output above"
        )
        raise typer.Exit(6)


@app.command()
def run(
    bucket_url: BucketOption = None,
    database: DatabaseOption = None,
    target: TargetOption = None,
    source: SourceOption = None,
) -> None:
    """Ingest new files, then build the models and run the data tests."""
    _run("leads run", _settings(bucket_url, database, target), True, True, source)


@app.command()
def ingest(
    bucket_url: BucketOption = None,
    database: DatabaseOption = None,
    target: TargetOption = None,
    source: SourceOption = None,
) -> None:
    """Load new files from the bucket into the raw tables (each file once)."""
    _run("leads ingest", _settings(bucket_url, database, target), True, False, source)


@app.command()
def transform(database: DatabaseOption = None, target: TargetOption = None) -> None:
    """Build the dbt models (staging, intermediate, gold) and run the data tests."""
    _run("leads transform", _settings(None, database, target), False, True)


@app.command()
def status(database: DatabaseOption = None, target: TargetOption = None) -> None:
    """What was loaded and when, rows per source and file, and the last runs."""
    from leads_pipeline.status import collect_status, render_status

    settings = _settings(None, database, target)
    try:
        render_status(collect_status(settings), out)
    except LeadsError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(exc.exit_code) from None


@demo_app.command("generate")
def demo_generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the bucket into")] = Path("data/landing"),
    rows: Annotated[int, typer.Option("--rows", help="Records per source and month")] = 200,
    months: Annotated[int, typer.Option("--months", help="Monthly snapshots to write")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files)")] = 7,
    start: Annotated[str, typer.Option("--start", help="First snapshot date, YYYY-MM-DD")] = "2024-11-01",
) -> None:
    """Write realistic source files (and their ground truth) into a bucket folder."""
    from leads_pipeline.demo import generate_bucket

    summary = generate_bucket(
        out_dir,
        rows=rows,
        months=months,
        seed=seed,
        start=date.fromisoformat(start),
        progress=lambda text: err.print(f"[dim]{text}[/]"),
    )
    out.print(f"wrote {summary} to {out_dir}")


@app.command()
def bench(
    records: Annotated[int, typer.Option("--records", help="Records per source and month")] = 1_000_000,
    big_file_gb: Annotated[float, typer.Option("--big-file-gb", help="Also ingest one file of this size")] = 0.0,
    work_dir: Annotated[Path | None, typer.Option("--work-dir", help="Where to write files and databases")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the generated files and the database")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the generated files")] = 7,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show each measured command's output")] = False,
    steps: Annotated[
        str, typer.Option("--steps", help="Steps to measure besides the baseline: ingest,transform,run,idle,month")
    ] = "ingest,transform,run,idle,month",
) -> None:
    """Measure ingest and runs at scale beside DuckDB's own CSV load of the same files (benchmarks/)."""
    project_dir = Settings.load().project_dir
    if not (project_dir / "benchmarks" / "run.py").exists():
        err.print(f"[red]error:[/] no benchmarks/ in {project_dir}: run `leads bench` from a checkout of the project")
        raise typer.Exit(2)
    sys.path.insert(0, str(project_dir))
    from benchmarks.run import run_benchmark

    chosen = tuple(step.strip() for step in steps.split(",") if step.strip())
    run_benchmark(
        records,
        work_dir,
        big_file_gb,
        keep,
        seed,
        say=lambda text: print(text, flush=True),
        verbose=verbose,
        steps=chosen,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
