"""The demo company: volumes, people, consistency, and each planted story's facts read back from the DB.

Every fact is computed from the seeded database (the shared ``demo_db_template``), never taken from
the generator's own bookkeeping, so a generator change that breaks a story fails here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.lang import detect_language
from bot.store import Store
from integrations.crm.bulk import crm_counts
from integrations.crm.demo import (
    STORY_ACCOUNT_IDS,
    STORY_ACCOUNTS,
    STORY_ACCOUNTS_ZH,
    STORY_DEALS,
    CRMNotEmpty,
    demo_present,
    seed_demo,
)
from integrations.crm.demo_stories import hangzhou_close
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

DECISION_MAKERS = ("economic_buyer", "technical_buyer")


def account_by_name(db: Session, key: str) -> Account:
    account = db.exec(select(Account).where(Account.name_en == STORY_ACCOUNTS[key])).one()
    assert account.name_zh == STORY_ACCOUNTS_ZH[key]
    return account


def deal_of(db: Session, key: str) -> Opportunity:
    return db.exec(select(Opportunity).where(Opportunity.name_en == STORY_DEALS[key])).one()


def window(dates: list[date], today: date, start: int, width: int) -> int:
    """How many dates are ``start`` to ``start + width - 1`` days old."""
    return sum(1 for d in dates if start <= (today - d).days < start + width)


def order_dates(db: Session, account_id: int) -> list[date]:
    return list(db.exec(select(Order.order_date).where(Order.account_id == account_id)))


def signal_dates(db: Session, account_id: int) -> list[date]:
    return list(db.exec(select(CompetitorSignal.observed_at).where(CompetitorSignal.account_id == account_id)))


# --- volumes and people -------------------------------------------------------------------------------

def test_volumes_meet_the_issue(db: Session, demo_today: date) -> None:
    counts = crm_counts(db)
    assert counts["crm_team"] == 4
    assert counts["crm_user"] == 21
    assert counts["crm_account"] >= 200
    assert counts["crm_contact"] >= 600
    assert counts["crm_opportunity"] >= 150
    assert counts["crm_activity"] >= 5000
    assert counts["crm_order_line"] >= 20000
    assert counts["crm_competitor_signal"] >= 1000
    assert 18 <= counts["crm_product"] <= 25
    assert counts["crm_contract"] >= 5 and counts["crm_milestone"] >= 14
    first, last = db.exec(select(func.min(Order.order_date), func.max(Order.order_date))).one()
    assert demo_today - timedelta(days=731) <= first <= demo_today - timedelta(days=700)
    assert demo_today - timedelta(days=7) <= last <= demo_today
    reps = db.exec(select(func.count()).select_from(User).where(User.role == "rep", User.title == "sales")).one()
    assert reps >= 12


DEMO_USERS = {  # from docs/DEMO.md: id -> (name, role, title, team)
    "admin": ("系统管理员", "admin", "admin", None),
    "zhao.lei": ("赵磊", "manager", "manager", "team-east"),
    "chen.jing": ("陈静", "manager", "manager", "team-south"),
    "maria.garcia": ("Maria Garcia", "manager", "manager", "team-intl"),
    "liu.yang": ("刘洋", "manager", "manager", "team-gov"),
    "li.na": ("李娜", "rep", "sales", "team-east"), "wang.wei": ("王伟", "rep", "sales", "team-east"),
    "zhang.min": ("张敏", "rep", "sales", "team-east"), "sun.hao": ("孙浩", "rep", "sales", "team-south"),
    "zhou.xin": ("周欣", "rep", "sales", "team-south"), "wu.fang": ("吴芳", "rep", "sales", "team-south"),
    "bob.smith": ("Bob Smith", "rep", "sales", "team-intl"), "alice.chen": ("Alice Chen", "rep", "sales", "team-intl"),
    "david.lee": ("David Lee", "rep", "sales", "team-intl"), "he.jun": ("何军", "rep", "sales", "team-gov"),
    "xu.li": ("徐丽", "rep", "sales", "team-gov"), "guo.qiang": ("郭强", "rep", "sales", "team-gov"),
    "feng.tao": ("冯涛", "rep", "presales", "team-east"), "li.si": ("李四", "rep", "presales", "team-east"),
    "lin.hui": ("林慧", "rep", "delivery", "team-east"), "tang.yu": ("唐宇", "rep", "legal", "team-east"),
}


def test_users_match_demo_md(db: Session) -> None:
    users = {u.id: u for u in db.exec(select(User))}
    assert set(users) == set(DEMO_USERS)
    teams = {t.id: t for t in db.exec(select(Team))}
    for uid, (name, role, title, team) in DEMO_USERS.items():
        u = users[uid]
        assert (u.name, u.role, u.title, u.team_id) == (name, role, title, team), uid
        assert u.email == f"{uid}@northstar.example"
        assert u.language == detect_language(u.name, default="en"), uid
        # manager chain: rep -> team manager -> admin
        if role == "rep":
            assert u.manager_id == teams[team].manager_id
        if role == "manager":
            assert teams[team].manager_id == uid and u.manager_id == "admin"
    assert users["admin"].manager_id is None
    identities = {(c.platform, c.workspace, c.external_id): c.user_id for c in db.exec(select(ChatIdentity))}
    assert identities[("dingtalk", "*", "dt_li_na")] == "li.na"
    assert len(identities) == len(users)
    assert all(ext == "dt_" + uid.replace(".", "_") for (_, _, ext), uid in identities.items())


def test_accounts_are_bilingual_spread_and_owned_by_the_right_team(db: Session) -> None:
    accounts = list(db.exec(select(Account)))
    users = {u.id: u for u in db.exec(select(User))}
    assert {a.industry for a in accounts} >= {"manufacturing", "saas", "retail", "healthcare", "public_sector",
                                              "telecom", "finance", "logistics"}
    assert {a.tier for a in accounts} == {"A", "B", "C"}
    for a in accounts:
        assert detect_language(a.name_zh) == "zh" and a.name_en.isascii(), a.name_en
        assert a.team_id == users[a.owner_id].team_id
        assert (a.country != "CN") == (a.team_id == "team-intl"), a.name_en
    owners = Counter(a.owner_id for a in accounts)
    assert all(owners[u] >= 5 for u, (_, role, title, _) in DEMO_USERS.items() if title == "sales")
    names = [a.name_en for a in accounts] + [a.name_zh for a in accounts]
    assert len(set(names)) == len(names)


def test_deal_team_members_are_account_members(db: Session) -> None:
    deals = {o.id: o for o in db.exec(select(Opportunity))}
    members = {(m.account_id, m.user_id) for m in db.exec(select(AccountMember))}
    for m in db.exec(select(OpportunityMember)):
        deal = deals[m.opportunity_id]
        assert m.user_id == deal.owner_id or (deal.account_id, m.user_id) in members


def test_authors_and_milestone_owners_can_see_their_account(db: Session) -> None:
    """Whoever wrote an activity or owns a milestone is the owner, on the account team, or its manager."""
    accounts = {a.id: a for a in db.exec(select(Account))}
    managers = {t.id: t.manager_id for t in db.exec(select(Team))}
    members: dict[int, set[str]] = defaultdict(set)
    for m in db.exec(select(AccountMember)):
        members[m.account_id].add(m.user_id)

    def can_see(user_id: str, account_id: int) -> bool:
        a = accounts[account_id]
        return user_id in (a.owner_id, managers[a.team_id or ""]) or user_id in members[account_id]

    for account_id, author in db.exec(select(Activity.account_id, Activity.author_id)).all():
        assert can_see(author, account_id), (author, account_id)
    deal_account = dict(db.exec(select(Opportunity.id, Opportunity.account_id)).all())
    for m in db.exec(select(Milestone)):
        assert m.owner_id and can_see(m.owner_id, deal_account[m.opportunity_id]), m.name


def test_child_rows_reference_existing_parents(db: Session) -> None:
    account_ids = set(db.exec(select(Account.id)))
    contact_account = dict(db.exec(select(Contact.id, Contact.account_id)).all())
    deal_account = dict(db.exec(select(Opportunity.id, Opportunity.account_id)).all())
    for model in (Contact, Opportunity, Activity, Order, CompetitorSignal, Contract):
        assert set(db.exec(select(model.account_id))) <= account_ids, model.__tablename__  # type: ignore[attr-defined]
    for oc in db.exec(select(OpportunityContact)):  # a deal's stakeholders work at the deal's account
        assert contact_account[oc.contact_id] == deal_account[oc.opportunity_id]
    for c in db.exec(select(Contact).where(Contact.reports_to_id.is_not(None))):  # type: ignore[union-attr]
        assert contact_account[c.reports_to_id] == c.account_id
    assert set(db.exec(select(Milestone.opportunity_id))) <= set(deal_account)


def test_order_totals_are_the_sum_of_their_lines(db: Session) -> None:
    sums = dict(db.exec(select(OrderLine.order_id, func.sum(OrderLine.amount)).group_by(OrderLine.order_id)).all())
    orders = list(db.exec(select(Order)))
    assert all(o.id in sums for o in orders)
    assert all(abs(o.total_amount - sums[o.id]) < 0.005 for o in orders)
    bad_lines = db.exec(select(func.count()).select_from(OrderLine)
                        .where(func.abs(OrderLine.amount - OrderLine.quantity * OrderLine.unit_price) > 0.005)).one()
    assert bad_lines == 0
    assert set(db.exec(select(OrderLine.product_id))) <= set(db.exec(select(Product.id)))


def test_activity_text_is_in_the_accounts_language(db: Session) -> None:
    country = dict(db.exec(select(Account.id, Account.country)).all())
    kinds = Counter()
    for act in db.exec(select(Activity)):
        kinds[act.kind] += 1
        expected = "zh" if country[act.account_id] == "CN" else "en"
        assert detect_language(act.summary) == expected, act.summary
    assert set(kinds) == {"visit", "call", "email", "meeting", "note", "task"}
    open_tasks = db.exec(select(func.count()).select_from(Activity)
                         .where(Activity.kind == "task", Activity.status == "open")).one()
    assert open_tasks >= 20


def test_competitors_are_the_fictional_four(db: Session) -> None:
    competitors = set(db.exec(select(CompetitorSignal.competitor)))
    assert competitors == {"凌云通信 / Lingyun Comm", "Apex Networks", "星河科技 / Galaxy Tech", "Vertex Systems"}


# --- the planted stories ---------------------------------------------------------------------------------

def test_story_account_ids_are_stable(db: Session) -> None:
    for key, account_id in STORY_ACCOUNT_IDS.items():
        assert account_by_name(db, key).id == account_id


def test_acme_purchase_frequency_fell_while_competitor_mentions_rose(db: Session, demo_today: date) -> None:
    acme = account_by_name(db, "acme")
    assert (acme.owner_id, acme.tier, acme.industry, acme.region) == ("li.na", "A", "manufacturing", "east_china")
    assert {"ACME", "艾克米"} <= set(acme.aliases)
    orders = order_dates(db, acme.id)
    recent, prior = window(orders, demo_today, 0, 90), window(orders, demo_today, 90, 90)
    assert recent < 0.5 * prior, (recent, prior)
    signals = [s for s in db.exec(select(CompetitorSignal).where(CompetitorSignal.account_id == acme.id))]
    dates = [s.observed_at for s in signals if s.competitor == "凌云通信 / Lingyun Comm"]
    last30, prev30 = window(dates, demo_today, 0, 30), window(dates, demo_today, 30, 30)
    assert last30 > 1.4 * prev30 > 0, (last30, prev30)
    assert window(dates, demo_today, 0, 90) > window(dates, demo_today, 90, 90)
    deal = deal_of(db, "acme")
    assert (deal.account_id, deal.stage, deal.name) == (acme.id, "proposal", "ACME 工厂网络扩容")


def test_5g_deal_has_seven_stakeholders_and_no_finance(db: Session, demo_today: date) -> None:
    jseg = account_by_name(db, "jseg")
    assert jseg.owner_id == "wang.wei" and {"苏能集团", "JSEG"} <= set(jseg.aliases)
    deal = deal_of(db, "jseg")
    assert deal.name == "江苏能源5G专网项目（12城）" and "5G专网项目" in deal.name
    assert (deal.amount, deal.currency, deal.stage, deal.is_key) == (48_000_000, "CNY", "negotiation", True)
    team = {m.user_id: m.role for m in db.exec(select(OpportunityMember).where(OpportunityMember.opportunity_id == deal.id))}
    assert team == {"wang.wei": "owner", "feng.tao": "presales", "li.si": "presales", "lin.hui": "delivery",
                    "tang.yu": "legal"}
    stakeholders = list(db.exec(select(Contact).join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
                                .where(OpportunityContact.opportunity_id == deal.id)))
    assert len(stakeholders) == 7
    assert "finance" not in {c.committee_role for c in stakeholders}
    assert all(c.influence and c.attitude for c in stakeholders)
    assert sum(c.reports_to_id is None for c in stakeholders) == 1
    assert db.exec(select(func.count()).select_from(Contact)
                   .where(Contact.account_id == jseg.id, Contact.committee_role == "finance")).one() == 0
    contract = db.exec(select(Contract).where(Contract.opportunity_id == deal.id)).one()
    assert contract.payment_terms and contract.penalty_clause and contract.sla and contract.renewal_terms
    milestones = list(db.exec(select(Milestone).where(Milestone.opportunity_id == deal.id)))
    cities = {m.name.removesuffix("站点开通") for m in milestones if m.name.endswith("站点开通")}
    assert len(cities) == 12
    late = [m for m in milestones if m.actual_date is not None and m.actual_date > m.planned_date]
    overdue = [m for m in milestones if m.actual_date is None and m.planned_date < demo_today]
    assert len(late) == 1 and len(overdue) == 1
    assert late[0].name == "苏州站点开通" and overdue[0].name == "无锡站点开通"


def test_globex_negotiation_went_silent_75_days_ago(db: Session, demo_today: date) -> None:
    globex = account_by_name(db, "globex")
    assert (globex.owner_id, globex.team_id) == ("bob.smith", "team-intl")
    deal = deal_of(db, "globex")
    assert (deal.amount, deal.currency, deal.stage) == (2_500_000, "USD", "negotiation")
    newest = db.exec(select(func.max(Activity.occurred_at)).where(Activity.account_id == globex.id)).one()
    assert (demo_today - newest.date()).days == 75
    on_deal = list(db.exec(select(Activity).where(Activity.opportunity_id == deal.id)))
    assert len(on_deal) == 1 and (demo_today - on_deal[0].occurred_at.date()).days == 75


def test_no_other_negotiation_is_silent(db: Session, demo_today: date) -> None:
    last = dict(db.exec(select(Activity.opportunity_id, func.max(Activity.occurred_at))
                        .where(Activity.opportunity_id.is_not(None)).group_by(Activity.opportunity_id)).all())  # type: ignore[union-attr]
    globex_deal = deal_of(db, "globex").id
    for deal in db.exec(select(Opportunity).where(Opportunity.stage == "negotiation")):
        if deal.id != globex_deal:
            assert (demo_today - last[deal.id].date()).days < 45, deal.name_en


def test_umbrella_is_the_only_deep_discount(db: Session) -> None:
    umbrella = account_by_name(db, "umbrella")
    assert (umbrella.owner_id, umbrella.team_id) == ("sun.hao", "team-south")
    deep = list(db.exec(select(Opportunity).where(Opportunity.discount_pct >= 25)))
    assert [(d.name_en, d.stage, d.discount_pct) for d in deep] == [("Umbrella Store Network Refresh", "proposal", 30.0)]


def test_stark_has_one_decision_maker(db: Session) -> None:
    stark = account_by_name(db, "stark")
    assert (stark.owner_id, stark.team_id) == ("alice.chen", "team-intl")
    deal = deal_of(db, "stark")
    assert (deal.amount, deal.currency, deal.stage) == (12_000_000, "USD", "proposal")
    roles = list(db.exec(select(Contact.committee_role).join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
                         .where(OpportunityContact.opportunity_id == deal.id)))
    assert len(roles) == 2 and sum(r in DECISION_MAKERS for r in roles) == 1


def test_other_open_deals_have_two_decision_makers(db: Session) -> None:
    roles: dict[int, list[str]] = defaultdict(list)
    for oc, role in db.exec(select(OpportunityContact, Contact.committee_role)
                            .join(Contact, Contact.id == OpportunityContact.contact_id)):
        roles[oc.opportunity_id].append(role)
    stark = deal_of(db, "stark").id
    for deal in db.exec(select(Opportunity).where(Opportunity.stage.in_(["proposal", "negotiation"]))):  # type: ignore[attr-defined]
        if deal.id != stark:
            assert sum(r in DECISION_MAKERS for r in roles[deal.id]) >= 2, deal.name_en


def test_hangzhou_closes_before_the_fiscal_year_ends(db: Session, demo_today: date) -> None:
    bureau = account_by_name(db, "hangzhou")
    assert (bureau.industry, bureau.team_id, bureau.owner_id) == ("public_sector", "team-gov", "he.jun")
    deal = deal_of(db, "hangzhou")
    assert deal.stage == "proposal"
    assert demo_today <= deal.expected_close <= date(demo_today.year, 12, 31)
    notes = list(db.exec(select(Activity.summary).where(Activity.opportunity_id == deal.id)))
    assert sum("预算" in n or "财政" in n for n in notes) >= 2


@pytest.mark.parametrize(("today", "expected"), [(date(2025, 3, 1), date(2025, 12, 20)),
                                                 (date(2025, 12, 20), date(2025, 12, 31))])
def test_hangzhou_close_date_rule(today: date, expected: date) -> None:
    assert hangzhou_close(today) == expected


def test_huakang_is_healthy(db: Session, demo_today: date) -> None:
    huakang = account_by_name(db, "huakang")
    assert (huakang.industry, huakang.team_id, huakang.owner_id) == ("healthcare", "team-south", "zhou.xin")
    orders = order_dates(db, huakang.id)
    for start in range(0, 720, 30):  # every 30-day window of the two years has orders, and the same number
        assert window(orders, demo_today, start, 30) == 3
    assert signal_dates(db, huakang.id) == []
    newest = db.exec(select(func.max(Activity.occurred_at)).where(Activity.account_id == huakang.id)).one()
    assert (demo_today - newest.date()).days <= 7


def test_no_background_account_looks_like_acme(db: Session, demo_today: date) -> None:
    """Purchase drops and competitor surges belong to ACME alone (stable background rhythms)."""
    acme_id = account_by_name(db, "acme").id
    orders: dict[int, list[date]] = defaultdict(list)
    for account_id, d in db.exec(select(Order.account_id, Order.order_date)):
        orders[account_id].append(d)
    signals: dict[int, list[date]] = defaultdict(list)
    for account_id, d in db.exec(select(CompetitorSignal.account_id, CompetitorSignal.observed_at)):
        signals[account_id].append(d)
    for account_id in set(db.exec(select(Account.id))) - {acme_id}:
        o, s = orders[account_id], signals[account_id]
        prior = window(o, demo_today, 90, 90)
        assert window(o, demo_today, 0, 90) >= 0.7 * prior, account_id
        assert window(s, demo_today, 0, 30) <= window(s, demo_today, 30, 30), account_id
        assert window(s, demo_today, 0, 90) <= window(s, demo_today, 90, 90), account_id


def test_every_background_account_was_touched_recently(db: Session, demo_today: date) -> None:
    globex = account_by_name(db, "globex").id
    newest = dict(db.exec(select(Activity.account_id, func.max(Activity.occurred_at))
                          .where(Activity.kind != "task").group_by(Activity.account_id)).all())
    assert len(newest) == 200
    quiet = {a for a, at in newest.items() if (demo_today - at.date()).days >= 30}
    assert quiet == {globex}


def test_no_milestone_is_late_outside_the_5g_deal(db: Session, demo_today: date) -> None:
    five_g = deal_of(db, "jseg").id
    for m in db.exec(select(Milestone).where(Milestone.opportunity_id != five_g)):
        assert m.actual_date is None or m.actual_date <= m.planned_date
        assert m.actual_date is not None or m.planned_date >= demo_today


# --- seeding behaviour -------------------------------------------------------------------------------------

def _dump(store: Store) -> dict[str, list[tuple]]:
    from integrations.crm.local.models import ALL_TABLES

    with Session(store.engine) as s:
        return {m.__tablename__: [tuple(r) for r in s.execute(select(m.__table__).order_by(*m.__table__.primary_key))]  # type: ignore[attr-defined]
                for m in ALL_TABLES}


def test_same_seed_and_day_give_identical_data(tmp_path: Path) -> None:
    today = date(2025, 6, 30)
    stores = [Store.open(f"sqlite:///{tmp_path / f'{i}.db'}") for i in range(3)]
    seed_demo(stores[0], today=today, seed=7)
    seed_demo(stores[1], today=today, seed=7)
    seed_demo(stores[2], today=today, seed=8)
    first, second, other = (_dump(s) for s in stores)
    assert first == second
    assert first["crm_activity"] != other["crm_activity"]
    assert first["crm_user"] == other["crm_user"]  # the people are fixed, the history is random
    for s in stores:
        s.dispose()


def test_reseeding_refuses_without_force_and_changes_nothing(demo_copy: Store) -> None:
    assert demo_present(demo_copy)
    before = _dump(demo_copy)
    with pytest.raises(CRMNotEmpty) as err:
        seed_demo(demo_copy, seed=99)
    assert "--force" in err.value.en and "--force" in err.value.zh
    assert _dump(demo_copy) == before


def test_force_wipes_and_reseeds(demo_copy: Store, demo_today: date) -> None:
    with demo_copy.session() as s:
        s.add(Account(name_zh="临时客户", name_en="Scratch Account", industry="retail", region="east_china",
                      owner_id="li.na"))
    summary = seed_demo(demo_copy, today=demo_today, force=True)
    with Session(demo_copy.engine) as s:
        counts = crm_counts(s)
        assert s.exec(select(Account).where(Account.name_en == "Scratch Account")).first() is None
    assert counts["crm_account"] == summary.accounts == 200
    assert counts["crm_order_line"] == summary.order_lines


def test_refuses_a_crm_that_holds_other_data(empty_store: Store) -> None:
    with empty_store.session() as s:
        s.add(User(id="someone", name="Someone", email="someone@example.com"))
    assert not demo_present(empty_store)
    with pytest.raises(CRMNotEmpty):
        seed_demo(empty_store)
    with Session(empty_store.engine) as s:
        assert crm_counts(s)["crm_account"] == 0
