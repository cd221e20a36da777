"""The dbt project's view of `sources.yml`: the one place a source is declared.

dbt cannot read `sources.yml` itself, so two files of the dbt project are written from it:
- `models/staging/_raw__sources.yml`: the `raw` dbt source, one table per registered source plus
  the ledger and the rejects, each source's role, state and staging model in its `meta`;
- `macros/_registry.sql`: the macro `registry()`, the same facts for the models at parse time
  (the lead sources in the contract's order, each source's staging model and key rule).
Both are committed, so a plain `dbt run` works on a fresh clone; every `leads` command that runs
dbt rewrites them first when `sources.yml` changed (`sync`), and stops with one line when a source
has no staging model or a staging model no source.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from leads_pipeline.config import names
from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import Registry, SourceSpec

SOURCES_FILE = Path("models/staging/_raw__sources.yml")
MACRO_FILE = Path("macros/_registry.sql")
STAGING_DIR = Path("models/staging")
HEADER = "Written by `leads` from sources.yml (stages/transform/registry_files.py): edit sources.yml, not this file."
LEDGER_TABLES = {
    names.LEDGER: "One row per listed file version and what happened to it (see README, Safe re-runs).",
    names.REJECTS: "Records that could not be read at all, with file, record number and reason.",
    names.RECORD_INDEX: "One row per landed record: its natural key and the hash of its canonical columns, "
    "written as its file lands (stages/ingest/record_index.py).",
}


def staging_model(spec: SourceSpec) -> str:
    """The staging model of a source: `stg_<source>__facilities` for a lead source, `__leads` for the CRM."""
    return spec.staging_model or f"stg_{spec.name}__{'facilities' if spec.role == 'lead' else 'leads'}"


def render_sources(registry: Registry) -> str:
    tables = [
        {
            "name": spec.table_name,
            "description": f"{spec.agency or spec.name}"
            + (f" ({spec.state})" if spec.state else "")
            + f": every record of every loaded file matching {spec.glob}, as text with file lineage.",
            "meta": {"source": spec.name, "role": spec.role, "state": spec.state, "staging_model": staging_model(spec)},
        }
        for spec in registry
    ]
    tables += [{"name": name, "description": description} for name, description in LEDGER_TABLES.items()]
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",  # the dbt source name
                "description": "Every CSV record of every file ever loaded, as text, with file lineage. Written by dlt "
                "(`leads ingest`); append-only.",
                "schema": "{{ var('raw_schema') }}",
                "tables": tables,
            }
        ],
    }
    return f"# {HEADER}\n" + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)


def render_macro(registry: Registry) -> str:
    sources = [
        {
            "id": spec.name,
            "role": spec.role,
            "state": spec.state,
            "staging_model": staging_model(spec),
            "natural_key_pattern": spec.natural_key_pattern,
        }
        for spec in registry
    ]
    listed = ",\n".join(f"        {_jinja_dict(source)}" for source in sources)
    return (
        f"{{#- {HEADER} -#}}\n"
        "{#- The registered sources in sources.yml's order: the lead sources' order is the contract's. -#}\n"
        "{% macro registry() -%}\n"
        f"    {{{{ return([\n{listed},\n    ]) }}}}\n"
        "{%- endmacro %}\n"
    )


def _jinja_dict(values: dict[str, str | None]) -> str:
    """A dict literal Jinja reads: quoted strings, `none` for a missing value."""
    return (
        "{" + ", ".join(f"{json.dumps(k)}: {'none' if v is None else json.dumps(v)}" for k, v in values.items()) + "}"
    )


def staging_problems(project_dir: Path, registry: Registry) -> list[str]:
    """What is missing between the registry and the staging models, one line each."""
    models = {path.stem: path for path in (project_dir / STAGING_DIR).rglob("stg_*.sql")}
    expected = {staging_model(spec): spec for spec in registry}
    problems = [
        f"sources.yml declares {spec.name} but there is no staging model {name}: add "
        f"leads/{STAGING_DIR}/{spec.name}/{name}.sql (README: Adding a source)"
        for name, spec in expected.items()
        if name not in models
    ]
    problems += [
        f"{path.relative_to(project_dir.parent)} stages a source sources.yml does not declare: add its entry to "
        "sources.yml, or remove the model"
        for name, path in sorted(models.items())
        if name not in expected
    ]
    return problems


def sync(project_dir: Path, registry: Registry) -> None:
    """Bring the dbt project's registry files up to date with `sources.yml`, and check the staging models."""
    problems = staging_problems(project_dir, registry)
    if problems:
        raise ConfigError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    for relative, text in ((SOURCES_FILE, render_sources(registry)), (MACRO_FILE, render_macro(registry))):
        path = project_dir / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"sources.yml changed but {path} cannot be rewritten ({exc.strerror}): run `leads` once where the "
                "project is writable, or ship the project with the files it writes"
            ) from None
