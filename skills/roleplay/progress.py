"""The checkpoint flow in the database: sessions, transcripts, attempts, best scores, unlocked levels.

Levels unlock in order (discovery -> objection -> negotiation) when an attempt at the rep's
highest unlocked level reaches its pass mark. Everything is stored, nothing kept in memory, so a
second bot worker or a restart continues the same practice session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from bot.models import utcnow
from bot.store import Store
from skills.roleplay.models import RolePlayAttempt, RolePlayLearner, RolePlayProgress, RolePlaySession, RolePlayTurn
from skills.roleplay.scenario import LEVELS
from skills.roleplay.scorer import ScoreCard, Utterance


@dataclass(frozen=True)
class Outcome:
    """What finishing a session changed."""

    attempt_id: int
    score: float
    passed: bool
    best_score: float
    attempts: int
    newly_unlocked: str | None
    duration_s: float


class Progress:
    """Reads and writes the role-play tables for one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- levels ---------------------------------------------------------------------------------
    def unlocked_level(self, user_id: str) -> str:
        with self.store.session() as s:
            row = s.get(RolePlayLearner, user_id)
            return row.unlocked_level if row else LEVELS[0]

    def unlocked_levels(self, user_id: str) -> list[str]:
        top = self.unlocked_level(user_id)
        return list(LEVELS[: LEVELS.index(top) + 1])

    # --- sessions -------------------------------------------------------------------------------
    def start(self, *, user_id: str, scenario_id: str, level: str, language: str, engine: str, conversation_key: str) -> int:
        """Open a session, abandoning any session still playing in the same conversation."""
        with self.store.session() as s:
            for old in s.exec(
                select(RolePlaySession).where(
                    RolePlaySession.conversation_key == conversation_key, RolePlaySession.status == "playing"
                )
            ):
                old.status, old.ended_at = "abandoned", utcnow()
                s.add(old)
            row = RolePlaySession(
                user_id=user_id, scenario_id=scenario_id, level=level, language=language, engine=engine,
                conversation_key=conversation_key,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            return row.id

    def get(self, session_id: int) -> RolePlaySession | None:
        with self.store.session() as s:
            return s.get(RolePlaySession, session_id)

    def add_turn(self, session_id: int, speaker: str, text: str, *, flags: list[str] | None = None) -> None:
        with self.store.session() as s:
            count = len(s.exec(select(RolePlayTurn.id).where(RolePlayTurn.session_id == session_id)).all())
            s.add(RolePlayTurn(session_id=session_id, idx=count, speaker=speaker, text=text, flags=flags or []))

    def transcript(self, session_id: int) -> list[Utterance]:
        with self.store.session() as s:
            rows = s.exec(select(RolePlayTurn).where(RolePlayTurn.session_id == session_id).order_by(col(RolePlayTurn.idx)))
            return [Utterance(r.speaker, r.text, tuple(r.flags or ())) for r in rows]

    def use_hint(self, session_id: int) -> int:
        with self.store.session() as s:
            row = s.get(RolePlaySession, session_id)
            assert row is not None
            row.hints_used += 1
            s.add(row)
            return row.hints_used

    def finish(self, session_id: int, card: ScoreCard) -> Outcome:
        """Store the attempt, update best score and time spent, unlock the next level on a pass."""
        now = utcnow()
        with self.store.session() as s:
            sess = s.get(RolePlaySession, session_id)
            assert sess is not None
            sess.status, sess.ended_at = "scored", now
            duration = max((now - sess.started_at).total_seconds(), 0.0)
            attempt = RolePlayAttempt(
                session_id=session_id, user_id=sess.user_id, scenario_id=sess.scenario_id, level=sess.level,
                score=card.score, passed=card.passed, duration_s=duration,
                results=[
                    {"check": c.check_id, "criterion": c.criterion_id, "passed": c.passed, "quote": c.quote}
                    for c in card.checks
                ],
            )
            s.add(sess)
            s.add(attempt)
            prog = s.get(RolePlayProgress, (sess.user_id, sess.level)) or RolePlayProgress(user_id=sess.user_id, level=sess.level)
            prog.attempts += 1
            prog.best_score = max(prog.best_score, card.score)
            prog.time_spent_s += duration
            if card.passed and prog.passed_at is None:
                prog.passed_at = now
            s.add(prog)
            learner = s.get(RolePlayLearner, sess.user_id) or RolePlayLearner(user_id=sess.user_id)
            unlocked = None
            top = LEVELS.index(learner.unlocked_level)
            if card.passed and LEVELS.index(sess.level) == top and top + 1 < len(LEVELS):
                learner.unlocked_level = unlocked = LEVELS[top + 1]
                learner.updated_at = now
            s.add(learner)
            s.flush()
            assert attempt.id is not None
            return Outcome(attempt.id, card.score, card.passed, prog.best_score, prog.attempts, unlocked, duration)

    # --- reporting ------------------------------------------------------------------------------
    def levels_for(self, user_id: str) -> list[RolePlayProgress]:
        with self.store.session() as s:
            return list(s.exec(select(RolePlayProgress).where(RolePlayProgress.user_id == user_id)))

    def history(self, user_id: str) -> list[tuple[datetime, float, str]]:
        """(when, score, level) of every attempt, oldest first: the chart's data."""
        with self.store.session() as s:
            rows = s.exec(
                select(RolePlayAttempt).where(RolePlayAttempt.user_id == user_id).order_by(col(RolePlayAttempt.at), col(RolePlayAttempt.id))
            )
            return [(r.at, r.score, r.level) for r in rows]

    def weakest_checks(self, user_id: str, *, top: int = 2) -> list[tuple[str, float]]:
        """The checks this rep passes least often across all attempts: (check id, pass rate)."""
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        with self.store.session() as s:
            for attempt in s.exec(select(RolePlayAttempt).where(RolePlayAttempt.user_id == user_id)):
                for r in attempt.results:
                    tally[r["check"]][0] += int(bool(r["passed"]))
                    tally[r["check"]][1] += 1
        rates = sorted(((check, ok / n) for check, (ok, n) in tally.items()), key=lambda x: (x[1], x[0]))
        return [r for r in rates if r[1] < 1.0][:top]
