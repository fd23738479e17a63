"""Role-play tables: sessions, their transcripts, scored attempts, and each rep's progress by level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models import utcnow


class RolePlaySession(SQLModel, table=True):
    """One practice conversation, from ``/roleplay start`` to the score card (or abandonment)."""

    __tablename__ = "roleplay_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    scenario_id: str
    level: str
    language: str
    engine: str = "scripted"
    conversation_key: str = Field(index=True)
    status: str = Field(default="playing", index=True)  # playing | scored | abandoned
    hints_used: int = 0
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class RolePlayTurn(SQLModel, table=True):
    """One line of a session's transcript (rep, customer or coach)."""

    __tablename__ = "roleplay_turn"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(index=True, foreign_key="roleplay_session.id")
    idx: int
    speaker: str
    text: str
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    at: datetime = Field(default_factory=utcnow)


class RolePlayAttempt(SQLModel, table=True):
    """A scored session: the score card's numbers and every check's verdict, quote and suggestion."""

    __tablename__ = "roleplay_attempt"
    __table_args__ = (UniqueConstraint("session_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="roleplay_session.id")
    user_id: str = Field(index=True)
    scenario_id: str
    level: str = Field(index=True)
    score: float
    passed: bool
    duration_s: float = 0.0
    results: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    at: datetime = Field(default_factory=utcnow, index=True)


class RolePlayProgress(SQLModel, table=True):
    """A rep's standing at one level: attempts, best score, time spent, when it was passed."""

    __tablename__ = "roleplay_progress"
    user_id: str = Field(primary_key=True)
    level: str = Field(primary_key=True)
    attempts: int = 0
    best_score: float = 0.0
    time_spent_s: float = 0.0
    passed_at: datetime | None = None


class RolePlayLearner(SQLModel, table=True):
    """The highest level a rep has unlocked (levels unlock in order at the pass mark)."""

    __tablename__ = "roleplay_learner"
    user_id: str = Field(primary_key=True)
    unlocked_level: str = "discovery"
    updated_at: datetime = Field(default_factory=utcnow)
