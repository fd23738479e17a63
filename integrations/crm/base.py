"""The ``CRM`` interface every connector implements.

Each read takes the viewer and returns only what that viewer may see: a hidden record and a
missing one look the same (``None`` / empty), so no answer hints that something exists.
Writes are few and explicit (log an activity, create a task); they are what the
confirm-before-write flow previews.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from integrations.crm.entities import (
    AccountRecord,
    ActivityRecord,
    CompetitorSignalRecord,
    ContactRecord,
    ContractRecord,
    DealMember,
    MilestoneRecord,
    OpportunityRecord,
    OrderRecord,
    TeamRecord,
    UserRecord,
)
from integrations.crm.viewer import Viewer


class CRM(ABC):
    """Read and write the sales record on behalf of a viewer."""

    name: str = "crm"

    # --- people ---------------------------------------------------------------------------------
    @abstractmethod
    def get_user(self, user_id: str) -> UserRecord | None:
        """A user by id (directory data, visible to everyone in the company)."""

    @abstractmethod
    def list_users(self) -> list[UserRecord]:
        """All active users."""

    @abstractmethod
    def list_teams(self) -> list[TeamRecord]:
        """All teams."""

    def viewer_for(self, user_id: str) -> Viewer | None:
        """Build the ``Viewer`` for a user id, with the teams they manage."""
        user = self.get_user(user_id)
        if user is None or not user.active:
            return None
        managed = frozenset(t.id for t in self.list_teams() if t.manager_id == user.id)
        return Viewer(
            user_id=user.id,
            role=user.role,
            team_id=user.team_id,
            managed_team_ids=managed,
            name=user.name,
            language=user.language,
        )

    def find_user_by_email(self, email: str) -> UserRecord | None:
        wanted = email.strip().lower()
        return next((u for u in self.list_users() if u.email.lower() == wanted), None)

    # --- accounts -------------------------------------------------------------------------------
    @abstractmethod
    def list_accounts(self, viewer: Viewer) -> list[AccountRecord]:
        """Every account the viewer may see (entity linking builds its index from this)."""

    @abstractmethod
    def get_account(self, viewer: Viewer, account_id: int) -> AccountRecord | None:
        """One account, or ``None`` if it is missing or hidden from the viewer."""

    def find_accounts(self, viewer: Viewer, query: str, limit: int = 5) -> list[AccountRecord]:
        """Accounts whose name or alias contains ``query`` (case-insensitive)."""
        needle = query.strip().lower()
        if not needle:
            return []
        hits = [
            a
            for a in self.list_accounts(viewer)
            if needle in a.name_en.lower() or needle in a.name_zh or any(needle in x.lower() for x in a.aliases)
        ]
        return hits[:limit]

    @abstractmethod
    def list_contacts(self, viewer: Viewer, account_id: int) -> list[ContactRecord]: ...

    # --- deals ----------------------------------------------------------------------------------
    @abstractmethod
    def list_opportunities(
        self, viewer: Viewer, *, account_id: int | None = None, open_only: bool = False
    ) -> list[OpportunityRecord]: ...

    @abstractmethod
    def get_opportunity(self, viewer: Viewer, opportunity_id: int) -> OpportunityRecord | None: ...

    @abstractmethod
    def opportunity_team(self, viewer: Viewer, opportunity_id: int) -> list[DealMember]:
        """Our people on the deal (owner, sales, presales, delivery, legal)."""

    @abstractmethod
    def opportunity_contacts(self, viewer: Viewer, opportunity_id: int) -> list[ContactRecord]:
        """The customer's stakeholders on the deal (the buying committee)."""

    # --- history and signals --------------------------------------------------------------------
    @abstractmethod
    def list_activities(
        self,
        viewer: Viewer,
        *,
        account_id: int | None = None,
        opportunity_id: int | None = None,
        since: date | None = None,
        limit: int | None = None,
    ) -> list[ActivityRecord]:
        """Activities newest first."""

    @abstractmethod
    def list_orders(self, viewer: Viewer, account_id: int, *, since: date | None = None) -> list[OrderRecord]: ...

    @abstractmethod
    def list_competitor_signals(
        self, viewer: Viewer, account_id: int, *, since: date | None = None
    ) -> list[CompetitorSignalRecord]: ...

    @abstractmethod
    def get_contract(self, viewer: Viewer, opportunity_id: int) -> ContractRecord | None: ...

    @abstractmethod
    def list_milestones(self, viewer: Viewer, opportunity_id: int) -> list[MilestoneRecord]: ...

    # --- writes ---------------------------------------------------------------------------------
    @abstractmethod
    def log_activity(
        self,
        viewer: Viewer,
        *,
        account_id: int,
        kind: str,
        summary: str,
        subject: str = "",
        opportunity_id: int | None = None,
    ) -> ActivityRecord:
        """Record a touch; raises ``NotFoundOrHidden`` if the viewer cannot see the account."""

    @abstractmethod
    def create_task(
        self,
        viewer: Viewer,
        *,
        account_id: int,
        subject: str,
        due_date: date | None,
        owner_id: str | None = None,
        opportunity_id: int | None = None,
    ) -> ActivityRecord: ...
