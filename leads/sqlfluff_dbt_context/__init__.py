"""The parts of dbt's Jinja context this project uses, for sqlfluff's jinja templater (leads/.sqlfluff).

sqlfluff's own dbt builtins give `ref`, `source`, `config`, `this`, `is_incremental` and `return`;
this adds the rest, so every model renders as `dbt parse` renders it: offline, without a database.
`execute` is false, so no query runs and a relation's columns are read as absent (`select_columns`
gives its typed NULLs); `var` reads dbt_project.yml; `adapter.dispatch` picks the project's
`duckdb__` macro, else its `default__` one; the cross-database macros are written as DuckDB takes
them. Only what the linter sees depends on this file, never what dbt builds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.utils import missing

_PROJECT_VARS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "dbt_project.yml").read_text(encoding="utf-8")
).get("vars", {})

execute = False
run_started_at = datetime(2000, 1, 1, tzinfo=UTC)  # dbt's start of the run: any fixed time lints the same
model = SimpleNamespace(resource_type="model")
target = SimpleNamespace(type="duckdb", name="duckdb")  # the profile target the models are linted as


def var(name: str, default: Any = None) -> Any:
    return _PROJECT_VARS.get(name, default)


def env_var(name: str, default: str = "") -> str:
    return default


class _Adapter:
    @pass_context
    def dispatch(self, context: Context, macro_name: str, macro_namespace: str | None = None) -> Any:
        for prefix in ("duckdb__", "default__"):
            found = context.resolve_or_missing(prefix + macro_name)
            if found is not missing:
                return found
        raise LookupError(f"no duckdb__ or default__ macro for {macro_name}")

    def quote(self, identifier: str) -> str:
        return f'"{identifier}"'


adapter = _Adapter()


def before_begin(sql: str) -> dict[str, Any]:
    """dbt's hook outside the model's transaction: the hook's SQL is rendered and run by dbt, not linted."""
    return {"sql": sql, "transaction": False}


def _type(name: str):
    return lambda: name


def _listagg(measure: str, delimiter_text: str = "','", order_by_clause: str | None = None, limit_num=None) -> str:
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"


dbt = SimpleNamespace(
    type_string=_type("varchar"),
    type_int=_type("integer"),
    type_bigint=_type("bigint"),
    type_boolean=_type("boolean"),
    type_timestamp=_type("timestamp"),
    hash=lambda field: f"md5(cast({field} as varchar))",
    concat=lambda fields: " || ".join(fields),
    length=lambda expression: f"length({expression})",
    split_part=lambda string_text, delimiter_text, part_number: (
        f"split_part({string_text}, {delimiter_text}, {part_number})"
    ),
    listagg=_listagg,
)
