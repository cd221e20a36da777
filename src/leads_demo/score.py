"""Pairwise precision and recall of a clustering against the truth's records.csv.

Two records form a pair when they share a cluster. A predicted pair is correct when both
records have one facility_id. Records missing from the clustering count as singletons.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

RecordKey = tuple[str, str]  # (source, natural_key)


@dataclass(frozen=True)
class PairScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def truth_records(truth_dir: Path) -> Iterator[tuple[RecordKey, str]]:
    """((source, natural_key), facility_id) for every record in records.csv."""
    with open(Path(truth_dir) / "records.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield (row["source"], row["natural_key"]), row["facility_id"]


def pairwise_scores(truth_dir: Path, clusters: Mapping[RecordKey, Hashable]) -> PairScores:
    """Score `clusters` ((source, natural_key) -> cluster id, e.g. a lead_id)."""
    per_facility: Counter[str] = Counter()
    per_cluster: Counter[Hashable] = Counter()
    per_both: Counter[tuple[Hashable, str]] = Counter()
    for key, facility in truth_records(truth_dir):
        cluster = clusters.get(key, ("singleton", key))
        per_facility[facility] += 1
        per_cluster[cluster] += 1
        per_both[(cluster, facility)] += 1
    return PairScores(
        true_pairs=_pairs(per_facility),
        predicted_pairs=_pairs(per_cluster),
        correct_pairs=_pairs(per_both),
    )


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())
