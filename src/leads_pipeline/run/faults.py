"""Named crash and pause points, so the recovery tests can stop a real run exactly where it hurts.

Inert unless the environment asks for them:
- `LEADS_CRASH_AT=<point>`: the process kills itself with SIGKILL when it reaches the point, as a
  lost machine or the OOM killer would (no cleanup, no `finally`);
- `LEADS_PAUSE_AT=<point>` with `LEADS_PAUSE_FILE=<path>`: the process writes `<path>.ready` when
  it reaches the point and waits (at most `PAUSE_LIMIT_SECONDS`) until `<path>` exists.

Points (`POINTS` below) are named `<step>:<where>`; a point that takes a value ends with `:<value>`
(`transform:after-node:leads`, `ingest:load-job-committed:2`).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CRASH_ENV = "LEADS_CRASH_AT"
PAUSE_ENV = "LEADS_PAUSE_AT"
PAUSE_FILE_ENV = "LEADS_PAUSE_FILE"
PAUSE_LIMIT_SECONDS = 120.0

POINTS = (
    "run:locked",  # the run holds the database lock, before any step
    "ingest:after-extract",  # files are extracted into a load package, nothing loaded
    "ingest:after-normalize",  # the package is ready to load, nothing loaded
    "ingest:load-job-committed:<n>",  # the n-th load job's rows are committed, dlt has not recorded it
    "ingest:after-load",  # raw is loaded, lookups not refreshed
    "lookups:after-table:<name>",  # this lookup table has its new values, the later ones not yet
    "transform:after-node:<name>",  # dbt finished this model or test, the rest not yet
    "transform:after-nodes:<n>",  # dbt finished n models or tests, the rest not yet
)


def reached(point: str) -> None:
    """Crash or pause here when the environment names this point; otherwise do nothing."""
    if os.environ.get(CRASH_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(PAUSE_ENV) == point:
        _pause(Path(os.environ.get(PAUSE_FILE_ENV) or "leads.pause"))


def wanted(prefix: str) -> str | None:
    """The value of a crash point with this prefix, when one is set (`ingest:load-job-committed:` -> `2`)."""
    point = os.environ.get(CRASH_ENV) or ""
    return point.removeprefix(prefix) if point.startswith(prefix) else None


def _pause(release: Path) -> None:
    release.with_name(release.name + ".ready").write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + PAUSE_LIMIT_SECONDS
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def crash_after_load_jobs() -> None:
    """Kill the process right after the n-th DuckDB load job commits, before dlt marks it complete.

    That gap is where a resumed load would insert a file's rows a second time; the recovery in
    `ingest.recovery` must make the next run end with each row once.
    """
    count = wanted("ingest:load-job-committed:")
    if count is None:
        return
    from dlt.destinations.impl.duckdb.duck import DuckDbCopyJob

    limit, done = int(count), [0]
    original = DuckDbCopyJob.run

    def run_then_crash(self: DuckDbCopyJob) -> None:
        original(self)
        done[0] += 1
        if done[0] >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    DuckDbCopyJob.run = run_then_crash  # type: ignore[method-assign]
