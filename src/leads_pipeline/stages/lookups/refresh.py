"""Parse the raw values SQL cannot parse exactly, into lookup tables staging joins.

US addresses, person names, phones and facility-name keys are parsed in Python with libraries
made for them (usaddress, nameparser, phonenumbers, rapidfuzz). Each lookup table maps a distinct
raw value to its parsed columns and a `problem`; only values not seen before are parsed, so a
re-run costs nothing and a new month costs its new values. The tables live in the warehouse
(schema `lookup`), which keeps the dbt models plain SQL on every engine.

Only raw rows of loads not yet looked at are read (`main_audit.lookup_loads` keeps the load ids
done), so the cost follows the new files, not all history. Large batches of new values are
parsed on every core; on Spark, on the executors (`spark/lookups.py`).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.registry import Registry
from leads_pipeline.config.settings import Env, memory_megabytes
from leads_pipeline.run import faults
from leads_pipeline.run.audit import now
from leads_pipeline.run.memory import release_arrow_memory
from leads_pipeline.stages.lookups import parsers as normalize
from leads_pipeline.warehouse import Warehouse

BATCH_VALUES = 200_000
PARALLEL_CHUNK = 20_000  # values per task handed to a worker process
# A batch below this is parsed here: starting workers and shipping the values would cost more.
PARALLEL_MIN_VALUES = 50_000
SLOW_PARALLEL_MIN_VALUES = 5_000  # for the lookups that parse a few thousand values a second
PROCESSED_SCHEMA = pa.schema([("load_id", pa.string())])
# A parser process's resident memory: its libraries and models (about 130 MB once imported), a
# chunk of values with its parse, and the address tagger's caches, whose sizes are bounded
# (`_address_tagger`): about 360 MB at 1 M records per source, 490 MB at 10 M, where the caches
# fill. The processes live outside DuckDB's limit, so the step's limit is shared: at most half of
# it goes to parser processes, and DuckDB keeps the rest.
PARSER_PROCESS_MB = 500
PARSER_MEMORY_SHARE = 0.5


VERSIONS_SCHEMA = pa.schema([("lookup", pa.string()), ("version", pa.string()), ("parsed_at", pa.timestamp("us"))])
PARSERS_DIR = Path(normalize.__file__).parent
SHARED_MODULES = ("_batch.py", "_text.py")
ADDRESS = (("address.py", "_address_tagger.py", "_usps.py"), ("usaddress", "python-crfsuite", "numpy"))
PERSON = (("person.py", "names.py"), ("nameparser", "ftfy"))


@dataclass(frozen=True)
class Lookup:
    """One lookup table: its parser, and what its values depend on (parser modules, libraries)."""

    name: str
    parse: Callable[[list[str]], pa.Table]
    parallel_from: int = PARALLEL_MIN_VALUES
    modules: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        """A digest of the parser's code and its libraries' versions: when it changes, every value is
        parsed again, since the table holds what the old parser made of them."""
        digest = hashlib.sha256()
        for module in sorted({*SHARED_MODULES, *self.modules}):
            digest.update(module.encode())
            digest.update((PARSERS_DIR / module).read_bytes())
        for library in self.libraries:
            digest.update(f"{library}=={metadata.version(library)}".encode())
        return digest.hexdigest()[:16]


LOOKUPS = {
    lookup.name: lookup
    for lookup in (
        Lookup("phones", normalize.phones_table, modules=("phone.py",), libraries=("phonenumbers",)),
        Lookup("one_line_addresses", normalize.one_line_addresses_table, SLOW_PARALLEL_MIN_VALUES, *ADDRESS),
        Lookup("street_lines", normalize.street_lines_table, PARALLEL_MIN_VALUES, *ADDRESS),
        Lookup("people", normalize.people_table, SLOW_PARALLEL_MIN_VALUES, *PERSON),
        Lookup("caregivers", normalize.caregivers_table, SLOW_PARALLEL_MIN_VALUES, *PERSON),
        Lookup("licensees", normalize.licensees_table, SLOW_PARALLEL_MIN_VALUES, *PERSON),
        Lookup("facility_names", normalize.name_keys_table, modules=("names.py",), libraries=("rapidfuzz", "ftfy")),
    )
}


def stored_versions(warehouse: Warehouse) -> dict[str, str]:
    """The parser version each lookup table was made with."""
    if not warehouse.table_exists(names.AUDIT, names.LOOKUP_VERSIONS):
        return {}
    return dict(warehouse.query(f"SELECT lookup, version FROM {names.AUDIT}.{names.LOOKUP_VERSIONS}"))


def versions_digest(warehouse: Warehouse) -> str:
    """All lookup tables' parser versions in one digest: what the transform's rules version adds."""
    stored = sorted(stored_versions(warehouse).items())
    return hashlib.sha256(repr(stored).encode()).hexdigest()[:16] if stored else ""


def _record_version(warehouse: Warehouse, lookup: Lookup) -> None:
    row = pa.Table.from_pylist(
        [{"lookup": lookup.name, "version": lookup.version, "parsed_at": now()}], VERSIONS_SCHEMA
    )
    warehouse.create_table_like(names.AUDIT, names.LOOKUP_VERSIONS, VERSIONS_SCHEMA)
    with warehouse.transaction():
        warehouse.execute(
            f"DELETE FROM {names.AUDIT}.{names.LOOKUP_VERSIONS} WHERE lookup = {warehouse.mark}", [lookup.name]
        )
        warehouse.append_arrow(names.AUDIT, names.LOOKUP_VERSIONS, row)


def pending_loads(warehouse: Warehouse) -> list[str] | None:
    """Load ids in `raw` whose values were not looked up yet; None when every row must be read."""
    if not warehouse.table_exists(names.AUDIT, names.LOOKUP_LOADS) or not warehouse.table_exists(
        names.RAW, names.DLT_LOADS
    ):
        return None
    rows = warehouse.query(
        f"SELECT load_id FROM {names.RAW}.{names.DLT_LOADS} WHERE load_id NOT IN "
        f"(SELECT load_id FROM {names.AUDIT}.{names.LOOKUP_LOADS}) ORDER BY load_id"
    )
    return [r[0] for r in rows]


def _all_loads(warehouse: Warehouse) -> list[str]:
    if not warehouse.table_exists(names.RAW, names.DLT_LOADS):
        return []
    return [r[0] for r in warehouse.query(f"SELECT load_id FROM {names.RAW}.{names.DLT_LOADS}")]


def parser_processes(memory_limit: str, cores: int) -> int:
    """How many parser processes the step's memory limit holds beside DuckDB: one per core, within
    `PARSER_MEMORY_SHARE` of the limit; 0 (parse in this process) when fewer than two fit."""
    fit = int(memory_megabytes(memory_limit) * PARSER_MEMORY_SHARE // PARSER_PROCESS_MB)
    processes = min(cores, fit)
    return processes if processes >= 2 else 0


def limit_beside_parsers(memory_limit: str, processes: int) -> str:
    """What DuckDB keeps of the step's memory limit while `processes` parser processes may run."""
    return f"{int(memory_megabytes(memory_limit) - processes * PARSER_PROCESS_MB)}MB"


@dataclass
class _Parse:
    """One batch of values on its way: parsed here already (`table`), or by the parser processes."""

    values: list[str]
    table: pa.Table | None = None
    parts: list[Future[pa.Table]] = field(default_factory=list)


class _Workers:
    """Parser processes, one per core as the memory limit allows, started the first time a batch
    is large enough. DuckDB's limit is lowered by what they may hold for the whole step, before
    its first query: lowered under a running query, DuckDB would have to free what the query holds
    at once, and refuses when it cannot."""

    def __init__(self, warehouse: Warehouse, progress: Callable[[str], None] | None = None) -> None:
        self._warehouse = warehouse
        self._progress = progress
        self._cores = os.cpu_count() or 1
        self._processes = parser_processes(warehouse.settings.memory_limit, self._cores)
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._told = False
        if self._processes:
            warehouse.set_memory_limit(limit_beside_parsers(warehouse.settings.memory_limit, self._processes))

    def parse_batches(self, lookup: Lookup, batches: Iterable[list[str]]) -> Iterator[pa.Table]:
        """Each batch's lookup rows, in order. The next batch goes to the parser processes before
        this one is returned: they parse it while the caller writes this one and the warehouse
        streams the batch after, so they do not wait for either. Two batches are in flight at most."""
        in_flight: deque[_Parse] = deque()
        for values in batches:
            in_flight.append(self._start(lookup, values))
            if len(in_flight) > 1:
                yield self._finish(lookup, in_flight.popleft())
        while in_flight:
            yield self._finish(lookup, in_flight.popleft())

    def _start(self, lookup: Lookup, values: list[str]) -> _Parse:
        """The batch handed to the parser processes when it is large enough, else parsed here."""
        if not self._broken and len(values) >= lookup.parallel_from:
            self._tell_cores_left_idle()
            if self._processes:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(max_workers=self._processes, mp_context=get_context("forkserver"))
                try:
                    return _Parse(
                        values, parts=[self._pool.submit(lookup.parse, part) for part in self._chunks(values)]
                    )
                except BrokenProcessPool:
                    self._broken = True
        return _Parse(values, table=lookup.parse(values))

    def _chunks(self, values: list[str]) -> list[list[str]]:
        """At most `PARALLEL_CHUNK` values each, in a multiple of the processes' number of even
        chunks, so that no process is left alone with the last one."""
        count = self._processes * -(-len(values) // (self._processes * PARALLEL_CHUNK))
        size, longer = divmod(len(values), count)
        bounds = [i * size + min(i, longer) for i in range(count + 1)]
        return [values[start:end] for start, end in itertools.pairwise(bounds) if end > start]

    def _finish(self, lookup: Lookup, parse: _Parse) -> pa.Table:
        if parse.table is not None:
            return parse.table
        try:
            return pa.concat_tables([part.result() for part in parse.parts])
        except BrokenProcessPool:
            # Workers cannot start (a host program without a `__main__` guard, a sandbox without
            # process creation): parse here, more slowly, rather than fail the run.
            self._broken = True
            return lookup.parse(parse.values)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self._processes:
            self._warehouse.set_memory_limit(self._warehouse.settings.memory_limit)

    def _tell_cores_left_idle(self) -> None:
        """Say once when the memory limit, not the machine, keeps cores out of a large parse."""
        if self._told or self._processes == self._cores or self._cores < 2 or not self._progress:
            return
        self._told = True
        used = f"{self._processes} parser processes" if self._processes else "one process"
        self._progress(
            f"parsing in {used} on {self._cores} cores: each parser process takes {PARSER_PROCESS_MB} MB of "
            f"the memory limit ({self._warehouse.settings.memory_limit}), at most half of it; "
            f"raise {Env.MEMORY_LIMIT} to use more cores"
        )


def _refresh_one(
    warehouse: Warehouse,
    registry: Registry,
    lookup: Lookup,
    load_filter: str,
    loads: list[str] | None,
    workers: _Workers,
    progress: Callable[[str], None] | None,
) -> int:
    """Parse one lookup's new values, streamed from the warehouse batch by batch."""
    feeds = [
        (spec.table_name, column)
        for spec in registry
        for column in spec.parse.get(lookup.name, ())
        if column in warehouse.columns(names.RAW, spec.table_name)
    ]
    warehouse.create_table_like(names.LOOKUP, lookup.name, lookup.parse([]).schema)
    if not feeds or loads == []:
        return 0
    union = " UNION ".join(
        f'SELECT "{column}" AS raw_value FROM {names.RAW}.{table} WHERE {load_filter}' for table, column in feeds
    )
    new_values = (
        f"SELECT raw_value FROM (SELECT DISTINCT raw_value FROM ({union}) AS feeds) AS fresh "
        f"WHERE raw_value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {names.LOOKUP}.{lookup.name} AS known "
        "WHERE known.raw_value = fresh.raw_value)"
    )
    if warehouse.target == "spark":
        from leads_pipeline.spark.lookups import parse_new_values

        return parse_new_values(warehouse, lookup.name, lookup.parse, new_values)  # type: ignore[arg-type]
    parsed = 0

    def new_batches() -> Iterator[list[str]]:
        nonlocal parsed
        for batch in warehouse.arrow_batches(new_values, BATCH_VALUES):
            values = batch.column(0).to_pylist()
            if not values:
                continue
            parsed += len(values)
            if progress:
                progress(f"parsing {lookup.name}: {parsed:,} new values so far")
            yield values

    for table in workers.parse_batches(lookup, new_batches()):
        warehouse.append_arrow(names.LOOKUP, lookup.name, table)
    return parsed


def refresh_lookups(
    warehouse: Warehouse,
    registry: Registry,
    progress: Callable[[str], None] | None = None,
    on_table: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Parse every raw value of new loads not yet in its lookup table; return new values per lookup.

    `on_table` hears the name of each lookup table (of `LOOKUPS`) once it is up to date.
    """
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {names.LOOKUP}")
    loads = pending_loads(warehouse)
    done = _all_loads(warehouse) if loads is None else loads
    if loads is not None:
        load_filter = "_dlt_load_id IN (" + ", ".join(f"'{load}'" for load in loads) + ")" if loads else "1 = 0"
    else:
        load_filter = "1 = 1"
    made_with = stored_versions(warehouse)
    if not made_with and warehouse.table_exists(names.AUDIT, names.LOOKUP_LOADS):
        # Tables from before versions were recorded: taken as the installed parsers' work, once.
        for lookup in LOOKUPS.values():
            _record_version(warehouse, lookup)
        made_with = stored_versions(warehouse)
    added: dict[str, int] = {}
    workers = _Workers(warehouse, progress)
    try:
        for lookup in LOOKUPS.values():
            began = time.perf_counter()
            if made_with.get(lookup.name) == lookup.version:
                added[lookup.name] = _refresh_one(warehouse, registry, lookup, load_filter, loads, workers, progress)
            else:
                # Made by another parser or library version (or never recorded): parse every value again.
                if progress and lookup.name in made_with:
                    progress(f"parsing {lookup.name} again: its parser or library changed")
                warehouse.execute(f"DROP TABLE IF EXISTS {names.LOOKUP}.{lookup.name}")
                added[lookup.name] = _refresh_one(warehouse, registry, lookup, "1 = 1", None, workers, progress)
                _record_version(warehouse, lookup)
            if progress and added[lookup.name]:
                seconds = time.perf_counter() - began
                progress(f"parsed {lookup.name}: {added[lookup.name]:,} new values in {seconds:.1f}s")
            if on_table:
                on_table(lookup.name)
            faults.reached(f"lookups:after-table:{lookup.name}")
            release_arrow_memory()  # this lookup's batches, before the next lookup's parser processes
    finally:
        workers.close()
    warehouse.create_table_like(names.AUDIT, names.LOOKUP_LOADS, PROCESSED_SCHEMA)
    if done:
        processed = pa.table({"load_id": pa.array(done, pa.string())})
        warehouse.append_arrow(names.AUDIT, names.LOOKUP_LOADS, processed)
    return added
