"""How the Spark warehouse rewrites the Python steps' SQL, and what it says when Spark is missing."""

from __future__ import annotations

import sys
from datetime import date, datetime

import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.spark.session import MISSING_EXTRA, MISSING_JAVA, require_spark
from leads_pipeline.spark.warehouse import DELETE, UPDATE, literal, set_and_where, spark_sql, split_top_level


def test_quoted_names_get_backticks_and_parameters_become_literals():
    sql = spark_sql('SELECT "load_id" FROM raw."t" WHERE a = ? AND b IN (?, ?)', ["x", 3, None])
    assert sql == "SELECT `load_id` FROM raw.`t` WHERE a = 'x' AND b IN (3, NULL)"


def test_double_precision_is_spelled_as_spark_does():
    assert spark_sql("SELECT CAST(n AS DOUBLE PRECISION) / 2 FROM t") == "SELECT CAST(n AS DOUBLE) / 2 FROM t"


def test_the_c_collation_is_spark_s_own_order():
    assert spark_sql('SELECT k FROM t ORDER BY a, k COLLATE "C", b') == "SELECT k FROM t ORDER BY a, k, b"


def test_string_literals_are_left_as_they_are():
    # a question mark or a double quote inside a string is text, not a parameter or a name
    sql = spark_sql("SELECT 'why?', 'say \"hi\"', \"c\" FROM t WHERE k = ?", ["it's"])
    assert sql == "SELECT 'why?', 'say \"hi\"', `c` FROM t WHERE k = 'it\\'s'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "TRUE"),
        (1.5, "1.5"),
        (date(2024, 11, 1), "DATE '2024-11-01'"),
        (datetime(2024, 11, 1, 6, 30), "TIMESTAMP '2024-11-01 06:30:00'"),
        ("back\\slash", "'back\\\\slash'"),
    ],
)
def test_literals(value, expected):
    assert literal(value) == expected


def test_update_and_delete_are_recognised():
    update = UPDATE.fullmatch(
        "UPDATE main_audit.runs SET outcome = 'x', message = 'a, b WHERE c' WHERE outcome = 'running'"
    )
    assert update and update["table"] == "main_audit.runs"
    assignments, where = set_and_where(update["rest"])  # a WHERE inside a value is text
    assert where == "outcome = 'running'"
    assert split_top_level(assignments) == ["outcome = 'x'", "message = 'a, b WHERE c'"]
    delete = DELETE.fullmatch("DELETE FROM main_audit.transform_state")
    assert delete and delete["table"] == "main_audit.transform_state" and delete["where"] is None


def test_missing_extra_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import fails as when the extra is not installed
    with pytest.raises(ConfigError) as caught:
        require_spark()
    assert str(caught.value) == MISSING_EXTRA and "uv sync --extra spark" in MISSING_EXTRA


def test_missing_java_says_what_to_install(monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(ConfigError) as caught:
        require_spark()
    assert str(caught.value) == MISSING_JAVA and "JAVA_HOME" in MISSING_JAVA
