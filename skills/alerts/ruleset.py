"""Rule files: YAML a manager can write, parsed into ``RuleSpec`` objects after lint.

A file holds one rule (a mapping with ``name:``) or several (``rules: [...]``). Loading a folder
never stops at a broken file or rule: each file's valid rules load, each problem is reported with
file, rule, field and line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.lang import detect_language
from skills.alerts.lint import LintIssue, RuleContext, lint_rule

STARTER_DIR = Path(__file__).parent / "rules"


@dataclass(frozen=True)
class Variant:
    name: str
    params: dict[str, float]
    weight: float = 1.0


@dataclass(frozen=True)
class Experiment:
    name: str
    variants: tuple[Variant, ...]
    holdout_pct: float = 0.0


@dataclass(frozen=True)
class RuleSpec:
    """A rule that passed lint, with every default filled in."""

    name: str
    target: str
    condition: str
    messages: dict[str, str]
    description: str = ""
    params: dict[str, float] = field(default_factory=dict)
    severity: str = "medium"
    recipients: tuple[str, ...] = ("owner",)
    cooldown_days: int = 7
    schedule: str = "daily"
    triggers: tuple[str, ...] = ("activity", "order", "competitor_signal", "deal_change", "import")
    experiment: Experiment | None = None
    acted_on_days: int = 7
    business_outcome: str = "any"
    business_days: int = 30
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The YAML-shaped dict (what is stored as a rule version's spec)."""
        out: dict[str, Any] = {
            "name": self.name, "description": self.description, "target": self.target,
            "condition": self.condition, "params": dict(self.params), "severity": self.severity,
            "messages": dict(self.messages), "recipients": list(self.recipients),
            "cooldown_days": self.cooldown_days, "schedule": self.schedule, "triggers": list(self.triggers),
            "outcome": {"acted_on_days": self.acted_on_days, "business": self.business_outcome,
                        "business_days": self.business_days},
            "enabled": self.enabled,
        }
        if self.experiment is not None:
            out["experiment"] = {
                "name": self.experiment.name, "holdout_pct": self.experiment.holdout_pct,
                "variants": [asdict(v) for v in self.experiment.variants],
            }
        return out

    def checksum(self) -> str:
        """Identifies the rule's content, ignoring ``enabled`` (switching on/off is not an edit)."""
        body = {k: v for k, v in self.to_dict().items() if k != "enabled"}
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    @property
    def language(self) -> str:
        return detect_language(self.description or self.messages.get("en", ""))


def spec_from_dict(raw: dict[str, Any]) -> RuleSpec:
    """Build a spec from a dict that already passed lint (or was stored after passing it)."""
    experiment = None
    if raw.get("experiment"):
        e = raw["experiment"]
        experiment = Experiment(
            name=e["name"],
            holdout_pct=float(e.get("holdout_pct", 0)),
            variants=tuple(
                Variant(name=v["name"], params=dict(v.get("params") or {}), weight=float(v.get("weight", 1)))
                for v in e["variants"]
            ),
        )
    outcome = raw.get("outcome") or {}
    recipients = raw.get("recipients") or ["owner"]
    return RuleSpec(
        name=raw["name"],
        target=raw["target"],
        condition=" ".join(str(raw["condition"]).split()),
        messages={k: str(v) for k, v in raw["messages"].items()},
        description=str(raw.get("description") or ""),
        params=dict(raw.get("params") or {}),
        severity=raw.get("severity", "medium"),
        recipients=tuple(recipients if isinstance(recipients, list) else [recipients]),
        cooldown_days=int(raw.get("cooldown_days", 7)),
        schedule=raw.get("schedule", "daily"),
        triggers=tuple(raw.get("triggers") or RuleSpec.triggers),
        experiment=experiment,
        acted_on_days=int(outcome.get("acted_on_days", 7)),
        business_outcome=outcome.get("business", "any"),
        business_days=int(outcome.get("business_days", 30)),
        enabled=bool(raw.get("enabled", True)),
    )


@dataclass
class LoadResult:
    """What loading produced: valid rules, and every issue found on the way."""

    rules: list[RuleSpec] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # rule name -> its YAML text

    def extend(self, other: "LoadResult") -> None:
        self.rules.extend(other.rules)
        self.issues.extend(other.issues)
        self.sources.update(other.sources)


def _rule_nodes(text: str) -> list[tuple[int, dict[str, int]]]:
    """(start line, key -> line) of each rule mapping in the YAML, 1-based, for pointing at problems."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if root is None:
        return []
    items: list[Any] = []
    if isinstance(root, yaml.MappingNode):
        rules_node = next((v for k, v in root.value if getattr(k, "value", None) == "rules"), None)
        items = rules_node.value if isinstance(rules_node, yaml.SequenceNode) else [root]
    elif isinstance(root, yaml.SequenceNode):
        items = root.value
    out: list[tuple[int, dict[str, int]]] = []
    for node in items:
        lines: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                lines[str(k.value)] = k.start_mark.line + 1
                if isinstance(v, yaml.MappingNode):
                    for k2, _ in v.value:
                        lines[f"{k.value}.{k2.value}"] = k2.start_mark.line + 1
        out.append((node.start_mark.line + 1, lines))
    return out


def parse_text(text: str, source: str) -> LoadResult:
    """Lint and parse one file's text; never raises for bad content."""
    result = LoadResult()
    language = detect_language(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint_zh = "（常见原因：冒号后缺空格、缩进不齐、文字里有冒号却没加引号）"
        hint_en = " (common causes: no space after a colon, uneven indentation, a colon inside unquoted text)"
        result.issues.append(LintIssue(source, "", "", "yaml_syntax", f"YAML 格式错误：{detail}{hint_zh}",
                                       f"YAML syntax error: {detail}{hint_en}", language, line))
        return result
    if isinstance(data, dict) and "rules" in data:
        raws = data["rules"] if isinstance(data["rules"], list) else [data["rules"]]
    elif isinstance(data, list):
        raws = data
    elif isinstance(data, dict):
        raws = [data]
    else:
        result.issues.append(LintIssue(source, "", "", "not_a_rule", "文件里没有规则。", "The file holds no rules.", language, 1))
        return result
    nodes = _rule_nodes(text)
    seen: set[str] = set()
    for i, raw in enumerate(raws):
        start, lines = nodes[i] if i < len(nodes) else (None, {})
        issues = lint_rule(raw, RuleContext(file=source, index=i, lines=lines, start_line=start))
        name = raw.get("name") if isinstance(raw, dict) else None
        if not issues and name in seen:
            issues.append(LintIssue(source, str(name), "name", "duplicate", f"规则名 {name} 在文件里出现了两次。",
                                    f"The rule name {name} appears twice in the file.", language, start))
        result.issues.extend(issues)
        if not issues:
            spec = spec_from_dict(raw)
            seen.add(spec.name)
            result.rules.append(spec)
            result.sources[spec.name] = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    return result


def load_file(path: Path) -> LoadResult:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result = LoadResult()
        result.issues.append(LintIssue(str(path), "", "", "unreadable", f"无法读取文件：{exc}", f"Can't read the file: {exc}"))
        return result
    return parse_text(text, str(path))


def load_paths(paths: list[Path]) -> LoadResult:
    """Every rule in the given files and folders (``*.yaml`` / ``*.yml``); broken ones are reported, not fatal."""
    result = LoadResult()
    for path in paths:
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        for file in files:
            result.extend(load_file(file))
    names = [r.name for r in result.rules]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        kept: list[RuleSpec] = []
        for rule in result.rules:
            if rule.name in dupes and any(k.name == rule.name for k in kept):
                result.issues.append(LintIssue("", rule.name, "name", "duplicate",
                                               f"规则名 {rule.name} 在多个文件里重复，只使用第一个。",
                                               f"The rule name {rule.name} appears in several files; the first one is used."))
                continue
            kept.append(rule)
        result.rules = kept
    return result


def starter_rules() -> LoadResult:
    return load_paths([STARTER_DIR])
