"""docs/columns.md from the dbt project: each main_gold.leads column's rule and source.

The column descriptions and sources live once, in `leads/models/marts/leads.yml` (descriptions,
and `meta` keys `nv`, `ok`, `tx` naming the agency column a value comes from); the facility-type
mapping in the seed `leads/seeds/facility_types.csv`. This module renders them into the part of
docs/columns.md between the generated-section markers, leaving the hand-written text around it.

    uv run python -m tools.columns_doc          # rewrite the generated part
    uv run python -m tools.columns_doc --check  # exit 1 when the page is out of date
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import yaml

from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings

BEGIN = "<!-- BEGIN GENERATED from leads/models/marts/leads.yml and leads/seeds/facility_types.csv -->"
END = "<!-- END GENERATED -->"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _columns(project_dir: Path) -> list[dict]:
    document = yaml.safe_load((project_dir / "leads" / "models" / "marts" / "leads.yml").read_text(encoding="utf-8"))
    model = next(m for m in document["models"] if m["name"] == "leads")
    return model["columns"]


def _agencies(project_dir: Path) -> list[tuple[str, str]]:
    """(meta key, column heading) per lead source of sources.yml: `nv`, `NV (source_1)`."""
    registry = load_registry(project_dir / "sources.yml")
    return [
        ((spec.state or spec.name).lower(), f"{spec.state or spec.name} ({spec.name})")
        for spec in registry.lead_sources
    ]


def render(project_dir: Path) -> str:
    """The generated part of docs/columns.md, markers included."""
    columns = _columns(project_dir)
    agencies = _agencies(project_dir)
    contract = [c for c in columns if "meta" in c]
    lineage = [c for c in columns if "meta" not in c]
    lines = [
        BEGIN,
        "",
        "### Contract columns",
        "",
        "| column | type | rule | " + " | ".join(label for _, label in agencies) + " |",
        "|---|---|---|" + "---|" * len(agencies),
    ]
    for column in contract:
        sources = [_cell(column["meta"].get(key)) for key, _ in agencies]
        lines.append(
            f"| `{column['name']}` | {column['data_type']} | {_cell(column.get('description'))} | "
            + " | ".join(sources)
            + " |"
        )
    lines += ["", "### Lineage and status columns", "", "| column | type | rule |", "|---|---|---|"]
    for column in lineage:
        lines.append(f"| `{column['name']}` | {column['data_type']} | {_cell(column.get('description'))} |")
    lines += [
        "",
        "### Facility types by license type",
        "",
        "| source | license type (upper case) | facility_type |",
        "|---|---|---|",
    ]
    with (project_dir / "leads" / "seeds" / "facility_types.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lines.append(f"| {row['source']} | {_cell(row['license_type'])} | `{row['facility_type']}` |")
    lines += ["", END]
    return "\n".join(lines)


def update(page: str, generated: str) -> str:
    """The page with its generated part replaced; a page without the markers is an error."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"docs/columns.md has no generated section: keep the lines\n{BEGIN}\n{END}")
    return page[:start] + generated + page[end + len(END) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/columns.md is out of date")
    args = parser.parse_args(argv)
    project_dir = Settings.load().project_dir
    path = project_dir / "docs" / "columns.md"
    page = path.read_text(encoding="utf-8")
    wanted = update(page, render(project_dir))
    if args.check:
        if wanted != page:
            print(f"{path} is out of date: run `uv run python -m tools.columns_doc`", file=sys.stderr)
            return 1
        return 0
    if wanted != page:
        path.write_text(wanted, encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
