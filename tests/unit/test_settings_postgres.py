"""The PostgreSQL target: one DSN gives dlt, the warehouse connection and dbt's profile their settings."""

from __future__ import annotations

import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.settings import Settings, postgres_parts


def test_a_dsn_is_split_into_the_profile_fields():
    assert postgres_parts("postgresql://loader:s%40cret@db.internal:6543/leads") == {
        "host": "db.internal",
        "port": "6543",
        "user": "loader",
        "password": "s@cret",
        "dbname": "leads",
    }
    assert postgres_parts("postgresql://postgres@127.0.0.1/test")["port"] == "5432"


@pytest.mark.parametrize("dsn", ["mysql://root@localhost/test", "postgresql://postgres@localhost", "leads.duckdb"])
def test_a_wrong_dsn_is_a_configuration_error(dsn, monkeypatch):
    monkeypatch.setenv("LEADS_POSTGRES_DSN", dsn)
    with pytest.raises(ConfigError, match="LEADS_POSTGRES_DSN"):
        Settings.load(target="postgres")


def test_dbt_gets_the_connection_of_the_dsn_and_the_password_stays_out_of_messages(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADS_POSTGRES_DSN", "postgresql://loader:secret@db.internal:6543/leads")
    settings = Settings.load(target="postgres", database=tmp_path / "leads.duckdb")
    env = settings.dbt_environment()
    assert env["LEADS_TARGET"] == "postgres"
    assert (env["LEADS_PG_HOST"], env["LEADS_PG_PORT"], env["LEADS_PG_USER"]) == ("db.internal", "6543", "loader")
    assert (env["LEADS_PG_PASSWORD"], env["LEADS_PG_DATABASE"]) == ("secret", "leads")
    assert "secret" not in settings.warehouse_label
    assert settings.warehouse_label == "postgres db.internal:6543/leads"


def test_each_postgres_database_has_its_own_state_and_lock(monkeypatch, tmp_path):
    paths = []
    for database in ("one", "two"):
        monkeypatch.setenv("LEADS_POSTGRES_DSN", f"postgresql://postgres@127.0.0.1:5432/{database}")
        settings = Settings.load(target="postgres", database=tmp_path / "leads.duckdb")
        paths.append((settings.state_dir, settings.lock_path))
    duckdb_settings = Settings.load(target="duckdb", database=tmp_path / "leads.duckdb")
    assert len({*paths, (duckdb_settings.state_dir, duckdb_settings.lock_path)}) == 3
