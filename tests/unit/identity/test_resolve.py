"""The resolve step on plain columns: pairs scored, rules applied, clusters and CRM matches."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import duckdb

from leads_pipeline.stages.identity.clustering import RecordInfo
from leads_pipeline.stages.identity.names import NameScorer
from leads_pipeline.stages.identity.resolve import RETIRED_SCHEMA, RETIRED_STAGED, resolve, stage_retired_lead_ids
from leads_pipeline.stages.identity.rules import Site
from leads_pipeline.stages.lookups.parsers import name_key, name_similarity
from leads_pipeline.warehouse import Warehouse

NOV = date(2024, 11, 1)


def records(*rows):
    """(source, key, zip, number, name) -> records and their name keys."""
    infos = [RecordInfo(s, k, int(s[-1]), NOV, Site(z, n), f"{s}:{k}") for s, k, z, n, _ in rows]
    names = [(name_key(name),) for *_, name in rows]
    return infos, names


def pairs(*rows):
    """(left, right, phone, address, email) with 1-based record indices, as dbt writes them."""
    columns = ("left_index", "right_index", "shares_phone", "shares_address", "shares_email")
    return {c: [row[i] for row in rows] for i, c in enumerate(columns)}


def crm(*rows):
    columns = ("salesforce_lead_id", "zip", "street_number", "name_key", "created_date")
    return {c: [row[i] for row in rows] for i, c in enumerate(columns)}


def crm_pairs(*rows):
    columns = ("crm_index", "record_index", "shares_phone", "shares_address", "shares_email")
    return {c: [row[i] for row in rows] for i, c in enumerate(columns)}


NO_CRM = crm()
NO_CRM_PAIRS = crm_pairs()


def groups(resolution) -> set[frozenset[str]]:
    members = resolution.clusters.members()
    return {frozenset(resolution.records[i].natural_key for i in group) for group in members.values()}


def test_phone_and_similar_name_merge_a_respelled_street():
    recs, names = records(
        ("source_1", "1", "89123", "8889", "Little Sprouts Learning Center, LLC"),
        ("source_3", "2", "89123", "8889", "LITTLE SPROUTS LEARNING CTR"),
    )
    result = resolve(recs, names, pairs((1, 2, True, False, False)), NO_CRM, NO_CRM_PAIRS)
    assert groups(result) == {frozenset({"1", "2"})}
    assert result.clusters.match_rule(result.clusters.anchor_of[0]) == "phone+name"


def test_a_shared_phone_with_another_name_stays_apart():
    recs, names = records(
        ("source_1", "1", "89123", "8889", "EOS FITNESS KIDS CLUB"),
        ("source_1", "2", "89123", "8889", "SUNSHINE DAYCARE"),
    )
    result = resolve(recs, names, pairs((1, 2, True, False, False)), NO_CRM, NO_CRM_PAIRS)
    assert groups(result) == {frozenset({"1"}), frozenset({"2"})}


def test_sister_sites_sharing_phone_email_and_name_stay_apart():
    recs, names = records(
        ("source_2", "K1", "73101", "100", "Smith Child Care Center"),
        ("source_2", "K2", "73101", "215", "Smith Child Care Center"),
    )
    result = resolve(recs, names, pairs((1, 2, True, False, True)), NO_CRM, NO_CRM_PAIRS)
    assert len(groups(result)) == 2


def test_the_crm_matches_by_address_and_name_when_its_phone_is_a_placeholder():
    recs, names = records(
        ("source_1", "1", "89123", "8889", "Little Sprouts"),
        ("source_3", "2", "89123", "8889", "Little Sprouts"),
    )
    result = resolve(
        recs,
        names,
        pairs((1, 2, True, True, False)),
        crm(("00Q1", "89123", "8889", "little sprouts", NOV), ("00Q2", "89124", "8889", "little sprouts", NOV)),
        # 00Q1 shares the address; 00Q2 the phone only, at another zip
        crm_pairs((1, 2, False, True, False), (2, 1, True, False, False)),
    )
    assert [(anchor, result.crm_ids[c], rule) for anchor, c, rule in result.crm_matches] == [
        (0, "00Q1", "address+name")
    ]


def test_one_crm_lead_per_lead_the_strongest_rule_first():
    recs, names = records(("source_1", "1", "89123", "8889", "Little Sprouts"))
    result = resolve(
        recs,
        names,
        pairs(),
        crm(("00Q1", None, None, "little sprouts", NOV), ("00Q2", "89123", "8889", "other name", date(2023, 1, 1))),
        crm_pairs((1, 1, True, False, False), (2, 1, True, True, False)),
    )
    assert [(result.crm_ids[c], rule) for _, c, rule in result.crm_matches] == [("00Q2", "phone+address")]


def test_name_keys_score_like_the_names_they_come_from():
    scorer = NameScorer()
    for a, b in [
        ("Little Sprouts Learning Center, LLC", "LITTLE SPROUT LEARNING CTR"),
        ("A BAR Z PONDEROSA", "A BAR Z PONDEROSA II"),
        ("The Kids' Place Day Care", "KIDS PLACE DAYCARE INC"),
    ]:
        assert scorer.score((name_key(a),), (name_key(b),)) == name_similarity(a, b)


def clusters_table(warehouse, table, rows):
    """identity.<table> with (source, natural_key, lead_id) rows; each record's own id is `source:key`."""
    warehouse.execute("CREATE SCHEMA IF NOT EXISTS identity")
    warehouse.execute(
        f"CREATE OR REPLACE TABLE identity.{table} "
        "(source VARCHAR, natural_key VARCHAR, lead_id VARCHAR, own_lead_id VARCHAR)"
    )
    for source, key, lead in rows:
        warehouse.execute(f"INSERT INTO identity.{table} VALUES (?, ?, ?, ?)", [source, key, lead, f"{source}:{key}"])


def retired_table(warehouse, rows):
    warehouse.execute("CREATE OR REPLACE TABLE identity.retired_lead_ids (lead_id VARCHAR, retired_at TIMESTAMP)")
    for row in rows:
        warehouse.execute("INSERT INTO identity.retired_lead_ids VALUES (?, ?)", list(row))


def retired(warehouse, now):
    """The retired ids staged against the clusters of identity.next."""
    count = stage_retired_lead_ids(warehouse, "next", now)
    table = warehouse.arrow(f"SELECT * FROM identity.{RETIRED_STAGED} ORDER BY lead_id")
    assert table.num_rows == count and table.schema == RETIRED_SCHEMA
    return table


def test_a_merged_leads_id_is_retired_and_points_to_the_lead_that_replaced_it():
    warehouse = Warehouse(SimpleNamespace(target="duckdb"), duckdb.connect())
    old_id, new_id = "source_1:old", "source_2:new"
    earlier, now = datetime(2024, 11, 2), datetime(2024, 12, 2)
    merged = [("source_1", "old", old_id), ("source_2", "new", old_id)]
    # Two leads last time, one now.
    clusters_table(warehouse, "record_clusters", [("source_1", "old", old_id), ("source_2", "new", new_id)])
    clusters_table(warehouse, "next", merged)
    assert retired(warehouse, now).to_pylist() == [
        {
            "lead_id": new_id,
            "anchor_source": "source_2",
            "anchor_natural_key": "new",
            "replaced_by_lead_id": old_id,
            "retired_at": now,
        }
    ]
    # Kept with its first retirement time; gone once the id is a lead's again.
    clusters_table(warehouse, "record_clusters", merged)
    retired_table(warehouse, [(new_id, earlier)])
    assert retired(warehouse, now).column("retired_at").to_pylist() == [earlier]
    clusters_table(warehouse, "next", [("source_1", "old", old_id), ("source_2", "new", new_id)])
    assert retired(warehouse, now).num_rows == 0
    # An id whose anchor record is gone from the sources has no lead to point to.
    clusters_table(warehouse, "next", [("source_1", "old", old_id)])
    retired_table(warehouse, [])
    clusters_table(warehouse, "record_clusters", [("source_1", "old", old_id), ("source_2", "new", new_id)])
    assert retired(warehouse, now).num_rows == 0
