"""``LocalCRM``: the ``CRM`` interface over the embedded SQLModel tables."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from bot.errors import NotFoundOrHidden
from bot.store import Store
from integrations.crm.base import CRM
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
from integrations.crm.local.models import (
    Account,
    Activity,
    ChatIdentity,
    CompetitorSignal,
    Contact,
    Contract,
    Milestone,
    Opportunity,
    OpportunityContact,
    OpportunityMember,
    Order,
    Team,
    User,
)
from integrations.crm.viewer import Viewer
from integrations.crm.visibility import visible_account_filter, visible_account_ids

R = TypeVar("R", bound=SQLModel)

_HIDDEN = NotFoundOrHidden(
    zh="我找不到你有权限查看的这个客户。", en="I can't find an account you have access to."
)


def _as(record_type: type[R], row: SQLModel) -> R:
    return record_type.model_validate(row.model_dump())


class LocalCRM(CRM):
    """The embedded CRM. Visibility is enforced in SQL, so hidden rows never leave the database."""

    name = "local"

    def __init__(self, store: Store) -> None:
        self.store = store

    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    # --- people ---------------------------------------------------------------------------------
    def get_user(self, user_id: str) -> UserRecord | None:
        with self._session() as s:
            row = s.get(User, user_id)
            return _as(UserRecord, row) if row else None

    def list_users(self) -> list[UserRecord]:
        with self._session() as s:
            return [_as(UserRecord, u) for u in s.exec(select(User).where(User.active == True).order_by(User.id))]  # noqa: E712

    def list_teams(self) -> list[TeamRecord]:
        with self._session() as s:
            return [_as(TeamRecord, t) for t in s.exec(select(Team).order_by(Team.id))]

    def user_for_chat_identity(self, platform: str, workspace: str, external_id: str) -> str | None:
        """The CRM user mapped to a chat account, by exact workspace or the ``*`` wildcard."""
        with self._session() as s:
            rows = s.exec(
                select(ChatIdentity).where(
                    ChatIdentity.platform == platform,
                    ChatIdentity.external_id == external_id,
                    col(ChatIdentity.workspace).in_([workspace, "*"]),
                )
            ).all()
        exact = [r for r in rows if r.workspace == workspace]
        chosen = (exact or rows or [None])[0]
        return chosen.user_id if chosen else None

    def chat_identities_of(self, user_id: str, *, platform: str, workspace: str | None = None) -> list[str]:
        """The reverse mapping: a CRM user's chat ids on ``platform`` (messages the bot starts need it).

        With ``workspace``, rows for that workspace come before the ``*`` wildcard rows and rows of
        other workspaces are left out; without it, every row of the platform, oldest first.
        """
        with self._session() as s:
            rows = list(s.exec(
                select(ChatIdentity)
                .where(ChatIdentity.platform == platform, ChatIdentity.user_id == user_id)
                .order_by(col(ChatIdentity.id))
            ))
        if workspace is not None:
            rows = [r for r in rows if r.workspace == workspace] + [r for r in rows if r.workspace == "*"]
        return list(dict.fromkeys(r.external_id for r in rows))

    def link_chat_identity(self, platform: str, workspace: str, external_id: str, user_id: str) -> None:
        with self.store.session() as s:
            existing = s.exec(
                select(ChatIdentity).where(
                    ChatIdentity.platform == platform,
                    ChatIdentity.workspace == workspace,
                    ChatIdentity.external_id == external_id,
                )
            ).first()
            if existing:
                existing.user_id = user_id
                s.add(existing)
            else:
                s.add(ChatIdentity(platform=platform, workspace=workspace, external_id=external_id, user_id=user_id))

    # --- accounts -------------------------------------------------------------------------------
    def list_accounts(self, viewer: Viewer) -> list[AccountRecord]:
        with self._session() as s:
            rows = s.exec(select(Account).where(visible_account_filter(viewer)).order_by(Account.id))
            return [_as(AccountRecord, a) for a in rows]

    def get_account(self, viewer: Viewer, account_id: int) -> AccountRecord | None:
        with self._session() as s:
            row = s.exec(
                select(Account).where(Account.id == account_id, visible_account_filter(viewer))
            ).first()
            return _as(AccountRecord, row) if row else None

    def list_contacts(self, viewer: Viewer, account_id: int) -> list[ContactRecord]:
        with self._session() as s:
            rows = s.exec(
                select(Contact)
                .where(Contact.account_id == account_id, col(Contact.account_id).in_(visible_account_ids(viewer)))
                .order_by(Contact.id)
            )
            return [_as(ContactRecord, c) for c in rows]

    # --- deals ----------------------------------------------------------------------------------
    def list_opportunities(
        self, viewer: Viewer, *, account_id: int | None = None, open_only: bool = False
    ) -> list[OpportunityRecord]:
        query = select(Opportunity).where(col(Opportunity.account_id).in_(visible_account_ids(viewer)))
        if account_id is not None:
            query = query.where(Opportunity.account_id == account_id)
        if open_only:
            query = query.where(col(Opportunity.stage).notin_(["closed_won", "closed_lost"]))
        with self._session() as s:
            return [_as(OpportunityRecord, o) for o in s.exec(query.order_by(Opportunity.id))]

    def get_opportunity(self, viewer: Viewer, opportunity_id: int) -> OpportunityRecord | None:
        with self._session() as s:
            row = s.exec(
                select(Opportunity).where(
                    Opportunity.id == opportunity_id,
                    col(Opportunity.account_id).in_(visible_account_ids(viewer)),
                )
            ).first()
            return _as(OpportunityRecord, row) if row else None

    def opportunity_team(self, viewer: Viewer, opportunity_id: int) -> list[DealMember]:
        opportunity = self.get_opportunity(viewer, opportunity_id)
        if opportunity is None:
            return []
        with self._session() as s:
            members = s.exec(
                select(OpportunityMember, User)
                .join(User, User.id == OpportunityMember.user_id)
                .where(OpportunityMember.opportunity_id == opportunity_id)
            ).all()
            result = [DealMember(user=_as(UserRecord, u), role=m.role) for m, u in members]
            if not any(m.user.id == opportunity.owner_id for m in result):
                owner = s.get(User, opportunity.owner_id)
                if owner:
                    result.insert(0, DealMember(user=_as(UserRecord, owner), role="owner"))
            return result

    def opportunity_contacts(self, viewer: Viewer, opportunity_id: int) -> list[ContactRecord]:
        opportunity = self.get_opportunity(viewer, opportunity_id)
        if opportunity is None:
            return []
        with self._session() as s:
            rows = s.exec(
                select(Contact)
                .join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
                .where(OpportunityContact.opportunity_id == opportunity_id)
                .order_by(Contact.id)
            ).all()
            return [_as(ContactRecord, c) for c in rows]

    # --- history and signals --------------------------------------------------------------------
    def list_activities(
        self,
        viewer: Viewer,
        *,
        account_id: int | None = None,
        opportunity_id: int | None = None,
        since: date | None = None,
        limit: int | None = None,
    ) -> list[ActivityRecord]:
        query = select(Activity).where(col(Activity.account_id).in_(visible_account_ids(viewer)))
        if account_id is not None:
            query = query.where(Activity.account_id == account_id)
        if opportunity_id is not None:
            query = query.where(Activity.opportunity_id == opportunity_id)
        if since is not None:
            query = query.where(Activity.occurred_at >= datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc))
        query = query.order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
        if limit:
            query = query.limit(limit)
        with self._session() as s:
            return [_as(ActivityRecord, a) for a in s.exec(query)]

    def list_orders(self, viewer: Viewer, account_id: int, *, since: date | None = None) -> list[OrderRecord]:
        query = select(Order).where(
            Order.account_id == account_id, col(Order.account_id).in_(visible_account_ids(viewer))
        )
        if since is not None:
            query = query.where(Order.order_date >= since)
        with self._session() as s:
            return [_as(OrderRecord, o) for o in s.exec(query.order_by(Order.order_date))]

    def list_competitor_signals(
        self, viewer: Viewer, account_id: int, *, since: date | None = None
    ) -> list[CompetitorSignalRecord]:
        query = select(CompetitorSignal).where(
            CompetitorSignal.account_id == account_id,
            col(CompetitorSignal.account_id).in_(visible_account_ids(viewer)),
        )
        if since is not None:
            query = query.where(CompetitorSignal.observed_at >= since)
        with self._session() as s:
            return [_as(CompetitorSignalRecord, c) for c in s.exec(query.order_by(CompetitorSignal.observed_at))]

    def get_contract(self, viewer: Viewer, opportunity_id: int) -> ContractRecord | None:
        with self._session() as s:
            row = s.exec(
                select(Contract).where(
                    Contract.opportunity_id == opportunity_id,
                    col(Contract.account_id).in_(visible_account_ids(viewer)),
                )
            ).first()
            return _as(ContractRecord, row) if row else None

    def list_milestones(self, viewer: Viewer, opportunity_id: int) -> list[MilestoneRecord]:
        if self.get_opportunity(viewer, opportunity_id) is None:
            return []
        with self._session() as s:
            rows = s.exec(
                select(Milestone)
                .where(Milestone.opportunity_id == opportunity_id)
                .order_by(Milestone.planned_date, Milestone.id)
            )
            return [_as(MilestoneRecord, m) for m in rows]

    # --- writes ---------------------------------------------------------------------------------
    def _require_account(self, viewer: Viewer, account_id: int) -> AccountRecord:
        account = self.get_account(viewer, account_id)
        if account is None:
            raise _HIDDEN
        return account

    def _insert(self, row: Activity) -> ActivityRecord:
        with self.store.session() as s:
            s.add(row)
            s.flush()
            s.refresh(row)
            return _as(ActivityRecord, row)

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
        self._require_account(viewer, account_id)
        return self._insert(
            Activity(
                account_id=account_id,
                opportunity_id=opportunity_id,
                kind=kind,
                author_id=viewer.user_id,
                occurred_at=_now(),
                subject=subject,
                summary=summary,
            )
        )

    def create_task(
        self,
        viewer: Viewer,
        *,
        account_id: int,
        subject: str,
        due_date: date | None,
        owner_id: str | None = None,
        opportunity_id: int | None = None,
    ) -> ActivityRecord:
        self._require_account(viewer, account_id)
        return self._insert(
            Activity(
                account_id=account_id,
                opportunity_id=opportunity_id,
                kind="task",
                author_id=owner_id or viewer.user_id,
                occurred_at=_now(),
                subject=subject,
                summary=subject,
                due_date=due_date,
                status="open",
            )
        )

    def raw_session(self) -> Session:
        """A session for bulk jobs inside DealPilot (demo seeding, import, feature scans)."""
        return self._session()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def record_dict(record: SQLModel) -> dict[str, Any]:
    """A JSON-friendly dict of a record (dates as ISO strings), for audit and tool results."""
    return record.model_dump(mode="json")
