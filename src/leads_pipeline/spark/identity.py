"""The identity step's clustering on Spark: each batch of whole components is resolved on an
executor, where its rows are.

The components, their facts and the components settled without names are Spark SQL like on every
engine (`stages/identity/by_component.py`). The components Python must resolve are grouped by
their batch: Spark hands each batch's records and candidate pairs (a cogroup: a record's name keys
travel with it as a list) to `cluster_components` in one Python worker, and the clusters go
straight into the staged table. The driver receives only each batch's counters.

The CRM is matched the same way: each batch of whole CRM leads with its candidates goes to
`crm_batch_choices` on an executor, and the choices stay on the executors for the SQL that keeps
each lead's CRM lead on every engine (`changed_crm_leads.MATCHES_SQL`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from leads_pipeline.config import names
from leads_pipeline.spark.warehouse import spark_sql, spark_type
from leads_pipeline.stages.identity import changed_crm_leads
from leads_pipeline.stages.identity import resolve as whole
from leads_pipeline.stages.identity.by_component import cluster_components, crm_batch_choices

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

    from leads_pipeline.spark.warehouse import SparkWarehouse

# What each batch reports back besides its clusters: its number and counters, on each of its rows.
COUNTERS = ("batch", "batch_records", "batch_names_scored", "batch_refused")
# The clusters' columns the executors write, in the table's order; `resolved_at`, last, is added in
# SQL, one value for the run.
CLUSTER_COLUMNS = [f.name for f in whole.RECORD_CLUSTERS_SCHEMA if f.name != "resolved_at"]


def cluster_batches(
    warehouse: SparkWarehouse,
    members_sql: str,
    pairs_sql: str,
    names_sql: str,
    staged: str,
    now: datetime,
    report: whole.ResolveReport,
) -> None:
    """Resolve every batch that `members_sql` (records with their `batch`), `pairs_sql` (candidate
    pairs with their `batch`) and `names_sql` (batch, record_index, name_key) give, and append the
    clusters to `identity.<staged>`."""
    named = _with_name_keys(warehouse, members_sql, names_sql)
    pairs = _checkpointed(warehouse, pairs_sql)
    clusters = [f"{f.name} {spark_type(f.type)}" for f in whole.RECORD_CLUSTERS_SCHEMA if f.name in CLUSTER_COLUMNS]
    schema = ", ".join([*clusters, *(f"{counter} BIGINT" for counter in COUNTERS)])

    resolved = (
        named.groupBy("batch")
        .cogroup(pairs.groupBy("batch"))
        .applyInPandas(_resolve_group, schema)
        .localCheckpoint()  # resolved once: written, then counted
    )
    resolved_at = f"CAST('{whole.timestamp_literal(now)}' AS TIMESTAMP) AS resolved_at"
    resolved.selectExpr(*CLUSTER_COLUMNS, resolved_at).write.insertInto(f"{names.IDENTITY}.{staged}")
    for row in resolved.select(*COUNTERS).distinct().collect():  # one row per batch
        report.names_scored += row["batch_names_scored"]
        report.refused_merges += row["batch_refused"]
        report.python_records_peak = max(report.python_records_peak, row["batch_records"])


def _resolve_group(members: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One batch's clusters, with the batch's counters on every row."""
    if members.empty:
        return _empty(CLUSTER_COLUMNS + list(COUNTERS))
    report = whole.ResolveReport()
    clusters = cluster_components(
        pa.Table.from_pandas(members.drop(columns="name_keys"), preserve_index=False),
        _name_rows(members),
        pa.Table.from_pandas(pairs, preserve_index=False),
        datetime(1970, 1, 1),
        report,
    )
    frame = clusters.select(CLUSTER_COLUMNS).to_pandas()
    frame["batch"] = int(members["batch"].iloc[0])
    frame["batch_records"] = report.python_records_peak
    frame["batch_names_scored"] = report.names_scored
    frame["batch_refused"] = report.refused_merges
    return frame


# The choice of each CRM lead, as the driver's batches write it on DuckDB and PostgreSQL.
CRM_CHOSEN_SCHEMA = ", ".join(f"{f.name} {spark_type(f.type)}" for f in changed_crm_leads.CHOSEN_SCHEMA)
CRM_CHOSEN_VIEW = "resolve_crm_chosen"


def crm_choices_view(warehouse: SparkWarehouse, crm_sql: str, candidates_sql: str, names_sql: str) -> str:
    """Register the choice of each CRM lead, from every batch that `crm_sql` (CRM leads with their
    `batch`) and `candidates_sql` (CRM_CANDIDATES_SQL's rows) give, as a temporary view kept on
    the executors; `names_sql` gives the name keys of the candidates' records. Returns its name."""
    crm = _checkpointed(warehouse, crm_sql)
    candidates = _with_name_keys(warehouse, candidates_sql, names_sql)
    chosen = crm.groupBy("batch").cogroup(candidates.groupBy("batch")).applyInPandas(_choose_group, CRM_CHOSEN_SCHEMA)
    chosen.localCheckpoint().createOrReplaceTempView(CRM_CHOSEN_VIEW)
    return CRM_CHOSEN_VIEW


def _choose_group(crm: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """The choices of one batch's CRM leads."""
    if crm.empty or candidates.empty:
        return _empty(changed_crm_leads.CHOSEN_SCHEMA.names)
    chosen = crm_batch_choices(
        pa.Table.from_pandas(crm, preserve_index=False),
        pa.Table.from_pandas(candidates.drop(columns="name_keys"), preserve_index=False),
        _name_rows(candidates),
    )
    return chosen.to_pandas()


def _checkpointed(warehouse: SparkWarehouse, sql: str) -> DataFrame:
    """The query's rows, materialized: both sides of a cogroup read the same work tables, and Spark
    cannot cogroup frames whose grouping column comes from one table."""
    return warehouse.session.sql(spark_sql(sql)).localCheckpoint()


def _with_name_keys(warehouse: SparkWarehouse, sql: str, names_sql: str) -> DataFrame:
    """The query's rows, each with its record's name keys (`names_sql`: record_index, name_key) as
    a list `name_keys`: a cogroup takes two frames, so the names travel with the records."""
    from pyspark.sql import functions as F

    session = warehouse.session
    name_lists = (
        session.sql(spark_sql(names_sql)).groupBy("record_index").agg(F.collect_list("name_key").alias("name_keys"))
    )
    return session.sql(spark_sql(sql)).join(name_lists, "record_index", "left").localCheckpoint()


def _name_rows(frame: pd.DataFrame) -> pa.Table:
    """The (record_index, name_key) rows of a frame whose rows carry their record's `name_keys`,
    once per record."""
    lists = pa.Table.from_pandas(
        frame.drop_duplicates(subset="record_index")[["record_index", "name_keys"]], preserve_index=False
    )
    keys = lists.column("name_keys").combine_chunks().cast(pa.list_(pa.string()))
    return pa.table(
        {
            "record_index": pc.take(lists.column("record_index"), pc.list_parent_indices(keys)).cast(pa.int64()),
            "name_key": pc.list_flatten(keys),
        }
    )


def _empty(columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({column: [] for column in columns})
