"""Deal questions outside a war-room: "5G专网项目的金额是多少?", "what's the status of the Globex deal?"

Answers one deal's facts (stage, amount, discount, close date, owner and team, next milestone,
last activity) with citations. Inside a war-room the war-room skill answers instead, in context.
"""

from __future__ import annotations

from datetime import date

from bot.errors import NotFoundOrHidden
from bot.messages import Citation, Citations, Fields, Header, Reply, Section
from bot.skill import Skill
from bot.turn import Turn
from skills.insight.render import STAGE_ZH, money

NOT_FOUND = NotFoundOrHidden(zh="我找不到你有权限查看的这个商机。", en="I can't find a deal you have access to.")


class DealSkill(Skill):
    name = "deal"
    description_zh = "商机问答：金额、阶段、折扣、预计成交、团队、下一个里程碑"
    description_en = "Deal facts: amount, stage, discount, close date, team, next milestone"
    commands = ("deal",)
    needs_entity = ("deal",)
    examples = (
        "{deal} 的金额是多少", "{deal} 多少钱", "{deal} 进展如何", "{deal} 到哪个阶段了", "{deal} 折扣多少",
        "{deal} 什么时候成交", "{deal} 预计什么时候签", "{deal} 的情况", "{deal} 谁在跟",
        "what's the status of {deal}", "how big is {deal}", "what is the amount of {deal}", "when does {deal} close",
        "what discount did we quote on {deal}", "who is on {deal}", "what stage is {deal} in", "{deal} deal status",
    )

    def handle(self, turn: Turn) -> Reply:
        entity = turn.entity("deal")
        deal_id = int(entity.id) if entity else None
        if deal_id is None and turn.message.command and turn.text.strip():
            index = self.runtime.entities(turn.viewer)
            found = [m for m in index.link(turn.text) if m.kind == "deal"]
            deal_id = int(found[0].id) if found else None
        if deal_id is None:
            raise NOT_FOUND
        return self.deal_reply(turn, deal_id)

    def deal_reply(self, turn: Turn, deal_id: int, *, today: date | None = None) -> Reply:
        crm, viewer, lang = turn.crm, turn.viewer, turn.language
        deal = crm.get_opportunity(viewer, deal_id)
        if deal is None:
            raise NOT_FOUND
        today = today or date.today()
        account = crm.get_account(viewer, deal.account_id)
        team = crm.opportunity_team(viewer, deal_id)
        upcoming = [m for m in crm.list_milestones(viewer, deal_id) if m.actual_date is None]
        last = crm.list_activities(viewer, opportunity_id=deal_id, limit=1)
        name = deal.name if lang == "zh" else (deal.name_en or deal.name)
        account_name = (account.name_zh if lang == "zh" else account.name_en) if account else "-"
        stage = STAGE_ZH.get(deal.stage, deal.stage) if lang == "zh" else deal.stage
        people = ", ".join(f"{m.user.name if lang == 'zh' else (m.user.name_en or m.user.name)} ({m.role})" for m in team)
        close = deal.expected_close.isoformat() if deal.expected_close else "-"
        days_to_close = (deal.expected_close - today).days if deal.expected_close else None
        fields = [
            (turn.t("客户", "Account"), account_name),
            (turn.t("阶段", "Stage"), stage),
            (turn.t("金额", "Amount"), money(deal.amount, deal.currency)),
            (turn.t("折扣", "Discount"), f"{deal.discount_pct:.0f}%"),
            (turn.t("预计成交", "Expected close"), close + (turn.t(f"（还有 {days_to_close} 天）", f" ({days_to_close} days)")
                                                       if days_to_close is not None else "")),
            (turn.t("团队", "Team"), people or "-"),
        ]
        if upcoming:
            m = upcoming[0]
            fields.append((turn.t("下一个里程碑", "Next milestone"),
                           f"{m.name if lang == 'zh' else (m.name_en or m.name)} · {m.planned_date.isoformat()}"))
        if last:
            quiet = (today - last[0].occurred_at.date()).days
            fields.append((turn.t("最近跟进", "Last activity"), turn.t(f"{quiet} 天前", f"{quiet} days ago")))
        text = turn.t(
            f"{name}（{account_name}）：{stage}，{money(deal.amount, deal.currency)}，折扣 {deal.discount_pct:.0f}%，预计 {close} 成交。",
            f"{name} ({account_name}): {stage}, {money(deal.amount, deal.currency)}, {deal.discount_pct:.0f}% discount, "
            f"expected to close {close}.",
        )
        citations = [Citation(source=f"crm://opportunity/{deal.id}", title=name)]
        if account:
            citations.append(Citation(source=f"crm://account/{account.id}", title=account_name))
        return Reply(text=text, language=lang, skill=self.name, blocks=[
            Header(text=name), Section(text=text), Fields(items=fields), Citations(items=citations),
        ])
