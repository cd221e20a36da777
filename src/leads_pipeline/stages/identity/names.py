"""Facility-name similarity of two records, each with the name keys of its versions.

The keys come from `normalize.names.name_key` (through the lookup tables and staging); the
score is `normalize.names.name_similarity`, which keys its arguments again: a key is its own key,
so scoring keys gives the score of the names they came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from leads_pipeline.stages.lookups.parsers.names import DEFAULT_THRESHOLD, name_similarity


class NameScorer:
    """Best similarity between any name key of one record and any of another, memoized by key pair."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._scores: dict[tuple[str, str], float] = {}

    def score(self, left: Sequence[str], right: Sequence[str]) -> float:
        best = 0.0
        for a in left:
            for b in right:
                key = (a, b) if a <= b else (b, a)
                value = self._scores.get(key)
                if value is None:
                    value = 100.0 if a == b else name_similarity(a, b)
                    self._scores[key] = value
                best = max(best, value)
        return best

    def similar(self, score: float) -> bool:
        return score >= self.threshold
