"""One read of everything a room shows about its deal: the card, Q&A, digest and health share it.

Why one snapshot: the card, the answers and the digest must agree with each other, and reading the
deal once per refresh keeps a periodic job over many rooms cheap. Every read goes through the
``CRM`` interface as a ``Viewer``, so a snapshot never holds what that viewer may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from integrations.crm.base import CRM
from integrations.crm.entities import (
    AccountRecord,
    ActivityRecord,
    ContactRecord,
    ContractRecord,
    DealMember,
    MilestoneRecord,
    OpportunityRecord,
    UserRecord,
)
from integrations.crm.viewer import Viewer

#: Buying-committee roles a key deal should have a contact for; a missing one is a coverage gap.
KEY_ROLES: tuple[str, ...] = ("economic_buyer", "technical_buyer", "champion", "finance", "legal")
IN_PERSON = ("visit", "meeting")
STALE_CONTACT_DAYS = 90

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "economic_buyer": ("经济决策人", "economic buyer"),
    "technical_buyer": ("技术决策人", "technical buyer"),
    "user": ("使用者", "user"),
    "champion": ("内部支持者", "champion"),
    "influencer": ("影响者", "influencer"),
    "gatekeeper": ("把关人", "gatekeeper"),
    "legal": ("法务", "legal"),
    "finance": ("财务", "finance"),
}
TEAM_ROLE_NAMES: dict[str, tuple[str, str]] = {
    "owner": ("负责人", "owner"), "sales": ("销售", "sales"), "presales": ("售前", "presales"),
    "delivery": ("交付", "delivery"), "legal": ("法务", "legal"), "asker": ("发起人", "requester"),
    "member": ("成员", "member"),
}
LEVELS: dict[str, tuple[str, str]] = {
    "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"),
    "supporter": ("支持", "supporter"), "neutral": ("中立", "neutral"), "opponent": ("反对", "opponent"),
}
STAGES: dict[str, tuple[str, str]] = {
    "prospecting": ("潜在", "prospecting"), "qualification": ("确认需求", "qualification"),
    "proposal": ("方案", "proposal"), "negotiation": ("谈判", "negotiation"),
    "closed_won": ("赢单", "closed won"), "closed_lost": ("输单", "closed lost"),
}


def label(table: dict[str, tuple[str, str]], key: str, language: str) -> str:
    zh, en = table.get(key, (key, key))
    return zh if language == "zh" else en


@dataclass(frozen=True)
class ContactView:
    """A stakeholder plus what our side did with them."""

    contact: ContactRecord
    reports_to: str | None
    last_touch: date | None
    met: bool  # a visit or meeting on record

    @property
    def id(self) -> int:
        return self.contact.id


@dataclass(frozen=True)
class MilestoneView:
    milestone: MilestoneRecord
    late_days: int  # > 0: finished late or overdue by this many days
    overdue: bool  # not done and past its planned date

    def name(self, language: str) -> str:
        m = self.milestone
        return m.name if language == "zh" or not m.name_en else m.name_en


@dataclass
class DealSnapshot:
    """The deal as one viewer sees it on ``today``."""

    today: date
    opportunity: OpportunityRecord
    account: AccountRecord
    team: list[DealMember]
    contacts: list[ContactView]
    contract: ContractRecord | None
    milestones: list[MilestoneView]
    activities: list[ActivityRecord]
    users: dict[str, UserRecord] = field(default_factory=dict)

    # --- derived facts ----------------------------------------------------------------------
    @property
    def deal_id(self) -> int:
        return self.opportunity.id

    def deal_name(self, language: str) -> str:
        o = self.opportunity
        return o.name if language == "zh" or not o.name_en else o.name_en

    def account_name(self, language: str) -> str:
        return self.account.name_zh if language == "zh" else self.account.name_en

    def user_name(self, user_id: str | None, language: str) -> str:
        user = self.users.get(user_id or "")
        if user is None:
            return user_id or "–"
        return user.name if language == "zh" or not user.name_en else user.name_en

    @property
    def next_milestone(self) -> MilestoneView | None:
        """The earliest milestone not done yet (overdue ones first, they are earliest)."""
        pending = [m for m in self.milestones if m.milestone.status != "done" and m.milestone.actual_date is None]
        return pending[0] if pending else None

    @property
    def late_milestones(self) -> list[MilestoneView]:
        return [m for m in self.milestones if m.late_days > 0]

    def missing_roles(self) -> list[str]:
        present = {c.contact.committee_role for c in self.contacts}
        return [role for role in KEY_ROLES if role not in present]

    def stale_contacts(self) -> list[ContactView]:
        """Stakeholders nobody has touched in ``STALE_CONTACT_DAYS`` days (or ever)."""
        cutoff = self.today - timedelta(days=STALE_CONTACT_DAYS)
        return [c for c in self.contacts if c.last_touch is None or c.last_touch < cutoff]

    def not_met(self) -> list[ContactView]:
        return [c for c in self.contacts if not c.met]

    def team_role(self, user_id: str) -> str | None:
        return next((m.role for m in self.team if m.user.id == user_id), None)


def _milestone_view(m: MilestoneRecord, today: date) -> MilestoneView:
    if m.actual_date is not None:
        late = (m.actual_date - m.planned_date).days
        return MilestoneView(m, max(late, 0), False)
    overdue = m.planned_date < today
    return MilestoneView(m, (today - m.planned_date).days if overdue else 0, overdue)


def load_snapshot(crm: CRM, viewer: Viewer, opportunity_id: int, *, today: date) -> DealSnapshot | None:
    """Everything the room shows, as ``viewer`` may see it; ``None`` if the deal is hidden or gone."""
    opportunity = crm.get_opportunity(viewer, opportunity_id)
    if opportunity is None:
        return None
    account = crm.get_account(viewer, opportunity.account_id)
    if account is None:
        return None
    activities = crm.list_activities(viewer, opportunity_id=opportunity_id)
    contacts = crm.opportunity_contacts(viewer, opportunity_id)
    # Touches on the account count for its people too (a call logged without the deal still met them).
    account_touches = crm.list_activities(viewer, account_id=account.id)
    last: dict[int, date] = {}
    met: set[int] = set()
    for a in [*activities, *account_touches]:
        if a.contact_id is None or a.kind == "task":
            continue
        day = a.occurred_at.date()
        if a.contact_id not in last or day > last[a.contact_id]:
            last[a.contact_id] = day
        if a.kind in IN_PERSON:
            met.add(a.contact_id)
    names = {c.id: c for c in contacts}
    views = [
        ContactView(
            contact=c,
            reports_to=(names[c.reports_to_id].name if c.reports_to_id in names else None),
            last_touch=last.get(c.id),
            met=c.id in met,
        )
        for c in contacts
    ]
    return DealSnapshot(
        today=today,
        opportunity=opportunity,
        account=account,
        team=crm.opportunity_team(viewer, opportunity_id),
        contacts=views,
        contract=crm.get_contract(viewer, opportunity_id),
        milestones=[_milestone_view(m, today) for m in crm.list_milestones(viewer, opportunity_id)],
        activities=activities,
        users={u.id: u for u in crm.list_users()},
    )
