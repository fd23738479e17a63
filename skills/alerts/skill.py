"""``AlertsSkill``: ``/rules`` authoring in chat, and the buttons on every alert.

Reading rules is open to everyone; changing them (create, enable, disable) needs a manager or an
admin, and every change becomes a new version with author and time. ``/rules test`` is a dry run
limited to the targets the asker may see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.errors import InvalidInput, NotFoundOrHidden
from bot.messages import Context, Fields, Header, Reply, Section, Table, text_reply
from bot.skill import Skill
from bot.turn import Turn
from skills.alerts import feedback
from skills.alerts.catalog import fields_for
from skills.alerts.lint import RuleContext, lint_rule
from skills.alerts.ruleset import spec_from_dict
from skills.alerts.templates import TEMPLATES, parse_create
from skills.alerts.versions import history, latest, latest_versions, save_rule, set_enabled

REASON_STATE = "await_reason"


class AlertsSkill(Skill):
    name = "alerts"
    description_zh = "提醒规则：经理用规则把经验变成自动提醒（/rules list、show、test、create、enable、disable）。"
    description_en = "Alert rules: managers turn judgement into automatic alerts (/rules list, show, test, create, enable, disable)."
    examples = (
        "有哪些提醒规则", "看看提醒规则", "列出预警规则", "提醒规则怎么设置",
        "list the alert rules", "show me the alert rules", "which alert rules are on", "how do I create an alert rule",
    )
    commands = ("rules",)

    def bind(self, runtime: Any) -> None:
        """Keep the runtime, and re-check the rules whenever someone reports a CRM change (``bot.events``)."""
        super().bind(runtime)
        from bot.events import on_crm_change

        on_crm_change(runtime, self.on_crm_change)

    def on_crm_change(self, runtime: Any, account_ids: list[int], event: str) -> Any:
        """Event trigger: the rules triggered by ``event``, on just these accounts, right now."""
        from skills.alerts.scan import rescan_accounts

        return rescan_accounts(runtime, account_ids, event=event)

    def home(self, turn: Turn) -> list[Any]:
        """App Home: the viewer's open alerts of the last 14 days."""
        from skills.alerts.home import home_blocks

        return home_blocks(turn)

    # --- entry ---------------------------------------------------------------------------------
    def handle(self, turn: Turn) -> Reply:
        if turn.message.action is not None:
            return self._button(turn)
        if turn.conversation.owner == self.name and not turn.message.command:
            return self._reason(turn)
        verb, _, rest = (turn.text or "").strip().partition(" ")
        verb = verb.lower()
        rest = rest.strip()
        if not turn.message.command:
            # Free text ("show me the alert rules") is a question, not a command line: show the rule it
            # names, otherwise the list. Changes need the explicit /rules command.
            named = self._rule_named_in(turn.text or "")
            verb, rest = ("show", named) if named else ("list", "")
        handler = getattr(self, f"_cmd_{_VERBS.get(verb, 'help')}")
        return handler(turn, rest)

    def scheduled_jobs(self) -> list[Any]:
        """One scan job per rule ``schedule`` (hourly / daily / weekly), each leased once per period
        across bot processes; the adapters add outbox delivery (they own the platform sender)."""
        from bot.scheduler import Job
        from skills.alerts.report import track_outcomes
        from skills.alerts.scan import SCHEDULE_PERIOD_S, local_today, scan_scheduled

        runtime = self.runtime
        jobs = [Job(f"alerts.scan.{name}", period, (lambda name=name: scan_scheduled(runtime, name)))
                for name, period in SCHEDULE_PERIOD_S.items()]
        jobs.append(Job("alerts.outcomes", 3600, lambda: track_outcomes(runtime.store, today=local_today(runtime))))
        return jobs

    # --- reading ---------------------------------------------------------------------------------
    def _cmd_help(self, turn: Turn, rest: str) -> Reply:
        text = turn.t(
            "用法：/rules list | show 规则名 | test 规则名 | history 规则名 | fields | templates | "
            "create 模板句子 | enable 规则名 | disable 规则名",
            "Usage: /rules list | show NAME | test NAME | history NAME | fields | templates | "
            "create SENTENCE | enable NAME | disable NAME",
        )
        return text_reply(text, language=turn.language, skill=self.name)

    def _cmd_list(self, turn: Turn, rest: str) -> Reply:
        self._sync()
        rows = []
        for version in latest_versions(self.runtime.store):
            spec = spec_from_dict(version.spec)
            state = turn.t("启用", "on") if version.enabled else turn.t("停用", "off")
            rows.append([spec.name, spec.target, state, f"v{version.version}", spec.severity, spec.description[:60]])
        if not rows:
            return text_reply(turn.t("还没有提醒规则。", "There are no alert rules yet."), language=turn.language, skill=self.name)
        columns = [turn.t(c_zh, c_en) for c_zh, c_en in (("规则", "rule"), ("对象", "target"), ("状态", "state"),
                                                          ("版本", "version"), ("级别", "severity"), ("说明", "description"))]
        text = "\n".join(f"- {r[0]} ({r[2]}, {r[3]})" for r in rows)
        return Reply(text=text, language=turn.language, skill=self.name,
                     blocks=[Header(text=turn.t("提醒规则", "Alert rules")), Table(columns=columns, rows=rows),
                             Context(text=turn.t("/rules show 规则名 查看详情；/rules test 规则名 试运行。",
                                                 "/rules show NAME for details; /rules test NAME for a dry run."))])

    def _cmd_show(self, turn: Turn, rest: str) -> Reply:
        version = self._version(turn, rest)
        spec = spec_from_dict(version.spec)
        message = spec.messages.get(turn.language, "")
        fields = [
            (turn.t("对象", "Target"), spec.target), (turn.t("条件", "Condition"), spec.condition),
            (turn.t("参数", "Parameters"), ", ".join(f"{k}={v:g}" for k, v in spec.params.items()) or "-"),
            (turn.t("接收人", "Recipients"), ", ".join(spec.recipients)),
            (turn.t("冷却", "Cool-down"), turn.t(f"{spec.cooldown_days} 天", f"{spec.cooldown_days} days")),
            (turn.t("状态", "State"), turn.t("启用", "on") if version.enabled else turn.t("停用", "off")),
            (turn.t("版本", "Version"), f"v{version.version} · {version.author} · {version.created_at:%Y-%m-%d %H:%M}"),
        ]
        if spec.experiment:
            arms = ", ".join(f"{v.name}({v.weight:g})" for v in spec.experiment.variants)
            fields.append((turn.t("实验", "Experiment"), f"{spec.experiment.name}: {arms}; holdout {spec.experiment.holdout_pct:g}%"))
        text = f"{spec.name}: {spec.description}\n{spec.condition}"
        return Reply(text=text, language=turn.language, skill=self.name, blocks=[
            Header(text=spec.name), Section(text=spec.description or spec.name), Fields(items=fields),
            Section(text=turn.t(f"提醒文字：{message}", f"Message: {message}")),
        ])

    def _cmd_history(self, turn: Turn, rest: str) -> Reply:
        version = self._version(turn, rest)
        rows = [[f"v{v.version}", v.change, v.author, f"{v.created_at:%Y-%m-%d %H:%M}", "on" if v.enabled else "off"]
                for v in history(self.runtime.store, version.name)]
        columns = [turn.t("版本", "version"), turn.t("变更", "change"), turn.t("作者", "author"),
                   turn.t("时间", "time"), turn.t("状态", "state")]
        text = "\n".join(" ".join(r) for r in rows)
        return Reply(text=text, language=turn.language, skill=self.name,
                     blocks=[Header(text=version.name), Table(columns=columns, rows=rows)])

    def _cmd_fields(self, turn: Turn, rest: str) -> Reply:
        target = "account" if rest.strip() == "account" else "deal"
        rows = [[f.name, f.type, f.unit(turn.language) or "-", f.describe(turn.language)] for f in fields_for(target).values()]
        columns = [turn.t("字段", "field"), turn.t("类型", "type"), turn.t("单位", "unit"), turn.t("说明", "meaning")]
        return Reply(text="\n".join(r[0] for r in rows), language=turn.language, skill=self.name,
                     blocks=[Header(text=turn.t("可用字段", "Catalog fields")), Table(columns=columns, rows=rows)])

    def _cmd_templates(self, turn: Turn, rest: str) -> Reply:
        lines = [f"- {t.key}: {t.sentence_zh if turn.language == 'zh' else t.sentence_en}" for t in TEMPLATES.values()]
        text = turn.t("可用模板（/rules create 加上句子，数字可以改）：\n", "Templates (/rules create with the sentence; change the numbers):\n") + "\n".join(lines)
        return text_reply(text, language=turn.language, skill=self.name)

    def _cmd_test(self, turn: Turn, rest: str) -> Reply:
        from skills.alerts.engine import CompiledRule
        from skills.alerts.features import compute_features
        from skills.alerts.scan import local_today

        version = self._version(turn, rest)
        rule = CompiledRule(spec_from_dict(version.spec), version_id=version.id, version_number=version.version)
        visible = {a.id for a in turn.crm.list_accounts(turn.viewer)}
        frame = compute_features(self.runtime.store, today=local_today(self.runtime), account_ids=sorted(visible))
        run = rule.run(frame)
        hits = [f for f in run.fired if f.row.account_id in visible]
        if not hits:
            text = turn.t(f"规则 {rule.name} 现在不会对你能看到的任何对象触发（检查了 {run.evaluated} 个）。",
                          f"Rule {rule.name} would not fire on anything you can see right now ({run.evaluated} checked).")
            return text_reply(text, language=turn.language, skill=self.name)
        rows = []
        for f in hits[:50]:
            name = f.row.deal_name.get(turn.language) or f.row.account_name.get(turn.language, "")
            rows.append([name, f.arm, rule.explain(f, turn.language)])
        columns = [turn.t("对象", "target"), turn.t("分组", "arm"), turn.t("原因", "why")]
        text = turn.t(f"试运行：规则 {rule.name} 现在会对 {len(hits)} 个对象触发：", f"Dry run: rule {rule.name} would fire on {len(hits)} now:")
        text += "\n" + "\n".join(f"- {r[0]}: {r[2]}" for r in rows)
        return Reply(text=text, language=turn.language, skill=self.name, blocks=[
            Header(text=turn.t(f"试运行 {rule.name}", f"Dry run {rule.name}")), Table(columns=columns, rows=rows),
            Context(text=turn.t("试运行不会发送提醒。", "A dry run sends nothing.")),
        ])

    # --- changing ---------------------------------------------------------------------------------
    def _cmd_enable(self, turn: Turn, rest: str) -> Reply:
        return self._toggle(turn, rest, True)

    def _cmd_disable(self, turn: Turn, rest: str) -> Reply:
        return self._toggle(turn, rest, False)

    def _toggle(self, turn: Turn, rest: str, enabled: bool) -> Reply:
        name = self._version(turn, rest).name
        version = set_enabled(self.runtime.store, name, enabled, viewer=turn.viewer)
        text = (turn.t(f"已启用规则 {name}（v{version.version}）。", f"Rule {name} is on (v{version.version}).") if enabled
                else turn.t(f"已停用规则 {name}（v{version.version}）。", f"Rule {name} is off (v{version.version})."))
        return text_reply(text, language=turn.language, skill=self.name)

    def _cmd_create(self, turn: Turn, rest: str) -> Reply:
        from skills.alerts.versions import require_editor

        require_editor(turn.viewer)
        if not rest:
            return self._cmd_templates(turn, rest)
        template, values, name = parse_create(rest, turn.language)
        raw = template.build(values, name=name, description=rest)
        issues = lint_rule(raw, RuleContext(file="chat", index=0))
        if issues:
            raise InvalidInput(zh="\n".join(i.message("zh") for i in issues), en="\n".join(i.message("en") for i in issues))
        spec = spec_from_dict(raw)
        version = save_rule(self.runtime.store, spec, viewer=turn.viewer, origin="chat")
        text = turn.t(
            f"已创建规则 {spec.name}（v{version.version}）：{spec.condition}。用 /rules test {spec.name} 看看现在会对谁触发。",
            f"Created rule {spec.name} (v{version.version}): {spec.condition}. Try /rules test {spec.name} to see who it fires on now.",
        )
        return text_reply(text, language=turn.language, skill=self.name)

    # --- buttons ----------------------------------------------------------------------------------
    def _button(self, turn: Turn) -> Reply:
        action = turn.message.action
        assert action is not None
        alert = feedback.visible_alert(turn, action.value)
        if action.verb == "ack":
            feedback.record(self.runtime.store, alert, turn.viewer.user_id, "ack")
            text = turn.t("好的，已记录为“完成 / 会跟进”。", "Noted as done / will do.")
        elif action.verb == "snooze":
            until = feedback.record(self.runtime.store, alert, turn.viewer.user_id, "snooze", snooze=timedelta(days=7))
            text = turn.t(f"已推迟到 {until}。", f"Snoozed until {until}.")
        elif action.verb == "not_useful":
            feedback.record(self.runtime.store, alert, turn.viewer.user_id, "not_useful")
            turn.conversation.set(skill=self.name, state=REASON_STATE, data={"alert_id": alert.id})
            text = turn.t("谢谢反馈。能说一句为什么没用吗？（直接回复即可）", "Thanks. Why wasn't it useful? (just reply)")
        else:
            raise NotFoundOrHidden(zh="这个按钮已经失效了。", en="That button is no longer valid.")
        return text_reply(text, language=turn.language, skill=self.name)

    def _reason(self, turn: Turn) -> Reply:
        row = turn.conversation.load()
        alert_id = (row.data or {}).get("alert_id") if row else None
        turn.conversation.clear()
        if alert_id is not None and turn.text.strip():
            feedback.add_reason(self.runtime.store, int(alert_id), turn.viewer.user_id, turn.text.strip()[:500])
        return text_reply(turn.t("收到，已记录原因，规则作者会看到。", "Got it; the rule's author will see your reason."),
                          language=turn.language, skill=self.name)

    # --- helpers ----------------------------------------------------------------------------------
    def _sync(self) -> None:
        from skills.alerts.scan import rule_dirs
        from skills.alerts.versions import sync_files

        sync_files(self.runtime.store, rule_dirs(self.runtime))

    def _rule_named_in(self, text: str) -> str | None:
        self._sync()
        lowered = text.lower()
        names = [spec_from_dict(v.spec).name for v in latest_versions(self.runtime.store)]
        return next((n for n in sorted(names, key=len, reverse=True) if n.lower() in lowered), None)

    def _version(self, turn: Turn, rest: str) -> Any:
        self._sync()
        name = rest.split()[0] if rest.split() else ""
        version = latest(self.runtime.store, name) if name else None
        if version is None:
            raise NotFoundOrHidden(zh=f"没有名为 {name or '（空）'} 的规则。用 /rules list 查看。",
                                   en=f"There is no rule named {name or '(empty)'}. See /rules list.")
        return version


_VERBS = {
    "list": "list", "ls": "list", "show": "show", "test": "test", "dry-run": "test", "history": "history",
    "fields": "fields", "templates": "templates", "create": "create", "new": "create", "enable": "enable",
    "disable": "disable", "help": "help", "列表": "list", "查看": "show", "试运行": "test", "测试": "test",
    "历史": "history", "字段": "fields", "模板": "templates", "创建": "create", "新建": "create",
    "启用": "enable", "停用": "disable", "帮助": "help",
}
