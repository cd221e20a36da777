"""Writes a demo bucket: agency files per month, a CRM export and the ground truth."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from leads_demo import crm as crm_export
from leads_demo import population, profile, records
from leads_demo.layout import Layout
from leads_demo.nevada import Nevada
from leads_demo.oklahoma import Oklahoma
from leads_demo.plan import Plan, make_plan
from leads_demo.profile import phone_capacity_ok
from leads_demo.rates import CHUNK, SOURCES
from leads_demo.sheets_csv import SheetsCsvWriter
from leads_demo.texas import Texas
from leads_demo.truth import Tally, TruthWriter

LAYOUTS: tuple[type[Layout], ...] = (Nevada, Oklahoma, Texas)
BUCKET_PREFIX = "technical_exercise"


@dataclass
class GenerationSummary:
    """What a run wrote; `details` holds the counts that summary.json also records."""

    out_dir: Path
    rows: int
    months: int
    seed: int
    snapshots: list[date]
    files: dict[str, int]  # path relative to out_dir -> records
    facilities: int
    crm_records: int
    crm_matches: int
    seconds: float
    truth_dir: Path | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def source_records(self) -> int:
        """Records in the agency files (all months)."""
        return sum(n for path, n in self.files.items() if path.startswith(BUCKET_PREFIX))

    @property
    def records_per_second(self) -> float:
        """Agency and CRM records written per second of the whole run."""
        total = self.source_records + self.crm_records
        return total / self.seconds if self.seconds else 0.0


def generate_bucket(
    out_dir: Path,
    rows: int,
    months: int = 1,
    seed: int = 7,
    start: date = date(2024, 11, 1),
    crm: bool = True,
    truth: bool = True,
    progress: Callable[[str], None] | None = None,
    *,
    quirks: float = 1.0,
) -> GenerationSummary:
    """Write `months` monthly snapshots of the three agency files (about `rows` records each).

    Snapshots are dated the 1st of consecutive months from `start`'s month. The same
    arguments give byte-identical files. `quirks` scales every quirk rate (0: clean files).
    """
    began = time.perf_counter()
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    plan = make_plan(rows, months, seed, start, quirks)
    crm_rows = crm_export.crm_size(plan) if crm else 0
    if not phone_capacity_ok(plan, crm_rows * 2):
        raise ValueError(f"rows={rows:,} x months={months} needs more distinct phone numbers than there are")
    _refuse_stale_files(out_dir, plan)
    say(f"{plan.total_facilities:,} facilities, {months} snapshot(s) from {plan.start:%Y-%m-%d}")

    days = [d.isoformat() for d in plan.snapshots]
    sink = TruthWriter(out_dir / "_truth", SOURCES, days) if truth else None
    tally = Tally()
    files = _write_sources(plan, out_dir, sink, tally, say)
    crm_matches = 0
    if crm:
        path = out_dir / "crm" / f"salesforce_leads_{plan.snapshots[-1]:%Y%m%d}.csv"
        crm_matches = crm_export.write(plan, path, crm_rows, sink.crm if sink else None, say)
        files[path.relative_to(out_dir).as_posix()] = crm_rows

    details = tally.as_dict()
    details["crm"] = {"records": crm_rows, "matches": crm_matches}
    if sink:
        parameters = {
            "rows": rows, "months": months, "seed": seed, "start": plan.start.isoformat(),
            "quirks": quirks, "crm": crm,
        }  # fmt: skip
        sink.write_summary({"parameters": parameters, "snapshots": days, "files": files, **details})
        sink.close()
    summary = GenerationSummary(
        out_dir=out_dir,
        rows=rows,
        months=months,
        seed=seed,
        snapshots=plan.snapshots,
        files=files,
        facilities=tally.facilities,
        crm_records=crm_rows,
        crm_matches=crm_matches,
        seconds=time.perf_counter() - began,
        truth_dir=sink.folder if sink else None,
        details=details,
    )
    total = summary.source_records + crm_rows
    say(f"done: {total:,} records in {summary.seconds:.1f}s ({summary.records_per_second:,.0f}/s)")
    return summary


def _write_sources(
    plan: Plan,
    out_dir: Path,
    sink: TruthWriter | None,
    tally: Tally,
    say: Callable[[str], None],
) -> dict[str, int]:
    """Stream every agency file of every month, chunk by chunk; return records per file."""
    writers = [
        [
            SheetsCsvWriter(
                out_dir / BUCKET_PREFIX / name / f"{name}_{day:%Y%m%d}.csv",
                LAYOUTS[s].header,
            )
            for day in plan.snapshots
        ]
        for s, name in enumerate(SOURCES)
    ]
    ranks = [0, 0, 0]
    for lo in range(0, plan.total_facilities, CHUNK):
        ids = np.arange(lo, min(lo + CHUNK, plan.total_facilities), dtype=np.int64)
        _chunk(plan, ids, ranks, writers, sink, tally)
        written = sum(w.records for per_source in writers for w in per_source)
        say(f"{ids[-1] + 1:,}/{plan.total_facilities:,} facilities, {written:,} records")
    files = {}
    for per_source in writers:
        for w in per_source:
            w.close()
            files[w.path.relative_to(out_dir).as_posix()] = w.records
    return files


def _refuse_stale_files(out_dir: Path, plan: Plan) -> None:
    """Files from an earlier run with other dates would be loaded as real snapshots."""
    days = {f"{d:%Y%m%d}" for d in plan.snapshots}
    stale = [
        p
        for p in [
            *out_dir.glob(f"{BUCKET_PREFIX}/source_*/source_*_*.csv"),
            *out_dir.glob("crm/salesforce_leads_*.csv"),
        ]
        if p.stem.rsplit("_", 1)[-1] not in days
    ]
    if stale:
        names = ", ".join(p.name for p in sorted(stale)[:3])
        raise FileExistsError(
            f"{out_dir} holds {len(stale)} snapshot file(s) from another run ({names} ...); "
            "generate into an empty folder or remove them first"
        )


def _chunk(
    plan: Plan,
    ids: np.ndarray,
    ranks: list[int],
    writers: list[list[SheetsCsvWriter]],
    sink: TruthWriter | None,
    tally: Tally,
) -> None:
    fac = population.build(plan, ids)
    prof = profile.build(plan, fac)
    per_facility = np.zeros((3, len(fac)), dtype=np.int64)  # listings that appear, per source
    snapshots = [d.isoformat() for d in plan.snapshots]
    for s, layout_cls in enumerate(LAYOUTS):
        lst = records.expand(plan, fac, s, ranks[s])
        ranks[s] += len(lst)
        layout = layout_cls(plan, fac, prof, lst)
        for m in range(plan.months):
            writers[s][m].write_lines(*layout.quoted_rows_at(m))
        appears = lst.alive.any(axis=0)
        np.add.at(per_facility[s], lst.fi[appears], 1)
        tally.listings[SOURCES[s]] += int(appears.sum())
        counts = tally.quirks.setdefault(SOURCES[s], Counter())
        for name, value in layout.q.counts_where(appears).items():
            counts[name] += value
        events = tally.events.setdefault(SOURCES[s], Counter())
        if sink:
            _write_truth(sink, SOURCES[s], fac, lst, layout, appears, snapshots, events)
        else:
            _count_events(lst, events)
    _tally_pairs(fac, per_facility, tally)


_CHANGE = {1: "inserted", 2: "updated", 3: "deleted"}


def _transitions(lst: records.Listings, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    now = lst.alive[m]
    before = lst.alive[m - 1] if m else np.zeros_like(now)
    return now & ~before, before & ~now, now & before & (lst.updated[m] >= 0)


def _count_events(lst: records.Listings, events: Any) -> None:
    for m in range(lst.alive.shape[0]):
        ins, dele, upd = _transitions(lst, m)
        events["inserted"] += int(ins.sum())
        events["deleted"] += int(dele.sum())
        events["updated"] += int(upd.sum())


def _write_truth(
    sink: TruthWriter,
    source: str,
    fac: population.Facilities,
    lst: records.Listings,
    layout: Layout,
    appears: np.ndarray,
    snapshots: list[str],
    events: Any,
) -> None:
    keys = layout.keys()
    fid = fac.ids[lst.fi].tolist()
    head = fac.head[lst.fi].tolist()
    months = lst.alive.shape[0]
    first = np.argmax(lst.alive, axis=0).tolist()
    last = (months - 1 - np.argmax(lst.alive[::-1], axis=0)).tolist()
    sink.records(
        source,
        [
            f"{source},{keys[i]},{fid[i]},{head[i]},{snapshots[first[i]]},{snapshots[last[i]]}"
            for i in np.flatnonzero(appears).tolist()
        ],
    )
    for m in range(months):
        ins, dele, upd = _transitions(lst, m)
        day = snapshots[m]
        kind = np.select([ins, upd, dele], [1, 2, 3], 0)
        changed = lst.updated[m].tolist()
        lines = []
        for i, k in zip(np.flatnonzero(kind).tolist(), kind[kind > 0].tolist()):
            cols = layout.changed_columns(changed[i], i) if k == 2 else ""
            cols = f'"{cols}"' if "," in cols else cols
            lines.append(f"{source},{keys[i]},{day},{_CHANGE[k]},{cols},{fid[i]}")
        sink.events(source, day, lines)
        events["inserted"] += int(ins.sum())
        events["updated"] += int(upd.sum())
        events["deleted"] += int(dele.sum())


def _tally_pairs(fac: population.Facilities, per_facility: np.ndarray, tally: Tally) -> None:
    k = per_facility.sum(axis=0)
    present = k > 0
    tally.facilities += int(present.sum())
    tally.cross_source_facilities += int(((per_facility > 0).sum(axis=0) >= 2).sum())
    tally.within_source_facilities += int((per_facility >= 2).any(axis=0).sum())
    pairs = k * (k - 1) // 2
    within = (per_facility * (per_facility - 1) // 2).sum(axis=0)
    tally.true_pairs += int(pairs.sum())
    tally.within_source_pairs += int(within.sum())
    tally.cross_source_pairs += int((pairs - within).sum())
    chained = (fac.chain != 0) & present
    if chained.any():
        _, group = np.unique(fac.head[chained], return_inverse=True)
        total = np.bincount(group, weights=k[chained]).astype(np.int64)
        own = np.bincount(group, weights=pairs[chained]).astype(np.int64)
        sites = np.bincount(group).astype(np.int64)
        real = sites >= 2
        tally.operators += int(real.sum())
        tally.sister_sites += int(sites[real].sum())
        tally.trap_pairs += int((total * (total - 1) // 2 - own)[real].sum())
