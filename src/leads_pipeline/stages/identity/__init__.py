"""Identity resolution: which source records are one facility, and which CRM lead it is.

`rules` holds the contract's rules for one pair, `names` scores facility names, `clustering` the
constrained union-find, `crm` the CRM match, and `resolve` the step that
reads dbt's candidate pairs and writes the `identity` tables the marts read.
"""

from leads_pipeline.stages.identity.clustering import Clusters, Edge, RecordInfo, cluster
from leads_pipeline.stages.identity.resolve import ResolveReport, resolve_identities
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
