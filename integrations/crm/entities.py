"""The CRM's entities as DealPilot sees them, whatever system they come from.

Connectors translate vendor objects into these models; nothing vendor-specific passes the
``CRM`` interface. The embedded CRM's tables subclass these, so a record read from SQLite and
one read from HubSpot have the same shape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlmodel import Field, SQLModel

Role = Literal["rep", "manager", "admin"]
Stage = Literal["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]
OPEN_STAGES: tuple[str, ...] = ("prospecting", "qualification", "proposal", "negotiation")
ActivityKind = Literal["visit", "call", "email", "meeting", "note", "task"]
CommitteeRole = Literal[
    "economic_buyer", "technical_buyer", "user", "champion", "influencer", "gatekeeper", "legal", "finance"
]


class TeamBase(SQLModel):
    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    manager_id: str | None = None


class UserBase(SQLModel):
    """A person at our company: rep, manager or admin. ``id`` is short and typeable (``--as li.na``)."""

    id: str = Field(primary_key=True)
    name: str
    name_en: str = ""
    email: str = Field(index=True)
    role: str = "rep"
    title: str = "sales"  # sales | presales | delivery | legal | finance | manager | admin
    team_id: str | None = Field(default=None, index=True)
    manager_id: str | None = None
    language: str = "zh"
    active: bool = True


class AccountBase(SQLModel):
    name_zh: str = Field(index=True)
    name_en: str = Field(index=True)
    industry: str
    region: str
    tier: str = "B"
    owner_id: str = Field(index=True)
    team_id: str | None = Field(default=None, index=True)
    country: str = "CN"
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ContactBase(SQLModel):
    account_id: int = Field(index=True)
    name: str
    name_en: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    committee_role: str = "user"
    influence: str = "medium"  # high | medium | low
    attitude: str = "neutral"  # supporter | neutral | opponent
    reports_to_id: int | None = None


class OpportunityBase(SQLModel):
    account_id: int = Field(index=True)
    name: str
    name_en: str = ""
    stage: str = Field(default="prospecting", index=True)
    amount: float = 0.0
    currency: str = "CNY"
    expected_close: date | None = None
    owner_id: str = Field(index=True)
    discount_pct: float = 0.0
    is_key: bool = False
    created_at: datetime | None = None
    stage_changed_at: datetime | None = None
    updated_at: datetime | None = None


class ActivityBase(SQLModel):
    account_id: int = Field(index=True)
    opportunity_id: int | None = Field(default=None, index=True)
    contact_id: int | None = None
    kind: str = "note"
    author_id: str
    occurred_at: datetime = Field(index=True)
    subject: str = ""
    summary: str = ""
    due_date: date | None = None
    status: str = "done"  # tasks: open | done


class ProductBase(SQLModel):
    sku: str = Field(index=True)
    name_zh: str
    name_en: str
    category: str
    list_price: float


class OrderBase(SQLModel):
    account_id: int = Field(index=True)
    order_date: date = Field(index=True)
    total_amount: float = 0.0
    currency: str = "CNY"


class OrderLineBase(SQLModel):
    order_id: int = Field(index=True)
    product_id: int
    quantity: int
    unit_price: float
    amount: float


class CompetitorSignalBase(SQLModel):
    account_id: int = Field(index=True)
    competitor: str
    source: str  # news | social | sales_note | tender | customer_mention
    observed_at: date = Field(index=True)
    intensity: int = 1  # 1..5
    note: str = ""


class ContractBase(SQLModel):
    account_id: int = Field(index=True)
    opportunity_id: int | None = Field(default=None, index=True)
    title: str
    value: float = 0.0
    currency: str = "CNY"
    payment_terms: str = ""
    penalty_clause: str = ""
    sla: str = ""
    renewal_terms: str = ""
    start_date: date | None = None
    end_date: date | None = None
    signed: bool = False


class MilestoneBase(SQLModel):
    opportunity_id: int = Field(index=True)
    name: str
    name_en: str = ""
    planned_date: date
    actual_date: date | None = None
    owner_id: str | None = None
    status: str = "planned"  # planned | in_progress | done


class AccountRecord(AccountBase):
    id: int
    aliases: list[str] = []


class ContactRecord(ContactBase):
    id: int


class OpportunityRecord(OpportunityBase):
    id: int
    products: list[str] = []

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ActivityRecord(ActivityBase):
    id: int


class OrderRecord(OrderBase):
    id: int


class CompetitorSignalRecord(CompetitorSignalBase):
    id: int


class ContractRecord(ContractBase):
    id: int
    clauses: list[dict[str, str]] = []


class MilestoneRecord(MilestoneBase):
    id: int

    def is_late(self, today: date) -> bool:
        """Late: finished after plan, or not finished and the planned date has passed."""
        if self.actual_date is not None:
            return self.actual_date > self.planned_date
        return self.planned_date < today


class UserRecord(UserBase):
    pass


class TeamRecord(TeamBase):
    pass


class ProductRecord(ProductBase):
    id: int


class DealMember(SQLModel):
    """A person on our side of a deal and the role they play in it."""

    user: UserRecord
    role: str  # owner | sales | presales | delivery | legal
