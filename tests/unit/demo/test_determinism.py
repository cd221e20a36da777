"""Same arguments, same bytes; another seed, other data; chunking never shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from leads_demo import crm, generate_bucket, generator


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _make(root: Path, seed: int = 3) -> dict[str, bytes]:
    generate_bucket(root, rows=400, months=3, seed=seed, start=date(2024, 11, 1))
    return _snapshot(root)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = _make(tmp_path / "a"), _make(tmp_path / "b")
    assert first.keys() == second.keys()
    assert first == second


def test_other_seed_gives_other_files(tmp_path: Path) -> None:
    first, other = _make(tmp_path / "a"), _make(tmp_path / "b", seed=4)
    assert first.keys() == other.keys()
    assert all(first[k] != other[k] for k in first if k.endswith(".csv"))


def test_chunk_size_does_not_change_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _make(tmp_path / "a")
    monkeypatch.setattr(generator, "CHUNK", 64)
    monkeypatch.setattr(crm, "CHUNK", 50)
    assert _make(tmp_path / "b") == reference
