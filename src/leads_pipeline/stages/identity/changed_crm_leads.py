"""Which CRM leads a resolve matches again: those whose inputs changed since the last resolve.

A CRM lead goes to one lead (`crm.crm_choices`) from its own candidate rows alone: its columns,
and for each record it is paired with the pair's shared keys, the record's name keys, and the
record's lead with that lead's site and anchor. So a hash of those, per CRM lead, says whether its
choice can have changed; every CRM lead whose hash the last resolve recorded keeps the choice it
recorded with it. The hash holds the anchor's own columns, not its rank among all leads: a new
lead elsewhere moves ranks but not the order of two leads it does not touch.

A lead keeps one of the CRM leads that chose it (`crm.crm_preference`), which SQL picks from the
choices of every CRM lead, kept or new. The choices are state kept beside the identity tables and
published with them, like `changed_components`'s.
"""

from __future__ import annotations

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.stages.identity import changed_components, resolved_inputs
from leads_pipeline.warehouse import Warehouse

# Work tables of the step, in the identity schema: each paired CRM lead's hash, and the choices
# of the CRM leads matched again.
HASHES = "resolve_crm_hashes"
CHOSEN = "resolve_crm_chosen"
WORK_TABLES = (HASHES, CHOSEN)
CHOSEN_SCHEMA = pa.schema(
    [
        ("crm_index", pa.int64()),
        ("lead_id", pa.string()),
        ("salesforce_lead_id", pa.string()),
        ("match_rule", pa.string()),
        ("rule_rank", pa.int64()),
        ("score", pa.float64()),
        ("created_date", pa.date32()),
    ]
)
STATE_COLUMNS = ", ".join(CHOSEN_SCHEMA.names[1:])

# The columns of a CRM lead and of a candidate row (`by_component.CRM_CANDIDATES_SQL`) that its
# choice follows from; a sum of each row's hash, since rows come in no order.
CRM_COLUMNS = "crm.salesforce_lead_id, crm.zip, crm.street_number, crm.name_key, crm.created_date"
CANDIDATE_COLUMNS = (
    "candidates.record_index, candidates.shares_phone, candidates.shares_address, candidates.shares_email, "
    "candidates.lead_id, candidates.zip, candidates.street_number, candidates.anchor_first_seen_date, "
    "candidates.anchor_source_rank, candidates.anchor_natural_key, candidates.anchor_index, record_names.names_hash"
)
HASHES_SQL = """
    CREATE TABLE {work}.{hashes} AS
    WITH record_names AS (
        SELECT record_index, sum({name_hash}) AS names_hash
        FROM {schema}.int_match_keys__collected
        WHERE key_type = 'name' AND record_index IN (SELECT record_index FROM {work}.{candidates})
        GROUP BY record_index
    ),
    crm AS (
        SELECT crm.crm_index, sum({crm_hash}) AS crm_hash
        FROM {schema}.int_crm_leads__current AS crm
        WHERE crm.crm_index IN (SELECT crm_index FROM {work}.{candidates})
        GROUP BY crm.crm_index
    ),
    candidates AS (
        SELECT candidates.crm_index, sum({candidate_hash}) AS candidates_hash
        FROM {work}.{candidates} AS candidates
        LEFT JOIN record_names ON record_names.record_index = candidates.record_index
        GROUP BY candidates.crm_index
    )
    SELECT candidates.crm_index, {inputs_hash} AS inputs_hash
    FROM candidates
    INNER JOIN crm ON crm.crm_index = candidates.crm_index
"""
# The CRM leads whose inputs hash as the last resolve recorded: their candidates are not read.
KEPT = """
    SELECT hashes.crm_index, hashes.inputs_hash, {state_columns}
    FROM {work}.{hashes} AS hashes
    INNER JOIN {work}.{state} AS kept ON kept.crm_index = hashes.crm_index AND kept.inputs_hash = hashes.inputs_hash
"""
DROP_KEPT_SQL = "DELETE FROM {work}.{candidates} WHERE crm_index IN (SELECT crm_index FROM ({kept}) AS kept)"
# The next state: a row for every paired CRM lead, its choice kept or made again (none where no
# lead satisfies a rule).
NEXT_STATE_SQL = """
    CREATE TABLE {work}.{staged} AS
    SELECT hashes.crm_index, hashes.inputs_hash, {chosen_columns}
    FROM {work}.{hashes} AS hashes
    LEFT JOIN {work}.{chosen} AS chosen ON chosen.crm_index = hashes.crm_index
    {not_kept}
"""
NOT_KEPT = """WHERE hashes.crm_index NOT IN (SELECT crm_index FROM ({kept}) AS kept)
    UNION ALL
    {kept}"""
# Each lead's CRM lead of the `choices` (CHOSEN_SCHEMA's columns) that chose it, by
# `crm.crm_preference` (the most recent creation first, none last), then the CRM lead first in its
# order: what `crm.match_crm` keeps of a whole graph's choices.
MATCHES_SQL = """
    INSERT INTO {work}.{matches} (lead_id, salesforce_lead_id, match_rule, resolved_at)
    SELECT lead_id, salesforce_lead_id, match_rule, CAST('{now}' AS TIMESTAMP)
    FROM (
        SELECT lead_id, salesforce_lead_id, match_rule, row_number() OVER (
            PARTITION BY lead_id
            ORDER BY rule_rank, score DESC, created_date DESC NULLS LAST, salesforce_lead_id COLLATE "C", crm_index
        ) AS preference
        FROM {choices}
        WHERE lead_id IS NOT NULL
    ) AS choices
    WHERE preference = 1
"""


def _formats(**more: str) -> dict[str, str]:
    return {
        "work": names.IDENTITY,
        "hashes": HASHES,
        "chosen": CHOSEN,
        "state": changed_components.CRM_STATE,
        "staged": changed_components.CRM_STATE_STAGED,
        "state_columns": ", ".join(f"kept.{column}" for column in STATE_COLUMNS.split(", ")),
        **more,
    }


def drop_work(warehouse: Warehouse) -> None:
    for table in WORK_TABLES:
        warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{table}")


def stage_hashes(warehouse: Warehouse, candidates: str, schema: str) -> None:
    """Write the work table of each paired CRM lead with the hash of its inputs, from the candidate
    rows in `identity.<candidates>`, and an empty one for the choices made again."""
    row_hash = resolved_inputs.ROW_HASH[warehouse.target]
    warehouse.execute(
        HASHES_SQL.format(
            **_formats(candidates=candidates, schema=schema),
            name_hash=row_hash.format(columns="key_value"),
            crm_hash=row_hash.format(columns=CRM_COLUMNS),
            candidate_hash=row_hash.format(columns=CANDIDATE_COLUMNS),
            inputs_hash=row_hash.format(columns="crm.crm_hash, candidates.candidates_hash"),
        )
    )
    warehouse.create_table_like(names.IDENTITY, CHOSEN, CHOSEN_SCHEMA)


def drop_kept(warehouse: Warehouse, candidates: str) -> int:
    """Leave in `identity.<candidates>` only the CRM leads whose inputs changed or are new;
    returns their number."""
    kept = KEPT.format(**_formats())
    warehouse.execute(DROP_KEPT_SQL.format(**_formats(candidates=candidates, kept=kept)))
    return int(warehouse.query(f"SELECT count(DISTINCT crm_index) FROM {names.IDENTITY}.{candidates}")[0][0])


def record_choices(warehouse: Warehouse, choices: pa.Table) -> None:
    """Add choices made again (CHOSEN_SCHEMA's columns)."""
    warehouse.append_arrow(names.IDENTITY, CHOSEN, choices)


def stage_matches(warehouse: Warehouse, matches: str, now: str, incremental: bool) -> int:
    """Stage the next state (when `incremental`, the kept choices with those made again) and each
    lead's CRM match from it into `identity.<matches>`; returns the number of matches."""
    formats = _formats()
    not_kept = NOT_KEPT.format(kept=KEPT.format(**formats)) if incremental else ""
    chosen_columns = ", ".join(f"chosen.{column}" for column in STATE_COLUMNS.split(", "))
    warehouse.execute(NEXT_STATE_SQL.format(**formats, chosen_columns=chosen_columns, not_kept=not_kept))
    return insert_matches(warehouse, f"{names.IDENTITY}.{changed_components.CRM_STATE_STAGED}", matches, now)


def insert_matches(warehouse: Warehouse, choices: str, matches: str, now: str) -> int:
    """Insert into `identity.<matches>` each lead's CRM match from the table or view `choices`
    (CHOSEN_SCHEMA's columns, one row per CRM lead); returns the number of matches."""
    warehouse.execute(MATCHES_SQL.format(work=names.IDENTITY, choices=choices, matches=matches, now=now))
    return int(warehouse.query(f"SELECT count(*) FROM {names.IDENTITY}.{matches}")[0][0])
