"""The baseline: DuckDB's own CSV load of the same files, every column as text, into a fresh database.

    python benchmarks/baseline.py DATABASE FILE...

One table per file (`CREATE TABLE ... AS SELECT * FROM read_csv(file, all_varchar = true)`), with
DuckDB's defaults (all cores, its own memory limit, insertion order kept). It is the floor a CSV
loader on this machine can reach: no header matching, lineage, record numbers or bookkeeping.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def load(database: Path, files: list[Path]) -> int:
    database.unlink(missing_ok=True)
    rows = 0
    with duckdb.connect(str(database)) as con:
        for index, path in enumerate(files):
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f"CREATE TABLE file_{index} AS SELECT * FROM read_csv({literal}, all_varchar = true)")
            rows += con.execute(f"SELECT count(*) FROM file_{index}").fetchone()[0]
    return rows


if __name__ == "__main__":
    loaded = load(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
    print(f"baseline: {loaded} rows")
