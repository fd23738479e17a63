"""The offline customer: a state machine over the scenario's stages, driven by the rep's moves.

Stages run opening -> discovery -> objection -> closing (as the scenario lists them). Each turn
the rep's message is read as moves (``moves.py``); good questions reveal the persona's hidden
facts (deep facts only after a follow-up), objections are raised when provoked or when the
customer's patience for small talk runs out, and they are resolved only by the moves the sheet
names. The customer remembers what it already said, what the rep offered, and ends the
conversation on a dated next step or when the turn limit or its patience is reached.
The whole state is a JSON-able dict so it lives in the conversation row, not in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from bot.lang import Language
from skills.roleplay.guard import is_injection
from skills.roleplay.moves import MoveDetector, default_detector, has_date
from skills.roleplay.scenario import Fact, Objection, Scenario, Text

LINES_FILE = Path(__file__).with_name("lines.yaml")
ASKING_ORDER = ("agenda", "ask_situation", "ask_pain", "dig", "quantify", "ask_decision", "ask_budget",
                "ask_timeline", "ask_competitor", "clarify")


@dataclass(frozen=True)
class Temper:
    """How a difficulty plays: patience, turn limit, how much the customer volunteers."""

    patience: int
    max_turns: int
    reveals_per_turn: int
    respects_depth: bool


TEMPERS: dict[str, Temper] = {
    "easy": Temper(patience=6, max_turns=16, reveals_per_turn=2, respects_depth=False),
    "medium": Temper(patience=4, max_turns=14, reveals_per_turn=1, respects_depth=True),
    "hard": Temper(patience=3, max_turns=12, reveals_per_turn=1, respects_depth=True),
}


class EngineState(BaseModel):
    """Everything the customer remembers about this session."""

    stage: str = "opening"
    turn: int = 0
    patience: int = 0
    revealed: list[str] = Field(default_factory=list)
    hinted: list[str] = Field(default_factory=list)
    asked: dict[str, int] = Field(default_factory=dict)
    raised: list[str] = Field(default_factory=list)
    open_objection: str | None = None
    progress: dict[str, list[str]] = Field(default_factory=dict)
    resolved: list[str] = Field(default_factory=list)
    value_shown: bool = False
    offers: list[str] = Field(default_factory=list)
    awaiting_date: bool = False
    ended: bool = False
    end_reason: str | None = None


@dataclass
class CustomerTurn:
    """The customer's answer plus what happened (for the transcript and tests)."""

    text: str
    moves: list[str] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    ended: bool = False


@lru_cache(maxsize=1)
def generic_lines() -> dict[str, list[Text]]:
    raw = yaml.safe_load(LINES_FILE.read_text(encoding="utf-8"))
    return {key: [Text.model_validate(v) for v in variants] for key, variants in raw.items()}


class ScriptedEngine:
    """Plays one scenario's customer without any language model."""

    name = "scripted"

    def __init__(self, scenario: Scenario, *, detector: MoveDetector | None = None) -> None:
        self.scenario = scenario
        self.detector = detector or default_detector()
        self.temper = TEMPERS[scenario.difficulty]
        self._facts = {f.id: f for f in scenario.facts}
        self._objections = {o.id: o for o in scenario.active_objections()}

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, language: Language) -> tuple[EngineState, str]:
        state = EngineState(patience=self.temper.patience)
        return state, self.scenario.opening(language)

    def respond(self, state: EngineState, rep_text: str, language: Language) -> CustomerTurn:
        """The customer's reply to one rep message; updates ``state`` in place."""
        if state.ended:
            return CustomerTurn(self._line("ended", language, state), ended=True, events=["already_ended"])
        state.turn += 1
        if is_injection(rep_text):
            state.patience -= 1
            reply = CustomerTurn(self._persona_line("deflect", language, state), events=["deflected"])
            return self._limits(state, reply, language)

        moves = self.detector.detect(rep_text)
        if state.awaiting_date and has_date(rep_text):
            moves.add("next_step")  # "Which day?" - "Tuesday at 10" answers the customer's question
        ordered = [m for m in ASKING_ORDER if m in moves]
        for m in moves:
            state.asked[m] = state.asked.get(m, 0) + 1
        reply = CustomerTurn("", moves=sorted(moves))
        parts: list[str] = []
        if state.stage == "opening":
            state.stage = "discovery"
            if moves == {"agenda"}:
                parts.append(self._line("greeting", language, state))

        if "value_evidence" in moves:
            state.value_shown = True
        if "concession" in moves:
            state.offers.append(rep_text[:200])

        parts += self._handle_objection(state, moves, language, reply)
        parts += self._reveal(state, ordered, language, reply)

        if "pitch" in moves and len(state.revealed) < self.scenario.min_facts_to_close and not reply.events:
            parts.append(self._persona_line("pitch_too_early", language, state))
            state.patience -= 1
        if "confirm_resolved" in moves and state.resolved and state.open_objection is None and not parts:
            parts.append(self._line("resolved_ack", language, state))
        if "summarize" in moves and state.revealed and not parts:
            parts.append(self._line("summary_ack", language, state))
        if "next_step" in moves and not state.ended:
            parts += self._try_close(state, rep_text, language, reply)
        self._maybe_raise(state, moves, language, reply, parts)

        if not parts:
            if moves:
                key = "interest" if "value_evidence" in moves else "neutral"
                parts.append(self._line(key, language, state))
            else:
                parts.append(self._line("off_topic", language, state))
                state.patience -= 1
                reply.events.append("off_topic")
        reply.text = _join(parts, language)
        return self._limits(state, reply, language)

    # --- steps ----------------------------------------------------------------------------------
    def _reveal(self, state: EngineState, ordered: list[str], language: Language, reply: CustomerTurn) -> list[str]:
        """Facts unlocked by this turn's questions; a repeated question gets "as I said"."""
        parts: list[str] = []
        budget = self.temper.reveals_per_turn
        repeated: list[Fact] = []
        for move in ordered:
            for fact in self.scenario.facts:
                if move not in fact.revealed_by:
                    continue
                if fact.id in state.revealed:
                    repeated.append(fact)
                    continue
                if budget <= 0:
                    break
                budget -= 1
                if self._needs_follow_up(fact, state):
                    state.hinted.append(fact.id)
                    parts.append(fact.vague(language))  # type: ignore[union-attr]
                    reply.events.append(f"hinted:{fact.id}")
                else:
                    state.revealed.append(fact.id)
                    reply.revealed.append(fact.id)
                    parts.append(fact.text(language))
                break
        if not parts and repeated:
            fact = repeated[0]
            parts.append(f"{self._line('repeat', language, state)} {fact.text(language)}")
            if any(state.asked.get(m, 0) > 1 for m in ordered if m in fact.revealed_by):
                state.patience -= 1  # the same question twice tries the customer's patience
            reply.events.append(f"repeated:{fact.id}")
        return parts

    def _needs_follow_up(self, fact: Fact, state: EngineState) -> bool:
        if fact.depth < 2 or fact.vague is None or not self.temper.respects_depth:
            return False
        return fact.id not in state.hinted  # a second matching question (the follow-up) reveals it

    def _handle_objection(self, state: EngineState, moves: set[str], language: Language, reply: CustomerTurn) -> list[str]:
        if state.open_objection is None:
            if "concession" in moves and not state.value_shown:
                reply.events.append("concession_too_early")
                return [self._persona_line("concession_too_early", language, state)]
            return []
        objection = self._objections[state.open_objection]
        done = set(state.progress.get(objection.id, [])) | (moves & set(objection.resolve_with))
        state.progress[objection.id] = sorted(done)
        parts: list[str] = []
        if "concession" in moves and not state.value_shown:
            parts.append(self._persona_line("concession_too_early", language, state))
            state.patience -= 1
            reply.events.append("concession_too_early")
        if done >= set(objection.resolve_with):
            state.resolved.append(objection.id)
            state.open_objection = None
            reply.events.append(f"resolved:{objection.id}")
            parts.append(objection.resolution(language))
            if all(o in state.resolved for o in self._objections) and "objection" in state.stage:
                state.stage = "closing"
        elif moves & set(objection.resolve_with):
            reply.events.append(f"progress:{objection.id}")
            parts.append(objection.pushback(language) if objection.pushback else self._line("neutral", language, state))
        elif not parts and not (moves & set(ASKING_ORDER)):
            parts.append(f"{self._line('objection_pending', language, state)} {objection.text(language)}")
        return parts

    def _maybe_raise(self, state: EngineState, moves: set[str], language: Language, reply: CustomerTurn, parts: list[str]) -> None:
        """Raise the next objection when the rep provokes it or the customer runs out of small talk."""
        if state.ended or state.open_objection is not None or "objection" not in self.scenario.stages:
            return
        for objection in self._objections.values():
            if objection.id in state.raised:
                continue
            provoked = bool(moves & set(objection.raised_by)) or "next_step" in moves
            due = objection.after_turn is not None and state.turn >= objection.after_turn
            if provoked or due:
                state.raised.append(objection.id)
                state.open_objection = objection.id
                state.stage = "objection"
                reply.events.append(f"raised:{objection.id}")
                parts.append(objection.text(language))
            return

    def _try_close(self, state: EngineState, rep_text: str, language: Language, reply: CustomerTurn) -> list[str]:
        pending = [o for o in self._objections if o not in state.resolved]
        if pending:
            return []  # the open or next objection is raised instead
        if len(state.revealed) < self.scenario.min_facts_to_close:
            reply.events.append("too_early_to_close")
            return [self._line("too_early_to_close", language, state)]
        dated = any(has_date(c.text) for c in self.detector.clauses(rep_text) if "next_step" in c.moves)
        dated = dated or (state.awaiting_date and has_date(rep_text))
        if not dated:
            state.awaiting_date = True
            reply.events.append("asked_for_date")
            return [self._line("ask_date", language, state)]
        state.stage, state.ended, state.end_reason = "closing", True, "close"
        reply.ended = True
        reply.events.append("closed")
        return [self._persona_line("close", language, state)]

    def _limits(self, state: EngineState, reply: CustomerTurn, language: Language) -> CustomerTurn:
        if state.ended:
            return reply
        reason = "turn_limit" if state.turn >= self.temper.max_turns else "patience" if state.patience <= 0 else None
        if reason:
            state.ended, state.end_reason = True, reason
            reply.ended = True
            reply.events.append(reason)
            key = "timeout" if reason == "turn_limit" else "walkout"
            ending = self._persona_line(key, language, state) if key == "timeout" else self._line(key, language, state)
            reply.text = _join([reply.text, ending], language)
        return reply

    # --- wording --------------------------------------------------------------------------------
    def _persona_line(self, key: str, language: Language, state: EngineState) -> str:
        custom = getattr(self.scenario.lines, key, None)
        return custom(language) if custom is not None else self._line(key, language, state)

    @staticmethod
    def _line(key: str, language: Language, state: EngineState) -> str:
        variants = generic_lines()[key]
        return variants[state.turn % len(variants)](language)

    # --- for the LLM engine and hints -----------------------------------------------------------
    def known_facts(self, state: EngineState) -> list[Fact]:
        return [self._facts[f] for f in state.revealed if f in self._facts]

    def open_objection(self, state: EngineState) -> Objection | None:
        return self._objections.get(state.open_objection) if state.open_objection else None

    @staticmethod
    def load_state(data: dict[str, Any] | None) -> EngineState:
        return EngineState.model_validate(data or {})


def _join(parts: list[str], language: Language) -> str:
    parts = [p.strip() for p in parts if p and p.strip()]
    return ("" if language == "zh" else " ").join(parts)
