"""`leads source add`: a new source's sources.yml entry and staging model, from one sample file.

The sample's headers are read as ingestion reads them (encoding detected from the bytes). Each
header is given the contract column it most resembles (rapidfuzz, over the contract columns'
usual spellings and those sources.yml already lists for them): that column becomes the header's
canonical name, so the staging skeleton knows how to fill it. A header that resembles none keeps
its own snake_case name and is left for a person to map. The entry is appended to sources.yml
with its comments and order kept (ruamel.yaml round trip); the skeleton builds as written, with
NULL for every contract column no header fills.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from leads_pipeline.config.errors import ConfigError, FileRejected
from leads_pipeline.config.registry import Registry, SourceSpec, load_registry
from leads_pipeline.stages.ingest.content import scan_file, transcode_to_utf8
from leads_pipeline.stages.ingest.csv_reader import read_header
from leads_pipeline.stages.ingest.headers import closest_column, snake_name

# The record shape's columns, in order: the one list every lead source's staging model fills.
RECORD_SHAPE_MACRO = Path("macros/record_shape.sql")
_RECORD_COLUMN = re.compile(r"^\s*\('(?P<name>\w+)', (?P<type>.+)\),\s*$")
_LINEAGE = {"snapshot_date": "_snapshot_date", "file_name": "_file_name", "record_number": "_record_number"}


@dataclass(frozen=True)
class Filler:
    """How a staging model fills a contract column from the raw column of the same name."""

    spellings: tuple[str, ...]  # headers agencies write for it, besides the column's own name
    sql: str  # the staging expression; $col is the raw column
    lookup: str | None = None  # the Python lookup (schema `lookup`) that parses the raw column
    checked: str | None = None  # the rule of a `<column>__problem` when the SQL gives NULL for a value


FILLERS = {
    "company": Filler(
        ("Facility Name", "Name", "Operation Name", "Provider Name", "Program Name", "Business Name"),
        "{{ clean_text('source.$col') }}",
        lookup="facility_names",
    ),
    "license_number": Filler(
        ("License Number", "License", "License No", "Credential Number", "Permit Number"),
        "{{ clean_text('source.$col') }}",
    ),
    "license_type": Filler(("License Type", "Credential Type", "Facility Type"), "{{ clean_text('source.$col') }}"),
    "license_status": Filler(("License Status", "Status"), "{{ clean_text('source.$col') }}"),
    "license_issued": Filler(
        ("Issue Date", "License Issued", "First Issue Date", "Effective Date"),
        "{{ parse_date(clean_text('source.$col'), 'source._snapshot_date') }}",
        checked="invalid_date",
    ),
    "certificate_expiration_date": Filler(
        ("Expiration Date", "Expires", "License Expiration"),
        "{{ parse_date(clean_text('source.$col'), 'source._snapshot_date') }}",
        checked="invalid_date",
    ),
    "phone": Filler(("Phone", "Phone Number", "Telephone"), "phones.e164", lookup="phones"),
    "email": Filler(("Email", "Email Address"), "{{ email_address('source.$col') }}", checked="invalid_email"),
    "website_address": Filler(("Website", "Web Site", "URL"), "{{ clean_text('source.$col') }}"),
    "address1": Filler(
        ("Address", "Street Address", "Street", "Address Line 1"), "street_lines.address1", lookup="street_lines"
    ),
    "address2": Filler(("Address Line 2", "Suite", "Unit"), "{{ clean_text('source.$col') }}"),
    "city": Filler(("City",), "upper({{ clean_text('source.$col') }})"),
    "county": Filler(("County",), "upper({{ clean_text('source.$col') }})"),
    "state": Filler(("State",), "us_states.state_code"),
    "zip": Filler(("Zip", "Zip Code", "Postal Code"), "{{ zip5('source.$col') }}", checked="invalid_zip"),
    "capacity": Filler(
        ("Capacity", "Total Capacity", "Licensed Capacity"),
        "{{ positive_integer('source.$col') }}",
        checked="invalid_capacity",
    ),
    "provider_id": Filler(("Facility ID", "Provider ID"), "{{ clean_text('source.$col') }}"),
    "licensee_name": Filler(("Licensee", "Licensee Name", "License Holder"), "{{ clean_text('source.$col') }}"),
    "title": Filler(("Contact Role", "Contact Title"), "{{ clean_text('source.$col') }}"),
}


@dataclass
class Proposal:
    """What `source add` writes and what it leaves for a person to decide."""

    name: str
    headers: dict[str, str]  # header as written -> canonical column
    natural_key: str
    entry: CommentedMap
    model_path: Path
    to_decide: list[str] = field(default_factory=list)

    @property
    def unmapped(self) -> list[str]:
        return [header for header, column in self.headers.items() if column not in FILLERS]


def sample_headers(sample: Path) -> list[str]:
    """The sample's header row, read with the encoding its bytes show (as ingestion does)."""
    if not sample.is_file():
        raise ConfigError(f"cannot read the sample {sample}: no such file; pass the path of one of the source's CSVs")
    try:
        content = scan_file(sample)
        if content.encoding in ("utf-8", "utf-8-sig"):
            header = read_header(sample)
        else:
            with tempfile.TemporaryDirectory() as work:
                utf8 = Path(work) / "sample.csv"
                transcode_to_utf8(sample, utf8, content)
                header = read_header(utf8)
    except FileRejected as exc:
        raise ConfigError(f"cannot read the sample {sample}: {exc}") from None
    headers = [h.strip() for h in header or [] if h.strip()]
    if not headers:
        raise ConfigError(
            f"cannot read the sample {sample}: it has no header row; the first line must name the columns"
        )
    return headers


def known_spellings(registry: Registry) -> dict[str, list[str]]:
    """Per contract column the skeleton fills: its usual spellings and those sources.yml lists for it."""
    spellings = {column: list(filler.spellings) for column, filler in FILLERS.items()}
    for spec in registry:
        for column, aliases in spec.columns.items():
            if column in spellings:
                spellings[column] += [a for a in aliases if a not in spellings[column]]
    return spellings


def map_sample_headers(headers: Iterable[str], registry: Registry) -> dict[str, str]:
    """Header -> canonical column; each contract column goes to the first header that resembles it."""
    spellings = known_spellings(registry)
    mapping: dict[str, str] = {}
    for header in headers:
        taken = set(mapping.values())
        column = closest_column(header, {c: s for c, s in spellings.items() if c not in taken})
        own = snake_name(header) or f"column_{len(mapping) + 1}"
        while column is None and own in taken | set(FILLERS):
            own = f"{own}_raw"  # an unmapped header never takes a contract column's name
        mapping[header] = column or own
    return mapping


def record_columns(dbt_project: Path) -> list[tuple[str, str]]:
    """(name, SQL type) of the record shape, read from its macro so the list lives in one place."""
    text = (dbt_project / RECORD_SHAPE_MACRO).read_text(encoding="utf-8")
    body = text.split("macro record_columns()", 1)[1].split("endmacro", 1)[0]
    columns = []
    for line in body.splitlines():
        match = _RECORD_COLUMN.match(line)
        if match:
            kind = match["type"].strip("'")
            columns.append((match["name"], f"{{{{ {kind} }}}}" if kind.startswith("dbt.") else kind))
    return columns


def propose(
    registry: Registry,
    name: str,
    sample: Path,
    dbt_project: Path,
    state: str | None = None,
    agency: str | None = None,
    glob: str | None = None,
) -> Proposal:
    """The sources.yml entry and staging model for a new source, from its sample file."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConfigError(f"source name {name!r} must be lower snake_case (letters, digits, _), e.g. arizona")
    if name in registry.sources:
        raise ConfigError(f"source {name} already exists in sources.yml; pick another name or edit its entry")
    headers = map_sample_headers(sample_headers(sample), registry)
    columns = list(headers.values())
    natural_key = "license_number" if "license_number" in columns else columns[0]
    parse = {}
    for column in columns:
        lookup = FILLERS[column].lookup if column in FILLERS else None
        if lookup:
            parse[lookup] = [column]

    entry = CommentedMap()
    entry["agency"] = agency or name
    if state:
        entry["state"] = state.upper()
    entry["role"] = "lead"
    entry["glob"] = glob or f"{name}/*.csv"
    entry["natural_key"] = natural_key
    entry["required"] = _flow([natural_key])
    entry["parse"] = CommentedMap((lookup, _flow(parsed)) for lookup, parsed in parse.items())
    entry["columns"] = CommentedMap((column, _flow([header])) for header, column in headers.items())

    # Checked as sources.yml will read it (the glob stays inside the bucket, ...) before anything is written.
    SourceSpec(
        name=name,
        glob=entry["glob"],
        natural_key=natural_key,
        columns={column: (header,) for header, column in headers.items()},
        parse={lookup: tuple(parsed) for lookup, parsed in parse.items()},
    )
    model_path = dbt_project / "models" / "staging" / name / f"stg_{name}__facilities.sql"
    proposal = Proposal(name, headers, natural_key, entry, model_path)
    proposal.to_decide = _to_decide(proposal, registry)
    return proposal


def _flow(values: list[str]) -> CommentedSeq:
    """A YAML list written on one line, as sources.yml writes its lists."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _to_decide(proposal: Proposal, registry: Registry) -> list[str]:
    key_header = next(h for h, c in proposal.headers.items() if c == proposal.natural_key)
    notes = [
        f"natural key: {proposal.natural_key} (header {key_header!r}); check that it identifies one record per "
        "snapshot, and set natural_key and required in sources.yml if not"
    ]
    if proposal.unmapped:
        notes.append(
            "unmapped headers (kept under their own names, NULL in the contract): "
            + ", ".join(f"{h!r} -> {proposal.headers[h]}" for h in proposal.unmapped)
            + "; map them in the staging model, or rename them under columns: in sources.yml"
        )
    parsed = {lookup for lookup in proposal.entry["parse"]}
    if "one_line_addresses" not in parsed and "address1" not in proposal.headers.values():
        notes.append(
            "no street address header found: if one column holds the whole address, parse it with one_line_addresses"
        )
    notes.append(
        "parse lists: "
        + (", ".join(f"{lookup}: {list(columns)}" for lookup, columns in proposal.entry["parse"].items()) or "none")
        + "; add people/caregivers/licensees for contact and owner names"
    )
    if "license_type" in proposal.headers.values():
        notes.append(
            f"facility types: add the source's license types to leads/seeds/facility_types.csv as {proposal.name}"
        )
    notes.append(
        f"place in sources.yml: the lead sources' order settles disagreeing values; {proposal.name} comes last"
    )
    return notes


def render_model(proposal: Proposal, dbt_project: Path) -> str:
    """The staging model: every record column, filled from the mapped headers, NULL otherwise."""
    name, mapped = proposal.name, set(proposal.headers.values())
    raw = ", ".join(f"'{c}'" for c in proposal.headers.values())
    state = proposal.entry.get("state")
    lookups = {FILLERS[c].lookup: c for c in mapped if c in FILLERS and FILLERS[c].lookup}

    def fill(column: str) -> str | None:
        if column in mapped and column in FILLERS:
            return Template(FILLERS[column].sql).substitute(col=column)
        return None

    key = f"{{{{ clean_text('source.{proposal.natural_key}') }}}}"
    special = {
        "source": f"'{name}'",
        "natural_key": key,
        "load_id": "source._dlt_load_id",
        "state": f"coalesce(us_states.state_code, '{state}')" if state else "us_states.state_code",
        "facility_type": "coalesce(facility_types.facility_type, 'other')" if "license_type" in mapped else "'other'",
        "address2": (
            "coalesce(street_lines.address2, {{ clean_text('source.address2') }})"
            if {"address1", "address2"} <= mapped
            else "street_lines.address2"
            if "address1" in mapped
            else fill("address2")
        ),
        "address_key": "street_lines.street_key || ' ' || {{ zip5('source.zip') }}"
        if {"address1", "zip"} <= mapped
        else None,
        "street_number": "street_lines.street_number" if "address1" in mapped else None,
        "name_key": "facility_names.name_key" if "company" in mapped else None,
        "company": "coalesce(facility_names.repaired, {{ clean_text('source.company') }})"
        if "company" in mapped
        else None,
        "phone_extension": "phones.extension" if "phone" in mapped else None,
        **{column: f"source.{raw_column}" for column, raw_column in _LINEAGE.items()},
    }
    if "state" not in mapped:
        special["state"] = f"'{state}'" if state else None
    selected = []
    for column, kind in record_columns(dbt_project):
        expression = special[column] if column in special else fill(column)
        selected.append(f"{expression or f'cast(null as {kind})'} as {column}")
    selected.append("source._parse_error as parse_error")
    selected += _checked_columns(mapped, lookups)

    ctes = [f"source as (\n    {{{{ raw_source('{name}', [{raw}]) }}}}\n)"]
    ctes += [
        f"{lookup} as (\n    {{{{ lookup_source('{lookup}', among='{column}') }}}}\n)"
        for lookup, column in lookups.items()
    ]
    if "license_type" in mapped:
        ctes.append(
            f"facility_types as (\n    select * from {{{{ ref('facility_types') }}}}\n    where source = '{name}'\n)"
        )
    if "state" in mapped:
        ctes.append("us_states as (\n    select * from {{ ref('us_states') }}\n)")
    joins = [f"    left join {lookup} on source.{column} = {lookup}.raw_value" for lookup, column in lookups.items()]
    if "license_type" in mapped:
        joins.append(
            "    left join facility_types"
            " on upper({{ clean_text('source.license_type') }}) = facility_types.license_type"
        )
    if "state" in mapped:
        joins.append("    left join us_states on {{ state_spelling('source.state') }} = us_states.spelling")
    columns = ",\n".join(f"        {line}" for line in selected)
    renamed = "renamed as (\n    select\n" + columns + "\n\n    from source\n" + "\n".join(joins) + "\n)"
    header = (
        f"{{#- {proposal.entry['agency']}"
        + (f" ({state})" if state else "")
        + ": one row per raw record, typed and normalized.\n"
        "    Written by `leads source add`: contract columns no header fills are NULL; map them here, and\n"
        "    check each rule against the agency's files. -#}\n"
    )
    body = "with\n\n" + ",\n\n".join([*ctes, renamed]) + "\n\nselect * from renamed\n"
    return header + "{% set staged %}\n" + body + "{% endset %}\n\n{{ raw_text_of_problems_only(staged) }}\n"


def _checked_columns(mapped: set[str], lookups: dict[str, str]) -> list[str]:
    """The `<column>__raw` / `<column>__problem` pairs data_quality_issues reports."""
    lines = []
    if "license_number" in mapped:
        lines += [
            "source.license_number as license_number__raw",
            "case when {{ clean_text('source.license_number') }} is null then 'missing_license_number' end"
            " as license_number__problem",
        ]
    if "company" in mapped:
        lines += [
            "source.company as company__raw",
            "case when facility_names.repaired is not null then 'text_repaired' end as company__problem",
        ]
    problem_of = {"phones": "phone", "street_lines": "address1", "facility_names": "name_key"}
    for lookup, column in lookups.items():
        checked = problem_of[lookup]
        lines += [
            f"source.{column} as {checked}__raw",
            f"{{{{ lookup_problem('source.{column}', '{lookup}') }}}} as {checked}__problem",
        ]
    for column in sorted(mapped):
        rule = FILLERS[column].checked if column in FILLERS else None
        if rule:
            value = Template(FILLERS[column].sql).substitute(col=column)
            lines += [
                f"source.{column} as {column}__raw",
                f"case when {{{{ has_text('source.{column}') }}}} and ({value}) is null then '{rule}' end"
                f" as {column}__problem",
            ]
    if "state" in mapped:
        lines += [
            "source.state as state__raw",
            "case when {{ has_text('source.state') }} and us_states.state_code is null then 'invalid_state' end"
            " as state__problem",
        ]
    return lines


def render_model_doc(proposal: Proposal) -> str:
    """The staging model's dbt properties: what it is, the header behind each mapped column, its test."""
    model = {
        "name": f"stg_{proposal.name}__facilities",
        "description": f"{proposal.entry['agency']} licensing records in the record shape, one row per raw record "
        f"of raw.{proposal.name}_raw.",
        "data_tests": [{"unique_combination": {"arguments": {"columns": ["file_name", "record_number"]}}}],
        "columns": [
            {"name": column, "description": f"From `{header}`."}
            for header, column in proposal.headers.items()
            if column in FILLERS
        ],
    }
    return yaml.safe_dump({"version": 2, "models": [model]}, sort_keys=False, width=100, allow_unicode=True)


def write(proposal: Proposal, sources_file: Path, dbt_project: Path) -> list[Path]:
    """Append the entry to sources.yml (comments and order kept) and write the staging model."""
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096
    round_trip.indent(mapping=2, sequence=4, offset=2)
    document = round_trip.load(sources_file.read_text(encoding="utf-8"))
    sources = document["sources"]
    lead_names = [n for n, entry in sources.items() if (entry or {}).get("role", "lead") == "lead"]
    # After the last lead source: the lead sources' order is the contract's, the CRM stays last.
    position = list(sources).index(lead_names[-1]) + 1 if lead_names else len(sources)
    sources.insert(position, proposal.name, proposal.entry)
    sources.yaml_set_comment_before_after_key(
        proposal.name, before="\n", indent=2
    )  # a blank line, as between the others
    model_doc = proposal.model_path.with_suffix(".yml")
    if proposal.model_path.exists() or model_doc.exists():
        raise ConfigError(f"{proposal.model_path} already exists; remove it or pick another source name")
    proposal.model_path.parent.mkdir(parents=True, exist_ok=True)
    proposal.model_path.write_text(render_model(proposal, dbt_project), encoding="utf-8")
    model_doc.write_text(render_model_doc(proposal), encoding="utf-8")
    with sources_file.open("w", encoding="utf-8") as handle:
        round_trip.dump(document, handle)
    load_registry(sources_file)  # what was written must read back as a valid registry
    return [sources_file, proposal.model_path, model_doc]
