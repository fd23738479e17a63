"""Golden conversations: the YAML files under ``evals/conversations/`` and their schema.

One item is one question asked by a demo user (optionally after prior turns in the same thread),
with what a good answer must contain, what it must never contain (another team's data), and
which records or documents it should cite. Managers and trainers can add items without code.

Facts are matched case-insensitively against the whole answer (text, blocks, tables, citations).
A fact written as a list means "any of these" (``["48,000,000", "4800万"]``). Citations may use
placeholders resolved from the demo CRM as admin: ``crm://account/{account:ACME Manufacturing}``,
``crm://opportunity/{deal:Globex Global Rollout}``; any other expected citation is a substring of
a citation's source or title (e.g. a case document's file name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator

CONVERSATIONS_DIR = Path(__file__).parent / "conversations"

Fact = str | list[str]


class EvalItem(BaseModel):
    """One golden question."""

    id: str
    question: str
    user: str = "li.na"
    channel: str = "console"
    prior: list[str] = Field(default_factory=list, description="Earlier user turns in the same thread.")
    language: Literal["zh", "en"] | None = None
    expect_skill: str | None = None
    expect_tools: list[str] = Field(default_factory=list)
    must_include: list[Fact] = Field(default_factory=list)
    must_not_include: list[str] = Field(default_factory=list)
    expect_citations: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    file: str = ""

    @field_validator("must_include")
    @classmethod
    def _non_empty_alternatives(cls, facts: list[Fact]) -> list[Fact]:
        for fact in facts:
            if isinstance(fact, list) and not fact:
                raise ValueError("an any-of fact needs at least one alternative")
        return facts


def load_items(directory: Path = CONVERSATIONS_DIR, *, only: str | None = None) -> list[EvalItem]:
    """Every item in ``directory/*.yaml``, in file then item order; ``only`` filters by id or tag substring.

    Raises:
        ValueError: a malformed file or a duplicate id (with the file name).
    """
    items: list[EvalItem] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(raw, list):
            raise ValueError(f"{path.name}: expected a list of items")
        for entry in raw:
            try:
                item = EvalItem.model_validate({**entry, "file": path.name})
            except Exception as exc:
                raise ValueError(f"{path.name}: invalid item {entry.get('id', '?') if isinstance(entry, dict) else entry!r}: {exc}") from exc
            if item.id in seen:
                raise ValueError(f"{path.name}: duplicate id {item.id} (also in {seen[item.id]})")
            seen[item.id] = path.name
            items.append(item)
    if only:
        items = [i for i in items if only in i.id or any(only == t for t in i.tags) or only == i.file.removesuffix(".yaml")]
    return items
