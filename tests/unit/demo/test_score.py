"""Pairwise scores from records.csv: perfect, over-merged and unmerged clusterings."""

from __future__ import annotations

import json
from pathlib import Path

from leads_demo.score import pairwise_scores

from .truth_io import truth


def test_perfect_clustering_scores_one(bucket: Path) -> None:
    clusters = {(r["source"], r["natural_key"]): r["facility_id"] for r in truth(bucket, "records.csv")}
    scores = pairwise_scores(bucket / "_truth", clusters)
    summary = json.loads((bucket / "_truth" / "summary.json").read_text())
    assert scores.true_pairs == summary["duplicates"]["true_pairs"]
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


def test_merging_sister_sites_costs_precision_only(bucket: Path) -> None:
    clusters = {(r["source"], r["natural_key"]): r["operator_id"] for r in truth(bucket, "records.csv")}
    scores = pairwise_scores(bucket / "_truth", clusters)
    summary = json.loads((bucket / "_truth" / "summary.json").read_text())
    assert scores.recall == 1.0 and scores.precision < 1.0
    assert scores.predicted_pairs - scores.correct_pairs == summary["traps"]["sister_pairs"]


def test_no_clustering_has_no_recall(bucket: Path) -> None:
    scores = pairwise_scores(bucket / "_truth", {})
    assert scores.recall == 0.0 and scores.precision == 1.0 and scores.true_pairs > 0
