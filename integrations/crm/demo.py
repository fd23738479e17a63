"""The demo company: 北辰网络 / Northstar Networks and its customers, seeded into the embedded CRM.

Deterministic (``random.Random(seed)``, every date relative to ``today``) so that tests, evals and
screenshots always see the same bilingual company with the planted stories of docs/DEMO.md current.
The generator is split by job: ``demo_data`` (vocabulary), ``demo_world`` (row builder),
``demo_background`` (ordinary accounts), ``demo_stories`` (the seven stories); this module names
the public surface and writes everything in one transaction.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import select

from bot.errors import InvalidInput
from bot.store import Store
from integrations.crm import demo_data as data
from integrations.crm.bulk import crm_counts, insert_rows, sync_id_sequences, wipe_crm
from integrations.crm.demo_background import (
    add_background_accounts,
    add_background_contracts,
    add_background_deals,
    add_background_history,
)
from integrations.crm.demo_stories import STORIES, add_stories, story_names
from integrations.crm.demo_world import DemoWorld
from integrations.crm.local.models import ALL_TABLES, Account, ChatIdentity, Team, User

__all__ = [
    "COMPETITORS", "DEMO_SEED", "STORY_ACCOUNTS", "STORY_ACCOUNTS_ZH", "STORY_ACCOUNT_IDS", "STORY_DEALS",
    "STORY_DEALS_ZH", "STORY_DEAL_IDS", "CRMNotEmpty", "DemoSummary", "build_demo", "demo_present", "seed_demo",
]

DEMO_SEED = 7
COMPETITORS = data.COMPETITORS
STORY_ACCOUNTS: dict[str, str] = {s.key: s.name_en for s in STORIES}
STORY_ACCOUNTS_ZH: dict[str, str] = {s.key: s.name_zh for s in STORIES}
STORY_ACCOUNT_IDS: dict[str, int] = {s.key: s.account_id for s in STORIES}
STORY_DEALS: dict[str, str] = {s.key: s.deal_en for s in STORIES}
STORY_DEALS_ZH: dict[str, str] = {s.key: s.deal_zh for s in STORIES}
STORY_DEAL_IDS: dict[str, int] = {s.key: s.deal_id for s in STORIES}


class CRMNotEmpty(InvalidInput):
    """Seeding would mix the demo with rows already in the CRM; nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each entity the demo wrote."""

    teams: int
    users: int
    chat_identities: int
    products: int
    accounts: int
    account_members: int
    contacts: int
    opportunities: int
    opportunity_members: int
    opportunity_contacts: int
    activities: int
    orders: int
    order_lines: int
    competitor_signals: int
    contracts: int
    milestones: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in self.as_dict().items())


_SUMMARY_FIELDS: dict[str, str] = {
    "crm_team": "teams", "crm_user": "users", "crm_chat_identity": "chat_identities", "crm_product": "products",
    "crm_account": "accounts", "crm_account_member": "account_members", "crm_contact": "contacts",
    "crm_opportunity": "opportunities", "crm_opportunity_member": "opportunity_members",
    "crm_opportunity_contact": "opportunity_contacts", "crm_activity": "activities", "crm_order": "orders",
    "crm_order_line": "order_lines", "crm_competitor_signal": "competitor_signals", "crm_contract": "contracts",
    "crm_milestone": "milestones",
}


def _add_people(world: DemoWorld) -> None:
    """Teams, users (manager chains up to the admin) and their DingTalk identities."""
    managers = {team_id: manager for team_id, _, _, manager in data.TEAMS}
    for team_id, name_zh, name_en, manager in data.TEAMS:
        world.add(Team, id=team_id, name_zh=name_zh, name_en=name_en, manager_id=manager)
    for user_id, name, name_en, role, title, team_id in data.USERS:
        if role == "admin":
            manager_id = None
        elif role == "manager":
            manager_id = "admin"
        else:
            manager_id = managers[team_id or ""]
        language = "en" if name == name_en else "zh"
        world.add(User, id=user_id, name=name, name_en=name_en, email=f"{user_id}@{data.EMAIL_DOMAIN}", role=role,
                  title=title, team_id=team_id, manager_id=manager_id, language=language, active=True)
        world.add(ChatIdentity, platform="dingtalk", workspace="*", external_id="dt_" + user_id.replace(".", "_"),
                  user_id=user_id)


def build_demo(*, today: date, seed: int = DEMO_SEED) -> DemoWorld:
    """Generate every row in memory (no database): the same ``today`` and ``seed`` give the same rows."""
    world = DemoWorld(today=today, rng=random.Random(seed))
    _add_people(world)
    world.add_products()
    add_stories(world)
    background = add_background_accounts(world, forbidden_names=story_names())
    add_background_history(world, background)
    deals = add_background_deals(world, background)
    add_background_contracts(world, deals)
    return world


def demo_present(store: Store) -> bool:
    """Whether the demo company is in the store (its admin and the ACME story account exist)."""
    with store.session() as session:
        acme = session.exec(select(Account).where(Account.name_en == STORY_ACCOUNTS["acme"])).first()
        admin = session.get(User, "admin")
    return acme is not None and admin is not None


def seed_demo(store: Store, *, today: date | None = None, seed: int = DEMO_SEED, force: bool = False) -> DemoSummary:
    """Write the demo company into an empty CRM, in one transaction.

    Args:
        store: a migrated store.
        today: the day the stories are relative to (default: the current date).
        seed: the random seed; the same seed and ``today`` give identical data.
        force: wipe every ``crm_*`` table first (in the same transaction) instead of refusing.

    Raises:
        CRMNotEmpty: the CRM already holds rows (the demo or anything else) and ``force`` is false.
    """
    world = build_demo(today=today or date.today(), seed=seed)
    with store.session() as session:
        if not force:
            existing = {k: v for k, v in crm_counts(session).items() if v}
            if existing:
                present = "the demo company is already there" if demo_present(store) else "it already holds data"
                raise CRMNotEmpty(
                    zh=f"CRM 不是空的（{present}；如 {next(iter(existing))} 有 {next(iter(existing.values()))} 行）。"
                    "如需重新生成演示数据，请使用 --force（会清空所有 CRM 表）。",
                    en=f"The CRM is not empty ({present}; e.g. {next(iter(existing.values()))} rows in "
                    f"{next(iter(existing))}). Use --force to wipe every CRM table and re-seed the demo.",
                )
        else:
            wipe_crm(session)
        counts = {model.__tablename__: insert_rows(session, model, world.rows[model]) for model in ALL_TABLES}
        sync_id_sequences(session)
    return DemoSummary(**{_SUMMARY_FIELDS[name]: n for name, n in counts.items()})
