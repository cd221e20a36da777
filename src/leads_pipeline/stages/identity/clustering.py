"""Constrained union-find: clusters of records that never join two contradicting addresses.

Edges (pairs that satisfy a rule) are merged strongest rule first, then by name score, then in
the records' anchor order, so the result is a function of the data alone, whatever order the
files were loaded in. A merge is refused when the two clusters' sites contradict: every cluster
holds at most one known zip and one known house number (its members never contradict each other),
so the test is two comparisons, and a record without an address cannot bridge two sister sites.

A cluster's anchor is its member first seen earliest (ties: the contract's source order, then
natural key); the lead id is a hash of the anchor's source and natural key. A newer snapshot
cannot bring an earlier first_seen_date, so a new record joining a cluster never changes its id,
and when two leads merge the older one's id survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from leads_pipeline.stages.identity.rules import Rule, Site


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """What clustering needs of a source record."""

    source: str
    natural_key: str
    source_rank: int
    first_seen_date: date
    site: Site = field(default_factory=Site)
    # The id of the lead this record anchors: computed by the warehouse with the dbt macro
    # `record_lead_id`, the rule's one home, and read with the record.
    own_lead_id: str | None = None

    @property
    def anchor_order(self) -> tuple[date, int, str]:
        return (self.first_seen_date, self.source_rank, self.natural_key)


@dataclass(frozen=True, slots=True)
class Edge:
    """Two records (indices into the record list) that satisfy `rule`; `score` is the name score."""

    left: int
    right: int
    rule: Rule
    score: float = 100.0


@dataclass
class Clusters:
    """Per record: the index of its cluster's anchor; per anchor: the rules that merged the cluster."""

    anchor_of: list[int]
    rules_of: dict[int, frozenset[Rule]]
    refused: int = 0

    def members(self) -> dict[int, list[int]]:
        grouped: dict[int, list[int]] = {}
        for index, anchor in enumerate(self.anchor_of):
            grouped.setdefault(anchor, []).append(index)
        return grouped

    def match_rule(self, anchor: int) -> str | None:
        """`phone+address,address+name`: the cluster's rules, strongest first; None when alone."""
        rules = self.rules_of.get(anchor)
        if not rules:
            return None
        return ",".join(rule.value for rule in sorted(rules, key=lambda r: r.rank))


class _Forest:
    def __init__(self, sites: Sequence[Site]) -> None:
        self.parent = list(range(len(sites)))
        self.size = [1] * len(sites)
        self.zip = [site.zip for site in sites]
        self.number = [site.street_number for site in sites]

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def compatible(self, a: int, b: int) -> bool:
        za, zb, na, nb = self.zip[a], self.zip[b], self.number[a], self.number[b]
        return (za is None or zb is None or za == zb) and (na is None or nb is None or na == nb)

    def union(self, a: int, b: int) -> None:
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        self.zip[a] = self.zip[a] if self.zip[a] is not None else self.zip[b]
        self.number[a] = self.number[a] if self.number[a] is not None else self.number[b]


def edge_order(edges: Iterable[Edge], order: Sequence[int]) -> list[Edge]:
    """Strongest rule first, then the higher name score, then the pair's place in anchor order."""

    def key(edge: Edge) -> tuple[int, float, int, int]:
        a, b = order[edge.left], order[edge.right]
        return (edge.rule.rank, -edge.score, min(a, b), max(a, b))

    return sorted(edges, key=key)


def cluster(records: Sequence[RecordInfo], edges: Iterable[Edge]) -> Clusters:
    """Cluster `records` along `edges` without ever joining contradicting sites."""
    ranked = sorted(range(len(records)), key=lambda i: records[i].anchor_order)
    order = [0] * len(records)
    for position, index in enumerate(ranked):
        order[index] = position

    forest = _Forest([record.site for record in records])
    ordered = edge_order(edges, order)
    refused = 0
    for edge in ordered:
        ra, rb = forest.find(edge.left), forest.find(edge.right)
        if ra == rb:
            continue
        if forest.compatible(ra, rb):
            forest.union(ra, rb)
        else:
            refused += 1

    # The anchor of each cluster: its member earliest in anchor order.
    anchor_of_root: dict[int, int] = {}
    for index in ranked:
        anchor_of_root.setdefault(forest.find(index), index)
    anchor_of = [anchor_of_root[forest.find(i)] for i in range(len(records))]

    rules: dict[int, set[Rule]] = {}
    for edge in ordered:
        anchor = anchor_of[edge.left]
        if anchor == anchor_of[edge.right]:
            rules.setdefault(anchor, set()).add(edge.rule)
    return Clusters(anchor_of, {a: frozenset(r) for a, r in rules.items()}, refused)
