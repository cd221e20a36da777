"""Every compiled model parses on BigQuery, Snowflake and Redshift (see sql_portability.py).

The project is compiled on PostgreSQL, over raw tables loaded from the real files: its rendering
of the dispatched macros is the portable one (DuckDB's own functions stay in `duckdb__` macros),
and sqlglot transpiles it to each warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leads_pipeline.config.registry import load_registry
from leads_pipeline.stages.ingest.runner import run_ingest
from leads_pipeline.stages.lookups.refresh import refresh_lookups
from leads_pipeline.stages.transform.dbt import run_dbt
from leads_pipeline.warehouse import Warehouse
from tests.conftest import fresh_postgres_database
from tests.integration.sql_portability import DIALECTS, KNOWN_GAPS, Problem, known_gap, problems


def compiled_models_of(target_path: Path) -> dict[str, str]:
    """Compiled models (not tests) by name."""
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in (target_path / "compiled").rglob("*.sql")
        if "/models/" in path.as_posix() and not path.parent.name.endswith(".yml")
    }


@pytest.fixture(scope="module")
def compiled_models(real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from leads_pipeline.config.settings import Settings

    work = tmp_path_factory.mktemp("compile")
    with fresh_postgres_database() as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADS_POSTGRES_DSN", dsn)
        settings = Settings.load(bucket_url=str(real_dir), database=work / "unused.duckdb", target="postgres")
        registry = load_registry(settings.sources_file)
        run_ingest(settings, registry)
        with Warehouse.open(settings) as warehouse:
            refresh_lookups(warehouse, registry)  # staging needs its lookup tables, as after `leads ingest`
        run_dbt(settings, ["compile", "--target-path", str(work / "target")])
    models = compiled_models_of(work / "target")
    assert models, "dbt compile wrote no models"
    return models


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_model_parses_on_the_warehouse(compiled_models: dict[str, str], dialect: str):
    found: list[Problem] = []
    for model, sql in sorted(compiled_models.items()):
        found.extend(problems(model, sql, dialect, read="postgres"))
    new = [p for p in found if known_gap(p) is None]
    assert not new, "\n".join(map(str, new))
    seen = {known_gap(p) for p in found}
    stale = [key for key in KNOWN_GAPS if key[1] == dialect and key not in seen]
    assert not stale, f"these known gaps no longer occur, remove them from KNOWN_GAPS: {stale}"


def test_every_model_is_checked(compiled_models: dict[str, str]):
    models = Path(__file__).resolve().parents[2] / "leads" / "models"
    assert set(compiled_models) == {path.stem for path in models.rglob("*.sql")}


# The check itself: it must catch what would not run.
@pytest.mark.parametrize(
    ("sql", "read", "dialect", "caught"),
    [
        ("select strip_accents(name) from t", "duckdb", "snowflake", "STRIP_ACCENTS"),  # unknown to sqlglot
        ("select try_strptime(d, '%m/%d/%Y') from t", "duckdb", "redshift", "TRY_STRPTIME"),
        ("select jaro_winkler_similarity(a, b) from t", "duckdb", "bigquery", "JAROWINKLER_SIMILARITY"),
        ("select levenshtein(a, b) from t", "duckdb", "redshift", "LEVENSHTEIN"),
        ("select regexp_full_match(a, '^x') from t", "duckdb", "snowflake", "REGEXP_FULL_MATCH"),
        ("select list_aggregate(l, 'sum') from t", "duckdb", "bigquery", "LIST_AGGREGATE"),
        ("select regexp_replace(a, 'x', 'y', 'i') from t", "postgres", "snowflake", "fourth argument"),
        ("select similarity(a, b) from t", "postgres", "snowflake", "SIMILARITY"),  # pg_trgm
        ("select to_tsvector(a) from t", "postgres", "bigquery", "TO_TSVECTOR"),
        ("select split_part(a, '-', 1) from t", "postgres", "redshift", None),
        ("select nullif(trim(regexp_replace(a, '\\s+', ' ', 'g')), '') from t", "postgres", "bigquery", None),
        ("select a ~ '^[0-9]{5}$' from t", "postgres", "snowflake", None),
        ("select md5(cast(a as varchar)) from t", "postgres", "bigquery", None),
    ],
)
def test_the_check_catches_engine_only_sql(sql: str, read: str, dialect: str, caught: str | None):
    found = " ".join(str(p) for p in problems("example", sql, dialect, read=read))
    if caught is None:
        assert found == ""
    else:
        assert caught in found


def test_a_construct_without_an_equivalent_is_reported():
    # DuckDB's regexp flags other than 'g' have no BigQuery form
    found = problems("example", "select regexp_replace(a, 'x', 'y', 'gi') from t", "bigquery")
    assert found and "no bigquery equivalent" in found[0].detail
