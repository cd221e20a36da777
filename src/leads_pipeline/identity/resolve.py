"""The resolve step between dbt's two phases: candidate pairs in, record clusters out.

Reads what the first phase built in `main_intermediate` (every source record's current version,
the name keys of all its versions, the candidate pairs that share a phone or an address, the CRM's
current leads and their candidate pairs), applies the identity rules, clusters, matches the CRM,
and replaces the tables of the `identity` schema in one transaction. The second dbt phase builds
the marts from them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyarrow as pa

from leads_pipeline.errors import LeadsError
from leads_pipeline.identity.clustering import Clusters, Edge, RecordInfo, cluster, lead_id
from leads_pipeline.identity.crm import CrmLead, CrmPair, match_crm
from leads_pipeline.identity.names import NameScorer
from leads_pipeline.identity.rules import Site, best_rule, needs_name
from leads_pipeline.warehouse import Warehouse

IDENTITY_SCHEMA = "identity"
# dbt writes the intermediate layer to <profile schema>_intermediate (generate_schema_name.sql).
INTERMEDIATE_SCHEMA = "main_intermediate"

RECORDS_SQL = """
    SELECT record_index, source, source_rank, natural_key, first_seen_date, zip, street_number
    FROM {schema}.int_source_records__current
    ORDER BY record_index
"""
NAMES_SQL = """
    SELECT record_index, key_value AS name_key
    FROM {schema}.int_match_keys__collected
    WHERE key_type = 'name'
"""
PAIRS_SQL = """
    SELECT left_index, right_index, shares_phone, shares_address, shares_email
    FROM {schema}.int_record_pairs__blocked
"""
CRM_SQL = """
    SELECT crm_index, salesforce_lead_id, zip, street_number, name_key, created_date
    FROM {schema}.int_crm_leads__current
    ORDER BY crm_index
"""
CRM_PAIRS_SQL = """
    SELECT crm_index, record_index, shares_phone, shares_address, shares_email
    FROM {schema}.int_crm_pairs__blocked
"""


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
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.records:,} records, {self.pairs:,} candidate pairs -> {self.leads:,} leads "
            f"({self.merged_records:,} records merged; {self.contradicting_pairs:,} pairs and "
            f"{self.refused_merges:,} merges kept apart by contradicting addresses), "
            f"{self.crm_matches:,} CRM matches, {self.retired_ids:,} lead ids retired"
        )


@dataclass
class Resolution:
    """The result of one resolve, before it is written."""

    records: list[RecordInfo]
    clusters: Clusters
    crm_ids: list[str]
    crm_matches: list[tuple[int, int, str]]  # (anchor index, crm index, rule)

    def lead_ids(self) -> list[str]:
        ids = [lead_id(r.source, r.natural_key) for r in self.records]
        return [ids[anchor] for anchor in self.clusters.anchor_of]


def _columns(table: pa.Table) -> dict[str, list]:
    return {name: table.column(name).to_pylist() for name in table.column_names}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _day(value: object) -> date:
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


def crm_leads_of(crm: dict[str, list]) -> list[CrmLead]:
    return [
        CrmLead(
            salesforce_lead_id=str(crm_id),
            site=Site(_text(zip_code), _text(number)),
            name_keys=(name,) if name else (),
            created_date=_day(created) if created is not None else None,
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
    candidates = (
        CrmPair(c - 1, r - 1, bool(p), bool(a), bool(e))
        for c, r, p, a, e in zip(
            crm_pairs["crm_index"],
            crm_pairs["record_index"],
            crm_pairs["shares_phone"],
            crm_pairs["shares_address"],
            crm_pairs["shares_email"],
            strict=True,
        )
    )
    matches = match_crm(
        crm_leads,
        candidates,
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


Inputs = tuple[list[RecordInfo], list[tuple[str, ...]], dict[str, list], dict[str, list], dict[str, list]]


def read_inputs(warehouse: Warehouse, schema: str = INTERMEDIATE_SCHEMA) -> Inputs:
    """The resolve step's inputs from the first dbt phase's tables: records, their name keys,
    candidate pairs, CRM leads and CRM pairs (the last three as columns)."""
    for table in (
        "int_source_records__current",
        "int_match_keys__collected",
        "int_record_pairs__blocked",
        "int_crm_leads__current",
        "int_crm_pairs__blocked",
    ):
        if not warehouse.table_exists(schema, table):
            raise LeadsError(
                f"identity resolution needs {schema}.{table}, which does not exist: build the first dbt "
                "phase first (`leads transform` does both)"
            )
    raw = _columns(warehouse.arrow(RECORDS_SQL.format(schema=schema)))
    if raw["record_index"] != list(range(1, len(raw["record_index"]) + 1)):
        raise LeadsError(f"{schema}.int_source_records__current: record_index must number the records 1..n")
    records = [
        RecordInfo(
            source=str(source),
            natural_key=str(key),
            source_rank=int(rank),
            first_seen_date=_day(first_seen),
            site=Site(_text(zip_code), _text(number)),
        )
        for source, key, rank, first_seen, zip_code, number in zip(
            raw["source"],
            raw["natural_key"],
            raw["source_rank"],
            raw["first_seen_date"],
            raw["zip"],
            raw["street_number"],
            strict=True,
        )
    ]
    names: list[list[str]] = [[] for _ in records]
    name_rows = _columns(warehouse.arrow(NAMES_SQL.format(schema=schema)))
    for index, key in zip(name_rows["record_index"], name_rows["name_key"], strict=True):
        names[index - 1].append(key)
    sorted_names = [tuple(sorted(keys)) for keys in names]
    pairs = _columns(warehouse.arrow(PAIRS_SQL.format(schema=schema)))
    crm = _columns(warehouse.arrow(CRM_SQL.format(schema=schema)))
    crm_pairs = _columns(warehouse.arrow(CRM_PAIRS_SQL.format(schema=schema)))
    return records, sorted_names, pairs, crm, crm_pairs


def identity_tables(
    resolution: Resolution, previous: dict[str, str], retired_before: dict[str, list], now: datetime
) -> dict[str, pa.Table]:
    """The identity tables of one resolution; `previous` maps record key -> lead id of the last run."""
    records = resolution.records
    anchor_of = resolution.clusters.anchor_of
    ids = resolution.lead_ids()
    rule_of = {anchor: resolution.clusters.match_rule(anchor) for anchor in set(anchor_of)}
    record_clusters = pa.table(
        {
            "source": pa.array([r.source for r in records], pa.string()),
            "natural_key": pa.array([r.natural_key for r in records], pa.string()),
            "lead_id": pa.array(ids, pa.string()),
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

    retired_ids = retired_lead_ids(records, ids, previous, retired_before, now)
    return {"record_clusters": record_clusters, "crm_matches": crm_matches, "retired_lead_ids": retired_ids}


def retired_lead_ids(
    records: list[RecordInfo],
    ids: list[str],
    previous: dict[str, str],
    retired_before: dict[str, list],
    now: datetime,
) -> pa.Table:
    """Ids no lead holds any more (their lead merged into an older one), and the lead that holds
    their anchor record now. Kept from run to run; an id that comes back (a late older file moved
    the anchor back) leaves the list."""
    # A lead id is the hash of its anchor record, so every id ever given maps to that record.
    own_id = {lead_id(r.source, r.natural_key): i for i, r in enumerate(records)}
    active = set(ids)
    retired: dict[str, tuple[int, datetime]] = {}
    for old_id, retired_at in zip(retired_before.get("lead_id", []), retired_before.get("retired_at", []), strict=True):
        if old_id not in active and old_id in own_id:
            retired[old_id] = (own_id[old_id], retired_at)
    for old_id in set(previous.values()) - active:
        if old_id in own_id and old_id not in retired:
            retired[old_id] = (own_id[old_id], now)
    kept = sorted(retired.items())
    return pa.table(
        {
            "lead_id": pa.array([k for k, _ in kept], pa.string()),
            "anchor_source": pa.array([records[i].source for _, (i, _) in kept], pa.string()),
            "anchor_natural_key": pa.array([records[i].natural_key for _, (i, _) in kept], pa.string()),
            "replaced_by_lead_id": pa.array([ids[i] for _, (i, _) in kept], pa.string()),
            "retired_at": pa.array([t for _, (_, t) in kept], pa.timestamp("us")),
        }
    )


def read_previous(warehouse: Warehouse) -> tuple[dict[str, str], dict[str, list]]:
    previous: dict[str, str] = {}
    retired: dict[str, list] = {}
    if warehouse.table_exists(IDENTITY_SCHEMA, "record_clusters"):
        rows = warehouse.query(f"SELECT source, natural_key, lead_id FROM {IDENTITY_SCHEMA}.record_clusters")
        previous = {f"{source}:{key}": lead for source, key, lead in rows}
    if warehouse.table_exists(IDENTITY_SCHEMA, "retired_lead_ids"):
        retired = _columns(warehouse.arrow(f"SELECT lead_id, retired_at FROM {IDENTITY_SCHEMA}.retired_lead_ids"))
    return previous, retired


def write_tables(warehouse: Warehouse, tables: dict[str, pa.Table]) -> None:
    """Replace the identity tables together: readers see the old set or the new one."""
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {IDENTITY_SCHEMA}")
    warehouse.begin()
    try:
        for name, data in tables.items():
            warehouse.execute(f"DROP TABLE IF EXISTS {IDENTITY_SCHEMA}.{name}")
            warehouse.create_table_like(IDENTITY_SCHEMA, name, data.schema)
            warehouse.append_arrow(IDENTITY_SCHEMA, name, data)
        warehouse.commit()
    except Exception:
        warehouse.rollback()
        raise


def resolve_identities(warehouse: Warehouse, progress: Callable[[str], None] | None = None) -> ResolveReport:
    """Read the candidate pairs, cluster, match the CRM and write the `identity` tables."""
    began = time.monotonic()
    report = ResolveReport()
    records, names, pairs, crm, crm_pairs = read_inputs(warehouse)
    resolution = resolve(records, names, pairs, crm, crm_pairs, report)
    previous, retired_before = read_previous(warehouse)
    tables = identity_tables(resolution, previous, retired_before, datetime.now(UTC).replace(tzinfo=None))
    write_tables(warehouse, tables)
    report.retired_ids = tables["retired_lead_ids"].num_rows
    report.seconds = time.monotonic() - began
    if progress:
        progress(f"identity: {report.summary()} in {report.seconds:.1f}s")
    return report
