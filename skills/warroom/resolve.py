"""Which deal "给5G专网项目建个作战室" / "open a war room for the Globex deal" means.

Why more than the entity linker: people name deals by a fragment ("5G专网项目" for
"江苏能源5G专网项目（12城）") or by their account ("the Globex deal"). Candidates are the viewer's
open deals only (hidden deals are never candidates, so a refusal leaks nothing); the phrase left
after removing the request words is matched against each deal's names with a fuzzy partial match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.intent import normalize
from integrations.crm.base import CRM
from integrations.crm.entities import OpportunityRecord
from integrations.crm.viewer import Viewer

MIN_SCORE = 88.0
MARGIN = 4.0
_REQUEST_WORDS = re.compile(
    r"(请|帮我|帮忙|麻烦|给|为|建个|建一个|新建|创建|开个|开一个|拉个|拉一个|建|作战室|战情室|群|一下|"
    r"\bplease\b|\bopen\b|\bcreate\b|\bset up\b|\bsetup\b|\bstart\b|\bmake\b|\bspin up\b|\ba\b|\ban\b|\bthe\b|\bfor\b|"
    r"\bwar[- ]?room\b|\bdeal\b|\bchannel\b|\bon\b)",
    re.IGNORECASE,
)
CREATE_INTENT = re.compile(r"(建|开|拉|创建|新建).{0,3}(作战室|战情室)|作战室|war[- ]?room", re.IGNORECASE)


@dataclass(frozen=True)
class DealCandidate:
    deal: OpportunityRecord
    score: float


def deal_phrase(text: str) -> str:
    """The words left when the request words are removed ("5G专网项目", "globex")."""
    return normalize(_REQUEST_WORDS.sub(" ", text))


def _variants(deal: OpportunityRecord) -> list[str]:
    names = [deal.name, deal.name_en]
    names += [re.sub(r"[（(].*?[)）]", "", n) for n in names]
    return [normalize(n) for n in names if n and normalize(n)]


def rank_deals(crm: CRM, viewer: Viewer, text: str, *, account_ids: set[int] | None = None) -> list[DealCandidate]:
    """The viewer's open deals ranked by how well ``text`` names them (best first, weak ones dropped)."""
    phrase = deal_phrase(text)
    deals = crm.list_opportunities(viewer, open_only=True)
    ranked: list[DealCandidate] = []
    for deal in deals:
        variants = _variants(deal)
        score = 0.0
        if len(phrase) >= 2 and variants:
            score = max((fuzz.partial_ratio(phrase, v) if len(phrase) <= len(v) else fuzz.ratio(phrase, v)) for v in variants)
        if account_ids and deal.account_id in account_ids:
            score = max(score, 95.0) + (3.0 if deal.is_key else 0.0)  # "the Globex deal": its key deal first
        if score >= MIN_SCORE:
            ranked.append(DealCandidate(deal, float(score)))
    ranked.sort(key=lambda c: (-c.score, c.deal.id))
    return ranked


def pick_deal(ranked: list[DealCandidate]) -> tuple[OpportunityRecord | None, list[OpportunityRecord]]:
    """``(deal, [])`` when one candidate clearly wins, ``(None, choices)`` when the user must choose."""
    if not ranked:
        return None, []
    best = ranked[0]
    close = [c.deal for c in ranked if best.score - c.score < MARGIN]
    if len(close) == 1:
        return best.deal, []
    return None, close[:10]
