"""Lint a rule as a manager wrote it: every problem with file, rule and field, and a fix hint in the
author's language (detected from the rule's description and messages).

Lint runs at save time (``dealpilot rules check``, ``/rules create``, loading the rules folder) and
is the guard in front of zen-engine: only rules that lint clean are compiled and evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.lang import Language, detect_language, pick
from skills.alerts.catalog import fields_for
from skills.alerts.expressions import Problem, check, suggest

KEYS = (
    "name", "description", "target", "condition", "params", "severity", "messages", "recipients",
    "cooldown_days", "schedule", "triggers", "experiment", "outcome", "enabled",
)
REQUIRED = ("name", "target", "condition", "messages")
TARGETS = ("account", "deal")
SEVERITIES = ("low", "medium", "high")
RECIPIENTS = ("owner", "manager", "war_room")
SCHEDULES = ("hourly", "daily", "weekly")
TRIGGERS = ("activity", "order", "competitor_signal", "deal_change", "import")
BUSINESS_OUTCOMES = ("order_placed", "deal_advanced", "any")
PLACEHOLDERS = ("account", "deal", "owner", "rule", "amount")
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class LintIssue:
    """One problem: where (file, rule, field, line) and what to do, in zh and en."""

    file: str
    rule: str
    field: str
    code: str
    zh: str
    en: str
    language: Language = "en"
    line: int | None = None

    def message(self, language: Language | None = None) -> str:
        return pick(language or self.language, self.zh, self.en)

    def format(self, language: Language | None = None) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        lang = language or self.language
        rule = pick(lang, f"规则 {self.rule}", f"rule {self.rule}") if self.rule else ""
        parts = [where, rule, self.field]
        return ": ".join(p for p in parts if p) + f": {self.message(lang)}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "rule": self.rule, "field": self.field, "line": self.line,
                "code": self.code, "message": self.message()}


@dataclass
class RuleContext:
    """Where a raw rule came from, to point issues at it."""

    file: str
    index: int
    lines: dict[str, int] = field(default_factory=dict)  # key path -> line
    start_line: int | None = None


def author_language(raw: dict[str, Any]) -> Language:
    """The rule author's language: the description decides, else the messages, else English."""
    description = raw.get("description")
    if isinstance(description, str) and description.strip():
        return detect_language(description)
    messages = raw.get("messages")
    if isinstance(messages, dict):
        texts = [str(v) for v in messages.values() if v]
        if texts:
            return detect_language(" ".join(texts))
    return "en"


def lint_rule(raw: Any, ctx: RuleContext) -> list[LintIssue]:
    """All issues of one raw rule (a dict parsed from YAML or built from a chat template)."""
    if not isinstance(raw, dict):
        return [LintIssue(ctx.file, f"#{ctx.index + 1}", "", "not_a_rule",
                          "这一项不是规则（应当是 name: ... 这样的键值对）。",
                          "This entry is not a rule (expected keys such as name: ...).", "en", ctx.start_line)]
    language = author_language(raw)
    rule_name = raw.get("name") if isinstance(raw.get("name"), str) else f"#{ctx.index + 1}"
    issues: list[LintIssue] = []

    def add(fld: str, problem: Problem) -> None:
        top = fld.split(".")[0].split("[")[0]
        line = ctx.lines.get(fld) or ctx.lines.get(top) or ctx.start_line
        issues.append(LintIssue(ctx.file, rule_name, fld, problem.code, problem.zh, problem.en, language, line))

    for key in raw:
        if key not in KEYS:
            hint = suggest(str(key), list(KEYS))
            add(str(key), Problem("unknown_key",
                                  f"未知的设置项 `{key}`" + (f"，你是不是想写 `{hint}`？" if hint else "。"),
                                  f"Unknown setting `{key}`" + (f" - did you mean `{hint}`?" if hint else ".")))
    for key in REQUIRED:
        if raw.get(key) in (None, "", {}):
            add(key, Problem("missing_key", f"缺少必填项 `{key}`。", f"The required setting `{key}` is missing."))

    name = raw.get("name")
    if name and (not isinstance(name, str) or not _NAME.match(name)):
        add("name", Problem("bad_value", "规则名请用小写英文字母、数字和下划线，例如 renewal_risk。",
                            "Name rules with lower-case letters, digits and underscores, e.g. renewal_risk."))
    target = raw.get("target")
    if target is not None and target not in TARGETS:
        add("target", Problem("bad_value", f"target 只能是 {' 或 '.join(TARGETS)}。", f"target must be one of {', '.join(TARGETS)}."))
    fields = fields_for(target if target in TARGETS else "deal")

    params = raw.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in params.values()):
        add("params", Problem("bad_value", "params 里的每个参数都应是数字，例如 drop: 50。",
                              "Every entry under params must be a number, e.g. drop: 50."))
        params = {}
    clash = [p for p in params if p in fields]
    if clash:
        add("params", Problem("bad_value", f"参数名 {clash[0]} 与字段重名，请换个名字。",
                              f"The parameter {clash[0]} has the name of a field; rename it."))

    condition = raw.get("condition")
    if condition is not None:
        if not isinstance(condition, str):
            add("condition", Problem("bad_value", "condition 应当是一行文字，例如 discount_pct > 25。",
                                     "condition must be one line of text, e.g. discount_pct > 25."))
        else:
            for problem in check(condition, fields, params):
                add("condition", problem)
            if not any(i.field == "condition" for i in issues):
                _compile_check(condition, fields, params, add)

    _lint_messages(raw.get("messages"), fields, params, add)
    _lint_choices(raw, add)
    _lint_experiment(raw.get("experiment"), fields, params, add)
    return issues


def _compile_check(condition: str, fields: dict[str, Any], params: dict[str, Any], add: Any) -> None:
    """Let zen parse it and try it once on neutral values: a parse error or a non-yes/no answer is an issue."""
    import zen

    error = zen.validate_expression(condition)
    if error:
        add("condition", Problem("syntax", f"条件写法有误：{error.get('source')}。",
                                 f"The condition does not parse: {error.get('source')}."))
        return
    sample = {name: {"number": 0, "string": "", "bool": False}[f.type] for name, f in fields.items()}
    sample.update(params)
    try:
        result = zen.compile_expression(condition).evaluate(sample)
    except Exception:  # zen reports type errors at run time only
        add("condition", Problem("type_mismatch", "条件里有类型不匹配的运算（例如文字和数字相加）。",
                                 "The condition mixes types in an operation (e.g. adds text to a number)."))
        return
    if not isinstance(result, bool):
        add("condition", Problem("not_boolean", "条件的结果应当是“是/否”，例如 discount_pct > 25，而不是一个数值。",
                                 "The condition must be a yes/no test such as discount_pct > 25, not a value."))


def _lint_messages(messages: Any, fields: dict[str, Any], params: dict[str, Any], add: Any) -> None:
    if messages in (None, "", {}):
        return  # reported as a missing required key
    if not isinstance(messages, dict):
        add("messages", Problem("bad_value", "messages 下请分别写 zh: 和 en: 两种语言的提醒文字。",
                                "Under messages write the alert text twice, as zh: and en:."))
        return
    for lang, label_zh, label_en in (("zh", "中文", "Chinese"), ("en", "英文", "English")):
        text = messages.get(lang)
        if not isinstance(text, str) or not text.strip():
            add(f"messages.{lang}", Problem(
                "missing_message", f"缺少{label_zh}提醒文字 messages.{lang}：每条规则都要有中英文两种消息。",
                f"The {label_en} message messages.{lang} is missing: every rule needs both a zh and an en message."))
            continue
        allowed = [*PLACEHOLDERS, *fields, *params]
        for placeholder in _PLACEHOLDER.findall(text):
            if placeholder not in allowed:
                hint = suggest(placeholder, allowed)
                add(f"messages.{lang}", Problem(
                    "unknown_placeholder",
                    f"消息里的占位符 {{{placeholder}}} 不存在" + (f"，你是不是想写 {{{hint}}}？" if hint else "。"),
                    f"The placeholder {{{placeholder}}} does not exist" + (f" - did you mean {{{hint}}}?" if hint else "."),
                ))
    for lang in messages:
        if lang not in ("zh", "en"):
            add(f"messages.{lang}", Problem("unknown_key", f"不支持的语言 {lang}：只支持 zh 和 en。",
                                            f"Unsupported language {lang}: only zh and en."))


def _lint_choices(raw: dict[str, Any], add: Any) -> None:
    severity = raw.get("severity")
    if severity is not None and severity not in SEVERITIES:
        add("severity", Problem("bad_value", f"severity 只能是 {', '.join(SEVERITIES)}。", f"severity must be one of {', '.join(SEVERITIES)}."))
    recipients = raw.get("recipients")
    if recipients is not None:
        items = recipients if isinstance(recipients, list) else [recipients]
        bad = [r for r in items if r not in RECIPIENTS]
        if bad or not items:
            add("recipients", Problem("bad_value",
                                      f"recipients 可选：{', '.join(RECIPIENTS)}（负责人、其经理、商机作战室）。",
                                      f"recipients may be: {', '.join(RECIPIENTS)} (owner, their manager, the deal's war-room)."))
        if "war_room" in items and raw.get("target") == "account":
            add("recipients", Problem("bad_value", "war_room 只适用于 target: deal 的规则。",
                                      "war_room only works for rules with target: deal."))
    cooldown = raw.get("cooldown_days")
    if cooldown is not None and (not isinstance(cooldown, int) or isinstance(cooldown, bool) or not 1 <= cooldown <= 365):
        add("cooldown_days", Problem("bad_value", "cooldown_days 应为 1 到 365 之间的整数（同一情况多少天内只提醒一次）。",
                                     "cooldown_days must be a whole number from 1 to 365 (days before the same situation alerts again)."))
    schedule = raw.get("schedule")
    if schedule is not None and schedule not in SCHEDULES:
        add("schedule", Problem("bad_value", f"schedule 可选：{', '.join(SCHEDULES)}。", f"schedule may be: {', '.join(SCHEDULES)}."))
    triggers = raw.get("triggers")
    if triggers is not None and (not isinstance(triggers, list) or any(t not in TRIGGERS for t in triggers)):
        add("triggers", Problem("bad_value", f"triggers 可选：{', '.join(TRIGGERS)}。", f"triggers may be: {', '.join(TRIGGERS)}."))
    outcome = raw.get("outcome")
    if outcome is not None:
        ok = isinstance(outcome, dict) and set(outcome) <= {"acted_on_days", "business", "business_days"}
        ok = ok and outcome.get("business", "any") in BUSINESS_OUTCOMES
        ok = ok and all(isinstance(outcome.get(k, 1), int) and 1 <= outcome.get(k, 1) <= 365
                        for k in ("acted_on_days", "business_days"))
        if not ok:
            add("outcome", Problem("bad_value",
                                   f"outcome 可设 acted_on_days（天）、business（{'/'.join(BUSINESS_OUTCOMES)}）、business_days（天）。",
                                   f"outcome takes acted_on_days (days), business ({'/'.join(BUSINESS_OUTCOMES)}) and business_days (days)."))
    enabled = raw.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        add("enabled", Problem("bad_value", "enabled 只能是 true 或 false。", "enabled must be true or false."))


def _lint_experiment(experiment: Any, fields: dict[str, Any], params: dict[str, Any], add: Any) -> None:
    if experiment is None:
        return
    if not isinstance(experiment, dict):
        add("experiment", Problem("bad_value", "experiment 应包含 name、variants 和 holdout_pct。",
                                  "experiment takes name, variants and holdout_pct."))
        return
    if not isinstance(experiment.get("name"), str) or not _NAME.match(experiment.get("name") or ""):
        add("experiment.name", Problem("bad_value", "实验需要一个名字（小写字母、数字、下划线）。",
                                       "The experiment needs a name (lower-case letters, digits, underscores)."))
    holdout = experiment.get("holdout_pct", 0)
    if not isinstance(holdout, (int, float)) or isinstance(holdout, bool) or not 0 <= holdout < 100:
        add("experiment.holdout_pct", Problem("bad_value", "holdout_pct 是 0 到 99 之间的百分比（对照组不发送提醒）。",
                                              "holdout_pct is a percentage from 0 to 99 (the hold-out arm is logged, not sent)."))
    variants = experiment.get("variants") or []
    if not isinstance(variants, list) or not variants:
        add("experiment.variants", Problem("bad_value", "variants 至少要有一组，例如 - {name: strict, params: {drop: 60}, weight: 50}。",
                                           "variants needs at least one entry, e.g. - {name: strict, params: {drop: 60}, weight: 50}."))
        return
    names: set[str] = set()
    for i, variant in enumerate(variants):
        where = f"experiment.variants[{i}]"
        if not isinstance(variant, dict) or not isinstance(variant.get("name"), str):
            add(where, Problem("bad_value", "每个 variant 需要 name。", "Every variant needs a name."))
            continue
        if variant["name"] in names or variant["name"] == "holdout":
            add(where, Problem("bad_value", f"variant 名 {variant['name']} 重复或保留。", f"The variant name {variant['name']} is repeated or reserved."))
        names.add(variant["name"])
        weight = variant.get("weight", 1)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
            add(f"{where}.weight", Problem("bad_value", "weight 应为正数（流量比例）。", "weight must be a positive number (traffic share)."))
        overrides = variant.get("params") or {}
        unknown = [p for p in overrides if p not in params] if isinstance(overrides, dict) else ["?"]
        if unknown:
            hint = suggest(str(unknown[0]), list(params))
            add(f"{where}.params", Problem(
                "unknown_param",
                f"variant 覆盖了未在 params 中声明的参数 {unknown[0]}" + (f"，你是不是想写 {hint}？" if hint else "。"),
                f"The variant overrides {unknown[0]}, which is not declared under params" + (f" - did you mean {hint}?" if hint else "."),
            ))
