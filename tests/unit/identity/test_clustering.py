"""Constrained clustering and the lead-id rule."""

from __future__ import annotations

import random
from datetime import date

from leads_pipeline.stages.identity.clustering import Edge, RecordInfo, cluster
from leads_pipeline.stages.identity.rules import Rule, Site

NOV, DEC, JAN = date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)
RANK = {"source_1": 1, "source_2": 2, "source_3": 3}


def rec(key: str, source: str = "source_1", seen: date = NOV, zip_code: str | None = "89123", number: str | None = "1"):
    return RecordInfo(source, key, RANK[source], seen, Site(zip_code, number))


def partition(records, clusters) -> set[frozenset[str]]:
    return {frozenset(records[i].natural_key for i in group) for group in clusters.members().values()}


def test_records_sharing_a_rule_merge_and_the_rest_stay_alone():
    records = [rec("a"), rec("b"), rec("c")]
    clusters = cluster(records, [Edge(0, 1, Rule.PHONE_ADDRESS)])
    assert partition(records, clusters) == {frozenset("ab"), frozenset("c")}
    assert clusters.match_rule(clusters.anchor_of[0]) == "phone+address"
    assert clusters.match_rule(clusters.anchor_of[2]) is None


def test_clusters_are_transitive():
    records = [rec("a"), rec("b"), rec("c", zip_code=None, number=None)]
    edges = [Edge(0, 1, Rule.ADDRESS_NAME, 95.0), Edge(1, 2, Rule.PHONE_EMAIL)]
    clusters = cluster(records, edges)
    assert partition(records, clusters) == {frozenset("abc")}
    assert clusters.match_rule(clusters.anchor_of[0]) == "phone+email,address+name"


def test_sister_sites_never_merge_whatever_they_share():
    # One operator, one phone, one email, one name, two house numbers: two leads.
    records = [rec("center", number="100"), rec("home", number="200")]
    edges = [Edge(0, 1, Rule.PHONE_EMAIL), Edge(0, 1, Rule.PHONE_NAME, 100.0)]
    clusters = cluster(records, edges)
    assert partition(records, clusters) == {frozenset({"center"}), frozenset({"home"})}
    assert clusters.refused == 2


def test_a_record_without_an_address_does_not_bridge_two_sites():
    records = [rec("site1", number="100"), rec("site2", number="200"), rec("bare", zip_code=None, number=None)]
    edges = [Edge(2, 0, Rule.PHONE_NAME, 92.0), Edge(2, 1, Rule.PHONE_NAME, 97.0)]
    clusters = cluster(records, edges)
    # The better name score wins the bare record; the other site stays apart.
    assert partition(records, clusters) == {frozenset({"site1"}), frozenset({"site2", "bare"})}


def test_a_contradiction_holds_across_a_chain_of_partial_addresses():
    # a (zip, number 100) ~ b (zip only) ~ c (number 200): a and c contradict, so b joins one.
    records = [rec("a", number="100"), rec("b", number=None), rec("c", number="200")]
    edges = [Edge(0, 1, Rule.PHONE_NAME, 100.0), Edge(1, 2, Rule.PHONE_NAME, 100.0)]
    clusters = cluster(records, edges)
    groups = partition(records, clusters)
    assert len(groups) == 2
    assert not any({"a", "c"} <= group for group in groups)


def test_another_zip_is_a_contradiction_too():
    records = [rec("a", zip_code="89123"), rec("b", zip_code="89124")]
    clusters = cluster(records, [Edge(0, 1, Rule.PHONE_EMAIL)])
    assert len(partition(records, clusters)) == 2


def test_stronger_rules_merge_first():
    # bare matches site1 by phone+email and site2 by phone+name (better score): the email wins.
    records = [rec("site1", number="100"), rec("site2", number="200"), rec("bare", zip_code=None, number=None)]
    edges = [Edge(2, 1, Rule.PHONE_NAME, 100.0), Edge(2, 0, Rule.PHONE_EMAIL)]
    clusters = cluster(records, edges)
    assert frozenset({"site1", "bare"}) in partition(records, clusters)


def test_the_anchor_is_the_member_first_seen_then_source_order_then_natural_key():
    records = [
        rec("z", "source_3", NOV),
        rec("y", "source_2", NOV),
        rec("x", "source_2", DEC),
        rec("w", "source_2", NOV),
    ]
    edges = [Edge(0, 1, Rule.PHONE_ADDRESS), Edge(1, 2, Rule.PHONE_ADDRESS), Edge(2, 3, Rule.PHONE_ADDRESS)]
    clusters = cluster(records, edges)
    assert {clusters.anchor_of[i] for i in range(4)} == {3}  # source_2 "w", first seen in November


def lead_ids(records, edges) -> dict[str, str]:
    """Each record's lead id: its anchor's own id (here `source:natural_key`, as the warehouse's
    rule hashes it)."""
    clusters = cluster(records, edges)
    anchors = clusters.anchor_of
    return {
        r.natural_key: f"{records[anchors[i]].source}:{records[anchors[i]].natural_key}" for i, r in enumerate(records)
    }


def test_a_new_record_joining_a_cluster_keeps_its_id():
    before = [rec("a", "source_2", NOV), rec("b", "source_3", NOV)]
    ids_before = lead_ids(before, [Edge(0, 1, Rule.PHONE_ADDRESS)])
    after = [*before, rec("c", "source_1", DEC)]  # source_1 ranks first, but it arrives later
    ids_after = lead_ids(after, [Edge(0, 1, Rule.PHONE_ADDRESS), Edge(1, 2, Rule.PHONE_ADDRESS)])
    assert ids_after["a"] == ids_after["b"] == ids_after["c"] == ids_before["a"]


def test_when_two_leads_merge_the_older_id_survives():
    records = [rec("old", "source_3", NOV), rec("new", "source_1", DEC), rec("bridge", "source_2", JAN)]
    apart = lead_ids(records[:2], [])
    merged = lead_ids(records, [Edge(0, 2, Rule.PHONE_ADDRESS), Edge(1, 2, Rule.ADDRESS_NAME, 95.0)])
    assert set(merged.values()) == {apart["old"]}


def test_the_result_does_not_depend_on_input_order():
    rng = random.Random(7)
    records = [rec(f"k{i:02d}", rng.choice(list(RANK)), rng.choice([NOV, DEC]), number=str(i % 3)) for i in range(30)]
    edges = [
        Edge(a, b, rng.choice(list(Rule)), float(rng.randint(90, 100)))
        for a, b in {(rng.randrange(30), rng.randrange(30)) for _ in range(60)}
        if a != b
    ]
    expected = lead_ids(records, edges)
    for _ in range(5):
        order = list(range(30))
        rng.shuffle(order)
        position = {old: new for new, old in enumerate(order)}
        shuffled = [records[i] for i in order]
        moved = [Edge(position[e.right], position[e.left], e.rule, e.score) for e in edges]
        rng.shuffle(moved)
        assert lead_ids(shuffled, moved) == expected
