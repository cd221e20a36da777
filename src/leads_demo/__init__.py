"""Synthetic agency files with known duplicates, for demos, tests and benchmarks.

`generate_bucket` writes monthly snapshots of the three agency files (Nevada, Oklahoma,
Texas) in the agencies' own layouts and quirks, an optional CRM export, and the ground
truth under `_truth/`:

- records.csv: source, natural_key, facility_id, operator_id, first_snapshot_date,
  last_snapshot_date. One row per listing that appears in at least one snapshot; listings
  sharing a facility_id are one lead, listings sharing only an operator_id are sister sites
  (a chain on one phone) that must stay apart.
- events.csv: source, natural_key, snapshot_date, change_type (inserted / updated /
  deleted), changed_columns (contract column names, comma-joined, for updates),
  facility_id. The first snapshot's listings are all `inserted`.
- crm_matches.csv: facility_id, crm_id, is_deleted, match_on (phone / address_name).
- summary.json: parameters, record count per file, duplicate, trap, event and quirk counts.

See README.md beside this module.
"""

from leads_demo.generator import GenerationSummary, generate_bucket

__all__ = ["GenerationSummary", "generate_bucket"]
