"""Connected components in SQL equal a union-find's, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from leads_pipeline.config.errors import LeadsError
from leads_pipeline.stages.identity.components import label_components
from leads_pipeline.warehouse import Warehouse

EDGES_SQL = "SELECT left_node, right_node FROM graph.edges"


def load_edges(warehouse: Warehouse, edges: list[tuple[int, int]]) -> None:
    schema = pa.schema([("left_node", pa.int64()), ("right_node", pa.int64())])
    warehouse.execute("DROP TABLE IF EXISTS graph.edges")
    warehouse.create_table_like("graph", "edges", schema)
    warehouse.append_arrow(
        "graph", "edges", pa.Table.from_pylist([{"left_node": a, "right_node": b} for a, b in edges])
    )


def union_find_components(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Each node of an edge with its component's smallest node, by a plain union-find."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: find(node) for node in parent}


def random_graph(rng: random.Random) -> list[tuple[int, int]]:
    """Sparse graphs with long chains, stars and repeated edges, as candidate pairs come."""
    nodes = rng.randint(2, 300)
    ids = rng.sample(range(1, 10 * nodes), nodes)
    edges = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(1, 2 * nodes))]
    chain = rng.sample(ids, rng.randint(2, nodes))
    edges += list(zip(chain, chain[1:], strict=False))
    return edges


def sql_components(warehouse: Warehouse) -> dict[int, int]:
    return dict(warehouse.query("SELECT node, component FROM graph.components"))


@pytest.mark.parametrize("seed", range(12))
def test_the_sql_components_of_random_graphs_are_the_union_finds(warehouse, seed):
    edges = random_graph(random.Random(seed))
    load_edges(warehouse, edges)
    label_components(warehouse, EDGES_SQL, "graph", "components")
    assert sql_components(warehouse) == union_find_components(edges)


def test_a_long_chain_settles_in_few_rounds(warehouse):
    # Nodes numbered against the chain's direction: the smallest id must travel its whole length.
    chain = list(range(2000, 0, -1))
    edges = list(zip(chain, chain[1:], strict=False))
    load_edges(warehouse, edges)
    rounds = label_components(warehouse, EDGES_SQL, "graph", "components")
    assert set(sql_components(warehouse).values()) == {1}
    assert rounds < 40


def test_a_graph_that_does_not_settle_in_the_bound_is_an_error(warehouse):
    chain = list(range(200, 0, -1))
    load_edges(warehouse, list(zip(chain, chain[1:], strict=False)))
    with pytest.raises(LeadsError, match="did not settle in 2 rounds"):
        label_components(warehouse, EDGES_SQL, "graph", "components", max_rounds=2)
