"""Helpers for end-to-end tests: the `leads` command in a subprocess, and content hashes of tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import PROJECT_ROOT

# Schemas whose content a re-run must leave as it was (the run log and alerts change by design).
DATA_SCHEMAS = ("raw", "lookup", "main_staging", "main_intermediate", "main_gold")
# Columns that name a load or when it (or the history's comparison of it) happened: two separate
# clean runs differ there and only there.
VOLATILE_COLUMNS = {"_dlt_load_id", "load_id", "ingested_at", "loaded_at", "compared_at", "versioned_at"}


def leads(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the `leads` command as a user would, in its own process."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "leads_pipeline.cli", *args],
        cwd=PROJECT_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def interruptible() -> None:
    """Run in a started child before it executes: Ctrl-C works there as on a terminal, even when the
    tests themselves run as a shell's background job, which starts with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_leads(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "leads_pipeline.cli", *args],
        cwd=PROJECT_ROOT,
        env=full_env,
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def data_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every table and view of the data schemas, without dlt's own bookkeeping."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
        f"({', '.join(repr(s) for s in DATA_SCHEMAS)}) AND table_name NOT LIKE '\\_dlt\\_%' ESCAPE '\\' "
        "ORDER BY 1, 2"
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def table_hashes(database: Path, ignore: set[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """Per table: row count and an order-insensitive hash of its rows (columns in `ignore` left out)."""
    hashes: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for schema, table in data_tables(con):
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                    "ORDER BY column_name",
                    [schema, table],
                ).fetchall()
                if c not in ignore
            ]
            packed = ", ".join(f'"{c}" := "{c}"' for c in columns)
            count, digest = con.execute(
                f'SELECT count(*), coalesce(sum(hash(struct_pack({packed})))::HUGEINT, 0) FROM {schema}."{table}"'
            ).fetchone()
            hashes[f"{schema}.{table}"] = (int(count), int(digest))
    return hashes
