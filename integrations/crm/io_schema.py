"""The import/export file schema: one file per CRM entity, column by column.

This table is the single source of truth for ``dealpilot crm import`` / ``export``: the validator
builds its pydantic models from it, the exporter writes its columns in this order, and
docs/crm-import.md is generated from it (a test keeps the two identical). Column names are the
embedded CRM's column names, so every column of every table travels and a round trip is lossless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import SQLModel

from integrations.crm.local.models import (
    Account,
    AccountMember,
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
    OrderLine,
    Product,
    Team,
    User,
)

ColType = Literal["str", "int", "float", "bool", "date", "datetime", "list", "json"]

INDUSTRIES = ("manufacturing", "saas", "retail", "healthcare", "public_sector", "telecom", "finance",
              "logistics", "other")
REGIONS = ("east_china", "south_china", "north_china", "central_china", "west_china", "apac", "emea",
           "americas", "other")
MEMBER_ROLES = ("owner", "sales", "presales", "delivery", "legal", "finance", "manager")
LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class Col:
    """One column: its type, whether it must be filled, its allowed values and what it refers to."""

    name: str
    type: ColType = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # "<entity>" (its key) or "<entity>.<column>"
    ge: float | None = None
    le: float | None = None
    pattern: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class Entity:
    """One file (``<name>.csv`` or ``<name>.json``) and the table it loads."""

    name: str
    model: type[SQLModel]
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    doc: str
    auto_id: bool = False  # integer ``id`` may be left blank: the next free id is assigned
    unique: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_ID = Col("id", "int", ge=1, doc="Blank: the next free id is assigned. Other files refer to rows by it.")
_USER_ID_PATTERN = r"^[A-Za-z0-9._@-]+$"
_CURRENCY = Col("currency", required=True, pattern=r"^[A-Z]{3}$", doc="ISO 4217 code, e.g. CNY, USD.")

ENTITIES: tuple[Entity, ...] = (
    Entity("teams", Team, (
        Col("id", required=True, pattern=_USER_ID_PATTERN, doc="Short team id, e.g. team-east."),
        Col("name_zh", required=True), Col("name_en", required=True),
        Col("manager_id", ref="users", doc="The user who manages the team (sees its accounts)."),
    ), key=("id",), doc="Sales teams."),
    Entity("users", User, (
        Col("id", required=True, pattern=_USER_ID_PATTERN, doc="Short, typeable id used with --as, e.g. li.na."),
        Col("name", required=True), Col("name_en"),
        Col("email", required=True, pattern=r"^[^@\s]+@[^@\s]+$"),
        Col("role", required=True, choices=("rep", "manager", "admin")),
        Col("title", required=True, choices=("sales", "presales", "delivery", "legal", "finance", "manager", "admin")),
        Col("team_id", ref="teams"), Col("manager_id", ref="users"),
        Col("language", required=True, choices=("zh", "en")),
        Col("active", "bool", required=True, doc="true or false."),
    ), key=("id",), doc="People at our company."),
    Entity("chat_identities", ChatIdentity, (
        _ID, Col("platform", required=True, choices=("slack", "dingtalk")),
        Col("workspace", required=True, doc="Workspace / corp id, or * for any."),
        Col("external_id", required=True, doc="The platform's user id (Slack U..., DingTalk staff id)."),
        Col("user_id", required=True, ref="users"),
    ), key=("id",), auto_id=True, unique=(("platform", "workspace", "external_id"),),
        doc="Optional: which chat account is which user."),
    Entity("products", Product, (
        _ID, Col("sku", required=True), Col("name_zh", required=True), Col("name_en", required=True),
        Col("category", required=True), Col("list_price", "float", required=True, ge=0),
    ), key=("id",), auto_id=True, unique=(("sku",),), doc="What we sell."),
    Entity("accounts", Account, (
        _ID, Col("name_zh", required=True), Col("name_en", required=True),
        Col("aliases", "list", doc="Other names, separated by | in CSV (a list in JSON)."),
        Col("industry", required=True, choices=INDUSTRIES), Col("region", required=True, choices=REGIONS),
        Col("tier", required=True, choices=("A", "B", "C")), Col("owner_id", required=True, ref="users"),
        Col("team_id", ref="teams"), Col("country", required=True, pattern=r"^[A-Z]{2}$", doc="ISO 3166 code."),
        Col("created_at", "datetime"), Col("updated_at", "datetime"),
    ), key=("id",), auto_id=True, doc="Customers."),
    Entity("account_members", AccountMember, (
        Col("account_id", "int", required=True, ref="accounts"), Col("user_id", required=True, ref="users"),
        Col("role", required=True, choices=MEMBER_ROLES),
    ), key=("account_id", "user_id"), doc="Users on an account's team besides the owner (they can see it)."),
    Entity("contacts", Contact, (
        _ID, Col("account_id", "int", required=True, ref="accounts"), Col("name", required=True), Col("name_en"),
        Col("title"), Col("email"), Col("phone"),
        Col("committee_role", required=True, choices=("economic_buyer", "technical_buyer", "user", "champion",
                                                       "influencer", "gatekeeper", "legal", "finance")),
        Col("influence", required=True, choices=("high", "medium", "low")),
        Col("attitude", required=True, choices=("supporter", "neutral", "opponent")),
        Col("reports_to_id", "int", ref="contacts"),
    ), key=("id",), auto_id=True, doc="People at customers and their place in the buying committee."),
    Entity("opportunities", Opportunity, (
        _ID, Col("account_id", "int", required=True, ref="accounts"),
        Col("name", required=True, doc="The deal's name (Chinese in the demo)."), Col("name_en"),
        Col("stage", required=True, choices=("prospecting", "qualification", "proposal", "negotiation",
                                             "closed_won", "closed_lost")),
        Col("amount", "float", required=True, ge=0), _CURRENCY, Col("expected_close", "date"),
        Col("owner_id", required=True, ref="users"),
        Col("discount_pct", "float", required=True, ge=0, le=100, doc="Quoted discount in percent."),
        Col("is_key", "bool", required=True, doc="A key deal (war-room candidate): true or false."),
        Col("products", "list", ref="products.sku", doc="Product SKUs, separated by | in CSV."),
        Col("created_at", "datetime"), Col("stage_changed_at", "datetime"), Col("updated_at", "datetime"),
    ), key=("id",), auto_id=True, doc="Deals."),
    Entity("opportunity_members", OpportunityMember, (
        Col("opportunity_id", "int", required=True, ref="opportunities"), Col("user_id", required=True, ref="users"),
        Col("role", required=True, choices=MEMBER_ROLES),
    ), key=("opportunity_id", "user_id"), doc="Our people on a deal."),
    Entity("opportunity_contacts", OpportunityContact, (
        Col("opportunity_id", "int", required=True, ref="opportunities"),
        Col("contact_id", "int", required=True, ref="contacts"),
    ), key=("opportunity_id", "contact_id"), doc="The customer's stakeholders on a deal."),
    Entity("activities", Activity, (
        _ID, Col("account_id", "int", required=True, ref="accounts"),
        Col("opportunity_id", "int", ref="opportunities"), Col("contact_id", "int", ref="contacts"),
        Col("kind", required=True, choices=("visit", "call", "email", "meeting", "note", "task")),
        Col("author_id", required=True, ref="users"), Col("occurred_at", "datetime", required=True),
        Col("subject"), Col("summary"), Col("due_date", "date", doc="Tasks only."),
        Col("status", required=True, choices=("open", "done"), doc="Tasks are open or done; other kinds done."),
    ), key=("id",), auto_id=True, doc="Touches (visits, calls, emails, meetings, notes) and tasks."),
    Entity("orders", Order, (
        _ID, Col("account_id", "int", required=True, ref="accounts"), Col("order_date", "date", required=True),
        Col("total_amount", "float", required=True, ge=0, doc="Must equal the sum of its lines' amounts."),
        _CURRENCY,
    ), key=("id",), auto_id=True, doc="Orders."),
    Entity("order_lines", OrderLine, (
        _ID, Col("order_id", "int", required=True, ref="orders"), Col("product_id", "int", required=True, ref="products"),
        Col("quantity", "int", required=True, ge=1), Col("unit_price", "float", required=True, ge=0),
        Col("amount", "float", required=True, ge=0, doc="Must equal quantity x unit_price."),
    ), key=("id",), auto_id=True, doc="Order lines."),
    Entity("competitor_signals", CompetitorSignal, (
        _ID, Col("account_id", "int", required=True, ref="accounts"), Col("competitor", required=True),
        Col("source", required=True, choices=("news", "social", "sales_note", "tender", "customer_mention")),
        Col("observed_at", "date", required=True), Col("intensity", "int", required=True, ge=1, le=5),
        Col("note"),
    ), key=("id",), auto_id=True, doc="Sightings of competitors at an account."),
    Entity("contracts", Contract, (
        _ID, Col("account_id", "int", required=True, ref="accounts"), Col("opportunity_id", "int", ref="opportunities"),
        Col("title", required=True), Col("value", "float", required=True, ge=0), _CURRENCY,
        Col("payment_terms"), Col("penalty_clause"), Col("sla"), Col("renewal_terms"),
        Col("start_date", "date"), Col("end_date", "date"), Col("signed", "bool", required=True),
        Col("clauses", "json", doc='JSON list of {"title": ..., "text": ...} (a JSON string in CSV).'),
    ), key=("id",), auto_id=True, doc="Contracts and their key terms."),
    Entity("milestones", Milestone, (
        _ID, Col("opportunity_id", "int", required=True, ref="opportunities"), Col("name", required=True),
        Col("name_en"), Col("planned_date", "date", required=True), Col("actual_date", "date"),
        Col("owner_id", ref="users"), Col("status", required=True, choices=("planned", "in_progress", "done")),
    ), key=("id",), auto_id=True, doc="Delivery milestones of a deal."),
)
ENTITY_BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}


def key_column(ref: str) -> tuple[str, str]:
    """``"accounts"`` -> ("accounts", "id"); ``"products.sku"`` -> ("products", "sku")."""
    entity, _, column = ref.partition(".")
    return entity, column or ENTITY_BY_NAME[entity].key[0]


def schema_markdown() -> str:
    """The per-file column tables of docs/crm-import.md, generated from ``ENTITIES``."""
    out: list[str] = []
    for entity in ENTITIES:
        out.append(f"### `{entity.name}.csv` / `{entity.name}.json`\n\n{entity.doc} Key: "
                   + ", ".join(f"`{k}`" for k in entity.key) + ".\n")
        out.append("| column | type | required | allowed values / refers to | notes |")
        out.append("|---|---|---|---|---|")
        for c in entity.columns:
            allowed: list[str] = []
            if c.choices:
                allowed.append(", ".join(f"`{x}`" for x in c.choices))
            if c.ref:
                target, column = key_column(c.ref)
                allowed.append(f"→ `{target}.{column}`")
            if c.ge is not None or c.le is not None:
                allowed.append(f"{'' if c.ge is None else f'≥ {c.ge:g}'}{' ' if c.ge is not None and c.le is not None else ''}"
                               f"{'' if c.le is None else f'≤ {c.le:g}'}")
            if c.pattern:
                allowed.append(f"pattern `{c.pattern}`")
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | {'; '.join(allowed)} | {c.doc} |")
        out.append("")
    return "\n".join(out)
