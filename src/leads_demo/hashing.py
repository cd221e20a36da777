"""Counter-based randomness: every draw is a pure function of (seed, stream name, ids).

Nothing is carried from one row to the next, so any slice of the population can be
rebuilt on its own: files stream in chunks, memory stays flat, and the same seed gives
the same bytes whatever the chunk size.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix_int(x: int) -> int:
    """splitmix64 finalizer on a Python int."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer on a uint64 array (wrapping arithmetic is intended)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


Part = np.ndarray | int


class Rng:
    """Named, seeded streams of hashes over integer ids."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._keys: dict[str, int] = {}

    def _key(self, stream: str) -> int:
        key = self._keys.get(stream)
        if key is None:
            key = _mix_int(_mix_int(self.seed) ^ zlib.crc32(stream.encode()))
            self._keys[stream] = key
        return key

    def u64(self, stream: str, *parts: Part) -> np.ndarray:
        """64-bit hash of the parts (arrays broadcast together) under one stream."""
        h: np.ndarray = np.asarray(np.uint64(self._key(stream)))
        for part in parts:
            value = np.asarray(part).astype(np.uint64, copy=False)
            h = _mix(h ^ (value * _GOLDEN))
        return h

    def unit(self, stream: str, *parts: Part) -> np.ndarray:
        """Uniform floats in [0, 1)."""
        return (self.u64(stream, *parts) >> np.uint64(11)).astype(np.float64) * (2.0**-53)

    def below(self, n: int, stream: str, *parts: Part) -> np.ndarray:
        """Integers in [0, n)."""
        return (self.u64(stream, *parts) % np.uint64(n)).astype(np.int64)

    def weighted(self, weights: np.ndarray, stream: str, *parts: Part) -> np.ndarray:
        """Indexes drawn with the given (unnormalised) weights."""
        cum = np.cumsum(np.asarray(weights, dtype=np.float64))
        return np.searchsorted(cum / cum[-1], self.unit(stream, *parts), side="right")


def affine_permutation(values: np.ndarray, size: int, salt: int) -> np.ndarray:
    """A bijection of [0, size) onto itself (values must lie in that range).

    Used where uniqueness matters (phones, addresses): two ids never share an output.
    """
    mult = (_mix_int(salt) % size) | 1
    while np.gcd(mult, size) != 1:
        mult += 2
    offset = _mix_int(salt + 1) % size
    # Split the product so it never overflows int64.
    v = values.astype(np.int64)
    lo, hi = mult & 0xFFFF, mult >> 16
    out = (v * hi) % size
    out = (out * 65536) % size
    out = (out + v * lo + offset) % size
    return out


def block_shuffle(rank: np.ndarray, block: int = 4096, mult: int = 1597) -> np.ndarray:
    """Scramble numbers inside fixed blocks: unique outputs, no global state needed."""
    within = rank % block
    return rank - within + (within * mult) % block
