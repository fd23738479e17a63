"""Chat: /rules list|show|test|history|create|enable|disable in zh and en, permissions, alert buttons."""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.console import console_message
from bot.messages import Action, Message, Reply
from bot.runtime import Runtime
from skills.alerts.models import Alert, AlertFeedback, RuleVersion
from skills.alerts.scan import run_scan
from tests.conftest import TODAY


def _ask(rt: Runtime, text: str, user: str, **fields: object) -> Reply:
    return rt.handle(console_message(text, user=user, **fields))  # type: ignore[arg-type]


def _press(rt: Runtime, user: str, action_id: str, value: str, thread: str = "t1") -> Reply:
    return rt.handle(Message(platform="console", user=user, thread=thread, action=Action(action_id=action_id, value=value)))


def test_list_show_and_test_in_both_languages(alerts_runtime: Runtime) -> None:
    en = _ask(alerts_runtime, "/rules list", "li.na")
    assert en.skill == "alerts" and en.language == "en" and "renewal_risk (on, v1)" in en.text
    zh = _ask(alerts_runtime, "有哪些提醒规则", "li.na")
    assert zh.skill == "alerts" and zh.language == "zh" and "renewal_risk (启用, v1)" in zh.text
    show = _ask(alerts_runtime, "/rules 查看 discount_approval", "li.na")
    assert show.language == "zh" and "discount_pct > max_discount" in show.text
    fields = dict(next(b for b in show.blocks if b.type == "fields").items)  # type: ignore[union-attr]
    assert fields["参数"] == "max_discount=25" and fields["状态"] == "启用"
    dry = _ask(alerts_runtime, "/rules test renewal_risk", "zhao.lei")
    assert "would fire on 1 now" in dry.text and "ACME Manufacturing" in dry.text and "-70%" in dry.text
    zh_dry = _ask(alerts_runtime, "/rules 试运行 stale_deal", "maria.garcia")
    assert zh_dry.language == "zh" and "环球科技" not in zh_dry.text and "Globex 全球部署" in zh_dry.text


def test_dry_run_only_shows_what_the_viewer_may_see(alerts_runtime: Runtime) -> None:
    reply = _ask(alerts_runtime, "/rules test renewal_risk", "bob.smith")  # ACME belongs to team-east
    assert "would not fire on anything you can see" in reply.text and "ACME" not in reply.text


def test_a_rep_cannot_change_rules(alerts_runtime: Runtime) -> None:
    for text in ("/rules disable renewal_risk", "/rules 停用 renewal_risk", "/rules create discount pct=10"):
        reply = _ask(alerts_runtime, text, "li.na")
        assert reply.skill == "error" and ("Only managers" in reply.text or "只有经理" in reply.text)
    with alerts_runtime.store.session() as s:
        assert {v.version for v in s.execute(select(RuleVersion)).scalars()} == {1}


def test_manager_changes_are_versioned_with_author_and_time(alerts_runtime: Runtime) -> None:
    off = _ask(alerts_runtime, "/rules disable renewal_risk", "zhao.lei")
    assert "Rule renewal_risk is off (v2)" in off.text
    again = _ask(alerts_runtime, "/rules disable renewal_risk", "zhao.lei")
    assert again.skill == "error" and "already disabled" in again.text
    report = run_scan(alerts_runtime.store, today=TODAY, runtime=alerts_runtime)
    assert "renewal_risk" not in {r.rule for r in report.runs}
    on = _ask(alerts_runtime, "/rules 启用 renewal_risk", "admin")
    assert on.language == "zh" and "v3" in on.text
    history = _ask(alerts_runtime, "/rules history renewal_risk", "li.na")
    rows = next(b for b in history.blocks if b.type == "table").rows  # type: ignore[union-attr]
    assert [(r[0], r[1], r[2]) for r in rows] == [("v3", "enable", "admin"), ("v2", "disable", "zhao.lei"), ("v1", "create", "system")]


def test_create_from_a_template_in_chinese_and_english(alerts_runtime: Runtime) -> None:
    zh = _ask(alerts_runtime, "/rules create 当采购频次下降超过{60}%且竞品提及上升超过{50}%时提醒客户经理", "zhao.lei")
    assert zh.language == "zh" and "已创建规则 renewal_risk_60_50（v1）" in zh.text
    en = _ask(alerts_runtime, "/rules create When the discount is above 15%, ask the manager to approve", "maria.garcia")
    assert en.language == "en" and "Created rule discount_15 (v1)" in en.text
    dry = _ask(alerts_runtime, "/rules test renewal_risk_60_50", "admin")
    assert "would fire on 1 now" in dry.text  # ACME: -70% and +60%
    bad = _ask(alerts_runtime, "/rules create 当折扣超过200%时提醒经理审批", "zhao.lei")
    assert bad.skill == "error" and "参数 pct 应在 0 到 100 之间" in bad.text
    unknown = _ask(alerts_runtime, "/rules create remind me about stuff", "zhao.lei")
    assert unknown.skill == "error" and "No template matches" in unknown.text
    with alerts_runtime.store.session() as s:
        made = s.execute(select(RuleVersion).where(RuleVersion.name == "discount_15")).scalar_one()
    assert made.author == "maria.garcia" and made.origin == "chat" and made.created_at is not None


def test_alert_buttons_ack_snooze_and_not_useful_with_reason(alerts_runtime: Runtime) -> None:
    run_scan(alerts_runtime.store, today=TODAY, runtime=alerts_runtime)
    with alerts_runtime.store.session() as s:
        alerts = {a.target: a for a in s.execute(select(Alert)).scalars()}
    acme, globex, umbrella = alerts["account:1"], alerts["deal:3"], alerts["deal:4"]
    ack = _press(alerts_runtime, "li.na", "alerts:ack", str(acme.id))
    assert ack.skill == "alerts" and "完成 / 会跟进" in ack.text  # a button press answers in the user's language
    snooze = _press(alerts_runtime, "bob.smith", "alerts:snooze", str(globex.id), thread="t-bob")
    assert "Snoozed until" in snooze.text
    # someone who is neither a recipient nor allowed to see the account gets "not found"
    stranger = _press(alerts_runtime, "bob.smith", "alerts:ack", str(acme.id), thread="t-bob")
    assert stranger.skill == "error" and "can't find that alert" in stranger.text
    nope = _press(alerts_runtime, "sun.hao", "alerts:not_useful", str(umbrella.id), thread="t9")
    assert "为什么没用" in nope.text
    reason = _ask(alerts_runtime, "客户已经口头同意了这个折扣", "sun.hao", thread="t9")
    assert reason.skill == "alerts" and reason.language == "zh" and "已记录原因" in reason.text
    with alerts_runtime.store.session() as s:
        statuses = {a.target: (a.status, a.snoozed_until) for a in s.execute(select(Alert)).scalars()}
        feedback = [(f.alert_id, f.user_id, f.kind, f.reason) for f in s.execute(select(AlertFeedback).order_by(AlertFeedback.id)).scalars()]
    assert statuses["account:1"][0] == "acked" and statuses["deal:3"][0] == "snoozed" and statuses["deal:3"][1] is not None
    assert statuses["deal:4"][0] == "not_useful"
    assert feedback == [(acme.id, "li.na", "ack", ""), (globex.id, "bob.smith", "snooze", ""),
                        (umbrella.id, "sun.hao", "not_useful", "客户已经口头同意了这个折扣")]
    bad = _press(alerts_runtime, "li.na", "alerts:ack", "not-a-number")
    assert bad.skill == "error"
