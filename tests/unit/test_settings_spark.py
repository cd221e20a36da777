"""The Spark target's settings: target name, master, lake folder and Spark conf from the environment."""

from __future__ import annotations

import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.settings import DEFAULT_SPARK_CONF, Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("LEADS_TARGET", "LEADS_SPARK_MASTER", "LEADS_SPARK_WAREHOUSE", "LEADS_SPARK_CONF"):
        monkeypatch.delenv(name, raising=False)


def test_spark_defaults_sit_beside_the_duckdb_database(tmp_path):
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="spark")
    assert settings.target == "spark"
    assert settings.spark_master == "local[*]"
    assert settings.spark_warehouse == (tmp_path / "leads.spark").as_uri()
    assert settings.spark_raw_url.startswith(settings.spark_warehouse + "/")
    assert dict(settings.spark_conf) == dict(DEFAULT_SPARK_CONF)
    assert settings.warehouse_label == f"spark {settings.spark_warehouse}"
    # its working files and lock are its own, not the DuckDB file's
    duck = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="duckdb")
    assert settings.state_dir != duck.state_dir and settings.lock_path != duck.lock_path


def test_spark_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADS_TARGET", "spark")
    monkeypatch.setenv("LEADS_SPARK_MASTER", "spark://head:7077")
    monkeypatch.setenv("LEADS_SPARK_WAREHOUSE", "s3://lake/leads/")
    monkeypatch.setenv("LEADS_SPARK_CONF", "spark.driver.memory=6g, spark.sql.adaptive.enabled=true")
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb")
    assert settings.target == "spark"
    assert settings.spark_master == "spark://head:7077"
    assert settings.spark_warehouse == "s3://lake/leads"
    conf = dict(settings.spark_conf)
    assert conf["spark.driver.memory"] == "6g"  # overrides the default
    assert conf["spark.sql.adaptive.enabled"] == "true"  # added
    assert conf["spark.sql.shuffle.partitions"] == dict(DEFAULT_SPARK_CONF)["spark.sql.shuffle.partitions"]


@pytest.mark.parametrize("conf", ["driver.memory=2g", "spark.driver.memory", "spark.a=1,oops"])
def test_malformed_spark_conf_says_how_to_write_it(tmp_path, monkeypatch, conf):
    monkeypatch.setenv("LEADS_SPARK_CONF", conf)
    with pytest.raises(ConfigError, match="LEADS_SPARK_CONF item .* write spark.key=value pairs"):
        Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="spark")


def test_unknown_target_lists_spark(tmp_path):
    with pytest.raises(ConfigError, match="use duckdb or postgres or spark"):
        Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="oracle")
