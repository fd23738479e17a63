"""Deal Q&A inside a room: questions are about the room's deal by default, answered with citations.

Offline by design: a question is matched to a topic by bilingual keywords (next milestone,
stakeholders not met, what legal said, open tasks, risks, contract terms, status), and the answer
is filled from the deal snapshot with a ``crm://`` citation per fact. When nothing matches, the
answer is a short status with pointers, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.lang import pick
from bot.messages import Citation, Citations, Reply, Section
from skills.warroom.card import milestone_status, money, next_milestone_text, task_line_status
from skills.warroom.deal import ROLE_NAMES, STAGES, DealSnapshot, label
from skills.warroom.models import WarRoomRisk, WarRoomTask

TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("legal", re.compile(r"法务|违约|罚则|赔偿|penalt|legal|lawyer|liquidated", re.I)),
    ("not_met", re.compile(r"没见|未见|还没.*(见|接触|拜访)|没有接触|没接触|未接触|haven'?t (we )?met|not (yet )?met|never met|"
                           r"haven'?t.*(met|seen|talked)|coverage|覆盖|干系人|stakeholder", re.I)),
    ("milestone", re.compile(r"里程碑|交付|节点|milestone|deliver|go-?live|timeline|进度", re.I)),
    ("tasks", re.compile(r"任务|待办|谁负责|tasks?\b|to-?dos?|action items?|who owns", re.I)),
    ("risks", re.compile(r"风险|隐患|risk|worr|concern", re.I)),
    ("contract", re.compile(r"合同|付款|回款|SLA|续约|续签|contract|payment|renewal|terms", re.I)),
    ("status", re.compile(r"阶段|金额|进展|怎么样|情况|状态|stage|amount|status|how.*going|update", re.I)),
)


def topic_of(question: str) -> str | None:
    return next((name for name, pattern in TOPICS if pattern.search(question)), None)


def _reply(snapshot: DealSnapshot, language: str, text: str, cites: list[Citation]) -> Reply:
    blocks: list = [Section(text=text)]
    if cites:
        blocks.append(Citations(items=cites))
    return Reply(text=text, blocks=blocks, language=language, skill="warroom")  # type: ignore[arg-type]


def _deal_cite(snapshot: DealSnapshot, language: str) -> Citation:
    return Citation(source=f"crm://opportunity/{snapshot.deal_id}", title=snapshot.deal_name(language))


def _milestone(snapshot: DealSnapshot, language: str, **_: object) -> Reply:
    view = snapshot.next_milestone
    cites: list[Citation] = []
    if view is None:
        return _reply(snapshot, language, pick(language, "所有交付里程碑都已完成。", "All delivery milestones are done."),
                      [_deal_cite(snapshot, language)])
    lines = [pick(language, "下一个里程碑：", "Next milestone: ") + next_milestone_text(snapshot, language)
             + pick(language, f"，负责人 {snapshot.user_name(view.milestone.owner_id, 'zh')}。",
                    f", owner {snapshot.user_name(view.milestone.owner_id, 'en')}.")]
    cites.append(Citation(source=f"crm://milestone/{view.milestone.id}", title=view.name(language)))
    late = [v for v in snapshot.late_milestones if v.milestone.id != view.milestone.id]
    if late:
        lines.append(pick(language, "延期记录：", "Late so far: ") + pick(language, "；", "; ").join(
            f"{v.name(language)}（{milestone_status(v, language)}）" if language == "zh" else f"{v.name(language)} ({milestone_status(v, language)})"
            for v in late))
        cites.extend(Citation(source=f"crm://milestone/{v.milestone.id}", title=v.name(language)) for v in late)
    return _reply(snapshot, language, "\n".join(lines), cites)


def _not_met(snapshot: DealSnapshot, language: str, **_: object) -> Reply:
    never = [c for c in snapshot.contacts if c.last_touch is None]
    not_met = [c for c in snapshot.contacts if not c.met and c.last_touch is not None]
    lines: list[str] = []
    cites: list[Citation] = []

    def who(view) -> str:  # type: ignore[no-untyped-def]
        c = view.contact
        name = c.name if language == "zh" else (c.name_en or c.name)
        return f"{name}（{c.title}，{label(ROLE_NAMES, c.committee_role, 'zh')}）" if language == "zh" else \
            f"{name} ({c.title}, {label(ROLE_NAMES, c.committee_role, 'en')})"

    if never:
        lines.append(pick(language, "从未接触：", "Never contacted: ") + pick(language, "、", ", ").join(who(c) for c in never))
    if not_met:
        lines.append(pick(language, "有电话/邮件但还没有当面拜访或会议：", "Called or emailed but never met in person: ")
                     + pick(language, "、", ", ").join(
                         who(c) + pick(language, f"，最近接触 {c.last_touch}", f", last touch {c.last_touch}") for c in not_met))
    cites.extend(Citation(source=f"crm://contact/{c.id}", title=c.contact.name) for c in [*never, *not_met])
    if not never and not not_met:
        lines.append(pick(language, "客户侧已录入的干系人都已当面接触过。", "Every stakeholder on record has been met in person."))
    missing = snapshot.missing_roles()
    if missing:
        roles = [label(ROLE_NAMES, r, language) for r in missing]
        lines.append(pick(language, f"覆盖缺口：还没有{('、'.join(roles))}联系人。",
                          f"Coverage gap: no {', '.join(roles)} contact yet."))
    cites.append(_deal_cite(snapshot, language))
    return _reply(snapshot, language, "\n".join(lines), cites)


def _legal(snapshot: DealSnapshot, language: str, **_: object) -> Reply:
    contract = snapshot.contract
    lines: list[str] = []
    cites: list[Citation] = []
    if contract is not None:
        lines.append(pick(language, f"合同违约金条款：{contract.penalty_clause or '（未填写）'}",
                          f"Penalty clause in the contract: {contract.penalty_clause or '(not filled in)'}"))
        cites.append(Citation(source=f"crm://contract/{contract.id}", title=contract.title, snippet=contract.penalty_clause[:200]))
    legal_people = {m.user.id for m in snapshot.team if m.role == "legal"}
    legal_contacts = {c.id for c in snapshot.contacts if c.contact.committee_role == "legal"}
    notes = [a for a in snapshot.activities if a.author_id in legal_people or a.contact_id in legal_contacts]
    if notes:
        lines.append(pick(language, "法务沟通记录：", "What legal said:"))
        for a in notes[:5]:
            lines.append(f"• {a.occurred_at.date()} {snapshot.user_name(a.author_id, language)}：{a.summary}" if language == "zh"
                         else f"• {a.occurred_at.date()} {snapshot.user_name(a.author_id, language)}: {a.summary}")
            cites.append(Citation(source=f"crm://activity/{a.id}", title=a.subject or a.kind, snippet=a.summary[:200]))
    if not lines:
        lines.append(pick(language, "CRM 里还没有合同或法务的记录。", "There is no contract or legal note in the CRM yet."))
    return _reply(snapshot, language, "\n".join(lines), cites)


def _tasks(snapshot: DealSnapshot, language: str, *, tasks: list[WarRoomTask], **_: object) -> Reply:
    open_tasks = [t for t in tasks if t.status == "open"]
    if not open_tasks:
        text = pick(language, "目前没有未完成的任务。写「任务：… @负责人」来添加。", "No open tasks. Write 'task: … @owner' to add one.")
        return _reply(snapshot, language, text, [])
    lines = [pick(language, f"未完成任务（{len(open_tasks)}）：", f"Open tasks ({len(open_tasks)}):")]
    for t in open_tasks:
        due = t.due_date.isoformat() if t.due_date else "–"
        lines.append(f"• #{t.id} {t.title} — {snapshot.user_name(t.owner_id, language)} · {due} · {task_line_status(t, snapshot.today, language)}")
    cites = [Citation(source=f"warroom://task/{t.id}", title=f"#{t.id} {t.title}") for t in open_tasks]
    return _reply(snapshot, language, "\n".join(lines), cites)


def _risks(snapshot: DealSnapshot, language: str, *, risks: list[WarRoomRisk], **_: object) -> Reply:
    if not risks:
        return _reply(snapshot, language, pick(language, "目前没有未关闭的风险。", "No open risks."), [_deal_cite(snapshot, language)])
    lines = [pick(language, f"未关闭风险（{len(risks)}）：", f"Open risks ({len(risks)}):")]
    lines.extend(f"• {r.title_zh if language == 'zh' else r.title_en} — {snapshot.user_name(r.owner_id, language)}" for r in risks)
    cites = [Citation(source=f"warroom://risk/{r.id}", title=r.title_zh if language == "zh" else r.title_en) for r in risks]
    return _reply(snapshot, language, "\n".join(lines), [*cites, _deal_cite(snapshot, language)])


def _contract(snapshot: DealSnapshot, language: str, **_: object) -> Reply:
    c = snapshot.contract
    if c is None:
        return _reply(snapshot, language, pick(language, "CRM 里还没有这个商机的合同记录。", "No contract record for this deal yet."), [])
    text = "\n".join([
        pick(language, f"付款条件：{c.payment_terms}", f"Payment terms: {c.payment_terms}"),
        pick(language, f"违约金：{c.penalty_clause}", f"Penalties: {c.penalty_clause}"),
        pick(language, f"SLA：{c.sla}", f"SLA: {c.sla}"),
        pick(language, f"续约：{c.renewal_terms}", f"Renewal: {c.renewal_terms}"),
    ])
    return _reply(snapshot, language, text, [Citation(source=f"crm://contract/{c.id}", title=c.title)])


def _status(snapshot: DealSnapshot, language: str, **_: object) -> Reply:
    o = snapshot.opportunity
    text = pick(
        language,
        f"{snapshot.deal_name('zh')}：阶段 {label(STAGES, o.stage, 'zh')}，金额 {money(o.amount, o.currency, 'zh')}，"
        f"预计签约 {o.expected_close or '–'}。下一个里程碑：{next_milestone_text(snapshot, 'zh')}。",
        f"{snapshot.deal_name('en')}: stage {label(STAGES, o.stage, 'en')}, amount {money(o.amount, o.currency, 'en')}, "
        f"expected close {o.expected_close or '–'}. Next milestone: {next_milestone_text(snapshot, 'en')}.",
    )
    return _reply(snapshot, language, text, [_deal_cite(snapshot, language)])


ANSWERS: dict[str, Callable[..., Reply]] = {
    "milestone": _milestone, "not_met": _not_met, "legal": _legal, "tasks": _tasks, "risks": _risks,
    "contract": _contract, "status": _status,
}


def answer(question: str, *, snapshot: DealSnapshot, tasks: list[WarRoomTask], risks: list[WarRoomRisk], language: str) -> Reply:
    """Answer a question about the room's deal; unknown topics get the status plus what to ask."""
    topic = topic_of(question)
    reply = ANSWERS.get(topic or "status", _status)(snapshot, language, tasks=tasks, risks=risks)
    if topic is None:
        hint = pick(language, "可以问：下一个里程碑是什么？哪些干系人还没见过？法务对违约金条款怎么说？有哪些任务和风险？",
                    "You can ask: what's the next milestone? which stakeholders haven't we met? "
                    "what did legal say about the penalty clause? what are the open tasks and risks?")
        reply.blocks.insert(1, Section(text=hint))
        reply.text += "\n" + hint
    reply.metadata["topic"] = topic or "status"
    return reply
