"""Practice scenarios as data: YAML files trainers edit, loaded and validated with clear errors.

A scenario is a persona sheet (who the customer is, what they hide, what they object to and what
resolves it), the rep's goal, a difficulty, and the rubric it is scored by. Everything the
customer may ever say is in the sheet: neither engine invents facts beyond it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import InvalidInput
from bot.lang import Language
from skills.roleplay.moves import known_moves

SCENARIO_DIR = Path(__file__).with_name("scenarios")
LEVELS: tuple[str, ...] = ("discovery", "objection", "negotiation")
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "discovery": ("需求挖掘", "Discovery"),
    "objection": ("异议处理", "Objection handling"),
    "negotiation": ("价格谈判", "Price negotiation"),
}
Difficulty = Literal["easy", "medium", "hard"]
STAGES: tuple[str, ...] = ("opening", "discovery", "objection", "closing")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,60}$")


class ScenarioError(InvalidInput):
    """A scenario file is malformed; the message names the file and the field."""


class Text(BaseModel):
    """A line in both languages; both are required so every scenario plays in zh and en."""

    model_config = ConfigDict(extra="forbid")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    role: Text
    company: Text
    profile: Text
    personality: Text


class Fact(BaseModel):
    """Something the customer knows and only tells when asked the right question.

    ``depth`` 2 means the first matching question gets a vague answer and only a follow-up
    (asking again, digging, or quantifying) reveals the fact.
    """

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Literal["need", "pain", "budget", "timing", "decision", "competitor", "context"]
    revealed_by: list[str] = Field(min_length=1)
    depth: int = Field(default=1, ge=1, le=2)
    vague: Text | None = None
    text: Text


class Objection(BaseModel):
    """A concern the customer raises, and what the rep must do (all moves, any order) to resolve it."""

    model_config = ConfigDict(extra="forbid")
    id: str
    text: Text
    raised_by: list[str] = Field(default_factory=list, description="rep moves that provoke it")
    after_turn: int | None = Field(default=None, ge=1, description="raise it unprompted from this turn")
    resolve_with: list[str] = Field(min_length=1)
    resolution: Text
    pushback: Text | None = None
    min_difficulty: Difficulty = "easy"


class Lines(BaseModel):
    """Optional persona-specific wording for the engine's generic lines."""

    model_config = ConfigDict(extra="forbid")
    deflect: Text | None = None
    pitch_too_early: Text | None = None
    concession_too_early: Text | None = None
    close: Text | None = None
    timeout: Text | None = None


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    level: Literal["discovery", "objection", "negotiation"]
    difficulty: Difficulty
    title: Text
    goal: Text
    source: str | None = None
    persona: Persona
    opening: Text
    stages: list[str] = Field(default_factory=lambda: ["opening", "discovery", "closing"])
    facts: list[Fact] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    min_facts_to_close: int = Field(default=2, ge=0)
    lines: Lines = Field(default_factory=Lines)
    rubric: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lower-case letters, digits and '-' (3-61 characters)")
        return value

    @field_validator("stages")
    @classmethod
    def _stages(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in STAGES]
        if unknown:
            raise ValueError(f"unknown stage(s) {unknown}; known stages: {list(STAGES)}")
        if not value or value[0] != "opening" or value[-1] != "closing":
            raise ValueError("stages must start with 'opening' and end with 'closing'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Scenario":
        known = known_moves()
        for where, moves in self._move_refs():
            bad = [m for m in moves if m not in known]
            if bad:
                raise ValueError(f"{where}: unknown move(s) {bad}; known moves: {sorted(known)}")
        ids = [f.id for f in self.facts] + [o.id for o in self.objections]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate fact/objection id(s): {dupes}")
        if self.objections and "objection" not in self.stages:
            raise ValueError("scenario has objections but no 'objection' stage")
        if self.min_facts_to_close > len(self.facts):
            raise ValueError("min_facts_to_close is larger than the number of facts")
        return self

    def _move_refs(self) -> list[tuple[str, list[str]]]:
        refs = [(f"facts[{f.id}].revealed_by", f.revealed_by) for f in self.facts]
        for o in self.objections:
            refs += [(f"objections[{o.id}].raised_by", o.raised_by), (f"objections[{o.id}].resolve_with", o.resolve_with)]
        return refs

    @property
    def rubric_id(self) -> str:
        return self.rubric or self.level

    def active_objections(self) -> list[Objection]:
        """The objections this difficulty plays: harder scenarios raise more of them."""
        rank = {"easy": 0, "medium": 1, "hard": 2}
        return [o for o in self.objections if rank[o.min_difficulty] <= rank[self.difficulty]]


def parse_scenario(data: object, *, source: str = "<scenario>") -> Scenario:
    """Validate a scenario; errors name the file and every bad field in one message."""
    if not isinstance(data, dict):
        raise ScenarioError(zh=f"{source}：场景文件必须是一个 YAML 映射。", en=f"{source}: a scenario file must be a YAML mapping.")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(scenario)'}: {err['msg']}" for err in exc.errors()
        )
        raise ScenarioError(zh=f"{source} 有错误：{problems}", en=f"{source} is invalid: {problems}") from None


def load_scenario_file(path: Path) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(zh=f"{path.name} 不是有效的 YAML：{exc}", en=f"{path.name} is not valid YAML: {exc}") from None
    scenario = parse_scenario(data, source=path.name)
    if scenario.id != path.stem:
        raise ScenarioError(
            zh=f"{path.name}：id '{scenario.id}' 必须与文件名一致。",
            en=f"{path.name}: id '{scenario.id}' must match the file name.",
        )
    return scenario


def load_scenarios(directory: Path = SCENARIO_DIR) -> dict[str, Scenario]:
    """Every scenario in ``directory``, ordered by level then difficulty then id."""
    found = [load_scenario_file(p) for p in sorted(directory.glob("*.yaml"))]
    rank = {"easy": 0, "medium": 1, "hard": 2}
    found.sort(key=lambda s: (LEVELS.index(s.level), rank[s.difficulty], s.id))
    return {s.id: s for s in found}


@lru_cache(maxsize=1)
def shipped_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped in the package (cached; tests that edit YAML load their own dir)."""
    return load_scenarios()


def level_name(level: str, language: Language) -> str:
    zh, en = LEVEL_NAMES[level]
    return zh if language == "zh" else en
