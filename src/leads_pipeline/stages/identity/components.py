"""Connected components of a graph whose edges are a warehouse query, in portable SQL.

Label propagation, as Splink finds its clusters: every node starts with the smallest id among
itself and its neighbours and then, each round, takes the smallest of its label, its neighbours'
labels and its label's own label. That last hop lets a label run down a chain much faster than one
edge a round. Labels only fall and always name a node of the same component, so once a round
changes none, every node holds its component's smallest node id. Each round is one statement that
writes a new table: memory stays in the warehouse, however large the graph.
"""

from __future__ import annotations

from leads_pipeline.config.errors import LeadsError
from leads_pipeline.warehouse import Warehouse

# Rounds grow with the longest chain a label must travel, roughly its logarithm given the hop:
# a graph that has not settled by then is not one of candidate pairs.
MAX_ROUNDS = 64

NEIGHBOURS_SQL = """
    CREATE TABLE {neighbours} AS
    WITH edges AS ({edges})
    SELECT left_node AS node, right_node AS neighbour FROM edges
    UNION
    SELECT right_node, left_node FROM edges
"""
FIRST_LABELS_SQL = """
    CREATE TABLE {labels} AS
    SELECT node, least(node, min(neighbour)) AS component
    FROM {neighbours}
    GROUP BY node
"""
NEXT_LABELS_SQL = """
    CREATE TABLE {next} AS
    WITH nearest AS (
        SELECT neighbours.node, min(labels.component) AS component
        FROM {neighbours} AS neighbours
        INNER JOIN {labels} AS labels ON labels.node = neighbours.neighbour
        GROUP BY neighbours.node
    )
    SELECT labels.node, least(labels.component, nearest.component, hop.component) AS component
    FROM {labels} AS labels
    INNER JOIN nearest ON nearest.node = labels.node
    INNER JOIN {labels} AS hop ON hop.node = labels.component
"""
CHANGED_SQL = """
    SELECT count(*) FROM {next} AS next
    INNER JOIN {labels} AS labels ON labels.node = next.node
    WHERE next.component <> labels.component
"""


def label_components(
    warehouse: Warehouse, edges_sql: str, schema: str, table: str, max_rounds: int = MAX_ROUNDS
) -> int:
    """Write `schema.table` (node, component): each node of an edge of `edges_sql` (a query with
    columns left_node and right_node) with the smallest node id of its component. Nodes in no edge
    are left out. Returns the rounds it took."""
    labels, neighbours, following = (f"{schema}.{table}{suffix}" for suffix in ("", "__neighbours", "__next"))
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for name in (labels, neighbours, following):
        warehouse.execute(f"DROP TABLE IF EXISTS {name}")
    warehouse.execute(NEIGHBOURS_SQL.format(neighbours=neighbours, edges=edges_sql))
    warehouse.execute(FIRST_LABELS_SQL.format(labels=labels, neighbours=neighbours))
    try:
        for rounds in range(1, max_rounds + 1):
            warehouse.execute(NEXT_LABELS_SQL.format(next=following, labels=labels, neighbours=neighbours))
            changed = warehouse.query(CHANGED_SQL.format(next=following, labels=labels))[0][0]
            warehouse.execute(f"DROP TABLE {labels}")
            warehouse.execute(f"ALTER TABLE {following} RENAME TO {table}")
            if not changed:
                return rounds
    finally:
        warehouse.execute(f"DROP TABLE IF EXISTS {neighbours}")
        warehouse.execute(f"DROP TABLE IF EXISTS {following}")
    raise LeadsError(
        f"the connected components of {schema}.{table} did not settle in {max_rounds} rounds of label "
        "propagation: the candidate pairs chain far more records than blocking should allow; check "
        "int_record_pairs__blocked for a key most records share"
    )
