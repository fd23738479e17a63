"""The demo company's background: ~190 ordinary accounts with people, deals and 24 months of history.

Ordinary on purpose. Their order and competitor rhythms are steady (no drop, no surge), every open
deal has been touched within the last four weeks (a negotiation within 10 days), has at least two decision-makers mapped and a
discount under 25%, and no milestone is late, so the planted stories in ``demo_stories`` are the
only accounts a rule or a brief should flag for those reasons.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from integrations.crm import demo_data as data
from integrations.crm.demo_world import USD_RATE, AccountInfo, DemoWorld
from integrations.crm.local.models import Contract, Milestone, Opportunity, OpportunityMember

BACKGROUND_PLAN: dict[str, int] = {"team-east": 55, "team-south": 48, "team-intl": 44, "team-gov": 46}
BACKGROUND_DEALS = 160
MAX_RANDOM_DISCOUNT = 20.0
RECENT_TOUCH_MAX_AGE = 28  # open background deals were touched at most this many days ago
NEGOTIATION_TOUCH_MAX_AGE = 10  # ... and those in negotiation at most this many
QUIET_BEFORE = 25  # every background account was touched within this many days

_DOMESTIC_INDUSTRIES = {"manufacturing": 30, "retail": 15, "saas": 10, "healthcare": 12, "finance": 10,
                        "logistics": 13, "telecom": 5, "public_sector": 5}
_GOV_INDUSTRIES = {"public_sector": 75, "telecom": 15, "healthcare": 10}
_INTL_INDUSTRIES = {"manufacturing": 20, "retail": 15, "logistics": 15, "finance": 12, "telecom": 12,
                    "saas": 10, "healthcare": 10, "public_sector": 6}
_TEAM_REGION = {"team-east": "east_china", "team-south": "south_china"}
_KIND_WEIGHTS = {"visit": 20, "call": 30, "email": 25, "meeting": 12, "note": 13}
_STAGE_WEIGHTS = {"prospecting": 14, "qualification": 18, "proposal": 20, "negotiation": 10,
                  "closed_won": 24, "closed_lost": 14}
_TIER_AMOUNT_CNY = {"A": (1_500_000, 8_000_000), "B": (500_000, 3_000_000), "C": (150_000, 1_200_000)}
_ORDERS_PER_MONTH = {"A": 3.0, "B": 1.6, "C": 0.9}
_TOUCHES_PER_MONTH = {"A": 3.0, "B": 1.8, "C": 1.1}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _weighted(world: DemoWorld, weights: dict[str, int]) -> str:
    return world.rng.choices(list(weights), weights=list(weights.values()))[0]


def _tier(world: DemoWorld) -> str:
    return world.rng.choices(("A", "B", "C"), weights=(15, 35, 50))[0]


def is_sales(user_id: str, world: DemoWorld, team_id: str) -> bool:
    _, _, _, role, title, team = world.users[user_id]
    return role == "rep" and title == "sales" and team == team_id


# --- accounts ---------------------------------------------------------------------------------------

class _Names:
    """Unique company names; none contains a planted story's or a competitor's name."""

    def __init__(self, world: DemoWorld, forbidden: set[str]) -> None:
        rng = world.rng
        self.brands = [(h + t, hp + tp) for h, hp in data.BRAND_HEADS for t, tp in data.BRAND_TAILS if h != t]
        rng.shuffle(self.brands)
        self.intl = list(data.INTL_BRANDS)
        rng.shuffle(self.intl)
        self.gov = [(c, b) for region in data.CITIES_BY_REGION.values() for c in region for b in data.GOV_BUREAUS]
        rng.shuffle(self.gov)
        self.forbidden = {f.lower() for f in forbidden}

    def _ok(self, *names: str) -> bool:
        return not any(f in n.lower() or n.lower() in f for n in names for f in self.forbidden)

    def domestic(self, world: DemoWorld, industry: str) -> tuple[str, str, list[str], str, str]:
        """(name_zh, name_en, aliases, brand_zh, brand_en) for a Chinese company."""
        if industry == "public_sector":
            while True:
                (city, city_en), (bureau, bureau_en) = self.gov.pop()
                if self._ok(city + bureau):
                    return f"{city}市{bureau}", f"{city_en} {bureau_en}", [f"{city}{bureau}"], f"{city}{bureau}", f"{city_en} {bureau_en}"
        while True:
            brand, brand_en = self.brands.pop()
            if self._ok(brand, brand_en):
                break
        suffix, suffix_en = world.rng.choice(data.ZH_SUFFIXES[industry])
        return brand + suffix, f"{brand_en} {suffix_en}", [brand, brand_en], brand, brand_en

    def international(self, world: DemoWorld, industry: str) -> tuple[str, str, list[str], str, str]:
        while True:
            brand, brand_zh = self.intl.pop()
            if self._ok(brand, brand_zh):
                break
        suffix, suffix_zh = world.rng.choice(data.EN_SUFFIXES[industry])
        return brand_zh + suffix_zh, f"{brand} {suffix}", [brand, brand_zh], brand_zh, brand


def add_background_accounts(world: DemoWorld, *, forbidden_names: set[str]) -> list[AccountInfo]:
    names = _Names(world, forbidden_names)
    accounts: list[AccountInfo] = []
    for team_id, count in BACKGROUND_PLAN.items():
        reps = sorted(u for u in world.users if is_sales(u, world, team_id))
        for i in range(count):
            if i % len(reps) == 0:
                world.rng.shuffle(reps)
            owner = reps[i % len(reps)]
            if team_id == "team-intl":
                industry = _weighted(world, _INTL_INDUSTRIES)
                country, region = world.rng.choice(data.INTL_COUNTRIES)
                name_zh, name_en, aliases, brand_zh, brand_en = names.international(world, industry)
            else:
                industry = _weighted(world, _GOV_INDUSTRIES if team_id == "team-gov" else _DOMESTIC_INDUSTRIES)
                region = _TEAM_REGION.get(team_id) or world.rng.choice(sorted(data.CITIES_BY_REGION))
                country = "CN"
                name_zh, name_en, aliases, brand_zh, brand_en = names.domestic(world, industry)
            account = world.add_account(
                name_zh=name_zh, name_en=name_en, aliases=aliases, industry=industry, region=region,
                country=country, tier=_tier(world), owner_id=owner, brand_zh=brand_zh, brand_en=brand_en,
                domain=f"{slug(name_en)}.example", created_age=world.rng.randint(760, 1500),
            )
            add_background_contacts(world, account, 3 + world.rng.choice((0, 0, 1, 1, 2)))
            accounts.append(account)
    return accounts


def add_background_contacts(world: DemoWorld, account: AccountInfo, n: int) -> None:
    """Contacts with an economic and a technical buyer first; others report to one of them."""
    rng = world.rng
    roles = ["economic_buyer", "technical_buyer", *rng.sample(data.OTHER_ROLES, k=n - 2)]
    used: set[str] = set()
    top: list[int] = []
    for role in roles:
        while True:
            if account.lang == "zh":
                (sur, sur_py), (given, given_py) = rng.choice(data.ZH_SURNAMES), rng.choice(data.ZH_GIVEN)
                name, name_en, local = sur + given, f"{sur_py} {given_py}", f"{given_py}.{sur_py}".lower()
            else:
                first, last = rng.choice(data.EN_FIRST), rng.choice(data.EN_LAST)
                name = name_en = f"{first} {last}"
                local = f"{first}.{last}".lower()
            if name not in used:
                used.add(name)
                break
        titles_zh, titles_en = data.TITLES[role]
        title = rng.choice(titles_zh if account.lang == "zh" else titles_en)
        high = role in ("economic_buyer", "technical_buyer")
        influence = "high" if high else rng.choice(("medium", "medium", "low", "high"))
        attitude = rng.choices(("supporter", "neutral", "opponent"), weights=(35, 50, 15))[0]
        reports_to = None if not top else (top[0] if role == "technical_buyer" else rng.choice(top))
        cid = world.add_contact(account, name=name, name_en=name_en, title=title, role=role, influence=influence,
                                attitude=attitude, reports_to=reports_to, email_local=local)
        if high:
            top.append(cid)


# --- history ----------------------------------------------------------------------------------------

def _window(ages: list[int], start: int, width: int) -> int:
    return sum(1 for a in ages if start <= a < start + width)


def add_steady_orders(world: DemoWorld, account: AccountInfo, *, per_month: float, oldest: int = 729) -> None:
    """Orders at a steady rate; topped up so the last 90 days never fall far below the 90 before."""
    ages = world.regular_ages(per_month=per_month, oldest=oldest)
    for width in (90, 91, 92):
        while _window(ages, width, width) and _window(ages, 0, width) < 0.75 * _window(ages, width, width):
            ages.append(world.rng.randint(3, width - 5))
    for age in sorted(ages, reverse=True):
        world.add_order(account, age=age)


def add_flat_signals(world: DemoWorld, account: AccountInfo, *, per_month: float) -> None:
    """Competitor signals at a low steady rate, trimmed so recent windows never exceed the earlier ones."""
    rng = world.rng
    primary = rng.choice(data.COMPETITORS)
    ages = sorted(world.regular_ages(per_month=per_month, oldest=729, newest=0, jitter=0.15))
    for width in (30, 31, 90, 91, 92):
        while _window(ages, 0, width) > _window(ages, width, width):
            ages.pop(0)
    for age in sorted(ages, reverse=True):
        competitor = primary if rng.random() < 0.7 else rng.choice(data.COMPETITORS)
        world.add_signal(account, age=age, competitor=competitor)


def add_touches(world: DemoWorld, account: AccountInfo, *, per_month: float, oldest: int = 729,
                newest: int = 1) -> None:
    """General account activities (not tied to a deal) by the owner, now and then the team manager."""
    rng = world.rng
    # Only people who can see the account write on it: the owner, now and then the team's manager.
    manager = next(t[3] for t in data.TEAMS if t[0] == account.team_id)
    ages = world.regular_ages(per_month=per_month, oldest=oldest, newest=newest, jitter=0.2)
    if newest <= QUIET_BEFORE and min(ages, default=oldest) > QUIET_BEFORE:
        ages.append(rng.randint(newest, QUIET_BEFORE))  # nobody in the background goes quiet for a month
    for age in ages:
        author = account.owner_id if rng.random() < 0.9 else manager
        if rng.random() < 0.04 and age > QUIET_BEFORE:  # a done task is not a touch
            world.templated_activity(account, age=age, kind="task", author=author,
                                     due_date=world.day(age - 7), status="done")
        else:
            world.templated_activity(account, age=age, kind=_weighted(world, _KIND_WEIGHTS), author=author)


def add_background_history(world: DemoWorld, accounts: list[AccountInfo]) -> None:
    rng = world.rng
    for account in accounts:
        add_touches(world, account, per_month=_TOUCHES_PER_MONTH[account.tier],
                    newest=rng.randint(1, {"A": 10, "B": 18, "C": QUIET_BEFORE}[account.tier]))
        if rng.random() < 0.3:
            world.templated_activity(account, age=rng.randint(1, 10), kind="task", author=account.owner_id,
                                     status="open", due_date=world.day(-rng.randint(2, 21)))
        if rng.random() < 0.9:
            new_customer = rng.random() < 0.15
            add_steady_orders(world, account, per_month=_ORDERS_PER_MONTH[account.tier] * rng.uniform(0.8, 1.2),
                              oldest=rng.randint(200, 600) if new_customer else 729)
        if rng.random() < 0.8:
            add_flat_signals(world, account, per_month=rng.uniform(0.35, 1.0))


# --- deals --------------------------------------------------------------------------------------------

def _amount(world: DemoWorld, account: AccountInfo) -> float:
    low, high = _TIER_AMOUNT_CNY[account.tier]
    value = low * (high / low) ** world.rng.random()
    if account.currency == "USD":
        return float(round(value / USD_RATE, -3))
    return float(round(value, -4))


def _members(world: DemoWorld, account: AccountInfo, stage: str, amount: float) -> list[tuple[str, str]]:
    rng = world.rng
    members: list[tuple[str, str]] = []
    if account.team_id == "team-east":
        if rng.random() < 0.4:
            members.append((rng.choice(("feng.tao", "li.si")), "presales"))
        if stage == "closed_won" and rng.random() < 0.5:
            members.append(("lin.hui", "delivery"))
        if stage == "negotiation" and rng.random() < 0.3:
            members.append(("tang.yu", "legal"))
    elif rng.random() < 0.3:
        peers = sorted(u for u in world.users if is_sales(u, world, account.team_id) and u != account.owner_id)
        members.append((rng.choice(peers), "sales"))
    return members


def add_background_deals(world: DemoWorld, accounts: list[AccountInfo]) -> list[tuple[int, AccountInfo, str, int]]:
    """Deals spread over accounts (bigger tiers get more); returns (deal id, account, stage, close age)."""
    rng = world.rng
    weights = [{"A": 3, "B": 2, "C": 1}[a.tier] for a in accounts]
    per_account: Counter[int] = Counter()
    deals: list[tuple[int, AccountInfo, str, int]] = []
    while len(deals) < BACKGROUND_DEALS:
        account = rng.choices(accounts, weights=weights)[0]
        if per_account[account.id] >= 3:
            continue
        per_account[account.id] += 1
        deals.append(_add_deal(world, account, per_account[account.id]))
    return deals


def _add_deal(world: DemoWorld, account: AccountInfo, nth: int) -> tuple[int, AccountInfo, str, int]:
    rng = world.rng
    stage = _weighted(world, _STAGE_WEIGHTS)
    template_zh, template_en = data.DEAL_NAMES[(account.id * 3 + nth) % len(data.DEAL_NAMES)]
    amount = _amount(world, account)
    products = [p.sku for p in rng.sample(world.products_for(account.industry), k=rng.randint(1, 3))]
    if stage.startswith("closed"):
        close_age = rng.randint(10, 600)
        created_age = close_age + rng.randint(40, 200)
        stage_age = updated_age = close_age
        expected = world.day(close_age)
        contacts = rng.sample(account.contacts, k=rng.randint(1, min(3, len(account.contacts))))
        touch_ages = sorted((rng.randint(close_age, created_age) for _ in range(rng.randint(3, 6))), reverse=True)
    else:
        created_age = rng.randint(30, 320)
        # Deals in negotiation get weekly attention in a healthy pipeline (the stale-deal rule's 14 days).
        last_touch = rng.randint(2, NEGOTIATION_TOUCH_MAX_AGE if stage == "negotiation" else RECENT_TOUCH_MAX_AGE)
        stage_age = created_age if stage == "prospecting" else rng.randint(last_touch, min(50, created_age - 1))
        updated_age = close_age = last_touch
        ahead = {"prospecting": (60, 240), "qualification": (45, 200), "proposal": (30, 150), "negotiation": (14, 90)}
        expected = world.day(-rng.randint(*ahead[stage]))
        others = [c for c in account.contacts if account.contact_roles[c] not in ("economic_buyer", "technical_buyer")]
        contacts = [account.contact_with("economic_buyer"), account.contact_with("technical_buyer"),
                    *rng.sample(others, k=min(len(others), rng.randint(1, 2)))]
        older = [rng.randint(last_touch + 1, created_age) for _ in range(rng.randint(2, 6))]
        touch_ages = sorted([*older, last_touch], reverse=True)
    members = _members(world, account, stage, amount)
    brand_zh = account.brand_zh
    deal_id = world.add_deal(
        account, name=template_zh.format(brand=brand_zh), name_en=template_en.format(brand=account.brand_en),
        stage=stage, amount=amount, expected_close=expected,
        discount_pct=rng.choice((0, 3, 5, 5, 8, 10, 10, 12, 15, 18, MAX_RANDOM_DISCOUNT)),
        products=products, created_age=created_age, stage_age=stage_age, updated_age=updated_age,
        members=members, contacts=contacts,
    )
    authors = [account.owner_id, *(m for m, _ in members)]
    for age in touch_ages:
        world.templated_activity(account, age=age, kind=_weighted(world, _KIND_WEIGHTS), author=rng.choice(authors),
                                 opportunity_id=deal_id, contacts=contacts)
    return deal_id, account, stage, close_age


# --- contracts ------------------------------------------------------------------------------------------

CONTRACT_TERMS = {
    "zh": dict(
        payment_terms="30% 预付款，60% 到货验收后支付，10% 终验后支付",
        penalty_clause="延期交付每日按合同金额 0.05% 计违约金，累计不超过 5%",
        sla="7x24 小时响应，重大故障 4 小时到场",
        renewal_terms="维保期满前 60 天协商续约，续约价格涨幅不超过 5%",
        clauses=[{"title": "验收标准", "text": "按双方确认的测试用例完成初验和终验。"},
                 {"title": "保密", "text": "双方对项目资料负有保密义务，期限三年。"}],
    ),
    "en": dict(
        payment_terms="30% advance, 60% on delivery acceptance, 10% on final acceptance",
        penalty_clause="Late delivery: 0.05% of contract value per day, capped at 5%",
        sla="24x7 response; 4-hour on-site for critical faults",
        renewal_terms="Renewal negotiated 60 days before support expiry; price increase capped at 5%",
        clauses=[{"title": "Acceptance", "text": "Initial and final acceptance against agreed test cases."},
                 {"title": "Confidentiality", "text": "Both parties keep project information confidential for 3 years."}],
    ),
}
MILESTONE_STEPS = (("方案设计确认", "Design sign-off", 15), ("设备到货", "Equipment delivery", 45),
                   ("安装调试", "Installation", 80), ("终验", "Final acceptance", 120))


def add_background_contracts(world: DemoWorld, deals: list[tuple[int, AccountInfo, str, int]]) -> None:
    """Signed contracts with on-time milestones for recent wins; drafts for a few negotiations."""
    rng = world.rng
    deal_rows = {row["id"]: row for row in world.rows[Opportunity]}
    won = sorted((d for d in deals if d[2] == "closed_won"), key=lambda d: d[3])[:10]
    negotiating = [d for d in deals if d[2] == "negotiation"][:4]
    for deal_id, account, stage, close_age in [*won, *negotiating]:
        deal = deal_rows[deal_id]
        signed = stage == "closed_won"
        start = world.day(close_age) if signed else None
        world.add(Contract, account_id=account.id, opportunity_id=deal_id,
                  title=(deal["name"] + (" 合同" if signed else " 合同（草案）")) if account.lang == "zh"
                  else deal["name_en"] + (" Contract" if signed else " Contract (draft)"),
                  value=round(deal["amount"] * (1 - deal["discount_pct"] / 100), 2), currency=account.currency,
                  start_date=start, end_date=start + timedelta(days=365 * rng.randint(1, 3)) if start else None,
                  signed=signed, **CONTRACT_TERMS[account.lang])
        if signed:
            owner = account.owner_id
            if account.team_id == "team-east":  # east's delivery lead runs it, so she joins the deal team
                owner = "lin.hui"
                if not any(m["opportunity_id"] == deal_id and m["user_id"] == owner for m in world.rows[OpportunityMember]):
                    world.add(OpportunityMember, opportunity_id=deal_id, user_id=owner, role="delivery")
                    world.add_account_member(account.id, owner, "delivery")
            for name, name_en, offset in MILESTONE_STEPS:
                add_on_time_milestone(world, deal_id, name=name, name_en=name_en,
                                      planned_age=close_age - offset, owner=owner)


def add_on_time_milestone(world: DemoWorld, deal_id: int, *, name: str, name_en: str, planned_age: int,
                          owner: str) -> None:
    """Past milestones finished on or before plan; future ones planned (never late, never overdue)."""
    planned: date = world.day(planned_age)
    if planned_age > 0:
        actual: date | None = planned - timedelta(days=world.rng.randint(0, 3))
        status = "done"
    else:
        actual, status = None, "planned"
    world.add(Milestone, opportunity_id=deal_id, name=name, name_en=name_en, planned_date=planned,
              actual_date=actual, owner_id=owner, status=status)

