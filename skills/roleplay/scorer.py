"""Score a practice transcript against a rubric: yes/no checks, partial credit, quoted evidence.

The same scorer serves both engines and the calibration set. A check passes only when it can
quote the rep's own words (a sentence from a rep turn, verbatim); a criterion earns
``weight * passed / total``, so half-met work earns half the points instead of zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.lang import Language
from skills.roleplay.grounding import content_terms
from skills.roleplay.guard import is_injection
from skills.roleplay.moves import Clause, MoveDetector, default_detector, has_date
from skills.roleplay.rubric import Check, Rubric

QUOTE_LIMIT = 200


@dataclass(frozen=True)
class Utterance:
    """One turn of a transcript. ``flags`` marks turns the scorer must ignore (e.g. ``injection``)."""

    speaker: str  # "rep" | "customer" | "coach"
    text: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one check. A passed check always carries the rep's words that earned it."""

    check_id: str
    criterion_id: str
    text: str
    passed: bool
    quote: str = ""
    suggestion: str = ""

    def __post_init__(self) -> None:
        if self.passed and not self.quote.strip():
            raise ValueError(f"check {self.check_id!r} cannot pass without a quote of the rep's words")


@dataclass(frozen=True)
class CriterionResult:
    id: str
    name: str
    weight: float
    passed: int
    total: int

    @property
    def points(self) -> float:
        return self.weight * self.passed / self.total


@dataclass
class ScoreCard:
    """Everything the rep sees after a session: every check, its verdict, quote and suggestion."""

    level: str
    language: Language
    pass_mark: float
    checks: list[CheckResult]
    criteria: list[CriterionResult]
    hints_used: int = 0
    hint_cost: float = 0.0
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def raw_score(self) -> float:
        return round(sum(c.points for c in self.criteria), 1)

    @property
    def hint_penalty(self) -> float:
        return self.hints_used * self.hint_cost

    @property
    def score(self) -> float:
        return max(0.0, round(self.raw_score - self.hint_penalty, 1))

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark

    def verdicts(self) -> dict[str, bool]:
        return {c.check_id: c.passed for c in self.checks}


def rep_clauses(transcript: Sequence[Utterance], detector: MoveDetector) -> list[Clause]:
    """The rep's sentences in order, with their moves; attempts to script the customer are left out.

    Each rep turn is read against what the customer had said before it (a playback must echo it).
    """
    out: list[Clause] = []
    heard: frozenset[str] = frozenset()
    for turn in transcript:
        if turn.speaker == "customer":
            heard |= content_terms(turn.text)
        elif turn.speaker == "rep" and "injection" not in turn.flags and not is_injection(turn.text):
            out.extend(detector.clauses(turn.text, heard))
    return out


def evaluate_check(check: Check, clauses: Sequence[Clause]) -> str:
    """The evidence for ``check`` among the rep's ``clauses``: a verbatim quote, or "" when it fails."""
    rule = check.rule
    wanted, blocked = set(rule.moves), set(rule.before)
    cutoff = next((i for i, c in enumerate(clauses) if c.moves & blocked), len(clauses)) if blocked else len(clauses)
    found: list[str] = []
    for clause in clauses[:cutoff]:
        if clause.moves & wanted and (not rule.requires_date or has_date(clause.text)) and clause.text not in found:
            found.append(clause.text)
    if len(found) < rule.min_count:
        return ""
    return " … ".join(_trim(q) for q in found[: rule.min_count])


def score_transcript(
    transcript: Sequence[Utterance],
    rubric: Rubric,
    *,
    language: Language,
    hints_used: int = 0,
    detector: MoveDetector | None = None,
) -> ScoreCard:
    """Grade a transcript: one verdict per check, each with quote or suggestion."""
    detector = detector or default_detector()
    clauses = rep_clauses(transcript, detector)
    results: list[CheckResult] = []
    criteria: list[CriterionResult] = []
    for criterion in rubric.criteria:
        passed = 0
        for check in criterion.checks:
            quote = evaluate_check(check, clauses)
            ok = bool(quote)
            passed += ok
            results.append(
                CheckResult(
                    check_id=check.id,
                    criterion_id=criterion.id,
                    text=check.text(language),
                    passed=ok,
                    quote=quote,
                    suggestion="" if ok else check.suggest(language),
                )
            )
        criteria.append(CriterionResult(criterion.id, criterion.name(language), criterion.weight, passed, len(criterion.checks)))
    return ScoreCard(
        level=rubric.level,
        language=language,
        pass_mark=rubric.pass_mark,
        checks=results,
        criteria=criteria,
        hints_used=hints_used,
        hint_cost=rubric.hint_cost,
    )


def _trim(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"
