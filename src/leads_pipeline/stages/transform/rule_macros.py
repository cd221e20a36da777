"""The dbt macros a record's values can depend on: those the rule files call, directly or through
other macros, with the adapter implementations of each (`adapter.dispatch` picks `duckdb__name`,
`default__name`, ... at run time, so every implementation counts), and those no file of the
project calls, which dbt calls itself for every model (`generate_schema_name`, an adapter's
version of a dbt macro such as `duckdb__get_delete_insert_merge_sql`).

A macro only the marts or the identity models call changes no staged value, so its edit must not
restage every month. dbt's manifest lists a node's macros only after a parse, which the rules'
digest is needed before; the macros folder is small and its calls are plain `name(`, so they are
read from the text here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFINITION = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")
END = re.compile(r"\{%-?\s*endmacro\s*-?%\}")
CALL = re.compile(r"\b(\w+)\s*\(")
DISPATCHED = re.compile(r"dispatch\(\s*['\"](\w+)['\"]")
GENERATED = {"target", "logs", "dbt_packages"}  # dbt's output folders in the project
MACROS = "macros"  # the project's macro folder


@dataclass(frozen=True)
class Macro:
    name: str
    path: Path
    body: str


def macros_in(folder: Path) -> dict[str, Macro]:
    """Every macro defined under `folder`, by name, with its text."""
    found: dict[str, Macro] = {}
    for path in sorted(folder.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        for match in DEFINITION.finditer(text):
            end = END.search(text, match.end())
            found[match.group(1)] = Macro(match.group(1), path, text[match.start() : end.end() if end else len(text)])
    return found


def called(text: str, macros: dict[str, Macro]) -> set[str]:
    """The macros `text` calls or dispatches to, with every adapter implementation of each."""
    names = {n for n in CALL.findall(text) if n in macros} | set(DISPATCHED.findall(text))
    implementations = {m for m in macros if "__" in m and m.split("__", 1)[1] in names}
    return (names & macros.keys()) | implementations


def rule_macros(rule_texts: list[str], project: Path) -> list[Macro]:
    """The macros the rule files depend on, transitively, in name order. `project` is the dbt
    project, whose every file is read for the macros it calls."""
    macros = macros_in(project / MACROS)
    texts = [
        DEFINITION.sub("", p.read_text(encoding="utf-8")) for p in sorted(project.rglob("*")) if _is_source(p, project)
    ]
    calls_anywhere = set().union(*(called(text, macros) for text in texts)) if texts else set()
    wanted: set[str] = set()
    pending = set(macros) - calls_anywhere
    pending |= set().union(*(called(text, macros) for text in rule_texts)) if rule_texts else set()
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending |= called(macros[name].body, macros) - wanted
    return [macros[name] for name in sorted(wanted)]


def _is_source(path: Path, project: Path) -> bool:
    """A file of the dbt project that can call a macro (not dbt's own output)."""
    return path.is_file() and path.suffix in (".sql", ".yml") and not GENERATED & set(path.relative_to(project).parts)
