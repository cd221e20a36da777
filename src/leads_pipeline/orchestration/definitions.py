"""The Dagster code location: `dagster dev -m leads_pipeline.orchestration.definitions`.

The asset graph follows the data: bucket folders -> raw tables (dlt) -> lookup tables -> staging
-> intermediate -> gold (dbt, data tests as asset checks). One job runs it all, on a daily schedule
and when the sensor sees a new file. The settings come from the environment, as for `leads`
(LEADS_BUCKET_URL, LEADS_DATABASE, LEADS_SCHEDULE_CRON, ...); loading runs `dbt parse` (offline).
"""

from leads_pipeline.orchestration.location import build_definitions

defs = build_definitions()
