"""The insight part of the Slack App Home: the user's own open deals, largest first.

"Own" means the deals a person works on -- they own it or are on its deal team -- not every deal
they may see (a manager sees the whole team's pipeline, which would crowd out their own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.lang import pick
from bot.messages import Context, Header, Section, Table
from integrations.crm.entities import OpportunityRecord
from skills.insight.render import STAGE_ZH, money

if TYPE_CHECKING:
    from bot.turn import Turn

TOP_DEALS = 5
# Rough rates so CNY and USD deals can be ranked together; amounts are shown in their own currency.
FX_TO_CNY = {"CNY": 1.0, "RMB": 1.0, "USD": 7.2, "EUR": 7.8, "HKD": 0.92, "GBP": 9.1, "JPY": 0.048, "SGD": 5.3}


def in_cny(deal: OpportunityRecord) -> float:
    return deal.amount * FX_TO_CNY.get((deal.currency or "CNY").upper(), 1.0)


def my_open_deals(turn: "Turn") -> list[OpportunityRecord]:
    """Open deals ``turn.viewer`` owns or is on the team of (read as the viewer), largest first."""
    me = turn.viewer.user_id
    mine = []
    for deal in turn.crm.list_opportunities(turn.viewer, open_only=True):
        if deal.owner_id == me or any(m.user.id == me for m in turn.crm.opportunity_team(turn.viewer, deal.id)):
            mine.append(deal)
    return sorted(mine, key=lambda d: (-in_cny(d), d.id))


def home_blocks(turn: "Turn") -> list[Any]:
    lang = turn.language
    deals = my_open_deals(turn)
    header = Header(text=pick(lang, "我的商机", "My open deals"))
    if not deals:
        return [header, Section(text=pick(lang, "你目前没有进行中的商机。", "You have no open deals right now."))]
    rows = [[d.name if lang == "zh" else (d.name_en or d.name),
             STAGE_ZH.get(d.stage, d.stage) if lang == "zh" else d.stage,
             money(d.amount, d.currency),
             d.expected_close.isoformat() if d.expected_close else "-"] for d in deals[:TOP_DEALS]]
    columns = [pick(lang, "商机", "Deal"), pick(lang, "阶段", "Stage"), pick(lang, "金额", "Amount"),
               pick(lang, "预计成交", "Close date")]
    shown = min(len(deals), TOP_DEALS)
    note = pick(lang, f"按金额排列的前 {shown} 个（共 {len(deals)} 个）。想看详情，问我某个客户最近怎么样。",
                f"Top {shown} of {len(deals)} by amount. Ask me how an account is doing for the details.")
    return [header, Table(columns=columns, rows=rows), Context(text=note)]
