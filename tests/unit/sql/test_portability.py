"""The dbt project stays portable: DuckDB-only SQL lives in `duckdb__` macros and nowhere else,
and the rules render to SQL that PostgreSQL can parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from tests.unit.sql.conftest import DBT_PROJECT

# Functions and syntax DuckDB has and PostgreSQL lacks (or spells differently).
DUCKDB_ONLY = re.compile(
    r"\b(try_strptime|strptime|try_cast|regexp_full_match|regexp_matches|regexp_extract|string_split"
    r"|list_\w+|array_to_string|struct_pack|strftime|epoch_ms|read_csv\w*|read_parquet)\s*\("
    r"|::",
    re.IGNORECASE,
)
MACRO_BLOCK = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(.*?{%-?\s*endmacro\s*-?%}", re.DOTALL)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.DOTALL)


def project_sql_files() -> list[Path]:
    return sorted(path for folder in ("models", "macros", "tests") for path in (DBT_PROJECT / folder).rglob("*.sql"))


# Macros written for one engine: DuckDB's, and those of engines that have some of DuckDB's
# function names with their own meaning (Spark's `regexp_extract`).
ENGINE_MACROS = ("duckdb__", "spark__", "bigquery__")


def without_duckdb_macros(text: str) -> str:
    text = JINJA_COMMENT.sub("", text)
    return MACRO_BLOCK.sub(lambda m: "" if m.group(1).startswith(ENGINE_MACROS) else m.group(0), text)


def test_the_project_has_sql_to_check():
    names = {path.name for path in project_sql_files()}
    assert {"dates.sql", "regex.sql", "stg_source_2__facilities.sql", "leads.sql"} <= names


@pytest.mark.parametrize("path", project_sql_files(), ids=lambda p: str(p.relative_to(DBT_PROJECT)))
def test_no_duckdb_only_sql_outside_duckdb_macros(path):
    found = DUCKDB_ONLY.findall(without_duckdb_macros(path.read_text(encoding="utf-8")))
    assert not found, f"{path.name} uses DuckDB-only SQL outside a duckdb__ macro: {found}"


def test_the_check_finds_duckdb_sql_outside_a_duckdb_macro():
    sample = (
        "{% macro duckdb__f(x) %}try_strptime({{ x }}, '%Y'){% endmacro %}\n"
        "{% macro default__f(x) %}regexp_full_match({{ x }}, 'a'){% endmacro %}\n"
        "select x::int"
    )
    assert [m for m in DUCKDB_ONLY.findall(without_duckdb_macros(sample))] == ["regexp_full_match", ""]


RULES = {
    "parse_date": "{{ parse_date('raw', 'snapshot_date') }}",
    "email_address": "{{ email_address('raw') }}",
    "zip5": "{{ zip5('raw') }}",
    "positive_integer": "{{ positive_integer('raw') }}",
    "yes_no": "{{ yes_no('raw', extra_yes=['Accepts Subsidy']) }}",
    "opening_hours": "{{ opening_hours('raw') }}",
    "schedule": "{{ schedule([('Mon', 'a'), ('Tue', 'b'), ('Wed', 'c')]) }}",
    "age_group": "{{ age_group('raw') }}",
    "clean_text": "{{ clean_text('raw') }}",
}


def test_rules_render_to_postgres_sql(postgres_macros):
    columns = ",\n".join(f"{expression} as {name}" for name, expression in RULES.items())
    sql = postgres_macros.render(f"select {columns}\nfrom raw_values")
    assert not DUCKDB_ONLY.search(sql), sql
    parsed = sqlglot.parse_one(sql, read="postgres")
    assert [select.alias_or_name for select in parsed.selects] == list(RULES)
