"""The resolve step by component gives the whole graph's resolve, and holds only what needs Python.

Each case writes the first dbt phase's tables the step reads from a seeded random graph (sister
sites, unknown zips and house numbers, pairs the names decide, CRM leads), runs the whole-graph
resolve and the component one on it, and compares the identity tables they write.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pytest

from leads_pipeline.config import names
from leads_pipeline.stages.identity import by_component
from leads_pipeline.stages.identity import resolve as whole
from leads_pipeline.stages.lookups.parsers import name_key
from leads_pipeline.warehouse import Warehouse

NOW = datetime(2024, 12, 2)
FACILITIES = [
    ("Little Sprouts Learning Center", "LITTLE SPROUTS LEARNING CTR LLC"),
    ("Sunshine Daycare", "SUNSHINE DAY CARE"),
    ("The Kids' Place", "KIDS PLACE INC"),
    ("A Bar Z Ponderosa", "A BAR Z PONDEROSA II"),
    ("Eos Fitness Kids Club", "EOS FITNESS KIDS CLUB"),
]
ZIPS = [None, "89101", "89102"]
NUMBERS = [None, "10", "12"]
DAYS = [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1)]
SHARES = [(True, True, False), (True, False, True), (True, False, False), (False, True, False), (True, True, True)]


@dataclass
class Graph:
    records: list[dict] = field(default_factory=list)
    keys: list[dict] = field(default_factory=list)
    pairs: dict[tuple[int, int], tuple[bool, bool, bool]] = field(default_factory=dict)
    crm: list[dict] = field(default_factory=list)
    crm_pairs: dict[tuple[int, int], tuple[bool, bool, bool]] = field(default_factory=dict)


def random_graph(seed: int, shares=SHARES, zips=ZIPS, numbers=NUMBERS) -> Graph:
    """Records in neighbourhoods that pairs join, so components of many sizes form."""
    rng = random.Random(seed)
    graph = Graph()
    count = rng.randint(20, 90)
    for index in range(1, count + 1):
        source = rng.randint(1, 3)
        key = f"{rng.randint(1, 10**6)}-{index}"
        graph.records.append(
            {
                "record_index": index,
                "source": f"source_{source}",
                "source_rank": source,
                "natural_key": key,
                "first_seen_date": rng.choice(DAYS),
                "zip": rng.choice(zips),
                "street_number": rng.choice(numbers),
                "own_lead_id": f"source_{source}:{key}",
            }
        )
        for spelling in rng.sample(rng.choice(FACILITIES), rng.randint(1, 2)):
            graph.keys.append({"record_index": index, "key_type": "name", "key_value": name_key(spelling)})
    for _ in range(rng.randint(count // 2, 2 * count)):
        left = rng.randint(1, count)
        right = min(count, left + rng.randint(1, 4))
        if left < right:
            graph.pairs[(left, right)] = rng.choice(shares)
    for crm_index in range(1, rng.randint(4, 14)):
        graph.crm.append(
            {
                "crm_index": crm_index,
                "salesforce_lead_id": f"00Q{crm_index:03d}",
                "zip": rng.choice(zips),
                "street_number": rng.choice(numbers),
                "name_key": name_key(rng.choice(rng.choice(FACILITIES))),
                "created_date": rng.choice(DAYS),
            }
        )
        for _ in range(rng.randint(1, 4)):
            # Half of them among a few records: CRM leads compete for one lead.
            record = rng.randint(1, count if rng.random() < 0.5 else 8)
            graph.crm_pairs[(crm_index, record)] = rng.choice(shares)
    return graph


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _flags(pairs: dict, first: str, second: str) -> list[dict]:
    return [
        {first: a, second: b, "shares_phone": p, "shares_address": s, "shares_email": e}
        for (a, b), (p, s, e) in sorted(pairs.items())
    ]


def write_inputs(warehouse: Warehouse, graph: Graph, schema: str = names.INTERMEDIATE) -> None:
    """The first dbt phase's tables the resolve step reads, holding `graph`, in `schema`."""
    flags = [("shares_phone", pa.bool_()), ("shares_address", pa.bool_()), ("shares_email", pa.bool_())]
    tables = {
        "int_source_records__current": _table(
            graph.records,
            pa.schema(
                [
                    ("record_index", pa.int64()),
                    ("source", pa.string()),
                    ("source_rank", pa.int64()),
                    ("natural_key", pa.string()),
                    ("first_seen_date", pa.date32()),
                    ("zip", pa.string()),
                    ("street_number", pa.string()),
                    ("own_lead_id", pa.string()),
                ]
            ),
        ),
        "int_match_keys__collected": _table(
            graph.keys, pa.schema([("record_index", pa.int64()), ("key_type", pa.string()), ("key_value", pa.string())])
        ),
        "int_record_pairs__blocked": _table(
            _flags(graph.pairs, "left_index", "right_index"),
            pa.schema([("left_index", pa.int64()), ("right_index", pa.int64()), *flags]),
        ),
        "int_crm_leads__current": _table(
            graph.crm,
            pa.schema(
                [
                    ("crm_index", pa.int64()),
                    ("salesforce_lead_id", pa.string()),
                    ("zip", pa.string()),
                    ("street_number", pa.string()),
                    ("name_key", pa.string()),
                    ("created_date", pa.date32()),
                ]
            ),
        ),
        "int_crm_pairs__blocked": _table(
            _flags(graph.crm_pairs, "crm_index", "record_index"),
            pa.schema([("crm_index", pa.int64()), ("record_index", pa.int64()), *flags]),
        ),
    }
    for name, data in tables.items():
        warehouse.execute(f"DROP TABLE IF EXISTS {schema}.{name}")
        warehouse.create_table_like(schema, name, data.schema)
        warehouse.append_arrow(schema, name, data)


def identity_rows(warehouse: Warehouse) -> tuple[list[tuple], list[tuple]]:
    clusters = warehouse.query(
        f"SELECT source, natural_key, lead_id, own_lead_id, is_anchor, match_rule FROM {names.IDENTITY}.record_clusters"
    )
    matches = warehouse.query(f"SELECT lead_id, salesforce_lead_id, match_rule FROM {names.IDENTITY}.crm_matches")
    return sorted(clusters, key=repr), sorted(matches)


def resolve_whole_graph(warehouse: Warehouse) -> whole.ResolveReport:
    """The resolve step as it was before components: every paired record in Python at once."""
    report = whole.ResolveReport()
    inputs = whole.read_inputs(warehouse)
    resolution = whole.resolve(*inputs.columns(), report)
    whole.write_tables(warehouse, whole.identity_tables(resolution, NOW), NOW)
    return report


COMPARED = ("pairs", "names_scored", "contradicting_pairs", "refused_merges", "crm_matches")


@pytest.mark.parametrize("seed", range(6))
def test_the_component_resolve_writes_what_the_whole_graph_resolve_does(warehouse, seed, monkeypatch):
    write_inputs(warehouse, random_graph(seed))
    expected_report = resolve_whole_graph(warehouse)
    expected = identity_rows(warehouse)
    # Small batches: several batches of whole components, and of CRM leads, each.
    monkeypatch.setattr(by_component, "BATCH_RECORDS", 7)
    monkeypatch.setattr(by_component, "CRM_BATCH_LEADS", 2)
    report = by_component.resolve_identities(warehouse)

    assert identity_rows(warehouse) == expected
    assert {name: getattr(report, name) for name in COMPARED} == {
        name: getattr(expected_report, name) for name in COMPARED
    }
    assert report.components_in_python > 0
    # A batch is whole components begun within its 7 records.
    assert report.python_records_peak < 7 + report.largest_component
    leads = warehouse.query(f"SELECT count(DISTINCT lead_id) FROM {names.IDENTITY}.record_clusters")[0][0]
    assert report.leads == leads


def test_components_of_one_site_decided_by_shared_keys_never_reach_python(warehouse):
    # Every pair shares a phone and the address or an email, every record one zip and house number.
    graph = random_graph(3, shares=[(True, True, False), (True, False, True)], zips=["89101"], numbers=["10", None])
    write_inputs(warehouse, graph)
    resolve_whole_graph(warehouse)
    expected = identity_rows(warehouse)
    report = by_component.resolve_identities(warehouse)

    assert identity_rows(warehouse) == expected
    assert (report.components_in_python, report.python_records_peak, report.names_scored) == (0, 0, 0)
    assert report.components_in_sql > 0
    assert "settled in SQL" in report.summary()


def test_python_holds_one_component_at_a_time_with_batches_of_one_record(warehouse, monkeypatch):
    graph = random_graph(4)
    write_inputs(warehouse, graph)
    monkeypatch.setattr(by_component, "BATCH_RECORDS", 1)
    report = by_component.resolve_identities(warehouse)
    largest_in_python = warehouse.query(
        f"SELECT max(members) FROM (SELECT lead_id, count(*) AS members FROM {names.IDENTITY}.record_clusters "
        "GROUP BY lead_id) AS leads"
    )[0][0]
    assert report.components_in_python > 1
    assert largest_in_python <= report.python_records_peak <= report.largest_component


def test_crm_leads_in_different_batches_competing_for_one_lead_leave_it_the_strongest(warehouse, monkeypatch):
    graph = Graph()
    for index in (1, 2):
        graph.records.append(
            {
                "record_index": index,
                "source": "source_1",
                "source_rank": 1,
                "natural_key": str(index),
                "first_seen_date": DAYS[0],
                "zip": "89101",
                "street_number": "10",
                "own_lead_id": f"source_1:{index}",
            }
        )
        graph.keys.append({"record_index": index, "key_type": "name", "key_value": name_key("Sunshine Daycare")})
    graph.pairs[(1, 2)] = (True, True, False)
    # One lead, three CRM leads matching it by three rules, the strongest in the middle batch.
    for crm_index, (record, shares) in enumerate(
        [(1, (False, True, False)), (2, (True, True, False)), (1, (True, False, True))], start=1
    ):
        graph.crm.append(
            {
                "crm_index": crm_index,
                "salesforce_lead_id": f"00Q{crm_index}",
                "zip": "89101",
                "street_number": "10",
                "name_key": name_key("Sunshine Day Care"),
                "created_date": DAYS[crm_index - 1],
            }
        )
        graph.crm_pairs[(crm_index, record)] = shares
    write_inputs(warehouse, graph)
    resolve_whole_graph(warehouse)
    expected = identity_rows(warehouse)
    monkeypatch.setattr(by_component, "CRM_BATCH_LEADS", 1)
    by_component.resolve_identities(warehouse)

    assert identity_rows(warehouse) == expected
    assert identity_rows(warehouse)[1] == [("source_1:1", "00Q2", "phone+address")]
