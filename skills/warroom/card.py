"""The live card: a deal snapshot plus the room's tasks and risks, as ``Reply`` blocks.

Why blocks and not a platform payload: the same card is pinned in Slack, topped in DingTalk and
stored for the console; renderers do the rest. Why a content hash: the card is updated in place
only when what it shows changed, so a periodic refresh over many rooms costs no API calls when
nothing moved.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from bot.lang import pick
from bot.messages import Button, Buttons, Context, Divider, Fields, Header, Reply, Section, Table
from skills.warroom.deal import LEVELS, ROLE_NAMES, STAGES, DealSnapshot, MilestoneView, label
from skills.warroom.models import WarRoomRisk, WarRoomTask

MAX_TASK_BUTTONS = 5


def money(amount: float, currency: str, language: str) -> str:
    if language == "zh" and currency == "CNY" and amount >= 10_000:
        return f"{amount / 10_000:,.0f} 万元"
    return f"{amount:,.0f} {currency}"


def milestone_status(view: MilestoneView, language: str) -> str:
    m = view.milestone
    if m.actual_date is not None:
        if view.late_days > 0:
            return pick(language, f"⚠ 完成，晚 {view.late_days} 天", f"⚠ done {view.late_days}d late")
        return pick(language, "✓ 按期完成", "✓ done on time")
    if view.overdue:
        return pick(language, f"⚠ 逾期 {view.late_days} 天", f"⚠ overdue {view.late_days}d")
    return pick(language, "进行中", "in progress") if m.status == "in_progress" else pick(language, "计划中", "planned")


def next_milestone_text(snapshot: DealSnapshot, language: str) -> str:
    view = snapshot.next_milestone
    if view is None:
        return pick(language, "全部完成", "all done")
    days = (view.milestone.planned_date - snapshot.today).days
    when = view.milestone.planned_date.isoformat()
    if days < 0:
        return pick(language, f"{view.name('zh')}（{when}，已逾期 {-days} 天）", f"{view.name('en')} ({when}, {-days} days overdue)")
    return pick(language, f"{view.name('zh')}（{when}，还有 {days} 天）", f"{view.name('en')} ({when}, {days} days left)")


def coverage_gaps(snapshot: DealSnapshot, language: str) -> list[str]:
    gaps = []
    for role in snapshot.missing_roles():
        zh, en = ROLE_NAMES[role]
        gaps.append(pick(language, f"没有{zh}联系人", f"no contact with {en}"))
    for view in snapshot.stale_contacts():
        name = view.contact.name if language == "zh" else (view.contact.name_en or view.contact.name)
        gaps.append(pick(language, f"{name} 90 天未接触", f"{name}: no touch in 90 days"))
    return gaps


def task_line_status(task: WarRoomTask, today: date, language: str) -> str:
    if task.status == "done":
        return pick(language, "✓ 已完成", "✓ done")
    if task.due_date is not None and task.due_date < today:
        return pick(language, f"⚠ 逾期 {(today - task.due_date).days} 天", f"⚠ overdue {(today - task.due_date).days}d")
    return pick(language, "进行中", "open")


def _stakeholders(snapshot: DealSnapshot, language: str) -> Table:
    rows = []
    for view in snapshot.contacts:
        c = view.contact
        rows.append([
            c.name if language == "zh" else (c.name_en or c.name),
            c.title,
            label(ROLE_NAMES, c.committee_role, language),
            label(LEVELS, c.influence, language),
            label(LEVELS, c.attitude, language),
            view.reports_to or "–",
            view.last_touch.isoformat() if view.last_touch else pick(language, "从未", "never"),
        ])
    columns = [pick(language, x, y) for x, y in (("姓名", "Name"), ("职务", "Title"), ("角色", "Role"),
                                                 ("影响力", "Influence"), ("态度", "Attitude"),
                                                 ("汇报给", "Reports to"), ("最近接触", "Last touch"))]
    return Table(title=pick(language, "干系人地图", "Stakeholder map"), columns=columns, rows=rows)


def _contract(snapshot: DealSnapshot, language: str) -> list[Fields | Section]:
    contract = snapshot.contract
    if contract is None:
        return [Section(text=pick(language, "*合同*：CRM 中还没有合同记录。", "*Contract*: no contract record in the CRM yet."))]
    signed = pick(language, "已签署", "signed") if contract.signed else pick(language, "未签署", "not signed")
    return [Fields(items=[
        (pick(language, "合同", "Contract"), f"{contract.title}（{signed}）" if language == "zh" else f"{contract.title} ({signed})"),
        (pick(language, "付款条件", "Payment terms"), contract.payment_terms or "–"),
        (pick(language, "违约金", "Penalties"), contract.penalty_clause or "–"),
        (pick(language, "SLA", "SLA"), contract.sla or "–"),
        (pick(language, "续约", "Renewal"), contract.renewal_terms or "–"),
    ])]


def _milestones(snapshot: DealSnapshot, language: str) -> Table:
    rows = [[
        view.name(language),
        view.milestone.planned_date.isoformat(),
        view.milestone.actual_date.isoformat() if view.milestone.actual_date else "–",
        snapshot.user_name(view.milestone.owner_id, language),
        milestone_status(view, language),
    ] for view in snapshot.milestones]
    columns = [pick(language, x, y) for x, y in (("里程碑", "Milestone"), ("计划", "Planned"), ("实际", "Actual"),
                                                 ("负责人", "Owner"), ("状态", "Status"))]
    return Table(title=pick(language, "交付里程碑（计划 vs 实际）", "Delivery milestones (planned vs actual)"),
                 columns=columns, rows=rows)


def build_card(
    snapshot: DealSnapshot, *, tasks: list[WarRoomTask], risks: list[WarRoomRisk], language: str,
) -> Reply:
    """The card for ``snapshot`` in the room's language; open tasks get done/reassign buttons."""
    o = snapshot.opportunity
    today = snapshot.today
    head = pick(language, f"作战室 · {snapshot.deal_name('zh')}", f"War room · {snapshot.deal_name('en')}")
    blocks: list = [
        Header(text=head),
        Fields(items=[
            (pick(language, "客户", "Account"), snapshot.account_name(language)),
            (pick(language, "阶段", "Stage"), label(STAGES, o.stage, language)),
            (pick(language, "金额", "Amount"), money(o.amount, o.currency, language)),
            (pick(language, "预计签约", "Expected close"), o.expected_close.isoformat() if o.expected_close else "–"),
            (pick(language, "负责人", "Owner"), snapshot.user_name(o.owner_id, language)),
            (pick(language, "下一个里程碑", "Next milestone"), next_milestone_text(snapshot, language)),
        ]),
        _stakeholders(snapshot, language),
    ]
    gaps = coverage_gaps(snapshot, language)
    if gaps:
        separator = "；" if language == "zh" else "; "
        blocks.append(Section(text=pick(language, "*覆盖缺口*：", "*Coverage gaps*: ") + separator.join(gaps)))
    blocks.extend(_contract(snapshot, language))
    blocks.append(_milestones(snapshot, language))
    blocks.append(Table(
        title=pick(language, "未关闭风险", "Open risks"),
        columns=[pick(language, "风险", "Risk"), pick(language, "负责人", "Owner")],
        rows=[[r.title_zh if language == "zh" else r.title_en, snapshot.user_name(r.owner_id, language)] for r in risks]
        or [[pick(language, "暂无", "none"), "–"]],
    ))
    open_tasks = [t for t in tasks if t.status == "open"]
    blocks.append(Table(
        title=pick(language, "未完成任务", "Open tasks"),
        columns=["#", pick(language, "任务", "Task"), pick(language, "负责人", "Owner"), pick(language, "截止", "Due"),
                 pick(language, "状态", "Status")],
        rows=[[str(t.id), t.title, snapshot.user_name(t.owner_id, language), t.due_date.isoformat() if t.due_date else "–",
               task_line_status(t, today, language)] for t in open_tasks]
        or [["–", pick(language, "暂无", "none"), "–", "–", "–"]],
    ))
    buttons = []
    for t in open_tasks[:MAX_TASK_BUTTONS]:
        buttons.append(Button(text=pick(language, f"完成 #{t.id}", f"Done #{t.id}"), action_id="warroom:task_done",
                              value=str(t.id), style="primary"))
        buttons.append(Button(text=pick(language, f"改派 #{t.id}", f"Reassign #{t.id}"), action_id="warroom:task_reassign",
                              value=str(t.id)))
    if buttons:
        blocks.append(Buttons(buttons=buttons))
    blocks.append(Divider())
    blocks.append(Context(text=pick(language, f"数据截至 {today.isoformat()} · 在本群直接提问或写「任务：… @负责人」",
                                    f"As of {today.isoformat()} · ask here, or write 'task: … @owner'")))
    text = f"{head} — " + next_milestone_text(snapshot, language)
    return Reply(text=text, blocks=blocks, language=language, skill="warroom")  # type: ignore[arg-type]


def card_hash(card: Reply) -> str:
    """What the card shows, hashed (the "as of" line excluded, so a new day alone is no change)."""
    blocks = [b.model_dump(mode="json") for b in card.blocks if not isinstance(b, Context)]
    return hashlib.sha256(json.dumps(blocks, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


def text_timeline(snapshot: DealSnapshot, language: str) -> str:
    """The compact text timeline for platforms without pictures: one line per milestone."""
    lines = []
    for view in snapshot.milestones:
        marker = "⚠" if view.late_days > 0 else ("✓" if view.milestone.actual_date else "·")
        lines.append(f"{marker} {view.milestone.planned_date.isoformat()} {view.name(language)} — {milestone_status(view, language)}")
    return "\n".join(lines)
