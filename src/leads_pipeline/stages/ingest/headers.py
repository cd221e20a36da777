"""Match a file's header row to the source's canonical columns through the registry's aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leads_pipeline.config.registry import SourceSpec

BLANK_PREFIX = "_blank_column_"


def snake_name(header: str) -> str:
    """A header's own column name when no alias claims it: lower snake_case, letters and digits."""
    name = re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")
    if not name:
        return ""
    return name if name[0].isalpha() else f"col_{name}"


@dataclass
class HeaderMapping:
    """Per file column, in file order, the raw column it fills; plus what drifted."""

    headers: list[str]
    column_names: list[str]
    unknown: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    blank_columns: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def drift(self) -> dict[str, object]:
        """The header changes worth reporting; empty when the file has the expected header."""
        out: dict[str, object] = {}
        if self.unknown:
            out["new_columns"] = self.unknown
        if self.renamed:
            out["renamed_columns"] = self.renamed
        if self.missing:
            out["missing_columns"] = self.missing
        if self.duplicated:
            out["duplicated_columns"] = self.duplicated
        if self.dropped:
            out["dropped_empty_unnamed_columns"] = self.dropped
        return out


def map_headers(headers: list[str], spec: SourceSpec) -> HeaderMapping:
    names: list[str] = []
    mapping = HeaderMapping(headers=headers, column_names=names)
    for position, header in enumerate(headers):
        canonical = spec.canonical_column(header)
        if canonical is None:
            own = snake_name(header)
            if not own:
                own = f"{BLANK_PREFIX}{position + 1}"
                mapping.blank_columns.append(own)
            else:
                mapping.unknown.append(own)
            name = own
        else:
            name = canonical
            if header.strip() != spec.usual_header(canonical):
                mapping.renamed[header] = canonical
        if name in names:
            mapping.duplicated.append(header)
            name = f"{name}_{position + 1}"
        names.append(name)
    present = set(names)
    mapping.missing = [c for c in spec.columns if c not in present]
    return mapping
