"""The transparent rubric: criteria made of yes/no checks, with weights and a pass mark per level.

Rubrics are YAML (``rubrics/<level>.yaml``) so trainers can read and change them, and the rep sees
the same text before a session starts: there is no hidden scoring rule.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.lang import Language
from skills.roleplay.moves import known_moves
from skills.roleplay.scenario import ScenarioError, Text

RUBRIC_DIR = Path(__file__).with_name("rubrics")
DEFAULT_PASS_MARK = 80


class Rule(BaseModel):
    """What must appear in the rep's words for a check to pass.

    Attributes:
        moves: any of these moves in one sentence of the rep.
        requires_date: that sentence must also name a day or time.
        min_count: at least this many different sentences must qualify.
        before: the qualifying sentences must come before the rep's first sentence with any of these
            moves (e.g. value evidence before any concession); passes if those moves never occur.
    """

    model_config = ConfigDict(extra="forbid")
    moves: list[str] = Field(min_length=1)
    requires_date: bool = False
    min_count: int = Field(default=1, ge=1)
    before: list[str] = Field(default_factory=list)


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    text: Text
    rule: Rule
    suggest: Text


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: Text
    weight: float = Field(gt=0)
    checks: list[Check] = Field(min_length=1)


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: str
    pass_mark: float = Field(default=DEFAULT_PASS_MARK, ge=0, le=100)
    hint_cost: float = Field(default=5, ge=0)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "Rubric":
        known = known_moves()
        for c in self.criteria:
            for check in c.checks:
                bad = [m for m in check.rule.moves + check.rule.before if m not in known]
                if bad:
                    raise ValueError(f"{c.id}.{check.id}: unknown move(s) {bad}")
        total = sum(c.weight for c in self.criteria)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"criterion weights must add up to 100 (they add up to {total:g})")
        ids = [check.id for c in self.criteria for check in c.checks]
        if len(ids) != len(set(ids)):
            raise ValueError("check ids must be unique within a rubric")
        return self

    @property
    def checks(self) -> list[Check]:
        return [check for c in self.criteria for check in c.checks]

    def describe(self, language: Language) -> str:
        """The rubric as the rep reads it before starting: criteria, weights, checks, pass mark."""
        lines = []
        for c in self.criteria:
            lines.append(f"*{c.name(language)}* ({c.weight:g})")
            lines += [f"- {check.text(language)}" for check in c.checks]
        mark = f"{self.pass_mark:g}"
        lines.append(
            f"_及格线 {mark}/100；每次提示扣 {self.hint_cost:g} 分；每项检查都要引用你的原话作为证据。_"
            if language == "zh"
            else f"_Pass mark {mark}/100; each hint costs {self.hint_cost:g} points; every check needs your own words as evidence._"
        )
        return "\n".join(lines)


def load_rubric_file(path: Path) -> Rubric:
    try:
        return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ScenarioError(zh=f"评分表 {path.name} 有错误：{exc}", en=f"Rubric {path.name} is invalid: {exc}") from None


@lru_cache(maxsize=8)
def load_rubric(rubric_id: str) -> Rubric:
    """The shipped rubric with this id (a level name, or a custom rubric file's stem)."""
    path = RUBRIC_DIR / f"{rubric_id}.yaml"
    if not path.exists():
        raise ScenarioError(zh=f"找不到评分表 {rubric_id}。", en=f"There is no rubric called {rubric_id}.")
    return load_rubric_file(path)
