"""Every compiled model parses on BigQuery, Snowflake and Redshift (see sql_portability.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads_pipeline.ingest.runner import run_ingest
from leads_pipeline.registry import load_registry
from leads_pipeline.transform import run_dbt
from tests.integration.sql_portability import DIALECTS, Problem, problems


@pytest.fixture(scope="module")
def compiled_models(real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The project's models compiled on DuckDB, over raw tables loaded from the real files."""
    from leads_pipeline.settings import Settings

    work = tmp_path_factory.mktemp("compile")
    settings = Settings.load(bucket_url=str(real_dir), database=work / "leads.duckdb", target="duckdb")
    run_ingest(settings, load_registry(settings.sources_file))
    run_dbt(settings, ["compile", "--target-path", str(work / "target")])
    models = {
        path.stem: path.read_text(encoding="utf-8")
        for path in (work / "target" / "compiled").rglob("*.sql")
        if "/models/" in path.as_posix()
    }
    assert models, "dbt compile wrote no models"
    return models


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_model_parses_on_the_warehouse(compiled_models: dict[str, str], dialect: str):
    found: list[Problem] = []
    for model, sql in sorted(compiled_models.items()):
        found.extend(problems(model, sql, dialect))
    assert not found, "\n".join(map(str, found))


def test_the_gold_models_are_among_those_checked(compiled_models: dict[str, str]):
    assert {"leads", "data_quality_issues"} <= set(compiled_models)


# The check itself: it must catch what would not run.
@pytest.mark.parametrize(
    ("sql", "dialect", "caught"),
    [
        ("select strip_accents(name) from t", "snowflake", "STRIP_ACCENTS"),  # unknown to sqlglot
        ("select try_strptime(d, '%m/%d/%Y') from t", "redshift", "TRY_STRPTIME"),
        ("select jaro_winkler_similarity(a, b) from t", "bigquery", "JAROWINKLER_SIMILARITY"),
        ("select levenshtein(a, b) from t", "redshift", "LEVENSHTEIN"),
        ("select regexp_full_match(a, '^x') from t", "snowflake", "REGEXP_FULL_MATCH"),
        ("select split_part(a, '-', 1) from t", "redshift", None),  # fine there
        ("select regexp_replace(a, 'x', 'y', 'i') from t", "snowflake", "fourth argument"),
        ("select list_aggregate(l, 'sum') from t", "bigquery", "LIST_AGGREGATE"),
        ("select nullif(trim(regexp_replace(a, '\\s+', ' ', 'g')), '') from t", "bigquery", None),
        ("select md5(cast(a as varchar)) from t", "bigquery", None),
    ],
)
def test_the_check_catches_engine_only_sql(sql: str, dialect: str, caught: str | None):
    found = " ".join(str(p) for p in problems("example", sql, dialect))
    if caught is None:
        assert found == ""
    else:
        assert caught in found


def test_a_construct_without_an_equivalent_is_reported():
    # DuckDB's regexp flags other than 'g' have no BigQuery form
    found = problems("example", "select regexp_replace(a, 'x', 'y', 'gi') from t", "bigquery")
    assert found and "no bigquery equivalent" in found[0].detail
