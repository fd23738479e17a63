"""The demo generator's workbench: rows collected in memory with ids chosen up front.

Story and background generators both write through ``DemoWorld`` so that every row gets a stable
id, every datetime is timezone-aware UTC (SQLModel's ``UTCDateTime`` requires it), dates are
counted in days before "today", and order totals are always the sum of their lines. Nothing touches
the database until ``seed_demo`` inserts the collected rows in one transaction.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Integer
from sqlmodel import SQLModel

from integrations.crm import demo_data as data
from integrations.crm.local.models import (
    Account,
    AccountMember,
    Activity,
    CompetitorSignal,
    Contact,
    Opportunity,
    OpportunityContact,
    OpportunityMember,
    Order,
    OrderLine,
    Product,
)

USD_RATE = 7  # list prices are in CNY; international accounts buy in USD


@dataclass
class AccountInfo:
    """What later generators need to know about an account already created."""

    id: int
    lang: str  # "zh" or "en": the language its people write in
    owner_id: str
    team_id: str
    industry: str
    tier: str
    brand_zh: str
    brand_en: str
    currency: str
    domain: str
    contacts: list[int] = field(default_factory=list)
    contact_names: dict[int, str] = field(default_factory=dict)
    contact_roles: dict[int, str] = field(default_factory=dict)

    def contact_with(self, role: str) -> int:
        return next(cid for cid, r in self.contact_roles.items() if r == role)


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    category: str
    list_price: int
    name_zh: str
    name_en: str


class DemoWorld:
    """Collects rows per table; ``rows`` is what gets inserted."""

    def __init__(self, *, today: date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self._last_id: dict[type[SQLModel], int] = defaultdict(int)
        self.users: dict[str, tuple[str, str, str, str, str, str | None]] = {u[0]: u for u in data.USERS}
        self.products: list[ProductInfo] = []
        self.products_by_sku: dict[str, ProductInfo] = {}
        self._members: set[tuple[int, str]] = set()

    # --- time ----------------------------------------------------------------------------------
    def day(self, age: int) -> date:
        """The date ``age`` days before today (negative: in the future)."""
        return self.today - timedelta(days=age)

    def at(self, age: int, hour: int | None = None, minute: int | None = None) -> datetime:
        """An aware UTC datetime on the day ``age`` days ago, in office hours (01-09 UTC = 09-17 Beijing)."""
        h = self.rng.randint(1, 9) if hour is None else hour
        m = self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50)) if minute is None else minute
        return datetime.combine(self.day(age), time(h, m), tzinfo=timezone.utc)

    # --- generic ----------------------------------------------------------------------------------
    def add(self, model: type[SQLModel], **values: Any) -> int:
        """Queue one row; tables with an integer ``id`` get the next id unless one is given."""
        id_col = model.__table__.columns.get("id")  # type: ignore[attr-defined]
        if id_col is not None and isinstance(id_col.type, Integer):
            if "id" not in values:
                self._last_id[model] += 1
                values["id"] = self._last_id[model]
            else:
                self._last_id[model] = max(self._last_id[model], values["id"])
            self.rows[model].append(values)
            return int(values["id"])
        self.rows[model].append(values)
        return 0

    def reserve_ids(self, model: type[SQLModel], n: int) -> None:
        """Keep ids 1..n for rows added later with explicit ids (the planted stories)."""
        self._last_id[model] = max(self._last_id[model], n)

    def count(self, model: type[SQLModel]) -> int:
        return len(self.rows[model])

    # --- catalogue ----------------------------------------------------------------------------------
    def add_products(self) -> None:
        for sku, name_zh, name_en, category, price in data.PRODUCTS:
            pid = self.add(Product, sku=sku, name_zh=name_zh, name_en=name_en, category=category,
                           list_price=float(price))
            info = ProductInfo(pid, sku, category, price, name_zh, name_en)
            self.products.append(info)
            self.products_by_sku[sku] = info

    def products_for(self, industry: str) -> list[ProductInfo]:
        categories = data.INDUSTRY_CATEGORIES[industry]
        return [p for p in self.products if p.category in categories]

    # --- accounts and people --------------------------------------------------------------------
    def add_account(self, *, name_zh: str, name_en: str, aliases: list[str], industry: str, region: str,
                    country: str, tier: str, owner_id: str, brand_zh: str, brand_en: str, domain: str,
                    account_id: int | None = None, created_age: int = 900) -> AccountInfo:
        team_id = self.users[owner_id][5] or ""
        lang = "zh" if country == "CN" else "en"
        values: dict[str, Any] = dict(
            name_zh=name_zh, name_en=name_en, aliases=aliases, industry=industry, region=region, tier=tier,
            owner_id=owner_id, team_id=team_id, country=country, created_at=self.at(created_age),
            updated_at=self.at(self.rng.randint(0, 20)),
        )
        if account_id is not None:
            values["id"] = account_id
        aid = self.add(Account, **values)
        return AccountInfo(aid, lang, owner_id, team_id, industry, tier, brand_zh, brand_en,
                           "CNY" if lang == "zh" else "USD", domain)

    def add_contact(self, account: AccountInfo, *, name: str, name_en: str, title: str, role: str,
                    influence: str, attitude: str, reports_to: int | None, email_local: str) -> int:
        phone = (f"+86 1{self.rng.randint(30, 89)} {self.rng.randint(1000, 9999)} {self.rng.randint(1000, 9999)}"
                 if account.lang == "zh" else f"+1 555 {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}")
        cid = self.add(Contact, account_id=account.id, name=name, name_en=name_en, title=title,
                       email=f"{email_local}@{account.domain}", phone=phone, committee_role=role,
                       influence=influence, attitude=attitude, reports_to_id=reports_to)
        account.contacts.append(cid)
        account.contact_names[cid] = name
        account.contact_roles[cid] = role
        return cid

    def add_account_member(self, account_id: int, user_id: str, role: str) -> None:
        if (account_id, user_id) not in self._members:
            self._members.add((account_id, user_id))
            self.add(AccountMember, account_id=account_id, user_id=user_id, role=role)

    # --- deals ------------------------------------------------------------------------------------
    def add_deal(self, account: AccountInfo, *, name: str, name_en: str, stage: str, amount: float,
                 expected_close: date, discount_pct: float, products: list[str], created_age: int,
                 stage_age: int, updated_age: int, members: list[tuple[str, str]], contacts: list[int],
                 is_key: bool = False, deal_id: int | None = None) -> int:
        """A deal, its team (owner first; members also join the account team) and its stakeholders."""
        values: dict[str, Any] = dict(
            account_id=account.id, name=name, name_en=name_en, stage=stage, amount=float(amount),
            currency=account.currency, expected_close=expected_close, owner_id=account.owner_id,
            discount_pct=float(discount_pct), is_key=is_key, products=products,
            created_at=self.at(created_age), stage_changed_at=self.at(stage_age), updated_at=self.at(updated_age),
        )
        if deal_id is not None:
            values["id"] = deal_id
        oid = self.add(Opportunity, **values)
        self.add(OpportunityMember, opportunity_id=oid, user_id=account.owner_id, role="owner")
        for user_id, role in members:
            if user_id != account.owner_id:
                self.add(OpportunityMember, opportunity_id=oid, user_id=user_id, role=role)
                self.add_account_member(account.id, user_id, role)
        for cid in contacts:
            self.add(OpportunityContact, opportunity_id=oid, contact_id=cid)
        return oid

    # --- history -------------------------------------------------------------------------------------
    def add_activity(self, account: AccountInfo, *, age: int, kind: str, author: str, subject: str,
                     summary: str, opportunity_id: int | None = None, contact_id: int | None = None,
                     status: str = "done", due_date: date | None = None, hour: int | None = None) -> int:
        return self.add(Activity, account_id=account.id, opportunity_id=opportunity_id, contact_id=contact_id,
                        kind=kind, author_id=author, occurred_at=self.at(age, hour), subject=subject,
                        summary=summary, due_date=due_date, status=status)

    def templated_activity(self, account: AccountInfo, *, age: int, kind: str, author: str,
                           opportunity_id: int | None = None, contacts: list[int] | None = None,
                           status: str = "done", due_date: date | None = None) -> int:
        """An activity written from the bilingual templates, in the account's language."""
        pool = contacts or account.contacts
        contact_id = self.rng.choice(pool) if pool else None
        zh = account.lang == "zh"
        contact = account.contact_names.get(contact_id, "") if contact_id else ""
        contact = contact or ("客户" if zh else "the customer")
        product = self.rng.choice(self.products_for(account.industry))
        subj_zh, text_zh, subj_en, text_en = self.rng.choice(data.ACTIVITY_TEXT[kind])
        subject, text = (subj_zh, text_zh) if zh else (subj_en, text_en)
        summary = text.format(contact=contact, product=product.name_zh if zh else product.name_en)
        return self.add_activity(account, age=age, kind=kind, author=author, subject=subject, summary=summary,
                                 opportunity_id=opportunity_id, contact_id=contact_id, status=status,
                                 due_date=due_date)

    def add_order(self, account: AccountInfo, *, age: int, lines: list[tuple[str, int]] | None = None) -> int:
        """An order with its lines; the total is exactly the sum of the line amounts (whole units)."""
        if lines is None:
            lines = self.random_lines(account)
        oid = self._last_id[Order] + 1
        total = 0
        for sku, qty in lines:
            product = self.products_by_sku[sku]
            price = product.list_price if account.currency == "CNY" else product.list_price // USD_RATE
            unit = int(price * (1 - self.rng.choice((0, 0.05, 0.08, 0.1, 0.12))))
            amount = unit * qty
            total += amount
            self.add(OrderLine, order_id=oid, product_id=product.id, quantity=qty, unit_price=float(unit),
                     amount=float(amount))
        self.add(Order, id=oid, account_id=account.id, order_date=self.day(age), total_amount=float(total),
                 currency=account.currency)
        return oid

    def random_lines(self, account: AccountInfo) -> list[tuple[str, int]]:
        pool = [p for p in self.products_for(account.industry) if p.list_price < 600000]
        chosen = self.rng.sample(pool, k=min(len(pool), self.rng.randint(2, 6)))
        return [(p.sku, self._quantity(p.list_price)) for p in chosen]

    def _quantity(self, price: int) -> int:
        if price >= 100000:
            return self.rng.randint(1, 2)
        if price >= 20000:
            return self.rng.randint(1, 6)
        if price >= 5000:
            return self.rng.randint(2, 30)
        return self.rng.randint(5, 80)

    def add_signal(self, account: AccountInfo, *, age: int, competitor: str, source: str | None = None,
                   intensity: int | None = None, note: str | None = None) -> int:
        if note is None:
            zh, en = self.rng.choice(data.SIGNAL_NOTES)
            note = (zh if account.lang == "zh" else en).format(competitor=competitor)
        return self.add(CompetitorSignal, account_id=account.id, competitor=competitor,
                        source=source or self.rng.choice(data.SIGNAL_SOURCES), observed_at=self.day(age),
                        intensity=intensity if intensity is not None else self.rng.choice((1, 1, 2, 2, 3)),
                        note=note)

    # --- schedules -------------------------------------------------------------------------------------
    def regular_ages(self, *, per_month: float, oldest: int, newest: int = 1, jitter: float = 0.1) -> list[int]:
        """Ages (days ago) of events at a steady rate, each nudged by at most ``jitter`` of the interval.

        Steady on purpose: background accounts must not show a purchase drop or a competitor surge by
        chance, or they would compete with the planted stories.
        """
        interval = 30.0 / per_month
        ages: list[int] = []
        t = oldest - self.rng.uniform(0, interval)
        while t >= newest:
            age = round(t + self.rng.uniform(-jitter, jitter) * interval)
            if newest <= age <= oldest:
                ages.append(age)
            t -= interval
        return ages
