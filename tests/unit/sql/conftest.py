"""Render the dbt project's macros to SQL and run them on DuckDB, one query per batch of cases.

The project is parsed once per session; each `compile` then reuses the parsed manifest, so a
batch of cases costs a few hundred milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DBT_PROJECT = PROJECT_ROOT / "leads"


class MacroRenderer:
    """Compile Jinja SQL with the project's macros for one target (duckdb or postgres)."""

    def __init__(self, target: str, database: Path) -> None:
        from dbt.cli.main import dbtRunner

        self.target = target
        self._env = {"LEADS_TARGET": target, "LEADS_DATABASE": str(database), "DO_NOT_TRACK": "1"}
        self._args = ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT), "--quiet"]
        with self._environment():
            parsed = dbtRunner().invoke(["parse", *self._args])
        if not parsed.success:
            raise RuntimeError(f"dbt parse failed: {parsed.exception}")
        self._runner = dbtRunner(manifest=parsed.result)

    def _environment(self):
        saved = {k: os.environ.get(k) for k in self._env}

        class _Env:
            def __enter__(inner):  # noqa: N805 - context object
                os.environ.update(self._env)

            def __exit__(inner, *exc):  # noqa: N805
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

        return _Env()

    def render(self, sql: str) -> str:
        with self._environment():
            result = self._runner.invoke(["compile", "--inline", sql, *self._args])
        if not result.success:
            raise RuntimeError(f"could not compile {sql!r}: {result.exception}")
        return result.result.results[0].node.compiled_code


@pytest.fixture(scope="session")
def duckdb_macros(tmp_path_factory) -> MacroRenderer:
    return MacroRenderer("duckdb", tmp_path_factory.mktemp("dbt") / "macros.duckdb")


@pytest.fixture(scope="session")
def postgres_macros(tmp_path_factory) -> MacroRenderer:
    """Renders the postgres__ variants; nothing connects to a server."""
    return MacroRenderer("postgres", tmp_path_factory.mktemp("dbt") / "unused.duckdb")


def quote(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def run_cases(
    renderer: MacroRenderer,
    columns: Sequence[str],
    cases: Sequence[Sequence[Any]],
    expression: str,
    types: Sequence[str] | None = None,
) -> list[Any]:
    """Evaluate `expression` (Jinja over `columns`) for each case row; return one result per case.

    Each case is a row of input values; `types` casts them (text by default).
    """
    types = types or ["varchar"] * len(columns)
    rows = ",\n".join(
        "(" + ", ".join([str(i)] + [f"cast({quote(v)} as {t})" for v, t in zip(case, types, strict=True)]) + ")"
        for i, case in enumerate(cases)
    )
    sql = (
        f"select case_number, {expression} as result\n"
        f"from (values {rows}) as cases (case_number, {', '.join(columns)})\n"
        "order by case_number"
    )
    compiled = renderer.render(sql)
    return [row[1] for row in duckdb.sql(compiled).fetchall()]


Evaluate = Callable[..., list[Any]]


@pytest.fixture(scope="session")
def evaluate(duckdb_macros) -> Evaluate:
    def run(columns, cases, expression, types=None):
        return run_cases(duckdb_macros, columns, cases, expression, types)

    return run
