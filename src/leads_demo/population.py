"""Who exists: facilities, their operators, and which agencies list them.

A facility is an integer id; everything about it is hashed from that id, so a chunk of
ids can be built without looking at any other. Ids are grouped in blocks of four: a few
blocks hold the sites of one operator (a chain on one phone, or an Oklahoma owner's
center and family home), the traps a matcher must not merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from leads_demo.hashing import Rng
from leads_demo.rates import (
    CENTER,
    HOME,
    HOME_SOURCE_WEIGHTS,
    KIND_WEIGHTS,
    NV,
    OK,
    OTHER,
    P_CHAIN_BLOCK,
    P_OPERATOR_PAIR,
    P_SHARED_ALL,
    P_SHARED_TWO,
    P_STEADY,
    TX,
)

if TYPE_CHECKING:
    from leads_demo.plan import Plan

NO_CHAIN, BRAND_CHAIN, OPERATOR_PAIR = 0, 1, 2


@dataclass
class Facilities:
    ids: np.ndarray  # facility id
    head: np.ndarray  # the operator: first site of a chain, else the facility itself
    chain: np.ndarray  # NO_CHAIN, BRAND_CHAIN or OPERATOR_PAIR
    site: np.ndarray  # position inside the chain block (0 for the head)
    kind: np.ndarray  # CENTER, HOME or OTHER
    state: np.ndarray  # NV, OK or TX: where the facility is
    listed: np.ndarray  # (3, n) bool: which agencies list it
    birth: np.ndarray  # month index of the first snapshot it can appear in
    # A few facilities keep one phone everywhere while one listing spells the street
    # otherwise (no street type, a typo): such pairs can only meet through the phone.
    steady: np.ndarray  # bool
    respelled_in: np.ndarray  # source whose first listing respells the street, or -1

    def __len__(self) -> int:
        return len(self.ids)


def _chains(rng: Rng, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    block = ids >> 2
    site = ids & 3
    is_chain = rng.unit("chain", block) < P_CHAIN_BLOCK
    pair = is_chain & (rng.unit("chain_pair", block) < P_OPERATOR_PAIR)
    size = np.where(pair, 2, 2 + rng.below(3, "chain_size", block))
    member = is_chain & (site < size)
    chain = np.where(member, np.where(pair, OPERATOR_PAIR, BRAND_CHAIN), NO_CHAIN)
    head = np.where(member, block << 2, ids)
    return head, chain.astype(np.int8), site


def _presence(rng: Rng, key: np.ndarray, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(listed (3, n), home source) for presence keys (the operator for chain sites)."""
    home = rng.weighted(np.asarray(HOME_SOURCE_WEIGHTS), "home_source", key)
    # Oklahoma lists child care only: "other" facilities live in Nevada or Texas.
    other = kind == OTHER
    home = np.where(other & (home == OK), np.where(rng.below(2, "home_alt", key) == 0, NV, TX), home)
    u = rng.unit("shared", key)
    extra = (home + 1 + rng.below(2, "shared_pick", key)) % 3
    listed = np.zeros((3, len(key)), dtype=bool)
    listed[home, np.arange(len(key))] = True
    two = (u < P_SHARED_TWO) & ~(other & (extra == OK))
    listed[extra[two], np.flatnonzero(two)] = True
    everywhere = u >= 1 - P_SHARED_ALL
    listed[:, everywhere] = True
    listed[OK, other] = False
    return listed, home


def _kinds(rng: Rng, key: np.ndarray) -> np.ndarray:
    return rng.weighted(np.asarray(KIND_WEIGHTS), "kind", key).astype(np.int8)


def build(plan: Plan, ids: np.ndarray) -> Facilities:
    rng = plan.rng
    ids = ids.astype(np.int64)
    head, chain, site = _chains(rng, ids)
    kind = _kinds(rng, head)
    pair = chain == OPERATOR_PAIR
    kind = np.where(pair, np.where(site == 0, CENTER, HOME), kind).astype(np.int8)
    listed, home = _presence(rng, head, np.where(pair, CENTER, kind))
    listed[OK, pair] = True  # an Oklahoma owner's center and home are both in its file
    state = np.where(pair, OK, home).astype(np.int8)
    fresh = ids - plan.base_facilities
    birth = np.where(fresh < 0, 0, 1 + fresh // max(1, plan.new_per_month)).astype(np.int16)
    steady = (rng.unit("steady", ids) < P_STEADY) & (chain == NO_CHAIN)
    respelled = np.full(len(ids), -1, dtype=np.int8)
    start = rng.below(3, "respell_source", ids)
    for offset in (2, 1, 0):  # the first listed source from `start` on wins
        s = (start + offset) % 3
        respelled = np.where(steady & listed[s, np.arange(len(ids))], s, respelled)
    return Facilities(
        ids,
        head,
        chain,
        site,
        kind,
        state,
        listed,
        birth,
        steady,
        respelled.astype(np.int8),
    )


def listed_share(rng: Rng, sample: int = 20_000) -> float:
    """Mean share of facilities an agency lists (used to size the population)."""
    ids = np.arange(sample, dtype=np.int64)
    head, chain, _ = _chains(rng, ids)
    kind = _kinds(rng, head)
    listed, _ = _presence(rng, head, kind)
    listed[OK, chain == OPERATOR_PAIR] = True
    return float(listed.sum()) / (3 * sample)
