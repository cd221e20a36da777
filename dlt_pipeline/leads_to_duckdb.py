"""Load new bucket files into the raw tables of leads.duckdb (the `leads ingest` step).

Kept at this path so `uv run dlt_pipeline/leads_to_duckdb.py` keeps working; the bucket and the
database come from LEADS_BUCKET_URL / LEADS_DATABASE (or .dlt/config.toml), as for `leads`.
"""

import sys

from leads_pipeline.cli import app

if __name__ == "__main__":
    sys.exit(app(["ingest", *sys.argv[1:]]))
