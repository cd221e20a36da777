"""The source registry: `sources.yml` read into typed source specs.

Adding a source is data: a new entry here and one staging model. Everything the ingestion needs to
know about a source (where its files are, how its headers are spelled, what identifies a record,
how a file tells its snapshot date) lives in its entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from leads_pipeline.config.errors import ConfigError

Role = Literal["lead", "crm"]
DEFAULT_SNAPSHOT_PATTERN = r"(\d{8})"


def header_key(header: str) -> str:
    """Fold a header to the form aliases are compared in: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.lower())


@dataclass(frozen=True)
class SnapshotDate:
    """A file's snapshot date, where it was read from, and the impossible date its name holds, if any."""

    value: date | None
    origin: str  # "name" | "modification time"
    impossible: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One source: a bucket folder of monthly snapshots, loaded into `raw.<name>_raw`."""

    name: str
    glob: str
    natural_key: str
    columns: dict[str, tuple[str, ...]]
    natural_key_pattern: str | None = None  # the key is this regex's first group in the cleaned value
    required: tuple[str, ...] = ()
    role: Role = "lead"
    agency: str = ""
    state: str | None = None
    optional: bool = False
    snapshot_pattern: str = DEFAULT_SNAPSHOT_PATTERN
    parse: dict[str, tuple[str, ...]] = field(default_factory=dict)
    staging_model: str | None = None  # default: stg_<name>__facilities (lead) or stg_<name>__leads (crm)
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for canonical, aliases in self.columns.items():
            for spelling in (canonical, *aliases):
                key = header_key(spelling)
                owner = index.setdefault(key, canonical)
                if owner != canonical:
                    raise ConfigError(
                        f"{self.name}: header spelling {spelling!r} is listed for both "
                        f"{owner!r} and {canonical!r}; give it to one column in sources.yml"
                    )
        self._alias_index.update(index)
        if self.glob.startswith("/") or ".." in self.glob.split("/") or "\\" in self.glob:
            raise ConfigError(
                f"{self.name}: glob {self.glob!r} must stay inside the bucket: a path relative to the "
                "bucket root, without '..' or a leading '/'"
            )
        if self.natural_key_pattern is not None:
            self._check_key_pattern(self.natural_key_pattern)
        parsed = [c for columns in self.parse.values() for c in columns]
        for column in (self.natural_key, *self.required, *parsed):
            if column not in self.columns:
                raise ConfigError(
                    f"{self.name}: {column!r} is named as a key, required or parsed column but "
                    "is not under `columns` in sources.yml"
                )

    def _check_key_pattern(self, pattern: str) -> None:
        """The key pattern goes into SQL as a literal and must capture the key in a group."""
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise ConfigError(f"{self.name}: natural_key_pattern {pattern!r} is not a valid regex ({exc})") from None
        if groups < 1 or "'" in pattern:
            raise ConfigError(
                f"{self.name}: natural_key_pattern {pattern!r} must hold the key in its first group `( )` and "
                "no quote character"
            )

    @property
    def table_name(self) -> str:
        return f"{self.name}_raw"

    @property
    def folder(self) -> str:
        """The glob's fixed folder part, where the sensor watches for new files."""
        parts = self.glob.split("/")
        fixed = [p for p in parts[:-1] if not any(ch in p for ch in "*?[")]
        return "/".join(fixed)

    def canonical_column(self, header: str) -> str | None:
        """The canonical column a file header stands for, or None when it is unknown."""
        return self._alias_index.get(header_key(header))

    def usual_header(self, column: str) -> str:
        """The header the agency writes today: the first spelling listed for the column."""
        spellings = self.columns.get(column) or (column,)
        return spellings[0]

    def snapshot_date(self, file_name: str, modified: datetime | None) -> SnapshotDate:
        """The snapshot date written in the file name (`YYYYMMDD`), else its modification date.

        A name whose date is impossible (`20241341`) says so: such a file is held, not dated by
        its modification time behind the operator's back.
        """
        fallback = modified.date() if modified else None
        match = re.search(self.snapshot_pattern, file_name)
        if not match:
            return SnapshotDate(fallback, "modification time")
        try:
            return SnapshotDate(datetime.strptime(match.group(1), "%Y%m%d").date(), "name")
        except ValueError:
            return SnapshotDate(fallback, "modification time", impossible=match.group(1))


@dataclass(frozen=True)
class Registry:
    sources: dict[str, SourceSpec]
    path: Path | None = None

    def __iter__(self):
        return iter(self.sources.values())

    def __getitem__(self, name: str) -> SourceSpec:
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(self.sources)
            raise ConfigError(f"unknown source {name!r}; sources.yml defines: {known}") from None

    def select(self, names: list[str] | None) -> list[SourceSpec]:
        return [self[n] for n in names] if names else list(self)

    @property
    def lead_sources(self) -> list[SourceSpec]:
        return [s for s in self if s.role == "lead"]


def load_registry(path: Path) -> Registry:
    """Read and check `sources.yml`; a mistake in it is a ConfigError that names the entry."""
    if not path.exists():
        raise ConfigError(f"source registry not found at {path}; pass --sources or set LEADS_SOURCES")
    try:
        document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    defaults = document.get("defaults") or {}
    entries = document.get("sources") or {}
    if not entries:
        raise ConfigError(f"{path} defines no sources")
    sources: dict[str, SourceSpec] = {}
    for name, entry in entries.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ConfigError(f"{path}: source id {name!r} must be lower snake_case")
        for key in ("glob", "natural_key", "columns"):
            if key not in entry:
                raise ConfigError(f"{path}: source {name!r} has no {key!r}")
        sources[name] = SourceSpec(
            name=name,
            glob=entry["glob"],
            natural_key=entry["natural_key"],
            natural_key_pattern=entry.get("natural_key_pattern"),
            columns={c: tuple(a or ()) for c, a in entry["columns"].items()},
            required=tuple(entry.get("required") or ()),
            role=entry.get("role", "lead"),
            agency=entry.get("agency", ""),
            state=entry.get("state"),
            optional=bool(entry.get("optional", False)),
            snapshot_pattern=entry.get("snapshot_date", defaults.get("snapshot_date", DEFAULT_SNAPSHOT_PATTERN)),
            parse={lookup: tuple(columns or ()) for lookup, columns in (entry.get("parse") or {}).items()},
            staging_model=entry.get("staging_model"),
        )
    return Registry(sources=sources, path=path)
