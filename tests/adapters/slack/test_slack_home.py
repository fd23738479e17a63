"""The App Home through the Slack peer: ``app_home_opened`` -> ``views.publish`` with the user's own
open deals (insight), open alerts of the last 14 days (alerts) and practice progress (roleplay),
in the viewer's language."""

from __future__ import annotations

import json
from typing import Any

from slack_support import BOB, LINA, SlackHttp, event_callback
from peers.slack_peer import SlackPeer
from sqlalchemy import or_, select

from bot.adapters.console import console_message
from bot.adapters.slack.app import SlackBot
from integrations.crm.local.models import Opportunity, OpportunityMember
from skills.alerts.models import Alert
from skills.alerts.scan import run_scan
from skills.roleplay.models import RolePlayProgress
from tests.conftest import TODAY, press

OPEN = ("prospecting", "qualification", "proposal", "negotiation")


def _home(slack_http: SlackHttp, slack_peer: SlackPeer, user: str) -> str:
    before = len(slack_peer.calls("views.publish"))
    slack_http.event(event_callback({"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"}))
    published = slack_peer.wait_for("views.publish", count=before + 1)[-1]
    assert published["user_id"] == user and published["view"]["type"] == "home"
    return json.dumps(published["view"]["blocks"], ensure_ascii=False)


def _own_open_deals(bot: SlackBot, user_id: str) -> list[Any]:
    """Independently of the skill: open deals the user owns or is a deal-team member of, by amount."""
    with bot.runtime.store.session() as s:
        on_team = select(OpportunityMember.opportunity_id).where(OpportunityMember.user_id == user_id)
        rows = s.execute(select(Opportunity).where(
            Opportunity.stage.in_(OPEN), or_(Opportunity.owner_id == user_id, Opportunity.id.in_(on_team)))).scalars().all()
    return sorted(rows, key=lambda o: -o.amount)


def test_li_na_sees_her_top_deals_open_alerts_and_practice_in_chinese(
    slack_bot: SlackBot, slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    runtime = slack_bot.runtime
    run_scan(runtime.store, today=TODAY, runtime=runtime)  # ACME renewal risk -> li.na
    for text in ("/roleplay 开始 discovery-pharmacy-buyer", "你们现在的会员系统是怎么用的？", "/roleplay 结束"):
        runtime.handle(console_message(text, user="li.na", thread="practice"))
    with runtime.store.session() as s:
        best = s.get(RolePlayProgress, ("li.na", "discovery"))
    assert best is not None and best.attempts == 1

    view = _home(slack_http, slack_peer, LINA)
    # deals: the five largest she works on, in order, with stage and close date
    deals = _own_open_deals(slack_bot, "li.na")
    assert len(deals) > 5
    assert "我的商机" in view and f"共 {len(deals)} 个" in view
    positions = [view.index(d.name) for d in deals[:5]]
    assert positions == sorted(positions)
    assert all(d.name not in view for d in deals[5:])
    acme = next(d for d in deals if d.id == 1)
    assert "ACME 工厂网络扩容" in view and "方案报价" in view and "CNY 3,600,000" in view
    assert acme.expected_close is not None and acme.expected_close.isoformat() in view
    # alerts: the open renewal-risk alert on ACME
    assert "我的提醒" in view and "renewal_risk" in view and "艾克米制造" in view
    # practice: level and best score
    assert "销售陪练" in view and "*当前关卡*\\n需求挖掘" in view and f"最好 {best.best_score:g} 分（1 次）" in view


def test_bob_sees_english_and_a_handled_alert_disappears(
    slack_bot: SlackBot, slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    runtime = slack_bot.runtime
    run_scan(runtime.store, today=TODAY, runtime=runtime)  # Globex stale deal -> bob.smith
    view = _home(slack_http, slack_peer, BOB)
    assert "My open deals" in view and "Globex Global Rollout" in view and "USD 2,500,000" in view and "negotiation" in view
    assert "My alerts" in view and "stale_deal" in view
    assert "Sales practice" in view and "not practised yet" in view
    assert "艾克米" not in view and "ACME" not in view  # not his: neither deals nor alerts
    with runtime.store.session() as s:
        globex = s.execute(select(Alert).where(Alert.target == "deal:3")).scalar_one()
    press(runtime, user="bob.smith", action_id="alerts:ack", value=str(globex.id))
    again = _home(slack_http, slack_peer, BOB)
    assert "stale_deal" not in again and "No open alerts in the last 14 days" in again


def test_a_manager_sees_no_team_deals_as_his_own(slack_bot: SlackBot, slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_peer.add_user("U0ZHAO", email="zhao.lei@northstar.example", name="赵磊")
    view = _home(slack_http, slack_peer, "U0ZHAO")
    assert "我的商机" in view and "你目前没有进行中的商机" in view  # he sees the team's pipeline, but owns none
    assert "ACME 工厂网络扩容" not in view
