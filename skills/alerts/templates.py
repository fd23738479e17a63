"""Rule templates for chat authoring: a sentence with numbers in it becomes a linted rule.

A manager types "当采购频次下降超过{50}%且竞品提及上升超过{40}%时提醒客户经理" (or the English
sentence, or ``renewal_risk drop=50 rise=40``); the template turns it into the same YAML a file
would hold, so chat-made and file-made rules go through one lint and one engine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput


@dataclass(frozen=True)
class Template:
    key: str
    sentence_zh: str
    sentence_en: str
    params: dict[str, tuple[float, float]]  # name -> allowed (min, max)
    rule: dict[str, Any]

    def pattern(self, language: str) -> re.Pattern[str]:
        sentence = _norm(self.sentence_zh if language == "zh" else self.sentence_en)
        parts = re.split(r"(\{\w+\})", sentence)
        regex = "".join(
            rf"(?P<{p[1:-1]}>\d+(?:\.\d+)?)" if p.startswith("{") else re.escape(p).replace("\\ ", r"\s*")
            for p in parts
        )
        return re.compile(regex, re.IGNORECASE)

    def build(self, values: dict[str, float], *, name: str | None, description: str) -> dict[str, Any]:
        for param, (low, high) in self.params.items():
            if param not in values:
                raise InvalidInput(zh=f"模板 {self.key} 需要参数 {param}。", en=f"The template {self.key} needs the parameter {param}.")
            if not low <= values[param] <= high:
                raise InvalidInput(zh=f"参数 {param} 应在 {low:g} 到 {high:g} 之间。",
                                   en=f"The parameter {param} must be between {low:g} and {high:g}.")
        suffix = "_".join(f"{values[p]:g}".replace(".", "p") for p in self.params)
        rule = {**self.rule, "params": {p: values[p] for p in self.params}}
        rule["name"] = name or f"{self.key}_{suffix}"
        rule["description"] = description
        return rule


def _norm(text: str) -> str:
    """NFKC, lower case, punctuation dropped, spaces collapsed: "When X, remind" == "when x remind"."""
    text = re.sub(r"[,，。.!！?？;；:：、]", " ", unicodedata.normalize("NFKC", text).lower())
    return " ".join(text.split())


TEMPLATES: dict[str, Template] = {t.key: t for t in (
    Template(
        "renewal_risk",
        "当采购频次下降超过{drop}%且竞品提及上升超过{rise}%时提醒客户经理",
        "when purchase frequency drops more than {drop}% and competitor mentions rise more than {rise}% remind the account manager",
        {"drop": (1, 100), "rise": (1, 1000)},
        {"target": "account",
         "condition": "purchase_freq_change_pct_3m <= -drop and competitor_mentions_change_pct_30d >= rise",
         "severity": "high", "recipients": ["owner"], "cooldown_days": 14,
         "messages": {
             "zh": "续约风险：{account} 近3个月采购频次变化 {purchase_freq_change_pct_3m}%，近30天竞品提及变化 {competitor_mentions_change_pct_30d}%，请尽快回访。",
             "en": "Renewal risk: {account} orders changed {purchase_freq_change_pct_3m}% over 3 months and competitor mentions changed {competitor_mentions_change_pct_30d}% in 30 days. Revisit soon."}},
    ),
    Template(
        "stale_deal",
        "当谈判阶段的商机超过{days}天没有跟进时提醒负责人",
        "when a negotiation deal has no activity for more than {days} days remind the owner",
        {"days": (1, 365)},
        {"target": "deal", "condition": "stage == \"negotiation\" and days_since_last_activity > days",
         "severity": "medium", "recipients": ["owner"], "cooldown_days": 7,
         "messages": {"zh": "商机停滞：{deal}（{account}）已经 {days_since_last_activity} 天没有跟进。",
                      "en": "Stale deal: {deal} ({account}) has had no activity for {days_since_last_activity} days."}},
    ),
    Template(
        "discount",
        "当折扣超过{pct}%时提醒经理审批",
        "when the discount is above {pct}% ask the manager to approve",
        {"pct": (0, 100)},
        {"target": "deal", "condition": "discount_pct > pct", "severity": "high",
         "recipients": ["owner", "manager"], "cooldown_days": 30,
         "messages": {"zh": "折扣审批：{deal}（{account}）折扣 {discount_pct}%，需要经理审批。",
                      "en": "Discount approval: {deal} ({account}) is at a {discount_pct}% discount and needs approval."}},
    ),
    Template(
        "stakeholder_coverage",
        "当金额超过{amount}万元的商机决策人少于{people}人时提醒负责人",
        "when a deal above {amount} ten-thousand CNY has fewer than {people} decision-makers remind the owner",
        {"amount": (1, 10_000_000), "people": (1, 20)},
        {"target": "deal", "condition": "amount_cny >= amount * 10000 and stakeholder_coverage < people",
         "severity": "medium", "recipients": ["owner"], "cooldown_days": 14,
         "messages": {"zh": "决策链覆盖不足：{deal}（{account}）只关联了 {stakeholder_coverage} 位决策人。",
                      "en": "Thin buying committee: {deal} ({account}) has {stakeholder_coverage} decision-maker(s) mapped."}},
    ),
)}


def parse_create(text: str, language: str) -> tuple[Template, dict[str, float], str | None]:
    """Find the template and its numbers in what the manager typed.

    Accepts the template's sentence (zh or en, numbers optionally in braces) or
    ``<template> key=value ... [name=my_rule]``.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    words = raw.split()
    if words and words[0] in TEMPLATES:
        template = TEMPLATES[words[0]]
        values: dict[str, float] = {}
        name = None
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if not sep:
                raise InvalidInput(zh=f"参数请写成 名字=数值，例如 {next(iter(template.params))}=50。",
                                   en=f"Write parameters as name=value, e.g. {next(iter(template.params))}=50.")
            if key == "name":
                name = value
                continue
            try:
                values[key] = float(value)
            except ValueError:
                raise InvalidInput(zh=f"参数 {key} 应为数字。", en=f"The parameter {key} must be a number.") from None
        return template, values, name
    sentence = _norm(raw.replace("{", "").replace("}", ""))
    for template in TEMPLATES.values():
        for lang in ("zh", "en"):
            match = template.pattern(lang).search(sentence)
            if match:
                return template, {k: float(v) for k, v in match.groupdict().items()}, None
    raise InvalidInput(
        zh="没有找到匹配的模板。可用模板：\n" + "\n".join(f"- {t.key}：{t.sentence_zh}" for t in TEMPLATES.values()),
        en="No template matches. Templates:\n" + "\n".join(f"- {t.key}: {t.sentence_en}" for t in TEMPLATES.values()),
    )
