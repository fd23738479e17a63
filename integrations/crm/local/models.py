"""Tables of the embedded CRM (prefix ``crm_``). Shapes come from ``integrations.crm.entities``."""

from __future__ import annotations

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from integrations.crm.entities import (
    AccountBase,
    ActivityBase,
    CompetitorSignalBase,
    ContactBase,
    ContractBase,
    MilestoneBase,
    OpportunityBase,
    OrderBase,
    OrderLineBase,
    ProductBase,
    TeamBase,
    UserBase,
)


class Team(TeamBase, table=True):
    __tablename__ = "crm_team"


class User(UserBase, table=True):
    __tablename__ = "crm_user"


class ChatIdentity(SQLModel, table=True):
    """Maps a chat account (Slack user, DingTalk staff id) to a CRM user: the explicit mapping table."""

    __tablename__ = "crm_chat_identity"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    workspace: str = "*"
    external_id: str
    user_id: str = Field(index=True)


class Account(AccountBase, table=True):
    __tablename__ = "crm_account"
    id: int | None = Field(default=None, primary_key=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))


class AccountMember(SQLModel, table=True):
    """A user on an account's team (besides the owner): they can see the account."""

    __tablename__ = "crm_account_member"
    account_id: int = Field(primary_key=True)
    user_id: str = Field(primary_key=True, index=True)
    role: str = "sales"


class Contact(ContactBase, table=True):
    __tablename__ = "crm_contact"
    id: int | None = Field(default=None, primary_key=True)


class Opportunity(OpportunityBase, table=True):
    __tablename__ = "crm_opportunity"
    id: int | None = Field(default=None, primary_key=True)
    products: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))


class OpportunityMember(SQLModel, table=True):
    __tablename__ = "crm_opportunity_member"
    opportunity_id: int = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    role: str = "sales"


class OpportunityContact(SQLModel, table=True):
    __tablename__ = "crm_opportunity_contact"
    opportunity_id: int = Field(primary_key=True)
    contact_id: int = Field(primary_key=True)


class Activity(ActivityBase, table=True):
    __tablename__ = "crm_activity"
    id: int | None = Field(default=None, primary_key=True)


class Product(ProductBase, table=True):
    __tablename__ = "crm_product"
    id: int | None = Field(default=None, primary_key=True)


class Order(OrderBase, table=True):
    __tablename__ = "crm_order"
    id: int | None = Field(default=None, primary_key=True)


class OrderLine(OrderLineBase, table=True):
    __tablename__ = "crm_order_line"
    id: int | None = Field(default=None, primary_key=True)


class CompetitorSignal(CompetitorSignalBase, table=True):
    __tablename__ = "crm_competitor_signal"
    id: int | None = Field(default=None, primary_key=True)


class Contract(ContractBase, table=True):
    __tablename__ = "crm_contract"
    id: int | None = Field(default=None, primary_key=True)
    clauses: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list)
    )


class Milestone(MilestoneBase, table=True):
    __tablename__ = "crm_milestone"
    id: int | None = Field(default=None, primary_key=True)


ALL_TABLES: tuple[type[SQLModel], ...] = (
    Team, User, ChatIdentity, Account, AccountMember, Contact, Opportunity, OpportunityMember,
    OpportunityContact, Activity, Product, Order, OrderLine, CompetitorSignal, Contract, Milestone,
)
