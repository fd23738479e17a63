"""Customer insight: "ACME 最近怎么样?" / "brief me on ACME" -> an account 360 with sources."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, Field

from bot.errors import NotFoundOrHidden
from bot.messages import Button, Buttons, Reply, Section
from bot.skill import Skill
from bot.tools import Tool, ToolResult
from bot.turn import Turn
from integrations.crm.viewer import Viewer
from skills.insight.brief import AccountBrief, build_brief
from skills.insight.render import render_brief

log = logging.getLogger("dealpilot.insight")

NOT_FOUND = NotFoundOrHidden(zh="我找不到你有权限查看的这个客户。", en="I can't find an account you have access to.")
AMBIGUITY_MARGIN = 3.0


class AccountArgs(BaseModel):
    account: str = Field(description="Account name or alias, in Chinese or English, e.g. 'ACME' or '艾克米制造'.")


class InsightSkill(Skill):
    name = "insight"
    description_zh = "客户洞察：客户 360 简报（采购趋势、商机、跟进、竞品、风险、相似案例）"
    description_en = "Customer insight: an account 360 (purchases, deals, touches, competitors, risks, similar cases)"
    commands = ("insight", "brief")
    needs_entity = ("account", "deal")
    examples = (
        "{account} 最近怎么样", "{account} 最近怎么样?", "{account} 情况如何", "{account} 的客户简报", "介绍一下 {account}",
        "{account} 有什么风险", "{account} 采购趋势", "查一下 {account}", "{account} 这个客户怎么样了", "看看 {account}",
        "brief me on {account}", "how is {account} doing", "what's going on with {account}", "account brief {account}",
        "tell me about {account}", "{account} status", "any risks at {account}", "give me a 360 on {account}",
        "how are things with {account}", "update on {account}", "what's new with {account}",
        "who owns {account}", "who is the account manager for {account}", "{account} 负责人是谁", "{account} 谁负责",
        "再看一下 {account} 最新情况", "{account} 最新情况", "{account} purchase trend", "{account} 最近的采购趋势怎么样",
        "what open deals does {account} have", "and {account}'s open deals", "{account} 有哪些商机",
        "{account} 的 deal status 怎么样了",
    )

    def handle(self, turn: Turn) -> Reply:
        action = turn.message.action
        if action is not None:
            if action.verb == "brief" and action.value.isdigit():
                return self.brief_reply(turn, int(action.value))
            if action.verb == "log_touch" and action.value.isdigit():
                return self._log_touch_prompt(turn, int(action.value))
            raise NOT_FOUND
        account_id = self._resolve(turn)
        if isinstance(account_id, Reply):
            return account_id
        return self.brief_reply(turn, account_id)

    # --- resolution -----------------------------------------------------------------------------
    def _resolve(self, turn: Turn) -> int | Reply:
        accounts = [e for e in turn.entities if e.kind == "account"]
        if not accounts:
            deal = turn.entity("deal")
            if deal is not None:
                opp = turn.crm.get_opportunity(turn.viewer, int(deal.id))
                if opp is not None:
                    return opp.account_id
            if turn.message.command and turn.text.strip():
                hits = turn.crm.find_accounts(turn.viewer, turn.text.strip(), limit=6)
                if len(hits) == 1:
                    return hits[0].id
                if hits:
                    return self._choose(turn, [(str(h.id), h.name_zh if turn.language == "zh" else h.name_en) for h in hits])
            raise NOT_FOUND
        best = accounts[0]
        close = [e for e in accounts if best.score - e.score < AMBIGUITY_MARGIN and e.matched == best.matched]
        if len(close) > 1:
            return self._choose(turn, [(e.id, e.name) for e in close])
        return int(best.id)

    def _choose(self, turn: Turn, options: list[tuple[str, str]]) -> Reply:
        text = turn.t("有几个客户符合，你指的是哪一个？", "Several accounts match. Which one do you mean?")
        return Reply(text=text, language=turn.language, skill=self.name, blocks=[
            Section(text=text),
            Buttons(buttons=[Button(text=name[:75], action_id="insight:brief", value=ident) for ident, name in options[:10]]),
        ])

    # --- answers --------------------------------------------------------------------------------
    def brief_reply(self, turn: Turn, account_id: int) -> Reply:
        brief = build_brief(turn.crm, turn.viewer, account_id)
        if brief is None:
            raise NOT_FOUND
        cases, note = self._similar_cases(turn.viewer, brief, turn.language)
        return render_brief(brief, turn.language, cases, note)

    def _similar_cases(self, viewer: Viewer, brief: AccountBrief, language: str) -> tuple[list[Any], str | None]:
        """Past cases like this account's situation, from the case library (if it is installed)."""
        try:
            from knowledge.api import get_knowledge_base
        except ModuleNotFoundError:
            return [], None
        query = similar_case_query(brief, language)
        try:
            return list(get_knowledge_base(self.runtime).search(query, viewer=viewer, k=3)), None
        except Exception:  # the brief must still come when the case library is down
            log.warning("similar-case search failed", exc_info=True)
            note = "案例库暂时不可用。" if language == "zh" else "The case library is not available right now."
            return [], note

    def _log_touch_prompt(self, turn: Turn, account_id: int) -> Reply:
        if turn.crm.get_account(turn.viewer, account_id) is None:
            raise NOT_FOUND
        text = turn.t("请直接回复跟进内容，例如：`/log 今天拜访了采购负责人，确认了续约意向`。",
                      "Reply with what happened, e.g. `/log visited the buyer today, renewal intent confirmed`.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def home(self, turn: Turn) -> list[Any]:
        """App Home: the user's open deals (owned or on the team), top 5 by amount, stage and close date."""
        from skills.insight.home import home_blocks

        return home_blocks(turn)

    # --- tools ----------------------------------------------------------------------------------
    def tools(self) -> list[Tool]:
        return [Tool(
            name="crm_account_brief",
            description="Account 360 for one account the user may see: owner, tier, purchase trend (last 90 days vs "
                        "the 90 before, with % change), open opportunities, last 5 touches, competitor-signal trend, "
                        "risk flags with reasons. Returns nothing for accounts the user cannot see.",
            args_schema=AccountArgs,
            func=self._brief_tool,
        )]

    def _brief_tool(self, viewer: Viewer, account: str) -> ToolResult:
        index = self.runtime.entities(viewer)
        matches = [m for m in index.link(account) if m.kind == "account"]
        if not matches:
            return ToolResult(data={"found": False, "message": "No account you have access to matches that name."})
        brief = build_brief(self.runtime.crm, viewer, int(matches[0].id))
        if brief is None:
            return ToolResult(data={"found": False, "message": "No account you have access to matches that name."})
        return ToolResult(data=brief_facts(brief), citations=[{"source": f"crm://account/{brief.account.id}", "title": brief.account.name_en}])


def similar_case_query(brief: AccountBrief, language: str) -> str:
    codes = {r.code for r in brief.risks}
    parts_zh = [brief.account.industry]
    parts_en = [brief.account.industry]
    if codes & {"purchase_drop", "purchase_stop"}:
        parts_zh.append("客户采购下降 流失风险 续约挽回")
        parts_en.append("customer orders falling churn risk renewal rescue")
    if codes & {"competitor_rise", "competitor_new"}:
        parts_zh.append("竞争对手降价 抢单")
        parts_en.append("competitor price cut")
    if "stale_deal" in codes:
        parts_zh.append("谈判停滞 重启")
        parts_en.append("stalled negotiation revived")
    if "deep_discount" in codes:
        parts_zh.append("折扣审批")
        parts_en.append("discount approval")
    return " ".join(parts_zh if language == "zh" else parts_en)


def brief_facts(brief: AccountBrief) -> dict[str, Any]:
    """The brief as plain JSON for the LLM: numbers are copied from here, never computed by the model."""
    a = brief.account
    return {
        "found": True,
        "account": {"id": a.id, "name_zh": a.name_zh, "name_en": a.name_en, "tier": a.tier, "industry": a.industry,
                    "region": a.region},
        "owner": {"id": brief.owner.id, "name": brief.owner.name, "name_en": brief.owner.name_en} if brief.owner else None,
        "orders_last_90d": brief.order_count.recent, "orders_prior_90d": brief.order_count.prior,
        "order_count_change_pct": brief.order_count.pct,
        "order_value_last_90d": brief.order_value.recent, "order_value_prior_90d": brief.order_value.prior,
        "order_value_change_pct": brief.order_value.pct,
        "competitor_mentions_last_30d": brief.competitor_30d.recent,
        "competitor_mentions_prior_30d": brief.competitor_30d.prior,
        "competitor_mentions_change_pct": brief.competitor_30d.pct,
        "top_competitors": [c for c, _ in brief.top_competitors],
        "open_opportunities": [{"id": d.id, "name": d.name, "name_en": d.name_en, "stage": d.stage, "amount": d.amount,
                                "currency": d.currency, "expected_close": d.expected_close.isoformat() if d.expected_close else None,
                                "discount_pct": d.discount_pct} for d in brief.open_deals],
        "last_touches": [{"id": t.id, "date": t.occurred_at.date().isoformat(), "kind": t.kind, "author": t.author_id,
                          "summary": t.summary} for t in brief.last_touches],
        "risks": [{"code": r.code, "value": r.value, "en": r.en, "zh": r.zh} for r in brief.risks],
    }
