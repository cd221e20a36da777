"""The resolve step by connected component: memory follows the largest component, not the data.

Candidate pairs only ever merge records of one connected component of the pairs' graph, so each
component resolves on its own (`components` finds them in SQL). Most components need no Python:
when every pair in one is decided by what it shares alone (phone and address, phone and email:
no name score) and its records hold at most one known zip and one known house number, no merge
can be refused, so the constrained union-find would join them all into one cluster. Such a
component is settled in SQL: anchor = the member first in anchor order, match_rule = the rules
of its pairs, strongest first. The rest are read into Python in batches of whole components,
ordered by component, and resolved by `rule_edges` and `cluster` as the whole graph was (on
Spark, each batch on an executor: `spark/identity.py`).

CRM matching is a pass of its own after the clusters are staged rather than joining the
components: a CRM lead's candidates can span several leads (joining them would merge components
that share nothing but a CRM lead) and it must go to the best of them in the global anchor order,
which SQL ranks once. Python reads the CRM pairs in batches of whole CRM leads, with the lead,
site and anchor rank of each, and writes each CRM lead's choice; SQL gives each lead the CRM lead
`match_crm` would prefer of those that chose it. A later resolve has only the CRM leads whose
inputs changed choose again (`changed_crm_leads`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import product

import numpy as np
import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.stages.identity import changed_components, changed_crm_leads, resolved_inputs
from leads_pipeline.stages.identity import resolve as whole
from leads_pipeline.stages.identity.clustering import cluster
from leads_pipeline.stages.identity.components import label_components
from leads_pipeline.stages.identity.crm import crm_choices
from leads_pipeline.stages.identity.names import NameScorer
from leads_pipeline.stages.identity.rules import Rule, Site, best_rule, needs_name
from leads_pipeline.warehouse import Warehouse

# The records of the components Python reads at once: a batch is the whole components that begin
# within it, so it holds fewer than this plus the largest component.
BATCH_RECORDS = 50_000
# On Spark a batch is one task on an executor: smaller batches spread over more of them.
SPARK_BATCH_RECORDS = 10_000

# The CRM leads whose pairs Python reads at once.
CRM_BATCH_LEADS = 20_000

# The step's work tables, in the identity schema, dropped when it ends.
EDGES = "resolve_edges"
COMPONENTS = "resolve_components"
FACTS = "resolve_component_facts"
CRM_CANDIDATES = "resolve_crm_candidates"

# Pairs that could join two records: their addresses do not contradict (`Site.contradicts`: both
# zips known and different, or both house numbers) and a rule may hold. `settled_rule` is the rule
# when the pair's shared keys decide it alone, `needs_name` whether the names decide.
EDGES_SQL = """
    CREATE TABLE {work}.{edges} AS
    SELECT pairs.left_index, pairs.right_index, pairs.shares_phone, pairs.shares_address,
        pairs.shares_email, {settled_rule} AS settled_rule, {needs_name} AS needs_name
    FROM {schema}.int_record_pairs__blocked AS pairs
    INNER JOIN {schema}.int_source_records__current AS lefts ON lefts.record_index = pairs.left_index
    INNER JOIN {schema}.int_source_records__current AS rights ON rights.record_index = pairs.right_index
    WHERE NOT (
        (lefts.zip IS NOT NULL AND rights.zip IS NOT NULL AND lefts.zip <> rights.zip)
        OR (lefts.street_number IS NOT NULL AND rights.street_number IS NOT NULL
            AND lefts.street_number <> rights.street_number)
    )
    AND ({settled_rule} IS NOT NULL OR {needs_name})
"""
COMPONENT_EDGES_SQL = "SELECT left_index AS left_node, right_index AS right_node FROM {work}.{edges} {where}"
# Per component: its size, whether Python must resolve it, and for those the batch it is read in.
FACTS_SQL = """
    CREATE TABLE {work}.{facts} AS
    WITH members AS (
        SELECT components.component, count(*) AS records,
            count(DISTINCT records.zip) AS zips, count(DISTINCT records.street_number) AS numbers
        FROM {work}.{components} AS components
        INNER JOIN {schema}.int_source_records__current AS records ON records.record_index = components.node
        GROUP BY components.component
    ),
    named AS (
        SELECT components.component, max(CASE WHEN edges.needs_name THEN 1 ELSE 0 END) AS named_pairs
        FROM {work}.{edges} AS edges
        INNER JOIN {work}.{components} AS components ON components.node = edges.left_index
        GROUP BY components.component
    ),
    kinds AS (
        SELECT members.component, members.records,
            (named.named_pairs = 1 OR members.zips > 1 OR members.numbers > 1) AS needs_python
        FROM members
        INNER JOIN named ON named.component = members.component
    )
    SELECT component, records, needs_python,
        CASE WHEN needs_python THEN CAST(floor(
            (sum(records) OVER (PARTITION BY needs_python ORDER BY component ROWS UNBOUNDED PRECEDING) - records)
            / CAST({batch} AS DOUBLE PRECISION)
        ) AS BIGINT) END AS batch
    FROM kinds
"""
SIZES_SQL = """
    SELECT
        sum(CASE WHEN needs_python THEN 0 ELSE 1 END),
        sum(CASE WHEN needs_python THEN 1 ELSE 0 END),
        max(records)
    FROM {work}.{facts}
"""
BATCHES_SQL = "SELECT DISTINCT batch FROM {work}.{facts} WHERE needs_python ORDER BY batch"
# The records of the components of one batch (or of the settled ones), with their component and batch.
MEMBERS_SQL = """
    SELECT components.component, records.record_index, records.source, records.source_rank,
        records.natural_key, records.first_seen_date, records.zip, records.street_number, records.own_lead_id,
        facts.batch
    FROM {work}.{components} AS components
    INNER JOIN {work}.{facts} AS facts ON facts.component = components.component
    INNER JOIN {schema}.int_source_records__current AS records ON records.record_index = components.node
    WHERE {where}
"""
# Which components Python resolves: all of them, or one batch.
IN_PYTHON = "facts.needs_python"
IN_BATCH = "facts.batch = {batch} AND facts.needs_python"
BATCH_NAMES_SQL = """
    SELECT facts.batch, keys.record_index, keys.key_value AS name_key
    FROM {work}.{components} AS components
    INNER JOIN {work}.{facts} AS facts ON facts.component = components.component
    INNER JOIN {schema}.int_match_keys__collected AS keys ON keys.record_index = components.node
    WHERE {where} AND keys.key_type = 'name'
"""
BATCH_PAIRS_SQL = """
    SELECT facts.batch, edges.left_index, edges.right_index, edges.shares_phone, edges.shares_address,
        edges.shares_email
    FROM {work}.{edges} AS edges
    INNER JOIN {work}.{components} AS components ON components.node = edges.left_index
    INNER JOIN {work}.{facts} AS facts ON facts.component = components.component
    WHERE {where}
"""
SHARED_KEYS = ("shares_phone", "shares_address", "shares_email")
# The columns `whole.record_infos` reads, in its order, and those of a candidate pair.
RECORD_COLUMNS = [
    "record_index",
    "source",
    "source_rank",
    "natural_key",
    "first_seen_date",
    "zip",
    "street_number",
    "own_lead_id",
]
PAIR_COLUMNS = ["left_index", "right_index", *SHARED_KEYS]
# A settled component is one lead: anchor first in anchor order (`RecordInfo.anchor_order`, then
# record_index as Python's stable sort; byte order of keys as Python compares strings), and the
# rules of all its pairs, strongest first (`Clusters.match_rule`).
SETTLE_SQL = """
    INSERT INTO {identity}.{staged} (source, natural_key, lead_id, own_lead_id, is_anchor, match_rule, resolved_at)
    WITH members AS (
        SELECT members.*, row_number() OVER (
            PARTITION BY members.component
            ORDER BY members.first_seen_date, members.source_rank, members.natural_key COLLATE "C", members.record_index
        ) AS place
        FROM ({members}) AS members
    ),
    anchors AS (
        SELECT component, own_lead_id AS lead_id FROM members WHERE place = 1
    ),
    rules AS (
        SELECT components.component, concat_ws(',', {rule_list}) AS match_rule
        FROM {work}.{edges} AS edges
        INNER JOIN {work}.{components} AS components ON components.node = edges.left_index
        INNER JOIN {work}.{facts} AS facts ON facts.component = components.component
        WHERE NOT facts.needs_python
        GROUP BY components.component
    )
    SELECT members.source, members.natural_key, anchors.lead_id, members.own_lead_id, members.place = 1,
        rules.match_rule, CAST('{now}' AS TIMESTAMP)
    FROM members
    INNER JOIN anchors ON anchors.component = members.component
    INNER JOIN rules ON rules.component = members.component
"""
# The CRM pairs with the lead each record is in, the lead's site (a cluster holds at most one
# known zip and house number) and its anchor's rank in anchor order (as `SETTLE_SQL` orders) and
# the columns that order (`changed_crm_leads` hashes them), in batches of whole CRM leads: a CRM
# lead's pairs decide its lead together.
CRM_CANDIDATES_SQL = """
    CREATE TABLE {work}.{candidates} AS
    WITH pairs AS (
        SELECT crm_index, record_index, shares_phone, shares_address, shares_email
        FROM {schema}.int_crm_pairs__blocked
    ),
    lead_of AS (
        SELECT records.record_index, clusters.lead_id
        FROM {schema}.int_source_records__current AS records
        INNER JOIN {identity}.{staged} AS clusters
            ON clusters.source = records.source AND clusters.natural_key = records.natural_key
        WHERE records.record_index IN (SELECT record_index FROM pairs)
    ),
    members AS (
        SELECT clusters.lead_id, clusters.is_anchor, records.record_index, records.zip, records.street_number,
            records.first_seen_date, records.source_rank, records.natural_key
        FROM {identity}.{staged} AS clusters
        INNER JOIN {schema}.int_source_records__current AS records
            ON records.source = clusters.source AND records.natural_key = clusters.natural_key
        WHERE clusters.lead_id IN (SELECT lead_id FROM lead_of)
    ),
    sites AS (
        SELECT lead_id, min(zip) AS zip, min(street_number) AS street_number
        FROM members
        GROUP BY lead_id
    ),
    anchors AS (
        SELECT lead_id, first_seen_date, source_rank, natural_key, record_index, dense_rank() OVER (
            ORDER BY first_seen_date, source_rank, natural_key COLLATE "C", record_index
        ) AS anchor_rank
        FROM members
        WHERE is_anchor
    )
    SELECT pairs.crm_index, pairs.record_index, pairs.shares_phone, pairs.shares_address, pairs.shares_email,
        lead_of.lead_id, sites.zip, sites.street_number, anchors.anchor_rank,
        anchors.first_seen_date AS anchor_first_seen_date, anchors.source_rank AS anchor_source_rank,
        anchors.natural_key AS anchor_natural_key, anchors.record_index AS anchor_index,
        CAST(floor(
            (dense_rank() OVER (ORDER BY pairs.crm_index) - 1) / CAST({batch} AS DOUBLE PRECISION)
        ) AS BIGINT) AS batch
    FROM pairs
    INNER JOIN lead_of ON lead_of.record_index = pairs.record_index
    INNER JOIN sites ON sites.lead_id = lead_of.lead_id
    INNER JOIN anchors ON anchors.lead_id = lead_of.lead_id
"""
CRM_BATCHES_SQL = "SELECT DISTINCT batch FROM {work}.{candidates} ORDER BY batch"
# A batch's rows (or every batch's, with `where` true), each with its batch: the candidates, their
# CRM leads, and the name keys of the candidates' records.
CRM_IN_BATCH = "candidates.batch = {batch}"
CRM_BATCH_SQL = "SELECT * FROM {work}.{candidates} AS candidates WHERE {where}"
CRM_BATCH_LEADS_SQL = """
    SELECT DISTINCT candidates.batch, crm.crm_index, crm.salesforce_lead_id, crm.zip, crm.street_number,
        crm.name_key, crm.created_date
    FROM {schema}.int_crm_leads__current AS crm
    INNER JOIN {work}.{candidates} AS candidates ON candidates.crm_index = crm.crm_index
    WHERE {where}
"""
CRM_BATCH_NAMES_SQL = """
    SELECT keys.record_index, keys.key_value AS name_key
    FROM {schema}.int_match_keys__collected AS keys
    WHERE keys.key_type = 'name'
        AND keys.record_index IN (SELECT record_index FROM {work}.{candidates} AS candidates WHERE {where})
"""
CRM_LEAD_COLUMNS = ["crm_index", "salesforce_lead_id", "zip", "street_number", "name_key", "created_date"]
LEADS_SQL = """
    SELECT count(*), coalesce(sum(CASE WHEN members > 1 THEN members ELSE 0 END), 0)
    FROM (SELECT lead_id, count(*) AS members FROM {identity}.{staged} GROUP BY lead_id) AS leads
"""
PAIRS_COUNT_SQL = "SELECT count(*) FROM {schema}.int_record_pairs__blocked"
EDGES_COUNT_SQL = "SELECT count(*) FROM {work}.{edges}"


def _shares(phone: bool, address: bool, email: bool) -> str:
    """The SQL condition that a pair shares exactly these keys."""
    return " AND ".join(
        f"pairs.{column}" if shared else f"NOT pairs.{column}"
        for column, shared in zip(SHARED_KEYS, (phone, address, email), strict=True)
    )


def settled_rule_sql() -> str:
    """`rules.best_rule` as SQL for the pairs whose shared keys decide the rule: `rule_edges` gives
    them a name score of 100, so their names count as similar. NULL where the names decide."""
    whens = [
        f"WHEN {_shares(*shared)} THEN '{rule.value}'"
        for shared in product((True, False), repeat=3)
        if not needs_name(*shared) and (rule := best_rule(*shared, names_similar=True)) is not None
    ]
    return f"(CASE {' '.join(whens)} END)"


def needs_name_sql() -> str:
    """`rules.needs_name` as SQL."""
    whens = [f"WHEN {_shares(*shared)} THEN true" for shared in product((True, False), repeat=3) if needs_name(*shared)]
    return f"(CASE {' '.join(whens)} ELSE false END)"


def _rule_list_sql() -> str:
    """The rules a settled component's pairs hold, strongest first, as `concat_ws` arguments."""
    return ", ".join(
        f"CASE WHEN max(CASE WHEN edges.settled_rule = '{rule.value}' THEN 1 ELSE 0 END) = 1 THEN '{rule.value}' END"
        for rule in sorted(Rule, key=lambda r: r.rank)
    )


def _drop_work(warehouse: Warehouse) -> None:
    for table in (EDGES, COMPONENTS, FACTS):
        warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{table}")
    changed_components.drop_work(warehouse)


def stage_clusters(
    warehouse: Warehouse,
    staged: str,
    now: datetime,
    report: whole.ResolveReport,
    schema: str = names.INTERMEDIATE,
    batch_records: int | None = None,
    incremental: bool = False,
) -> None:
    """Write the record clusters of every paired record into `identity.<staged>` (which exists),
    component by component: the simple ones in SQL, the rest in Python, `batch_records` (default
    BATCH_RECORDS, or SPARK_BATCH_RECORDS on Spark) at a time. When `incremental`, only the
    components of records a change touched are settled (`changed_components`), into the table
    `whole.start_staging` made for them. Where the warehouse can, the state the next resolve
    settles its changes against is staged too (with `incremental`, that of the affected records)."""
    work = names.IDENTITY
    formats = {"work": work, "schema": schema, "edges": EDGES, "components": COMPONENTS, "facts": FACTS}
    tracked = changed_components.tracked(warehouse)
    _drop_work(warehouse)
    try:
        warehouse.execute(EDGES_SQL.format(**formats, settled_rule=settled_rule_sql(), needs_name=needs_name_sql()))
        report.pairs = warehouse.query(PAIRS_COUNT_SQL.format(schema=schema))[0][0]
        report.contradicting_pairs = report.pairs - warehouse.query(EDGES_COUNT_SQL.format(**formats))[0][0]
        only = ""
        if incremental:
            report.records_resolved_again = changed_components.stage_affected(warehouse, EDGES, schema)
            only = changed_components.AFFECTED_EDGES
        label_components(warehouse, COMPONENT_EDGES_SQL.format(**formats, where=only), work, COMPONENTS)
        default_batch = SPARK_BATCH_RECORDS if warehouse.target == "spark" else BATCH_RECORDS
        warehouse.execute(FACTS_SQL.format(**formats, batch=int(batch_records or default_batch)))
        in_sql, in_python, largest = warehouse.query(SIZES_SQL.format(**formats))[0]
        report.components_in_sql, report.components_in_python = int(in_sql or 0), int(in_python or 0)
        report.largest_component = int(largest or 0)

        settled = MEMBERS_SQL.format(**formats, where="NOT facts.needs_python")
        warehouse.execute(
            SETTLE_SQL.format(
                **formats,
                identity=names.IDENTITY,
                staged=staged,
                members=settled,
                rule_list=_rule_list_sql(),
                now=whole.timestamp_literal(now),
            )
        )
        if warehouse.target == "spark":
            from leads_pipeline.spark.identity import cluster_batches

            members, pairs, record_names = (
                sql.format(**formats, where=IN_PYTHON) for sql in (MEMBERS_SQL, BATCH_PAIRS_SQL, BATCH_NAMES_SQL)
            )
            cluster_batches(warehouse, members, pairs, record_names, staged, now, report)
        else:
            for (batch,) in warehouse.query(BATCHES_SQL.format(**formats)):
                rows = _resolve_batch(warehouse, formats, int(batch), now, report)
                warehouse.append_arrow(names.IDENTITY, staged, rows)
        if tracked:
            changed_components.stage_state(warehouse, EDGES, COMPONENTS, schema, incremental)
    finally:
        _drop_work(warehouse)


def _resolve_batch(
    warehouse: Warehouse, formats: dict[str, str], batch: int, now: datetime, report: whole.ResolveReport
) -> pa.Table:
    """The record clusters of one batch of components, read from the warehouse."""
    where = IN_BATCH.format(batch=batch)
    members = warehouse.arrow(MEMBERS_SQL.format(**formats, where=where))
    record_names = warehouse.arrow(BATCH_NAMES_SQL.format(**formats, where=where))
    pairs = warehouse.arrow(BATCH_PAIRS_SQL.format(**formats, where=where))
    return cluster_components(members, record_names, pairs, now, report)


def cluster_components(
    members: pa.Table, record_names: pa.Table, pairs: pa.Table, now: datetime, report: whole.ResolveReport
) -> pa.Table:
    """The record clusters of whole components, by the whole-graph rules and union-find: components
    are disjoint, so clustering them together or apart gives the same clusters. `members` holds
    the components' records (RECORD_COLUMNS), `record_names` their name keys (record_index,
    name_key), `pairs` their edges (PAIR_COLUMNS); other columns are ignored."""
    members = members.select(RECORD_COLUMNS).sort_by("record_index")
    indexes = members.column("record_index").to_numpy(zero_copy_only=False).astype(np.int64)
    records = whole.record_infos(members)
    del members
    names_of = whole.names_by_position(record_names, indexes, len(records))
    renumbered = whole.renumbered_pairs(pairs.select(PAIR_COLUMNS), indexes)

    counted = whole.ResolveReport()
    clusters = cluster(records, whole.rule_edges(records, names_of, renumbered, NameScorer(), counted))
    report.names_scored += counted.names_scored
    report.refused_merges += clusters.refused
    report.python_records_peak = max(report.python_records_peak, len(records))
    resolution = whole.Resolution(records=records, clusters=clusters, crm_ids=[], crm_matches=[])
    return whole.identity_tables(resolution, now)["record_clusters"]


def match_crm_leads(
    warehouse: Warehouse,
    staged: str,
    now: datetime,
    schema: str = names.INTERMEDIATE,
    incremental: bool = False,
    report: whole.ResolveReport | None = None,
) -> int:
    """Stage the CRM match of each lead in `identity.<whole.CRM_STAGED>`, from the staged clusters:
    `crm_choices` over the CRM pairs, a batch of whole CRM leads at a time, with the leads' anchors
    ranked in anchor order as among all leads; each lead keeps the CRM lead `match_crm` would
    prefer of those that chose it (`changed_crm_leads.MATCHES_SQL`, on every engine). When
    `incremental`, only the CRM leads whose inputs changed choose again (`changed_crm_leads`), and
    `report` counts them. Returns the number of matches."""
    formats = {"work": names.IDENTITY, "candidates": CRM_CANDIDATES, "schema": schema}
    _drop_crm_work(warehouse)
    whole.stage_crm_matches(warehouse)
    try:
        warehouse.execute(
            CRM_CANDIDATES_SQL.format(**formats, identity=names.IDENTITY, staged=staged, batch=CRM_BATCH_LEADS)
        )
        if warehouse.target == "spark":
            from leads_pipeline.spark.identity import crm_choices_view

            every_batch = (
                sql.format(**formats, where="TRUE") for sql in (CRM_BATCH_LEADS_SQL, CRM_BATCH_SQL, CRM_BATCH_NAMES_SQL)
            )
            choices = crm_choices_view(warehouse, *every_batch)
            return changed_crm_leads.insert_matches(warehouse, choices, whole.CRM_STAGED, whole.timestamp_literal(now))
        changed_crm_leads.stage_hashes(warehouse, CRM_CANDIDATES, schema)
        if incremental:
            again = changed_crm_leads.drop_kept(warehouse, CRM_CANDIDATES)
            if report is not None:
                report.crm_leads_matched_again = again
        for (batch,) in warehouse.query(CRM_BATCHES_SQL.format(**formats)):
            changed_crm_leads.record_choices(warehouse, _crm_batch_choices(warehouse, formats, int(batch)))
        return changed_crm_leads.stage_matches(warehouse, whole.CRM_STAGED, whole.timestamp_literal(now), incremental)
    finally:
        _drop_crm_work(warehouse)


def _drop_crm_work(warehouse: Warehouse) -> None:
    warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{CRM_CANDIDATES}")
    changed_crm_leads.drop_work(warehouse)


def _crm_batch_choices(warehouse: Warehouse, formats: dict[str, str], batch: int) -> pa.Table:
    """The choices of one batch's CRM leads, read from the warehouse (`crm_batch_choices`)."""
    where = CRM_IN_BATCH.format(batch=batch)
    return crm_batch_choices(
        *(
            warehouse.arrow(sql.format(**formats, where=where))
            for sql in (CRM_BATCH_LEADS_SQL, CRM_BATCH_SQL, CRM_BATCH_NAMES_SQL)
        )
    )


def crm_batch_choices(crm_table: pa.Table, candidates: pa.Table, record_names: pa.Table) -> pa.Table:
    """The choice of each CRM lead of one batch (`CrmBatch`) that has one, as
    `changed_crm_leads.CHOSEN_SCHEMA` rows."""
    found = CrmBatch(crm_table, candidates, record_names)
    choices = list(crm_choices(*found.arguments()).values())
    leads = [found.crm_leads[choice.crm] for choice in choices]
    return pa.table(
        [
            pa.array([found.crm_indexes[choice.crm] for choice in choices], pa.int64()),
            pa.array([found.lead_ids[choice.anchor] for choice in choices], pa.string()),
            pa.array([lead.salesforce_lead_id for lead in leads], pa.string()),
            pa.array([choice.rule.value for choice in choices], pa.string()),
            pa.array([choice.rule.rank for choice in choices], pa.int64()),
            pa.array([choice.score for choice in choices], pa.float64()),
            pa.array([lead.created_date for lead in leads], pa.date32()),
        ],
        schema=changed_crm_leads.CHOSEN_SCHEMA,
    )


class CrmBatch:
    """One batch of CRM leads and their candidates, by list position, as `crm_choices` takes them.
    `crm_table` holds the batch's CRM leads, `candidates` its rows of
    CRM_CANDIDATES_SQL, `record_names` the name keys of their records; other columns are ignored."""

    def __init__(self, crm_table: pa.Table, candidates: pa.Table, record_names: pa.Table) -> None:
        crm = whole.columns_of(crm_table.select(CRM_LEAD_COLUMNS).sort_by("crm_index"))
        self.crm_indexes: list[int] = crm.pop("crm_index")
        crm_positions = {index: position for position, index in enumerate(self.crm_indexes)}
        self.crm_leads = whole.crm_leads_of(crm)
        columns = whole.columns_of(candidates.sort_by([("crm_index", "ascending"), ("record_index", "ascending")]))

        # The leads the batch reaches, by position, with their sites and anchor ranks.
        self.lead_ids: list[str] = []
        lead_position: dict[str, int] = {}
        self.lead_site: dict[int, Site] = {}
        self.anchor_rank: dict[int, int] = {}
        record_position: dict[int, int] = {}
        self.anchor_of: list[int] = []
        for record_index, lead_id, zip_code, number, rank in zip(
            columns["record_index"],
            columns["lead_id"],
            columns["zip"],
            columns["street_number"],
            columns["anchor_rank"],
            strict=True,
        ):
            if lead_id not in lead_position:
                lead = lead_position[lead_id] = len(self.lead_ids)
                self.lead_ids.append(str(lead_id))
                self.lead_site[lead] = Site(whole.text(zip_code), whole.text(number))
                self.anchor_rank[lead] = int(rank)
            if record_index not in record_position:
                record_position[record_index] = len(self.anchor_of)
                self.anchor_of.append(lead_position[lead_id])

        record_names_of: list[list[str]] = [[] for _ in self.anchor_of]
        for index, key in zip(
            record_names.column("record_index").to_pylist(), record_names.column("name_key").to_pylist(), strict=True
        ):
            record_names_of[record_position[index]].append(key)
        self.sorted_names = [tuple(sorted(keys)) for keys in record_names_of]
        self.pairs = whole.crm_pairs_of(columns, crm_positions.__getitem__, record_position.__getitem__)

    def arguments(self) -> tuple:
        scorer = NameScorer()
        return (
            self.crm_leads,
            self.pairs,
            self.anchor_of,
            self.lead_site,
            self.anchor_rank,
            lambda c, r: scorer.score(self.crm_leads[c].name_keys, self.sorted_names[r]),
            scorer.threshold,
        )


def count_leads(warehouse: Warehouse, staged: str, report: whole.ResolveReport) -> None:
    leads, merged = warehouse.query(LEADS_SQL.format(identity=names.IDENTITY, staged=staged))[0]
    report.leads, report.merged_records = int(leads), int(merged)


def count_kept(warehouse: Warehouse, report: whole.ResolveReport) -> None:
    """Fill `report` from the identity tables a run keeps: their leads, merged records and CRM matches."""
    report.kept = True
    count_leads(warehouse, "record_clusters", report)
    report.crm_matches = int(warehouse.query(f"SELECT count(*) FROM {names.IDENTITY}.crm_matches")[0][0])


def resolve_identities(
    warehouse: Warehouse, progress: Callable[[str], None] | None = None, force: bool = False
) -> whole.ResolveReport:
    """Cluster the candidate pairs component by component, match the CRM and write the `identity`
    tables; keep the tables when nothing they were resolved from changed, and settle again only
    the components a change touched when the last resolve left its state, unless `force`."""
    began = time.monotonic()
    report = whole.ResolveReport()
    report.records = whole.check_inputs(warehouse)
    digest = resolved_inputs.inputs_digest(warehouse)
    # The digest is only ever written with the identity tables, in one transaction.
    if not force and digest is not None and digest == resolved_inputs.resolved_digest(warehouse):
        count_kept(warehouse, report)
    else:
        now = datetime.now(UTC).replace(tzinfo=None)
        incremental = not force and changed_components.usable(warehouse)
        written = whole.start_staging(warehouse, whole.RECORD_CLUSTERS_SCHEMA, in_place=incremental)
        stage_clusters(warehouse, written, now, report, incremental=incremental)
        if incremental:
            whole.stage_in_place(warehouse)
        whole.add_singletons(warehouse, now, in_place=incremental)
        count_leads(warehouse, whole.STAGED, report)
        report.crm_matches = match_crm_leads(warehouse, whole.STAGED, now, incremental=incremental, report=report)
        report.retired_ids = whole.publish(warehouse, now, digest, in_place=incremental)
    report.seconds = time.monotonic() - began
    if progress:
        progress(f"identity: {report.summary()} in {report.seconds:.1f}s")
    return report
