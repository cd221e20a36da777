"""Match a file's header row to the source's canonical columns through the registry's aliases.

A header no alias claims is kept under its own name; when it is close to a known spelling
(`Phone Numbr`, `Facility Phone`), the column it most likely is is suggested, never applied: a
person decides by adding the spelling to sources.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from leads_pipeline.config.registry import SourceSpec

BLANK_PREFIX = "_blank_column_"
# rapidfuzz's WRatio of two folded headers: typos (`Phone Numbr`) and added words (`Facility
# Phone`) score 85 and more; unrelated columns sharing a word (`License Type`, `License Number`) less.
SUGGESTION_THRESHOLD = 85.0


def snake_name(header: str) -> str:
    """A header's own column name when no alias claims it: lower snake_case, letters and digits."""
    name = re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")
    if not name:
        return ""
    return name if name[0].isalpha() else f"col_{name}"


def _folded(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def closest_column(
    header: str, spellings: Mapping[str, Iterable[str]], threshold: float = SUGGESTION_THRESHOLD
) -> str | None:
    """The column whose name or a listed spelling is closest to `header`, if close enough."""
    choices = {
        (column, spelling): _folded(spelling)
        for column, listed in spellings.items()
        for spelling in (column, *listed)
        if _folded(spelling)
    }
    best = process.extractOne(_folded(header), choices, scorer=fuzz.WRatio, score_cutoff=threshold)
    return best[2][0] if best else None


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
    suggested: dict[str, str] = field(default_factory=dict)  # unknown header -> the missing column it resembles

    @property
    def drift(self) -> dict[str, object]:
        """The header changes worth reporting; empty when the file has the expected header."""
        out: dict[str, object] = {}
        if self.unknown:
            out["new_columns"] = self.unknown
        if self.suggested:
            out["suggested_columns"] = self.suggested
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
                suggestion = closest_column(header, spec.columns)
                if suggestion is not None:
                    mapping.suggested[header.strip()] = suggestion
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
    # A column the file has under a known spelling needs no other header.
    mapping.suggested = {h: c for h, c in mapping.suggested.items() if c in mapping.missing}
    return mapping
