"""The resolve step's parts on plain columns, and the writing of the `identity` tables.

`rule_edges` applies the identity rules to candidate pairs, `resolve` clusters and matches the CRM
over a whole graph held in memory, and `write_tables` replaces the tables of the `identity` schema
in one transaction; records no pair holds are leads of their own, written in SQL. The step itself
(`by_component.resolve_identities`) runs these rules one connected component at a time;
`read_inputs` with `resolve` is the whole graph at once, which the tests and the benchmark
compare it with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.errors import LeadsError
from leads_pipeline.stages.identity import changed_components, resolved_inputs
from leads_pipeline.stages.identity.clustering import Clusters, Edge, RecordInfo, cluster
from leads_pipeline.stages.identity.crm import CrmLead, CrmPair, match_crm
from leads_pipeline.stages.identity.names import NameScorer
from leads_pipeline.stages.identity.rules import Site, best_rule, needs_name
from leads_pipeline.warehouse import Warehouse

# The first dbt phase's models the resolve step reads.
RESOLVE_INPUTS = (
    "int_source_records__current",
    "int_match_keys__collected",
    "int_record_pairs__blocked",
    "int_crm_leads__current",
    "int_crm_pairs__blocked",
)
# dbt writes the intermediate layer to <profile schema>_intermediate (generate_schema_name.sql).

# Only records and CRM leads in a candidate pair can join a cluster or match: every other record
# is a lead of its own, written by SQL, so memory follows the pairs, not all records.
PAIRED_SQL = """
    SELECT left_index AS record_index FROM {schema}.int_record_pairs__blocked
    UNION
    SELECT right_index FROM {schema}.int_record_pairs__blocked
    UNION
    SELECT record_index FROM {schema}.int_crm_pairs__blocked
"""
NUMBERING_SQL = """
    SELECT count(*), count(record_index), count(DISTINCT record_index)
    FROM {schema}.int_source_records__current
"""
RECORDS_SQL = """
    WITH paired AS ({paired})
    SELECT records.record_index, source, source_rank, natural_key, first_seen_date, zip, street_number, own_lead_id
    FROM {schema}.int_source_records__current AS records
    INNER JOIN paired ON paired.record_index = records.record_index
    ORDER BY records.record_index
"""
NAMES_SQL = """
    WITH paired AS ({paired})
    SELECT keys.record_index, keys.key_value AS name_key
    FROM {schema}.int_match_keys__collected AS keys
    INNER JOIN paired ON paired.record_index = keys.record_index
    WHERE keys.key_type = 'name'
"""
PAIRS_SQL = """
    SELECT left_index, right_index, shares_phone, shares_address, shares_email
    FROM {schema}.int_record_pairs__blocked
"""
CRM_SQL = """
    WITH paired AS (SELECT DISTINCT crm_index FROM {schema}.int_crm_pairs__blocked)
    SELECT crm.crm_index, salesforce_lead_id, zip, street_number, name_key, created_date
    FROM {schema}.int_crm_leads__current AS crm
    INNER JOIN paired ON paired.crm_index = crm.crm_index
    ORDER BY crm.crm_index
"""
CRM_PAIRS_SQL = """
    SELECT crm_index, record_index, shares_phone, shares_address, shares_email
    FROM {schema}.int_crm_pairs__blocked
"""
# Where the next record clusters, CRM matches and retired ids are written before they replace the
# current ones.
STAGED = "record_clusters__next"
CRM_STAGED = "crm_matches__next"
RETIRED_STAGED = "retired_lead_ids__next"
# The identity tables, each with the table it is staged in before it replaces it.
PUBLISHED = (("record_clusters", STAGED), ("crm_matches", CRM_STAGED), ("retired_lead_ids", RETIRED_STAGED))
# A resolve that settles again only the components a change touched writes only their clusters,
# in CHANGED, and STAGED is a view of the next clusters: the current ones but those of the
# affected records (`changed_components.RECORDS_REPLACED`), and the changed. Publishing then
# updates `record_clusters` in place instead of copying the rows nothing touched.
CHANGED = "record_clusters__changed"
CLUSTERS_KEY = ("source", "natural_key")
NEXT_VIEW_SQL = """
    CREATE VIEW {identity}.{staged} AS
    SELECT {columns} FROM {identity}.record_clusters AS clusters
    WHERE NOT EXISTS (
        SELECT 1 FROM {identity}.{replaced} AS replaced
        WHERE replaced.source = clusters.source AND replaced.natural_key = clusters.natural_key
    )
    UNION ALL
    SELECT {columns} FROM {identity}.{changed}
"""
# The records the paired ones written so far (`table`, all the next clusters) leave out: each is
# the anchor of its own lead, written into `target`.
SINGLETONS_SQL = """
    INSERT INTO {identity}.{target} (source, natural_key, lead_id, own_lead_id, is_anchor, match_rule, resolved_at)
    SELECT records.source, records.natural_key, records.own_lead_id, records.own_lead_id,
        true, NULL, CAST('{now}' AS TIMESTAMP)
    FROM {schema}.int_source_records__current AS records
    WHERE {unpaired}
"""
UNPAIRED = """NOT EXISTS (
        SELECT 1 FROM {identity}.{table} AS paired
        WHERE paired.source = records.source AND paired.natural_key = records.natural_key
    )"""
# Staged in place, every record but the affected ones keeps its current row (the last resolve
# wrote one for each record then current; a record since is touched): only they are looked at.
UNPAIRED_IN_PLACE = """records.record_index IN (SELECT record_index FROM {identity}.{replaced})
    AND NOT EXISTS (
        SELECT 1 FROM {identity}.{changed} AS paired
        WHERE paired.source = records.source AND paired.natural_key = records.natural_key
    )"""
# Ids no lead holds any more, each with the lead that holds its anchor record now (a lead id is
# its anchor record's own id, so every id ever given maps back to that record). An id retired
# before keeps its first retirement time; an id that is a lead's again leaves the list.
RETIRED_SQL = """
    WITH owners AS (
        SELECT own_lead_id AS own_id, source, natural_key, lead_id
        FROM {identity}.{table}
    ),
    candidates AS ({candidates}),
    chosen AS (
        SELECT lead_id, retired_at,
            row_number() OVER (PARTITION BY lead_id ORDER BY precedence, retired_at) AS pick
        FROM candidates
        WHERE NOT EXISTS (SELECT 1 FROM {identity}.{table} AS next WHERE next.lead_id = candidates.lead_id)
    )
    SELECT chosen.lead_id, owners.source AS anchor_source, owners.natural_key AS anchor_natural_key,
        owners.lead_id AS replaced_by_lead_id, chosen.retired_at
    FROM chosen
    INNER JOIN owners ON owners.own_id = chosen.lead_id
    WHERE chosen.pick = 1
    ORDER BY chosen.lead_id
"""
RECORD_CLUSTERS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("natural_key", pa.string()),
        ("lead_id", pa.string()),
        ("own_lead_id", pa.string()),
        ("is_anchor", pa.bool_()),
        ("match_rule", pa.string()),
        ("resolved_at", pa.timestamp("us")),
    ]
)
CRM_MATCHES_SCHEMA = pa.schema(
    [
        ("lead_id", pa.string()),
        ("salesforce_lead_id", pa.string()),
        ("match_rule", pa.string()),
        ("resolved_at", pa.timestamp("us")),
    ]
)
RETIRED_SCHEMA = pa.schema(
    [
        ("lead_id", pa.string()),
        ("anchor_source", pa.string()),
        ("anchor_natural_key", pa.string()),
        ("replaced_by_lead_id", pa.string()),
        ("retired_at", pa.timestamp("us")),
    ]
)


@dataclass
class ResolveReport:
    records: int = 0
    pairs: int = 0
    names_scored: int = 0
    contradicting_pairs: int = 0
    leads: int = 0
    merged_records: int = 0
    refused_merges: int = 0
    crm_matches: int = 0
    retired_ids: int = 0
    # Connected components of the candidate pairs: settled in SQL, or read into Python in batches
    # of whole components (the most records one batch held); the largest one's records.
    components_in_sql: int = 0
    components_in_python: int = 0
    largest_component: int = 0
    python_records_peak: int = 0
    # The records of the components a change touched, settled again; None when all were.
    records_resolved_again: int | None = None
    # The CRM leads whose inputs changed, matched again; None when all were.
    crm_leads_matched_again: int | None = None
    seconds: float = 0.0
    # Whether the identity tables were kept: nothing they were resolved from had changed.
    kept: bool = False

    def summary(self) -> str:
        if self.kept:
            return (
                f"{self.records:,} records; the records, match keys, candidate pairs and CRM leads are "
                f"those of the last resolve: its {self.leads:,} leads and {self.crm_matches:,} CRM matches kept"
            )
        return (
            f"{self.records:,} records, {self.pairs:,} candidate pairs -> {self.leads:,} leads "
            f"({self.merged_records:,} records merged; {self.contradicting_pairs:,} pairs and "
            f"{self.refused_merges:,} merges kept apart by contradicting addresses), "
            f"{self.crm_matches:,} CRM matches, {self.retired_ids:,} lead ids retired; "
            f"components: {self.components_in_sql:,} settled in SQL, {self.components_in_python:,} in Python, "
            f"the largest {self.largest_component:,} records"
            + (
                ""
                if self.records_resolved_again is None
                else f" (of the {self.records_resolved_again:,} records a change touched; the rest kept)"
            )
            + (
                ""
                if self.crm_leads_matched_again is None
                else f"; {self.crm_leads_matched_again:,} CRM leads whose inputs changed matched again"
            )
        )


@dataclass
class Resolution:
    """The result of one resolve, before it is written."""

    records: list[RecordInfo]
    clusters: Clusters
    crm_ids: list[str]
    crm_matches: list[tuple[int, int, str]]  # (anchor index, crm index, rule)

    def lead_ids(self) -> list[str | None]:
        return [self.records[anchor].own_lead_id for anchor in self.clusters.anchor_of]


def columns_of(table: pa.Table) -> dict[str, list]:
    return {name: table.column(name).to_pylist() for name in table.column_names}


def text(value: object) -> str | None:
    return None if value is None else str(value)


def day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def rule_edges(
    records: list[RecordInfo],
    names: list[tuple[str, ...]],
    pairs: dict[str, list],
    scorer: NameScorer,
    report: ResolveReport,
) -> list[Edge]:
    """The candidate pairs that satisfy a rule, with their strongest rule and name score.

    Pairs whose addresses contradict are dropped here; names are scored only where they decide.
    """
    edges: list[Edge] = []
    for left, right, phone, address, email in zip(
        pairs["left_index"],
        pairs["right_index"],
        pairs["shares_phone"],
        pairs["shares_address"],
        pairs["shares_email"],
        strict=True,
    ):
        a, b = left - 1, right - 1
        if records[a].site.contradicts(records[b].site):
            report.contradicting_pairs += 1
            continue
        score = 100.0
        if needs_name(phone, address, email):
            score = scorer.score(names[a], names[b])
            report.names_scored += 1
        rule = best_rule(phone, address, email, scorer.similar(score))
        if rule is not None:
            edges.append(Edge(a, b, rule, score if rule.needs_name else 100.0))
    report.pairs = len(pairs["left_index"])
    return edges


def crm_pairs_of(
    columns: dict[str, list], crm_at: Callable[[int], int], record_at: Callable[[int], int]
) -> Iterator[CrmPair]:
    """The CRM pairs of `columns`, their CRM lead and record indexes mapped to list positions."""
    for c, r, p, a, e in zip(
        columns["crm_index"],
        columns["record_index"],
        columns["shares_phone"],
        columns["shares_address"],
        columns["shares_email"],
        strict=True,
    ):
        yield CrmPair(crm_at(c), record_at(r), bool(p), bool(a), bool(e))


def crm_leads_of(crm: dict[str, list]) -> list[CrmLead]:
    return [
        CrmLead(
            salesforce_lead_id=str(crm_id),
            site=Site(text(zip_code), text(number)),
            name_keys=(name,) if name else (),
            created_date=day(created) if created is not None else None,
        )
        for crm_id, zip_code, number, name, created in zip(
            crm["salesforce_lead_id"],
            crm["zip"],
            crm["street_number"],
            crm["name_key"],
            crm["created_date"],
            strict=True,
        )
    ]


def resolve(
    records: list[RecordInfo],
    names: list[tuple[str, ...]],
    pairs: dict[str, list],
    crm: dict[str, list],
    crm_pairs: dict[str, list],
    report: ResolveReport | None = None,
) -> Resolution:
    """Rules, clusters and CRM matches from plain columns (see `resolve_identities` for the I/O)."""
    report = report or ResolveReport()
    scorer = NameScorer()
    clusters = cluster(records, rule_edges(records, names, pairs, scorer, report))
    report.records = len(records)
    report.refused_merges = clusters.refused
    members = clusters.members()
    report.leads = len(members)
    report.merged_records = sum(len(m) for m in members.values() if len(m) > 1)

    crm_leads = crm_leads_of(crm)
    lead_site = {anchor: _cluster_site(records, group) for anchor, group in members.items()}
    order = sorted(members, key=lambda a: records[a].anchor_order)
    anchor_rank = {anchor: rank for rank, anchor in enumerate(order)}
    matches = match_crm(
        crm_leads,
        crm_pairs_of(crm_pairs, lambda c: c - 1, lambda r: r - 1),
        clusters.anchor_of,
        lead_site,
        anchor_rank,
        lambda c, r: scorer.score(crm_leads[c].name_keys, names[r]),
        scorer.threshold,
    )
    report.crm_matches = len(matches)
    return Resolution(
        records=records,
        clusters=clusters,
        crm_ids=[lead.salesforce_lead_id for lead in crm_leads],
        crm_matches=[(m.anchor, m.crm, m.rule.value) for m in matches],
    )


def _cluster_site(records: list[RecordInfo], group: list[int]) -> Site:
    zip_code = next((records[i].site.zip for i in group if records[i].site.zip is not None), None)
    number = next((records[i].site.street_number for i in group if records[i].site.street_number is not None), None)
    return Site(zip_code, number)


@dataclass
class Inputs:
    """The resolve step's inputs: the records and CRM leads some candidate pair holds, renumbered
    1..n in the pairs, and how many records there are in all."""

    records: list[RecordInfo]
    names: list[tuple[str, ...]]
    pairs: dict[str, list]
    crm: dict[str, list]
    crm_pairs: dict[str, list]
    total_records: int

    def columns(self) -> tuple:
        """The arguments of `resolve`."""
        return self.records, self.names, self.pairs, self.crm, self.crm_pairs


def _renumber(indexes: pa.ChunkedArray, kept: np.ndarray) -> list[int]:
    """1-based positions in `kept` (sorted) of warehouse indexes that `kept` holds."""
    values = indexes.to_numpy(zero_copy_only=False).astype(np.int64)
    return (np.searchsorted(kept, values) + 1).tolist()


class _Shared:
    """One object per distinct value: millions of records hold a few thousand zips and dates."""

    def __init__(self) -> None:
        self._values: dict = {}

    def __call__(self, value):
        return self._values.setdefault(value, value)


def check_inputs(warehouse: Warehouse, schema: str = names.INTERMEDIATE) -> int:
    """The number of source records, once the first dbt phase's tables are there and give each
    record a number of its own."""
    for table in RESOLVE_INPUTS:
        if not warehouse.table_exists(schema, table):
            raise LeadsError(
                f"identity resolution needs {schema}.{table}, which does not exist: build the first dbt "
                "phase first (`leads transform` does both)"
            )
    total, numbered, distinct = warehouse.query(NUMBERING_SQL.format(schema=schema))[0]
    if (numbered, distinct) != (total, total):
        raise LeadsError(
            f"{schema}.int_source_records__current: record_index must give each record a number of its own"
        )
    return int(total)


def record_infos(table: pa.Table) -> list[RecordInfo]:
    """Records from rows of (record_index, source, source_rank, natural_key, first_seen_date, zip,
    street_number, own_lead_id), in row order."""
    shared = _Shared()
    return [
        RecordInfo(
            source=shared(str(source)),
            natural_key=str(key),
            source_rank=int(rank),
            first_seen_date=shared(day(first_seen)),
            site=shared(Site(shared(text(zip_code)), shared(text(number)))),
            own_lead_id=str(own_id),
        )
        for source, rank, key, first_seen, zip_code, number, own_id in zip(
            *(table.column(name).to_pylist() for name in table.column_names[1:]), strict=True
        )
    ]


def names_by_position(name_rows: pa.Table, record_indexes: np.ndarray, count: int) -> list[tuple[str, ...]]:
    """Each record's name keys, sorted, from (record_index, name_key) rows; `record_indexes` are
    the records' warehouse indexes in order."""
    keys: list[list[str]] = [[] for _ in range(count)]
    positions = _renumber(name_rows.column("record_index"), record_indexes)
    for position, key in zip(positions, name_rows.column("name_key").to_pylist(), strict=True):
        keys[position - 1].append(key)
    return [tuple(sorted(found)) for found in keys]


def renumbered_pairs(pairs_table: pa.Table, record_indexes: np.ndarray) -> dict[str, list]:
    """Candidate pairs as columns, their records renumbered 1..n as in `record_indexes`."""
    pairs = columns_of(pairs_table.drop_columns(["left_index", "right_index"]))
    pairs["left_index"] = _renumber(pairs_table.column("left_index"), record_indexes)
    pairs["right_index"] = _renumber(pairs_table.column("right_index"), record_indexes)
    return pairs


def read_inputs(warehouse: Warehouse, schema: str = names.INTERMEDIATE) -> Inputs:
    """The whole graph's inputs from the first dbt phase's tables: paired records, their name keys,
    candidate pairs, paired CRM leads and CRM pairs (the last three as columns)."""
    total = check_inputs(warehouse, schema)
    paired = PAIRED_SQL.format(schema=schema)

    table = warehouse.arrow(RECORDS_SQL.format(schema=schema, paired=paired))
    record_indexes = table.column("record_index").to_numpy(zero_copy_only=False).astype(np.int64)
    records = record_infos(table)
    del table

    name_rows = warehouse.arrow(NAMES_SQL.format(schema=schema, paired=paired))
    sorted_names = names_by_position(name_rows, record_indexes, len(records))
    del name_rows

    pairs_table = warehouse.arrow(PAIRS_SQL.format(schema=schema))
    pairs = renumbered_pairs(pairs_table, record_indexes)
    del pairs_table

    crm_table = warehouse.arrow(CRM_SQL.format(schema=schema))
    crm_indexes = crm_table.column("crm_index").to_numpy(zero_copy_only=False).astype(np.int64)
    crm = columns_of(crm_table)
    crm_pairs_table = warehouse.arrow(CRM_PAIRS_SQL.format(schema=schema))
    crm_pairs = columns_of(crm_pairs_table.drop_columns(["crm_index", "record_index"]))
    crm_pairs["crm_index"] = _renumber(crm_pairs_table.column("crm_index"), crm_indexes)
    crm_pairs["record_index"] = _renumber(crm_pairs_table.column("record_index"), record_indexes)
    return Inputs(records, sorted_names, pairs, crm, crm_pairs, total)


def identity_tables(resolution: Resolution, now: datetime) -> dict[str, pa.Table]:
    """The rows of one resolution: the paired records' clusters and the CRM matches."""
    records = resolution.records
    anchor_of = resolution.clusters.anchor_of
    ids = resolution.lead_ids()
    rule_of = {anchor: resolution.clusters.match_rule(anchor) for anchor in set(anchor_of)}
    record_clusters = pa.table(
        {
            "source": pa.array([r.source for r in records], pa.string()),
            "natural_key": pa.array([r.natural_key for r in records], pa.string()),
            "lead_id": pa.array(ids, pa.string()),
            "own_lead_id": pa.array([r.own_lead_id for r in records], pa.string()),
            "is_anchor": pa.array([anchor_of[i] == i for i in range(len(records))], pa.bool_()),
            "match_rule": pa.array([rule_of[a] for a in anchor_of], pa.string()),
            "resolved_at": pa.array([now] * len(records), pa.timestamp("us")),
        }
    )
    crm_matches = pa.table(
        {
            "lead_id": pa.array([ids[anchor] for anchor, _, _ in resolution.crm_matches], pa.string()),
            "salesforce_lead_id": pa.array([resolution.crm_ids[c] for _, c, _ in resolution.crm_matches], pa.string()),
            "match_rule": pa.array([rule for _, _, rule in resolution.crm_matches], pa.string()),
            "resolved_at": pa.array([now] * len(resolution.crm_matches), pa.timestamp("us")),
        }
    )
    return {"record_clusters": record_clusters, "crm_matches": crm_matches}


def timestamp_literal(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")


def stage_retired_lead_ids(warehouse: Warehouse, clusters_table: str, now: datetime, in_place: bool = False) -> int:
    """Write `identity.<RETIRED_STAGED>`: the ids no lead of `clusters_table` (the new record
    clusters) holds, from the current identity tables (see RETIRED_SQL), in the warehouse. Returns
    their number. Staged in place, only an id of an affected record's row can stop being held."""
    candidates = []
    if warehouse.table_exists(names.IDENTITY, "retired_lead_ids"):
        candidates.append(f"SELECT lead_id, retired_at, 0 AS precedence FROM {names.IDENTITY}.retired_lead_ids")
    if warehouse.table_exists(names.IDENTITY, "record_clusters"):
        replaced = (
            f" AS clusters INNER JOIN {names.IDENTITY}.{changed_components.RECORDS_REPLACED} AS replaced"
            " ON replaced.source = clusters.source AND replaced.natural_key = clusters.natural_key"
            if in_place
            else ""
        )
        candidates.append(
            f"SELECT DISTINCT lead_id, CAST('{timestamp_literal(now)}' AS TIMESTAMP) AS retired_at, "
            f"1 AS precedence FROM {names.IDENTITY}.record_clusters{replaced}"
        )
    warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{RETIRED_STAGED}")
    warehouse.create_table_like(names.IDENTITY, RETIRED_STAGED, RETIRED_SCHEMA)
    if not candidates:
        return 0
    sql = RETIRED_SQL.format(identity=names.IDENTITY, table=clusters_table, candidates=" UNION ALL ".join(candidates))
    columns = ", ".join(RETIRED_SCHEMA.names)
    warehouse.execute(
        f"INSERT INTO {names.IDENTITY}.{RETIRED_STAGED} ({columns}) SELECT {columns} FROM ({sql}) AS retired"
    )
    return int(warehouse.query(f"SELECT count(*) FROM {names.IDENTITY}.{RETIRED_STAGED}")[0][0])


def stage_crm_matches(warehouse: Warehouse, crm_matches: pa.Table | None = None) -> None:
    """An empty `identity.<CRM_STAGED>` for the next CRM matches, filled with `crm_matches` if given."""
    warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{CRM_STAGED}")
    warehouse.create_table_like(names.IDENTITY, CRM_STAGED, CRM_MATCHES_SCHEMA)
    if crm_matches is not None:
        warehouse.append_arrow(names.IDENTITY, CRM_STAGED, crm_matches)


def start_staging(warehouse: Warehouse, schema: pa.Schema, in_place: bool = False) -> str:
    """An empty `identity` table for the next record clusters, beside the current ones (with
    `in_place`, for the clusters of the components settled again only: `stage_in_place`); its
    name. What a resolve that did not finish left is dropped first."""
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {names.IDENTITY}")
    drop_in_place_staging(warehouse)
    for table in (STAGED, *(staged for _, staged in changed_components.STATES)):
        warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{table}")
    written = CHANGED if in_place else STAGED
    warehouse.create_table_like(names.IDENTITY, written, schema)
    return written


def drop_in_place_staging(warehouse: Warehouse) -> None:
    """Drop the view of the next clusters (there only beside CHANGED), then the tables it reads."""
    if warehouse.table_exists(names.IDENTITY, CHANGED):
        warehouse.execute(f"DROP VIEW IF EXISTS {names.IDENTITY}.{STAGED}")
    warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{CHANGED}")
    changed_components.drop_in_place(warehouse)


def stage_in_place(warehouse: Warehouse) -> None:
    """Make `identity.<STAGED>` the view of the next clusters, from the clusters written into
    `identity.<CHANGED>` and the affected records the state staged."""
    columns = ", ".join(RECORD_CLUSTERS_SCHEMA.names)
    warehouse.execute(
        NEXT_VIEW_SQL.format(
            identity=names.IDENTITY,
            staged=STAGED,
            replaced=changed_components.RECORDS_REPLACED,
            changed=CHANGED,
            columns=columns,
        )
    )


def add_singletons(
    warehouse: Warehouse, now: datetime, schema: str = names.INTERMEDIATE, in_place: bool = False
) -> None:
    """Give every record the staged clusters leave out a lead of its own."""
    formats = {
        "identity": names.IDENTITY,
        "table": STAGED,
        "changed": CHANGED,
        "replaced": changed_components.RECORDS_REPLACED,
    }
    warehouse.execute(
        SINGLETONS_SQL.format(
            identity=names.IDENTITY,
            target=CHANGED if in_place else STAGED,
            unpaired=(UNPAIRED_IN_PLACE if in_place else UNPAIRED).format(**formats),
            schema=schema,
            now=timestamp_literal(now),
        )
    )


def publish(warehouse: Warehouse, now: datetime, digest: str | None = None, in_place: bool = False) -> int:
    """Replace the identity tables with the staged clusters and CRM matches, and the retired ids
    found against the tables being replaced, together: readers see the old set or the new one.
    Staged `in_place` (`stage_in_place`), the clusters and the records' state are updated
    instead: the affected records' rows deleted, their new ones inserted.
    Every table is staged in the warehouse first, so nothing passes through this process. With
    them goes the digest of the inputs they were resolved from (`resolved_inputs`), or none.
    Returns the number of retired ids."""
    retired = stage_retired_lead_ids(warehouse, STAGED, now, in_place)
    # The state a later resolve settles its changes against goes with them; where this resolve
    # staged none, the old state is dropped: it describes the tables being replaced.
    states = {name: staged for name, staged in changed_components.STATES}
    staged_states = {name for name, staged in states.items() if warehouse.table_exists(names.IDENTITY, staged)}
    updated = {"record_clusters", changed_components.RECORDS_STATE} if in_place else set()
    with warehouse.transaction():
        if in_place:
            changed_components.update_in_place(
                warehouse, "record_clusters", CHANGED, RECORD_CLUSTERS_SCHEMA.names, CLUSTERS_KEY
            )
            changed_components.publish_records_in_place(warehouse)
            drop_in_place_staging(warehouse)
        for name, staged in [*PUBLISHED, *states.items()]:
            if name in updated:
                continue
            warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{name}")
            if name not in states or name in staged_states:
                warehouse.execute(f"ALTER TABLE {names.IDENTITY}.{staged} RENAME TO {name}")
        resolved_inputs.record(warehouse, digest)
    return retired


def write_tables(
    warehouse: Warehouse, tables: dict[str, pa.Table], now: datetime, schema: str = names.INTERMEDIATE
) -> int:
    """Write a whole-graph resolution (`identity_tables`) as the identity tables, with a row for
    every record no pair holds. Returns the number of retired ids."""
    start_staging(warehouse, tables["record_clusters"].schema)
    warehouse.append_arrow(names.IDENTITY, STAGED, tables["record_clusters"])
    add_singletons(warehouse, now, schema)
    stage_crm_matches(warehouse, tables["crm_matches"])
    return publish(warehouse, now)
