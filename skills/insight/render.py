"""AccountBrief -> Reply blocks, in the viewer's language."""

from __future__ import annotations

from typing import Any

from bot.lang import Language, pick
from bot.messages import Button, Buttons, Citation, Citations, Context, Fields, Header, Reply, Section, Table
from skills.insight.brief import AccountBrief, Trend, next_actions

STAGE_ZH = {"prospecting": "线索", "qualification": "需求确认", "proposal": "方案报价", "negotiation": "商务谈判",
            "closed_won": "赢单", "closed_lost": "丢单"}
INDUSTRY_ZH = {"manufacturing": "制造", "saas": "软件/SaaS", "retail": "零售/快消", "healthcare": "医疗健康",
               "public_sector": "政府/公共事业", "telecom": "通信", "finance": "金融", "logistics": "物流",
               "energy": "能源"}
REGION_ZH = {"east_china": "华东", "south_china": "华南", "north_china": "华北", "apac": "亚太", "emea": "欧洲中东非洲",
             "americas": "美洲"}
SECTION_ZH = {"orders": "订单", "signals": "竞品信号", "deals": "商机", "touches": "跟进记录", "users": "人员",
              "risks": "风险判断"}
KIND_ZH = {"visit": "拜访", "call": "电话", "email": "邮件", "meeting": "会议", "note": "备注", "task": "任务"}


def money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.0f}"


def _trend_text(trend: Trend, lang: Language, unit_zh: str, unit_en: str) -> str:
    pct = trend.pct
    change = pick(lang, "无可比基数", "no prior base") if pct is None else f"{pct:+.0f}%"
    return pick(lang, f"近 90 天 {trend.recent:,.0f}{unit_zh}，之前 90 天 {trend.prior:,.0f}{unit_zh}（{change}）",
                f"{trend.recent:,.0f} {unit_en} in the last 90 days vs {trend.prior:,.0f} before ({change})")


def render_brief(brief: AccountBrief, lang: Language, cases: list[Any] | None = None,
                 cases_note: str | None = None) -> Reply:
    a = brief.account
    name = a.name_zh if lang == "zh" else a.name_en
    owner = brief.owner.name if brief.owner and lang == "zh" else (brief.owner.name_en or brief.owner.name) if brief.owner else "-"
    blocks: list[Any] = [Header(text=pick(lang, f"{name} · 客户简报", f"{name} · account brief"))]
    blocks.append(Fields(items=[
        (pick(lang, "负责人", "Owner"), owner),
        (pick(lang, "等级", "Tier"), a.tier),
        (pick(lang, "行业", "Industry"), INDUSTRY_ZH.get(a.industry, a.industry) if lang == "zh" else a.industry),
        (pick(lang, "区域", "Region"), REGION_ZH.get(a.region, a.region) if lang == "zh" else a.region),
    ]))
    comp_names = ", ".join(f"{c} ×{n}" for c, n in brief.top_competitors) or pick(lang, "无", "none")
    blocks.append(Section(text="\n".join([
        pick(lang, "*采购趋势*", "*Purchase trend*"),
        "• " + pick(lang, "订单数：", "Orders: ") + _trend_text(brief.order_count, lang, " 单", "orders"),
        "• " + pick(lang, "订单金额：", "Order value: ") + _trend_text(brief.order_value, lang, "", "value"),
        pick(lang, "*竞品信号*", "*Competitor signals*"),
        "• " + pick(lang, "近 30 天：", "Last 30 days: ") + _trend_text_30(brief, lang),
        "• " + pick(lang, "主要竞品：", "Main competitors: ") + comp_names,
    ])))
    if brief.open_deals:
        blocks.append(Table(
            title=pick(lang, "进行中的商机", "Open opportunities"),
            columns=[pick(lang, "商机", "Deal"), pick(lang, "阶段", "Stage"), pick(lang, "金额", "Amount"),
                     pick(lang, "预计成交", "Close date")],
            rows=[[d.name if lang == "zh" else (d.name_en or d.name),
                   STAGE_ZH.get(d.stage, d.stage) if lang == "zh" else d.stage,
                   money(d.amount, d.currency), d.expected_close.isoformat() if d.expected_close else "-"]
                  for d in brief.open_deals],
        ))
    else:
        blocks.append(Section(text=pick(lang, "没有进行中的商机。", "No open opportunities.")))
    if brief.last_touches:
        blocks.append(Table(
            title=pick(lang, "最近 5 次跟进", "Last 5 touches"),
            columns=[pick(lang, "日期", "Date"), pick(lang, "类型", "Type"), pick(lang, "人员", "By"), pick(lang, "摘要", "Summary")],
            rows=[[t.occurred_at.date().isoformat(), KIND_ZH.get(t.kind, t.kind) if lang == "zh" else t.kind,
                   brief.authors.get(t.author_id, t.author_id), (t.summary or t.subject)[:80]] for t in brief.last_touches],
        ))
    if brief.risks:
        risk_lines = [f"⚠️ {pick(lang, r.zh, r.en)}" for r in brief.risks]
    else:
        risk_lines = [pick(lang, "暂无明显风险。", "No risk flags.")]
    blocks.append(Section(text=pick(lang, "*风险*\n", "*Risks*\n") + "\n".join(risk_lines)))
    actions = next_actions(brief)
    blocks.append(Section(text=pick(lang, "*建议下一步*\n", "*Suggested next actions*\n")
                          + "\n".join(f"{i}. {pick(lang, zh, en)}" for i, (zh, en) in enumerate(actions, 1))))
    citations = [Citation(source=f"crm://account/{a.id}", title=name)]
    citations += [Citation(source=f"crm://opportunity/{d.id}", title=d.name if lang == "zh" else (d.name_en or d.name))
                  for d in brief.open_deals]
    citations += [Citation(source=f"crm://activity/{t.id}", title=(t.subject or t.kind), snippet=(t.summary or "")[:120])
                  for t in brief.last_touches[:2]]
    if cases:
        blocks.append(Section(text=pick(lang, "*相似案例*\n", "*Similar cases*\n") + "\n".join(
            f"• {h.title} ({pick(lang, '赢单', 'won') if h.metadata.get('outcome') == 'won' else pick(lang, '丢单', 'lost')})"
            for h in cases)))
        citations += [Citation(source=h.source, title=h.title, snippet=h.snippet[:160]) for h in cases]
    elif cases_note:
        blocks.append(Context(text=cases_note))
    if brief.unavailable:
        parts = ", ".join(pick(lang, SECTION_ZH.get(x, x), x) for x in brief.unavailable)
        blocks.append(Context(text=pick(lang, f"⚠️ CRM 暂时连不上，以下部分缺失：{parts}",
                                        f"⚠️ The CRM is not reachable right now; missing: {parts}")))
    blocks.append(Buttons(buttons=[
        Button(text=pick(lang, "记录一次跟进", "Log a touch"), action_id="insight:log_touch", value=str(a.id)),
        Button(text=pick(lang, "刷新", "Refresh"), action_id="insight:brief", value=str(a.id)),
    ]))
    blocks.append(Citations(items=citations))
    blocks.append(Context(text=pick(lang, f"数据截至 {brief.today.isoformat()} · 来源：CRM", f"Data as of {brief.today.isoformat()} · source: CRM")))
    risk_summary = "; ".join(pick(lang, r.zh, r.en) for r in brief.risks) or pick(lang, "暂无明显风险", "no risk flags")
    text = pick(lang, f"{name}：负责人 {owner}，{len(brief.open_deals)} 个进行中商机。风险：{risk_summary}。",
                f"{name}: owner {owner}, {len(brief.open_deals)} open deals. Risks: {risk_summary}.")
    return Reply(text=text, blocks=blocks, language=lang, skill="insight")


def _trend_text_30(brief: AccountBrief, lang: Language) -> str:
    t = brief.competitor_30d
    pct = t.pct
    change = pick(lang, "无可比基数", "no prior base") if pct is None else f"{pct:+.0f}%"
    return pick(lang, f"{t.recent:.0f} 次，之前 30 天 {t.prior:.0f} 次（{change}）",
                f"{t.recent:.0f} mentions vs {t.prior:.0f} in the 30 days before ({change})")
