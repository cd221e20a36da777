"""Identity resolution: which source records are one facility, and which CRM lead it is.

`rules` holds the contract's rules for one pair, `names` scores facility names, `clustering` the
constrained union-find, `crm` the CRM match, `resolve` applies them to candidate pairs and writes
the `identity` tables the marts read, `components` finds the connected components of the pairs in
SQL, and `by_component` is the step: dbt's candidate pairs in, one component at a time.
"""

from leads_pipeline.stages.identity.by_component import resolve_identities
from leads_pipeline.stages.identity.clustering import Clusters, Edge, RecordInfo, cluster
from leads_pipeline.stages.identity.resolve import ResolveReport
from leads_pipeline.stages.identity.rules import Rule, Site, best_rule

__all__ = [
    "Clusters",
    "Edge",
    "RecordInfo",
    "ResolveReport",
    "Rule",
    "Site",
    "best_rule",
    "cluster",
    "resolve_identities",
]
