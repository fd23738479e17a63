"""``LocalCRM`` reads and writes on the demo company (real SQLite, no mocks)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from bot.store import Store
from integrations.crm.demo import STORY_ACCOUNT_IDS, STORY_DEAL_IDS
from integrations.crm.local.crm import LocalCRM
from integrations.crm.local.models import Activity
from integrations.crm.viewer import Viewer

ACME, DEAL_5G = STORY_ACCOUNT_IDS["acme"], STORY_DEAL_IDS["jseg"]


def viewer(crm: LocalCRM, user_id: str) -> Viewer:
    v = crm.viewer_for(user_id)
    assert v is not None
    return v


def test_users_teams_and_viewers(demo_crm: LocalCRM) -> None:
    assert len(demo_crm.list_users()) == 21 and len(demo_crm.list_teams()) == 4
    zhao = viewer(demo_crm, "zhao.lei")
    assert (zhao.role, zhao.team_id, zhao.managed_team_ids, zhao.language) == (
        "manager", "team-east", frozenset({"team-east"}), "zh")
    assert viewer(demo_crm, "bob.smith").language == "en"
    assert demo_crm.viewer_for("nobody") is None
    assert demo_crm.find_user_by_email("Li.Na@northstar.example").id == "li.na"  # type: ignore[union-attr]


def test_chat_identities_map_to_users(demo_crm: LocalCRM) -> None:
    assert demo_crm.user_for_chat_identity("dingtalk", "corp-123", "dt_li_na") == "li.na"
    assert demo_crm.user_for_chat_identity("dingtalk", "*", "dt_maria_garcia") == "maria.garcia"
    assert demo_crm.user_for_chat_identity("slack", "T1", "dt_li_na") is None


def test_chat_identities_read_backwards_for_messages_the_bot_starts(demo_copy: Store) -> None:
    crm = LocalCRM(demo_copy)
    assert crm.chat_identities_of("li.na", platform="dingtalk") == ["dt_li_na"]
    assert crm.chat_identities_of("li.na", platform="slack") == []
    crm.link_chat_identity("dingtalk", "corp-9", "dt_lina_corp9", "li.na")
    assert crm.chat_identities_of("li.na", platform="dingtalk", workspace="corp-9") == ["dt_lina_corp9", "dt_li_na"]
    assert crm.chat_identities_of("li.na", platform="dingtalk", workspace="corp-1") == ["dt_li_na"]
    assert crm.chat_identities_of("nobody", platform="dingtalk") == []


def test_find_accounts_by_name_and_alias_in_both_languages(demo_crm: LocalCRM) -> None:
    admin = viewer(demo_crm, "admin")
    for query in ("ACME", "acme", "艾克米", "艾克米制造", "ACME Manufacturing"):
        assert [a.id for a in demo_crm.find_accounts(admin, query)] == [ACME], query
    assert [a.name_en for a in demo_crm.find_accounts(admin, "苏能集团")] == ["Jiangsu Energy Group"]
    assert demo_crm.find_accounts(admin, "   ") == []


def test_history_reads_are_ordered_and_filtered(demo_crm: LocalCRM, demo_today: date) -> None:
    li_na = viewer(demo_crm, "li.na")
    acts = demo_crm.list_activities(li_na, account_id=ACME, limit=5)
    assert len(acts) == 5 and [a.occurred_at for a in acts] == sorted((a.occurred_at for a in acts), reverse=True)
    since = demo_today - timedelta(days=30)
    recent = demo_crm.list_activities(li_na, account_id=ACME, since=since)
    assert recent and all(a.occurred_at.date() >= since for a in recent)
    orders = demo_crm.list_orders(li_na, ACME, since=demo_today - timedelta(days=90))
    assert [o.order_date for o in orders] == sorted(o.order_date for o in orders) and len(orders) == 6
    signals = demo_crm.list_competitor_signals(li_na, ACME, since=demo_today - timedelta(days=30))
    assert len(signals) == 8 and {s.competitor for s in signals} == {"凌云通信 / Lingyun Comm"}


def test_deal_reads(demo_crm: LocalCRM, demo_today: date) -> None:
    wang = viewer(demo_crm, "wang.wei")
    deal = demo_crm.get_opportunity(wang, DEAL_5G)
    assert deal is not None and deal.is_open and deal.products[0] == "5G-CORE-E"
    team = {m.user.id: m.role for m in demo_crm.opportunity_team(wang, DEAL_5G)}
    assert team == {"wang.wei": "owner", "feng.tao": "presales", "li.si": "presales", "lin.hui": "delivery",
                    "tang.yu": "legal"}
    contract = demo_crm.get_contract(wang, DEAL_5G)
    assert contract is not None and not contract.signed and len(contract.clauses) == 3
    milestones = demo_crm.list_milestones(wang, DEAL_5G)
    assert [m.planned_date for m in milestones] == sorted(m.planned_date for m in milestones)
    assert sum(m.is_late(demo_today) for m in milestones) == 2  # Suzhou finished late, Wuxi overdue
    assert {o.id for o in demo_crm.list_opportunities(wang, account_id=STORY_ACCOUNT_IDS["jseg"], open_only=True)} == {DEAL_5G}


def test_log_activity_and_create_task_write_for_the_viewer(demo_copy: Store, demo_today: date) -> None:
    crm = LocalCRM(demo_copy)
    li_na = viewer(crm, "li.na")
    logged = crm.log_activity(li_na, account_id=ACME, kind="call", summary="回访王建国，确认扩容预算。", subject="回访")
    task = crm.create_task(li_na, account_id=ACME, subject="准备 TCO 对比", due_date=demo_today + timedelta(days=3))
    assert logged.author_id == "li.na" and logged.occurred_at.tzinfo is not None
    assert (task.kind, task.status, task.due_date) == ("task", "open", demo_today + timedelta(days=3))
    newest = crm.list_activities(li_na, account_id=ACME, limit=2)
    assert {a.id for a in newest} == {logged.id, task.id}
    with Session(demo_copy.engine) as s:
        assert s.exec(select(Activity).where(Activity.id == logged.id)).one().summary == "回访王建国，确认扩容预算。"
