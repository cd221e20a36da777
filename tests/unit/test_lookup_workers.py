"""The lookups' parser processes: every batch parsed as in one process, in order, and the next batch
handed to the processes before the caller gets this one, so they parse while it writes."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import pyarrow as pa
import pytest

from leads_pipeline.stages.lookups import refresh

PHONES = replace(refresh.LOOKUPS["phones"], parallel_from=1)
VALUES = [f"(405) 555-{n:04d}" for n in range(60)] + ["not a phone", "555-0100 ext. 12", "+1 702 555 0199"]
BATCHES = [VALUES[:7], VALUES[7:40], VALUES[40:41], VALUES[41:]]


@dataclass
class _Settings:
    memory_limit: str = "3GB"


class _Warehouse:
    """What the parser processes ask of the warehouse: its limit, lowered while they run."""

    def __init__(self) -> None:
        self.settings = _Settings()
        self.limits: list[str] = []

    def set_memory_limit(self, limit: str) -> None:
        self.limits.append(limit)


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(refresh.os, "cpu_count", lambda: 2)


def parse_all(workers: refresh._Workers, batches: list[list[str]], events: list[str] | None = None) -> pa.Table:
    def fed():
        for number, values in enumerate(batches):
            if events is not None:
                events.append(f"fetched {number}")
            yield values

    tables = []
    try:
        for number, table in enumerate(workers.parse_batches(PHONES, fed())):
            if events is not None:
                events.append(f"written {number}")
            tables.append(table)
    finally:
        workers.close()
    return pa.concat_tables(tables)


def test_batches_parse_in_the_processes_as_in_one_process_in_order(two_cores):
    warehouse = _Warehouse()
    workers = refresh._Workers(warehouse)  # type: ignore[arg-type]
    assert workers._processes == 2
    assert parse_all(workers, BATCHES).equals(PHONES.parse(VALUES))
    assert warehouse.limits == [f"{3000 - 2 * refresh.PARSER_PROCESS_MB}MB", "3GB"]


def test_the_next_batch_is_on_its_way_before_the_caller_writes_this_one(two_cores):
    events: list[str] = []
    parse_all(refresh._Workers(_Warehouse()), BATCHES, events)  # type: ignore[arg-type]
    assert events == [
        "fetched 0",
        "fetched 1",
        "written 0",
        "fetched 2",
        "written 1",
        "fetched 3",
        "written 2",
        "written 3",
    ]


@pytest.mark.parametrize(("values", "chunks"), [(90_283, 6), (200_000, 10), (40_000, 2), (5, 2), (1, 1)])
def test_chunks_are_even_and_come_in_rounds_of_every_process(two_cores, values, chunks):
    made = refresh._Workers(_Warehouse())._chunks([str(n) for n in range(values)])  # type: ignore[arg-type]
    sizes = [len(chunk) for chunk in made]
    assert len(made) == chunks and sum(sizes) == values
    assert max(sizes) <= refresh.PARALLEL_CHUNK and max(sizes) - min(sizes) <= 1 or len(made) == 1


class _BrokenPool:
    """A pool whose processes die: its futures fail (or it refuses work) with BrokenProcessPool."""

    started = 0

    def __init__(self, *args, refuse: bool = False, **kwargs) -> None:
        _BrokenPool.started += 1
        self.refuse = refuse

    def submit(self, *args, **kwargs):
        if self.refuse:
            raise BrokenProcessPool("refused")
        return _FailedFuture()

    def shutdown(self) -> None:
        pass


class _FailedFuture:
    def result(self):
        raise BrokenProcessPool("a process died")


@pytest.mark.parametrize("refuse", [False, True])
def test_a_broken_pool_parses_here_and_loses_no_batch(two_cores, monkeypatch, refuse):
    _BrokenPool.started = 0
    monkeypatch.setattr(refresh, "ProcessPoolExecutor", lambda *a, **k: _BrokenPool(*a, refuse=refuse, **k))
    assert parse_all(refresh._Workers(_Warehouse()), BATCHES).equals(PHONES.parse(VALUES))  # type: ignore[arg-type]
    assert _BrokenPool.started == 1
