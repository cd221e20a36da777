"""Match CRM leads to resolved leads with the identity rules used between source records.

A CRM lead and a lead's member record are one facility when they satisfy a rule and the CRM
lead's address does not contradict the lead's site. The CRM's placeholder phones never reach
this point (the phone rule rejects them), so such leads match by address and name.

Each CRM lead goes to one lead: its strongest rule, then the best name score, then the lead first
in anchor order. A lead matched by several CRM leads keeps one: strongest rule, best name score,
then the most recently created CRM lead, then the smallest CRM id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from leads_pipeline.stages.identity.rules import Rule, Site, best_rule


@dataclass(frozen=True, slots=True)
class CrmLead:
    salesforce_lead_id: str
    site: Site
    name_keys: tuple[str, ...]
    created_date: date | None


@dataclass(frozen=True, slots=True)
class CrmPair:
    """A CRM lead (index into the CRM list) and a source record sharing a blocking key."""

    crm: int
    record: int
    shares_phone: bool
    shares_address: bool
    shares_email: bool


@dataclass(frozen=True, slots=True)
class CrmMatch:
    anchor: int  # the lead, by its anchor record's index
    crm: int
    rule: Rule
    score: float


def match_crm(
    crm_leads: Sequence[CrmLead],
    pairs: Iterable[CrmPair],
    anchor_of: Sequence[int],
    lead_site: dict[int, Site],
    anchor_rank: dict[int, int],
    name_score: Callable[[int, int], float],  # (crm index, record index) -> 0-100
    threshold: float,
) -> list[CrmMatch]:
    """The CRM lead of each matched lead (by anchor index)."""
    per_lead: dict[int, CrmMatch] = {}
    for match in crm_choices(crm_leads, pairs, anchor_of, lead_site, anchor_rank, name_score, threshold).values():
        best = per_lead.get(match.anchor)
        if best is None or crm_preference(match, crm_leads) < crm_preference(best, crm_leads):
            per_lead[match.anchor] = match
    return sorted(per_lead.values(), key=lambda m: anchor_rank[m.anchor])


def crm_choices(
    crm_leads: Sequence[CrmLead],
    pairs: Iterable[CrmPair],
    anchor_of: Sequence[int],
    lead_site: dict[int, Site],
    anchor_rank: dict[int, int],
    name_score: Callable[[int, int], float],
    threshold: float,
) -> dict[int, CrmMatch]:
    """The lead each CRM lead goes to (by CRM index), where one satisfies a rule: it follows from
    that CRM lead's own pairs alone, in the order they come."""
    per_crm: dict[int, CrmMatch] = {}
    for pair in pairs:
        anchor = anchor_of[pair.record]
        crm = crm_leads[pair.crm]
        if crm.site.contradicts(lead_site[anchor]):
            continue
        score = 0.0
        if not (pair.shares_phone and (pair.shares_address or pair.shares_email)):
            score = name_score(pair.crm, pair.record)
        rule = best_rule(pair.shares_phone, pair.shares_address, pair.shares_email, score >= threshold)
        if rule is None:
            continue
        candidate = CrmMatch(anchor, pair.crm, rule, score)
        best = per_crm.get(pair.crm)
        if best is None or _lead_key(candidate, anchor_rank) < _lead_key(best, anchor_rank):
            per_crm[pair.crm] = candidate
    return per_crm


def _lead_key(match: CrmMatch, anchor_rank: dict[int, int]) -> tuple[int, float, int]:
    return (match.rule.rank, -match.score, anchor_rank[match.anchor])


def crm_preference(match: CrmMatch, crm_leads: Sequence[CrmLead]) -> tuple[int, float, int, str]:
    """Which CRM lead a lead keeps of those matched to it: the smallest key."""
    crm = crm_leads[match.crm]
    created = -crm.created_date.toordinal() if crm.created_date else 0
    return (match.rule.rank, -match.score, created, crm.salesforce_lead_id)
