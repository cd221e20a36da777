"""leads-pipeline: agency licensing files to one de-duplicated table of sales leads."""

import os

# Nothing may call out: dlt, dbt and Dagster telemetry stay off in every entry point.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
