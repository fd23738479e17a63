"""Who is asking. Every CRM read and write takes a ``Viewer``; the model never chooses it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """The CRM user behind a chat identity, with what their role lets them see.

    Attributes:
        user_id: the CRM user id.
        role: ``rep``, ``manager`` or ``admin``.
        team_id: the user's own team.
        managed_team_ids: teams this user manages (managers see their teams' accounts).
    """

    user_id: str
    role: str = "rep"
    team_id: str | None = None
    managed_team_ids: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    language: str = "zh"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin")


SYSTEM_VIEWER = Viewer(user_id="system", role="admin", name="DealPilot")
"""Background jobs (rule scans, digests) read as the system; delivery re-checks each recipient."""
