"""A later month's resolve: settling only the components a change touched, against settling all.

    uv run python benchmarks/resolve_again.py DATABASE [--share 0.08] [--runs 2]

DATABASE is a DuckDB file after a transform, such as the one `leads bench --steps
ingest,transform --keep` leaves in its work folder (`ingest.duckdb`). Each run works on a copy
beside it, resolved once by this code, in which `share` of the records then change their street
number (as a month's changes do: their clusters may split or merge), and measures in this process:

    baseline   the resolve step settling every component (`leads transform --full-refresh`'s way)
    again      the resolve step settling only the components of the touched records, and only
               the CRM leads whose inputs changed choosing again

It prints both, their ratio, the records settled again and the CRM leads that matched again, and
checks that both wrote the same clusters and CRM matches. The copies are deleted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "src"))

from leads_pipeline.config import names  # noqa: E402
from leads_pipeline.config.settings import Settings  # noqa: E402
from leads_pipeline.stages.identity import by_component  # noqa: E402
from leads_pipeline.stages.identity import resolve as whole  # noqa: E402
from leads_pipeline.warehouse import Warehouse  # noqa: E402

# What both resolves must write alike: the clusters (rows, leads, a hash of every row) and the CRM
# matches (rows, a hash of every row).
WRITTEN_DIGEST = (
    "SELECT count(*), count(DISTINCT lead_id), sum(hash(source, natural_key, lead_id, is_anchor, match_rule)), "
    f"(SELECT count(*) FROM {names.IDENTITY}.crm_matches), "
    f"(SELECT sum(hash(lead_id, salesforce_lead_id, match_rule)) FROM {names.IDENTITY}.crm_matches) "
    f"FROM {names.IDENTITY}.record_clusters"
)


def resolve_on_copy(database: Path, share: float, settle_all: bool) -> tuple[float, whole.ResolveReport, tuple]:
    """Seconds of one resolve on a copy of `database` with `share` of its records changed, its
    report and a digest of the clusters and CRM matches it wrote."""
    copy = database.with_name(f"{database.stem}.resolve-again{database.suffix}")
    shutil.copy(database, copy)
    try:
        with Warehouse.open(Settings.load(database=copy, target="duckdb")) as warehouse:
            # The state this code keeps, whatever code wrote the database's.
            by_component.resolve_identities(warehouse, force=True)
            warehouse.execute(
                f"UPDATE {names.INTERMEDIATE}.int_source_records__current "
                "SET street_number = coalesce(street_number, '') || '9' "
                f"WHERE hash(record_index) % 1000 < {round(share * 1000)}"
            )
            warehouse.execute("CHECKPOINT")
            began = time.monotonic()
            report = by_component.resolve_identities(warehouse, force=settle_all)
            seconds = time.monotonic() - began
            return seconds, report, tuple(warehouse.query(WRITTEN_DIGEST)[0])
    finally:
        copy.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a DuckDB file after a transform")
    parser.add_argument("--share", type=float, default=0.08, help="the share of records changed (default 0.08)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each (default 2)")
    args = parser.parse_args()
    if not args.database.is_file():
        parser.error(f"no database at {args.database}: make one with `leads bench --steps ingest,transform --keep`")
    for run in range(1, args.runs + 1):
        baseline, _, settled_all = resolve_on_copy(args.database, args.share, settle_all=True)
        again, report, settled_again = resolve_on_copy(args.database, args.share, settle_all=False)
        if report.records_resolved_again is None:
            print(f"run {run}: the resolve settled every component: the state it keeps was not usable")
            return 1
        if settled_again != settled_all:
            print(f"run {run}: the two resolves wrote different tables: {settled_all} against {settled_again}")
            return 1
        print(
            f"run {run}: baseline (every component) {baseline:.1f}s, again (touched components, "
            f"{report.records_resolved_again:,} records; {report.crm_leads_matched_again:,} CRM leads matched again) "
            f"{again:.1f}s, {again / baseline:.2f}x; clusters {settled_all[0]:,} rows, {settled_all[1]:,} leads, "
            f"{settled_all[3]:,} CRM matches, equal"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
