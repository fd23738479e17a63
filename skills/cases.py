"""The case skill: "有没有类似的案例?" / "cases about discount approval" / ``/cases 竞品降价``.

Answers with the top three cases from the knowledge base that the asker may read: title, one line
on why it matches, the outcome, and a citation (source and the matching passage). The retrieval
is the same ``KnowledgeBase.search`` the insight skill uses for its "similar cases" section.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.messages import Citation, Citations, Context, Header, Reply, Section
from bot.skill import Skill
from bot.tools import Tool, ToolResult
from bot.turn import Turn
from integrations.crm.viewer import Viewer

TOP_K = 3
_OUTCOME = {"won": ("赢单", "won"), "lost": ("丢单", "lost")}
_INDUSTRY = {
    "manufacturing": "制造业", "saas": "SaaS", "retail": "零售/快消", "healthcare": "医疗", "public_sector": "政企",
    "telecom": "电信", "finance": "金融", "logistics": "物流",
}


class SearchCasesArgs(BaseModel):
    query: str = Field(description="The situation to find precedent for, in Chinese or English.")
    k: int = Field(default=TOP_K, ge=1, le=10)
    industry: str | None = Field(default=None, description="Only cases from this industry, e.g. retail, saas.")
    outcome: str | None = Field(default=None, description="Only 'won' or 'lost' cases.")


class CasesSkill(Skill):
    name = "cases"
    description_zh = "相似案例：从案例库里找类似的成单/丢单经验，附出处"
    description_en = "Similar cases: precedents from the case library, with sources"
    commands = ("cases",)
    examples = (
        "有没有类似的案例", "有没有类似案例?", "有没有相关的成功案例", "找几个类似的案例", "之前有没有遇到过这种情况的案例",
        "有没有客户因为竞品降价流失又挽回的案例", "有没有竞品降价的案例", "折扣审批的案例", "有没有招投标输掉的案例",
        "有没有 POC 一直延期的案例", "类似的项目我们是怎么赢的", "{account} 有没有类似的案例",
        "any similar cases", "cases about discount approval", "any cases where we beat a competitor's price cut",
        "show me case studies about churn", "have we seen a deal like this before", "examples of winning a tender",
        "case study on a stalled POC", "similar cases for {account}", "what did we do last time a customer left for a cheaper vendor",
        "政府客户预算周期的案例有哪些", "有哪些相关案例", "这类项目有哪些案例", "那个项目为什么丢单了", "我们是怎么赢下那个招标的",
        "丢单的经验教训", "what went wrong in the warehouse deal", "why did we lose that deal", "how did we win that tender",
        "lessons learned from lost deals", "what happened in the logistics deal we lost",
    )

    def handle(self, turn: Turn) -> Reply:
        query = self._query(turn)
        if not query:
            return self._reply(turn, [Section(text=turn.t(
                "请告诉我要找什么样的案例，例如：`/cases 竞品降价 挽回客户`。",
                "Tell me what kind of case to look for, e.g. `/cases competitor price cut win-back`."))])
        from knowledge.api import get_knowledge_base

        kb = get_knowledge_base(self.runtime)
        hits = kb.search(query, viewer=turn.viewer, k=TOP_K)
        if not hits:
            empty = kb.snapshot().size == 0
            return self._reply(turn, [Section(text=turn.t(
                "案例库还是空的：运行 `dealpilot demo` 或 `dealpilot kb ingest <文件夹>` 导入案例。" if empty else "没有找到你能查看的相关案例。",
                "The case library is empty: run `dealpilot demo` or `dealpilot kb ingest <folder>`." if empty
                else "I found no related cases that you can see."))])
        blocks: list[Any] = [Header(text=turn.t("相似案例", "Similar cases"))]
        for n, hit in enumerate(hits, 1):
            blocks.append(Section(text=_describe(n, hit, query, turn)))
        blocks.append(Citations(items=[Citation(source=h.source, title=h.title, snippet=h.snippet) for h in hits]))
        blocks.append(Context(text=turn.t(f"检索：{query}", f"Searched for: {query}")))
        return self._reply(turn, blocks)

    def _query(self, turn: Turn) -> str:
        """The user's words, with a linked account's name replaced by its industry (the situation, not the name)."""
        text = turn.text.strip()
        account = turn.entity("account")
        if account and account.matched:
            record = turn.crm.get_account(turn.viewer, int(account.id)) if account.id.isdigit() else None
            industry = _INDUSTRY.get(record.industry, record.industry) if record and turn.language == "zh" else (
                record.industry.replace("_", " ") if record else "")
            lowered = text.lower()
            start = lowered.find(account.matched.lower())
            if start >= 0:
                text = (text[:start] + f" {industry} " + text[start + len(account.matched):]).strip()
        return text

    def _reply(self, turn: Turn, blocks: list[Any]) -> Reply:
        text = "\n\n".join(getattr(b, "text", "") for b in blocks if getattr(b, "text", ""))
        return Reply(text=text, blocks=blocks, language=turn.language, skill=self.name)

    def tools(self) -> list[Tool]:
        return [Tool(
            name="search_cases",
            description="Find past sales cases (won or lost) similar to a situation; returns titles, outcomes and citations.",
            args_schema=SearchCasesArgs,
            func=self._search_tool,
        )]

    def _search_tool(self, viewer: Viewer, *, query: str, k: int = TOP_K, industry: str | None = None,
                     outcome: str | None = None) -> ToolResult:
        from knowledge.api import get_knowledge_base

        filters = {key: v for key, v in (("industry", industry), ("outcome", outcome)) if v}
        hits = get_knowledge_base(self.runtime).search(query, viewer=viewer, k=k, filters=filters or None)
        return ToolResult(
            data=[{**h.to_json(), "outcome": h.metadata.get("outcome"), "industry": h.metadata.get("industry")} for h in hits],
            citations=[{"source": h.source, "title": h.title, "snippet": h.snippet} for h in hits],
        )


def _describe(n: int, hit: Any, query: str, turn: Turn) -> str:
    from knowledge.topics import label, matched_topics

    meta = hit.metadata
    zh = turn.language == "zh"
    outcome = _OUTCOME.get(str(meta.get("outcome", "")), (meta.get("outcome", "-"),) * 2)[0 if zh else 1]
    industry = meta.get("industry", "")
    industry_text = _INDUSTRY.get(industry, industry) if zh else industry.replace("_", " ")
    topics = matched_topics(query, list(meta.get("tags", [])))
    if topics:
        why = turn.t("匹配点：", "Why it matches: ") + ("、" if zh else ", ").join(label(t, turn.language) for t in topics)
    else:
        section = meta.get("section") or turn.t("正文", "the case")
        shown = [label(t, turn.language) for t in list(meta.get("tags", []))[:3]]
        why = turn.t(f"最相近的内容在「{section}」部分（主题：{'、'.join(shown)}）",
                     f"Closest passage is in “{section}” (topics: {', '.join(shown)})")
    facts = " · ".join(p for p in (turn.t(f"结果：{outcome}", f"Outcome: {outcome}"), industry_text, str(meta.get("date", ""))) if p)
    return f"*{n}. {hit.title}*\n{why}\n{facts}"
