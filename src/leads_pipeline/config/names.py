"""Where things live in the warehouse: each schema and table the Python steps read or write, named once.

dlt writes `raw`; the lookups `lookup`; the identity resolve step `identity`; the run log, the
alerts and the steps' bookkeeping `main_audit`. dbt writes its layers to `<profile schema>_<layer>`
(`leads/macros/generate_schema_name.sql`, profile schema `main`); the dbt project names the
schemas written outside it in its own vars (`leads/dbt_project.yml`), which must agree with these.
"""

# -- schemas ------------------------------------------------------------------------------------
RAW = "raw"
LOOKUP = "lookup"
IDENTITY = "identity"
AUDIT = "main_audit"
STAGING = "main_staging"
INTERMEDIATE = "main_intermediate"
GOLD = "main_gold"

# -- raw (dlt) ----------------------------------------------------------------------------------
LEDGER = "ingested_files"
REJECTS = "rejected_records"
RECORD_INDEX = "record_index"  # per landed record: natural key, content hash (ingest.record_index)
DLT_LOADS = "_dlt_loads"
DLT_VERSION = "_dlt_version"

# -- main_audit -----------------------------------------------------------------------------------
RUNS = "runs"
ALERTS = "alerts"
LOOKUP_LOADS = "lookup_loads"  # the raw loads whose values the lookups have parsed
LOOKUP_VERSIONS = "lookup_versions"  # the parser version each lookup table was made with
TRANSFORM_STATE = "transform_state"  # what the last successful transform was built from
REPORT_MARTS = "report_marts"  # the report's figures from the marts of the last successful transform
STAGING_BUILD = "staging_build"  # the dbt project staging was last built by
TESTED_LOADS = "tested_loads"  # the loads whose staged rows passed every data test (leads/macros/tested_loads.sql)
# the latest history stamp up to which the stamped models' rows passed every data test (the same macros)
TESTED_COMPARISONS = "tested_comparisons"

# -- main_gold ----------------------------------------------------------------------------------
LEADS = "leads"
LEAD_CHANGES = "lead_changes"
FILE_LOADS = "file_loads"
DATA_QUALITY_ISSUES = "data_quality_issues"
