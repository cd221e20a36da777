"""A resolve that settles again only the components a change touched writes what a full one does.

Each case resolves a seeded random graph, changes it as months do (records come, leave, move
site, are seen earlier, are renamed; pairs come and go), and resolves again twice from the same
start: settling only the touched components, and in full. The identity tables must be equal, the
retired ids included, and equal to the whole graph resolved at once.
"""

from __future__ import annotations

import random
from copy import deepcopy

import pytest

from leads_pipeline.config import names
from leads_pipeline.stages.identity import by_component, changed_components, changed_crm_leads, resolved_inputs
from leads_pipeline.stages.identity import resolve as whole
from leads_pipeline.stages.identity.rules import needs_name
from leads_pipeline.stages.lookups.parsers import name_key
from leads_pipeline.warehouse import Warehouse
from tests.unit.identity.test_by_component import (
    DAYS,
    FACILITIES,
    NUMBERS,
    SHARES,
    ZIPS,
    Graph,
    identity_rows,
    random_graph,
    resolve_whole_graph,
    write_inputs,
)


def changed_graph(graph: Graph, seed: int) -> Graph:
    """`graph` a month later: a few records changed, added or gone, pairs added and dropped."""
    rng = random.Random(seed)
    changed = deepcopy(graph)
    by_index = {record["record_index"]: record for record in changed.records}
    indexes = sorted(by_index)
    for index in rng.sample(indexes, 3):
        by_index[index]["zip"] = rng.choice(ZIPS)
        by_index[index]["street_number"] = rng.choice(NUMBERS)
    for index in rng.sample(indexes, 2):
        by_index[index]["first_seen_date"] = DAYS[0]
    renamed = rng.choice(indexes)
    changed.keys = [key for key in changed.keys if key["record_index"] != renamed]
    changed.keys.append({"record_index": renamed, "key_type": "name", "key_value": name_key("Renamed Academy")})
    gone = rng.choice(indexes)
    changed.records = [record for record in changed.records if record["record_index"] != gone]
    changed.keys = [key for key in changed.keys if key["record_index"] != gone]
    changed.pairs = {pair: shares for pair, shares in changed.pairs.items() if gone not in pair}
    changed.crm_pairs = {pair: shares for pair, shares in changed.crm_pairs.items() if pair[1] != gone}
    for pair in rng.sample(sorted(changed.pairs), min(2, len(changed.pairs))):
        del changed.pairs[pair]
    for left, right in (sorted(rng.sample(indexes, 2)) for _ in range(2)):
        if gone not in (left, right):
            changed.pairs[(left, right)] = rng.choice(SHARES)
    # A CRM lead is renamed and moves, another is paired with one more record and loses a pair.
    moved, repaired = rng.sample(changed.crm, 2)
    moved["name_key"] = name_key("Renamed Academy")
    moved["zip"] = rng.choice(ZIPS)
    changed.crm_pairs[(repaired["crm_index"], rng.choice([i for i in indexes if i != gone]))] = rng.choice(SHARES)
    own_pairs = sorted(pair for pair in changed.crm_pairs if pair[0] == repaired["crm_index"])
    del changed.crm_pairs[own_pairs[0]]
    # A record paired with a CRM lead takes that CRM lead's name: the name rule may match them now.
    crm_index, named = rng.choice(sorted(pair for pair in changed.crm_pairs if pair[1] != gone))
    changed.keys = [key for key in changed.keys if key["record_index"] != named]
    crm_name = next(crm["name_key"] for crm in changed.crm if crm["crm_index"] == crm_index)
    changed.keys.append({"record_index": named, "key_type": "name", "key_value": crm_name})
    newest = max(indexes)
    for index in range(newest + 1, newest + 4):
        template = by_index[rng.choice(indexes)]
        changed.records.append(
            {**template, "record_index": index, "natural_key": f"new-{index}", "own_lead_id": f"new:{index}"}
        )
        changed.keys.append(
            {"record_index": index, "key_type": "name", "key_value": name_key(rng.choice(FACILITIES)[0])}
        )
        bridged = rng.choice(indexes)
        if bridged != gone:
            changed.pairs[(bridged, index)] = rng.choice(SHARES)
    return changed


def identity_state(warehouse: Warehouse) -> tuple:
    retired = warehouse.query(
        f"SELECT lead_id, anchor_source, anchor_natural_key, replaced_by_lead_id FROM {names.IDENTITY}.retired_lead_ids"
    )
    state = warehouse.query(
        f"SELECT {changed_components.RECORDS_STATE_COLUMNS} FROM {names.IDENTITY}.{changed_components.RECORDS_STATE}"
    )
    crm_state = warehouse.query(
        f"SELECT crm_index, inputs_hash, {changed_crm_leads.STATE_COLUMNS} FROM {names.IDENTITY}.{changed_components.CRM_STATE}"
    )
    return (*identity_rows(warehouse), sorted(retired), sorted(state, key=repr), sorted(crm_state, key=repr))


@pytest.mark.parametrize("seed", range(6))
def test_settling_the_touched_components_writes_what_a_full_resolve_does(warehouse, seed, monkeypatch):
    monkeypatch.setattr(by_component, "BATCH_RECORDS", 7)
    before, after = (graph := random_graph(seed)), changed_graph(graph, seed)
    results = {}
    for force in (True, False):
        write_inputs(warehouse, before)
        by_component.resolve_identities(warehouse, force=True)
        write_inputs(warehouse, after)
        report = by_component.resolve_identities(warehouse, force=force)
        results[force] = identity_state(warehouse), report
    (full, full_report), (incremental, report) = results[True], results[False]

    assert incremental == full
    assert full_report.records_resolved_again is None
    assert 0 < report.records_resolved_again < len(after.records)
    assert report.leads == full_report.leads and report.crm_matches == full_report.crm_matches
    assert full_report.crm_leads_matched_again is None
    assert 0 < report.crm_leads_matched_again <= len(after.crm)
    resolve_whole_graph(warehouse)
    assert identity_rows(warehouse) == incremental[:2]


def _stamps(warehouse: Warehouse) -> dict[tuple[str, str], object]:
    rows = warehouse.query(f"SELECT source, natural_key, resolved_at FROM {names.IDENTITY}.record_clusters")
    return {(source, key): stamp for source, key, stamp in rows}


def test_only_the_touched_records_component_is_written_again(warehouse):
    graph = random_graph(2)
    write_inputs(warehouse, graph)
    by_component.resolve_identities(warehouse, force=True)
    before = _stamps(warehouse)
    # A record in a component of several: its name key changes, nothing else.
    labels = dict(
        warehouse.query(f"SELECT record_index, component FROM {names.IDENTITY}.{changed_components.RECORDS_STATE}")
    )
    sizes = {label: list(labels.values()).count(label) for label in labels.values() if label is not None}
    renamed = min(index for index, label in labels.items() if label is not None and sizes[label] > 1)
    component = {index for index, label in labels.items() if label == labels[renamed]}
    for key in graph.keys:
        if key["record_index"] == renamed:
            key["key_value"] += " x"
    write_inputs(warehouse, graph)
    report = by_component.resolve_identities(warehouse)

    after = _stamps(warehouse)
    members = {(r["source"], r["natural_key"]) for r in graph.records if r["record_index"] in component}
    assert report.records_resolved_again == len(component)
    assert {record for record in after if after[record] != before[record]} == members


def test_a_resolve_without_the_state_or_by_other_code_settles_everything(warehouse, monkeypatch):
    graph = random_graph(1)
    write_inputs(warehouse, graph)
    by_component.resolve_identities(warehouse, force=True)
    graph.records[0]["zip"] = "89102" if graph.records[0]["zip"] != "89102" else "89101"
    write_inputs(warehouse, graph)
    monkeypatch.setattr(resolved_inputs, "code_digest", lambda: "other code")
    assert by_component.resolve_identities(warehouse).records_resolved_again is None

    # The whole-graph writer stages no state: it drops the old one.
    resolve_whole_graph(warehouse)
    assert not warehouse.table_exists(names.IDENTITY, changed_components.RECORDS_STATE)
    graph.records[1]["first_seen_date"] = DAYS[0] if graph.records[1]["first_seen_date"] != DAYS[0] else DAYS[1]
    write_inputs(warehouse, graph)
    assert by_component.resolve_identities(warehouse).records_resolved_again is None
    graph.records[2]["street_number"] = "99"
    write_inputs(warehouse, graph)
    assert by_component.resolve_identities(warehouse).records_resolved_again is not None


def test_a_resolve_stopped_before_publishing_in_place_leaves_nothing_the_next_one_trips_on(warehouse, monkeypatch):
    """The clusters and records' state settled again are staged alone and published by updating
    the tables in place; what a resolve stopped before that left (the view of the next clusters and the tables it
    reads) is dropped by the next, which gives the tables a full resolve gives."""
    graph = random_graph(3)
    write_inputs(warehouse, graph)
    by_component.resolve_identities(warehouse, force=True)
    changed = changed_graph(graph, 3)
    write_inputs(warehouse, changed)

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(whole, "publish", stop)
    with pytest.raises(KeyboardInterrupt):
        by_component.resolve_identities(warehouse)
    staging = {whole.STAGED, whole.CHANGED, *changed_components.IN_PLACE_TABLES}
    assert staging <= set(warehouse.tables(names.IDENTITY))
    monkeypatch.undo()

    report = by_component.resolve_identities(warehouse)
    assert report.records_resolved_again is not None
    assert not staging & set(warehouse.tables(names.IDENTITY))
    incremental = identity_state(warehouse)
    by_component.resolve_identities(warehouse, force=True)
    assert identity_state(warehouse) == incremental


def test_a_crm_lead_chooses_again_when_only_a_paired_records_name_changes(warehouse):
    # A CRM lead of one pair whose rule the names decide, its address unknown (it contradicts no
    # lead): its record taking the CRM lead's name is the only change, and must give the match.
    graph, crm, record = next(
        (graph, crm, record)
        for graph in map(random_graph, range(50))
        for crm in graph.crm
        for (crm_index, record), shares in graph.crm_pairs.items()
        if crm_index == crm["crm_index"]
        and needs_name(*shares)
        and sum(pair[0] == crm_index for pair in graph.crm_pairs) == 1
    )
    crm["zip"] = crm["street_number"] = None
    crm["name_key"] = name_key("Renamed Academy")
    write_inputs(warehouse, graph)
    by_component.resolve_identities(warehouse, force=True)
    assert crm["salesforce_lead_id"] not in {match[1] for match in identity_rows(warehouse)[1]}

    for key in graph.keys:
        if key["record_index"] == record and key["key_type"] == "name":
            key["key_value"] = crm["name_key"]
    write_inputs(warehouse, graph)
    report = by_component.resolve_identities(warehouse)
    again = identity_rows(warehouse)[1]
    by_component.resolve_identities(warehouse, force=True)

    assert report.crm_leads_matched_again is not None
    assert crm["salesforce_lead_id"] in {match[1] for match in again}
    assert again == identity_rows(warehouse)[1]
