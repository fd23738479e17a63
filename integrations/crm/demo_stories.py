"""The seven planted stories of docs/DEMO.md, built with exact, unambiguous numbers.

Skills, rules, war-rooms and evals are tested against these facts, so each one is placed well
clear of window boundaries (e.g. ACME's orders avoid the days around 90 and 180 days ago) and the
background never competes with them (see ``demo_background``). Ages are days before "today".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from integrations.crm.demo_background import (
    add_flat_signals,
    add_on_time_milestone,
    add_steady_orders,
    add_touches,
)
from integrations.crm.demo_world import AccountInfo, DemoWorld
from integrations.crm.local.models import Account, Contract, Milestone, Opportunity


@dataclass(frozen=True)
class Story:
    """A planted account and its headline deal, with fixed ids so tests can look them up."""

    key: str
    account_id: int
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    industry: str
    region: str
    country: str
    tier: str
    owner: str
    deal_id: int
    deal_zh: str
    deal_en: str


STORIES: tuple[Story, ...] = (
    Story("acme", 1, "艾克米制造", "ACME Manufacturing", ("ACME", "艾克米"), "manufacturing", "east_china", "CN",
          "A", "li.na", 1, "ACME 工厂网络扩容", "ACME Plant Network Expansion"),
    Story("jseg", 2, "江苏省能源集团", "Jiangsu Energy Group", ("苏能集团", "JSEG", "江苏能源"), "public_sector",
          "east_china", "CN", "A", "wang.wei", 2, "江苏能源5G专网项目（12城）",
          "Jiangsu Energy 5G Private Network (12 cities)"),
    Story("globex", 3, "环球科技", "Globex Corporation", ("Globex",), "manufacturing", "americas", "US", "A",
          "bob.smith", 3, "Globex 全球部署", "Globex Global Rollout"),
    Story("umbrella", 4, "伞牌零售", "Umbrella Retail", ("Umbrella", "伞牌"), "retail", "south_china", "CN", "B",
          "sun.hao", 4, "Umbrella 门店网络改造", "Umbrella Store Network Refresh"),
    Story("stark", 5, "斯塔克工业", "Stark Industries", ("Stark", "斯塔克"), "manufacturing", "americas", "US", "A",
          "alice.chen", 5, "斯塔克智能工厂", "Stark Smart Factory"),
    Story("hangzhou", 6, "杭州市数据资源局", "Hangzhou Data Resources Bureau", ("杭州数据局", "Hangzhou Data Bureau"),
          "public_sector", "east_china", "CN", "A", "he.jun", 6, "杭州城市大脑网络升级",
          "Hangzhou City Brain Network Upgrade"),
    Story("huakang", 7, "华康医药", "Huakang Pharma", ("华康",), "healthcare", "south_china", "CN", "B",
          "zhou.xin", 7, "华康 GMP 车间无线网络", "Huakang GMP Workshop Wireless Network"),
)
STORY_BY_KEY = {s.key: s for s in STORIES}

# Facts the tests and evals check (computed back from the database, never read from here alone).
JSEG_DEAL_AMOUNT = 48_000_000.0
GLOBEX_DEAL_AMOUNT = 2_500_000.0
GLOBEX_SILENT_DAYS = 75
UMBRELLA_DISCOUNT = 30.0
STARK_DEAL_AMOUNT = 12_000_000.0
ACME_COMPETITOR = "凌云通信 / Lingyun Comm"
JSEG_CITIES: tuple[tuple[str, str], ...] = (
    ("南京", "Nanjing"), ("苏州", "Suzhou"), ("无锡", "Wuxi"), ("常州", "Changzhou"), ("南通", "Nantong"),
    ("扬州", "Yangzhou"), ("镇江", "Zhenjiang"), ("泰州", "Taizhou"), ("徐州", "Xuzhou"), ("盐城", "Yancheng"),
    ("淮安", "Huai'an"), ("连云港", "Lianyungang"),
)

# (name, name_en, title, committee role, influence, attitude, index of the contact they report to)
_People = tuple[tuple[str, str, str, str, str, str, int | None], ...]
_CONTACTS: dict[str, _People] = {
    "acme": (
        ("王建国", "Wang Jianguo", "总经理", "economic_buyer", "high", "neutral", None),
        ("刘海涛", "Liu Haitao", "IT 总监", "technical_buyer", "high", "supporter", 0),
        ("陈晓", "Chen Xiao", "采购经理", "gatekeeper", "medium", "opponent", 0),
        ("张丽", "Zhang Li", "生产部经理", "champion", "medium", "supporter", 0),
        ("孙磊", "Sun Lei", "财务总监", "finance", "medium", "neutral", 0),
    ),
    "jseg": (  # seven stakeholders, deliberately no finance contact (the coverage gap)
        ("周国平", "Zhou Guoping", "集团副总经理", "economic_buyer", "high", "neutral", None),
        ("吴海峰", "Wu Haifeng", "信息中心主任", "technical_buyer", "high", "supporter", 0),
        ("郑晓东", "Zheng Xiaodong", "网络部经理", "champion", "medium", "supporter", 1),
        ("钱立新", "Qian Lixin", "生产调度中心主任", "user", "medium", "neutral", 0),
        ("马文博", "Ma Wenbo", "安全生产部部长", "influencer", "medium", "opponent", 0),
        ("黄丽华", "Huang Lihua", "招标采购部经理", "gatekeeper", "medium", "neutral", 0),
        ("林静怡", "Lin Jingyi", "法务部经理", "legal", "low", "neutral", 0),
    ),
    "globex": (
        ("Karen Whitfield", "Karen Whitfield", "COO", "economic_buyer", "high", "neutral", None),
        ("John Miller", "John Miller", "CIO", "technical_buyer", "high", "supporter", 0),
        ("Priya Nair", "Priya Nair", "Procurement Director", "gatekeeper", "medium", "neutral", 0),
        ("Tom Becker", "Tom Becker", "Network Operations Lead", "champion", "medium", "supporter", 1),
    ),
    "umbrella": (
        ("黄志强", "Huang Zhiqiang", "总经理", "economic_buyer", "high", "neutral", None),
        ("杨婷婷", "Yang Tingting", "IT 总监", "technical_buyer", "high", "supporter", 0),
        ("何淑芬", "He Shufen", "财务总监", "finance", "high", "opponent", 0),
        ("罗俊杰", "Luo Junjie", "门店运营经理", "user", "medium", "supporter", 0),
    ),
    "stark": (  # a 12M deal with one decision-maker mapped: the thin committee
        ("Helen Park", "Helen Park", "COO", "economic_buyer", "high", "supporter", None),
        ("Ray Collins", "Ray Collins", "Plant IT Manager", "user", "medium", "supporter", 0),
    ),
    "hangzhou": (
        ("许振华", "Xu Zhenhua", "局长", "economic_buyer", "high", "neutral", None),
        ("宋明辉", "Song Minghui", "信息处处长", "technical_buyer", "high", "supporter", 0),
        ("梁红霞", "Liang Hongxia", "财务处处长", "finance", "high", "neutral", 0),
        ("曹鹏飞", "Cao Pengfei", "采购中心主任", "gatekeeper", "medium", "neutral", 0),
    ),
    "huakang": (
        ("郭德明", "Guo Deming", "总经理", "economic_buyer", "high", "supporter", None),
        ("谢宇航", "Xie Yuhang", "信息部经理", "technical_buyer", "high", "supporter", 0),
        ("韩玉兰", "Han Yulan", "财务总监", "finance", "medium", "supporter", 0),
        ("邓子轩", "Deng Zixuan", "生产部经理", "champion", "medium", "supporter", 1),
        ("曹晓燕", "Cao Xiaoyan", "采购经理", "gatekeeper", "medium", "neutral", 0),
    ),
}
_DOMAINS = {"acme": "acme-mfg.example", "jseg": "js-energy.example", "globex": "globex.example",
            "umbrella": "umbrella-retail.example", "stark": "stark-industries.example",
            "hangzhou": "hz-data.example", "huakang": "huakang-pharma.example"}


def story_names() -> set[str]:
    """Every name and alias of the stories and competitors: background names must avoid them."""
    names: set[str] = {"凌云", "Lingyun", "Apex", "星河", "Galaxy", "Vertex", "Northstar", "北辰"}
    for s in STORIES:
        names.update((s.name_zh, s.name_en, *s.aliases))
    return names


def _account(world: DemoWorld, story: Story) -> AccountInfo:
    account = world.add_account(
        name_zh=story.name_zh, name_en=story.name_en, aliases=list(story.aliases), industry=story.industry,
        region=story.region, country=story.country, tier=story.tier, owner_id=story.owner, brand_zh=story.name_zh,
        brand_en=story.name_en, domain=_DOMAINS[story.key], account_id=story.account_id, created_age=1200,
    )
    ids: list[int] = []
    for name, name_en, title, role, influence, attitude, boss in _CONTACTS[story.key]:
        local = ".".join(reversed(name_en.lower().split())) if story.country == "CN" else name_en.lower().replace(" ", ".")
        ids.append(world.add_contact(account, name=name, name_en=name_en, title=title, role=role, influence=influence,
                                     attitude=attitude, reports_to=None if boss is None else ids[boss],
                                     email_local=local))
    return account


def _deal(world: DemoWorld, story: Story, account: AccountInfo, *, stage: str, amount: float, discount: float,
          expected: date, products: list[str], created: int, stage_age: int, updated: int,
          members: list[tuple[str, str]] | None = None, contacts: list[int] | None = None,
          is_key: bool = False) -> int:
    return world.add_deal(account, name=story.deal_zh, name_en=story.deal_en, stage=stage, amount=amount,
                          expected_close=expected, discount_pct=discount, products=products, created_age=created,
                          stage_age=stage_age, updated_age=updated, members=members or [],
                          contacts=account.contacts if contacts is None else contacts, is_key=is_key,
                          deal_id=story.deal_id)


def _log(world: DemoWorld, account: AccountInfo, entries: list[tuple[int, str, str, str, str, int | None]],
         deal_id: int | None) -> None:
    """Hand-written activities: (age, kind, author, subject, summary, contact index)."""
    for age, kind, author, subject, summary, contact in entries:
        world.add_activity(account, age=age, kind=kind, author=author, subject=subject, summary=summary,
                           opportunity_id=deal_id, contact_id=None if contact is None else account.contacts[contact])


def _past_win(world: DemoWorld, account: AccountInfo, *, name: str, name_en: str, amount: float, close_age: int,
              products: list[str]) -> None:
    """An earlier won deal with a signed contract and on-time milestones: a healthy history."""
    from integrations.crm.demo_background import CONTRACT_TERMS, MILESTONE_STEPS

    deal_id = world.add_deal(account, name=name, name_en=name_en, stage="closed_won", amount=amount,
                             expected_close=world.day(close_age), discount_pct=5, products=products,
                             created_age=close_age + 120, stage_age=close_age, updated_age=close_age,
                             members=[], contacts=account.contacts[:2])
    for age in (close_age + 100, close_age + 40, close_age + 5):
        world.templated_activity(account, age=age, kind="meeting", author=account.owner_id,
                                 opportunity_id=deal_id, contacts=account.contacts[:2])
    world.add(Contract, account_id=account.id, opportunity_id=deal_id, title=f"{name} 合同", value=amount * 0.95,
              currency=account.currency, start_date=world.day(close_age),
              end_date=world.day(close_age) + timedelta(days=3 * 365), signed=True, **CONTRACT_TERMS["zh"])
    for step, step_en, offset in MILESTONE_STEPS:
        add_on_time_milestone(world, deal_id, name=step, name_en=step_en, planned_age=close_age - offset,
                              owner=account.owner_id)


# --- 1. ACME: renewal risk -----------------------------------------------------------------------------

ACME_ORDER_AGES_RECENT = (6, 19, 33, 47, 61, 76)  # 6 orders in the last 90 days ...
ACME_ORDER_AGES_PRIOR = tuple(range(97, 174, 4))  # ... vs 20 in the 90 days before: -70%
ACME_SIGNAL_AGES_30 = (2, 5, 8, 11, 15, 19, 23, 27)  # 8 mentions in the last 30 days ...
ACME_SIGNAL_AGES_60 = (34, 40, 46, 52, 57)  # ... vs 5 in the 30 before: +60%
ACME_SIGNAL_AGES_90 = (66, 80)
ACME_SIGNAL_AGES_PRIOR = (95, 113, 131, 149, 167)  # 15 in the last 90 days vs 5 in the 90 before


def acme(world: DemoWorld) -> None:
    story = STORY_BY_KEY["acme"]
    account = _account(world, story)
    add_touches(world, account, per_month=3.0, oldest=729, newest=12)
    for age in (*range(729, 186, -4), *reversed(ACME_ORDER_AGES_PRIOR), *reversed(ACME_ORDER_AGES_RECENT)):
        world.add_order(account, age=age)
    for age in (*range(725, 185, -30), *ACME_SIGNAL_AGES_PRIOR, *ACME_SIGNAL_AGES_90, *ACME_SIGNAL_AGES_60,
                *ACME_SIGNAL_AGES_30):
        recent = age < 60
        world.add_signal(account, age=age, competitor=ACME_COMPETITOR,
                         source="customer_mention" if recent and age % 2 else ("sales_note" if recent else None),
                         intensity=4 if age < 30 else (3 if recent else 2))
    for age in (540, 320):
        world.add_signal(account, age=age, competitor="Apex Networks", intensity=1)
    deal = _deal(world, story, account, stage="proposal", amount=3_600_000, discount=8, expected=world.day(-40),
                 products=["SW-CORE", "SW-IND", "WIFI-AP6", "SVC-DEPLOY"], created=120, stage_age=35, updated=3,
                 members=[("feng.tao", "presales")], contacts=account.contacts[:4])
    _log(world, account, [
        (115, "meeting", "li.na", "扩容需求沟通", "与刘海涛讨论新厂区网络扩容需求，预计覆盖三条产线。", 1),
        (80, "visit", "feng.tao", "现场勘测", "冯涛完成新厂区现场勘测，输出初步拓扑。", 1),
        (60, "email", "li.na", "发送方案", "向刘海涛发送工厂网络扩容方案 V1。", 1),
        (35, "meeting", "li.na", "方案汇报", "向王建国汇报扩容方案，客户要求补充 TCO 对比。", 0),
        (3, "email", "li.na", "发送 TCO 对比", "发送扩容方案与 TCO 对比给刘海涛，回应凌云通信的低价方案。", 1),
    ], deal)
    _log(world, account, [
        (52, "note", "li.na", "竞品动态", "采购经理陈晓透露凌云通信近期多次上门，报价比我们低约 15%。", 2),
        (24, "call", "li.na", "订单下降", "与王建国通话：今年产线扩建放缓，备件采购明显减少。", 0),
        (9, "visit", "li.na", "拜访 IT 部门", "拜访刘海涛，客户正在评估凌云通信的 SD-WAN 方案。", 1),
    ], None)
    _past_win(world, account, name="ACME 二期产线网络", name_en="ACME Line 2 Network", amount=2_200_000,
              close_age=420, products=["SW-IND", "IOT-GW"])


# --- 2. Jiangsu Energy: the 5G war-room deal ------------------------------------------------------------

def jseg(world: DemoWorld) -> None:
    story = STORY_BY_KEY["jseg"]
    account = _account(world, story)
    add_touches(world, account, per_month=2.0, oldest=729, newest=5)
    add_steady_orders(world, account, per_month=2.0)
    add_flat_signals(world, account, per_month=0.6)
    deal = _deal(world, story, account, stage="negotiation", amount=JSEG_DEAL_AMOUNT, discount=12,
                 expected=world.day(-45), is_key=True, created=260, stage_age=40, updated=2,
                 products=["5G-CORE-E", "5G-BBU", "5G-RRU", "5G-SCELL", "SW-IND", "SVC-DEPLOY", "SVC-SUPPORT"],
                 members=[("feng.tao", "presales"), ("li.si", "presales"), ("lin.hui", "delivery"),
                          ("tang.yu", "legal")])
    _log(world, account, [
        (250, "visit", "wang.wei", "项目启动", "初次拜访周国平，集团计划在 12 个地市建设 5G 专网。", 0),
        (220, "meeting", "feng.tao", "技术交流", "与吴海峰团队技术交流，关注核心网下沉和安全隔离。", 1),
        (190, "meeting", "li.si", "试点设计", "完成南京试点方案设计，郑晓东确认覆盖范围。", 2),
        (160, "visit", "wang.wei", "安全顾虑", "拜访马文博，安全生产部对无线替代有线有顾虑。", 4),
        (130, "meeting", "feng.tao", "方案评审", "方案评审通过，进入商务阶段。", 1),
        (100, "email", "wang.wei", "12 城报价", "向黄丽华发送 12 城报价，折扣 12%。", 5),
        (70, "meeting", "tang.yu", "合同条款", "合同条款谈判：付款节点与违约金上限。", 6),
        (45, "call", "lin.hui", "苏州延期", "苏州站点开通延期，原因是机房改造未完成。", 2),
        (40, "meeting", "wang.wei", "进入谈判", "进入合同谈判，客户要求延长质保到三年。", 0),
        (25, "call", "lin.hui", "无锡受阻", "无锡站点交付受阻，射频设备到货延迟。", 3),
        (14, "email", "tang.yu", "合同修订", "发送合同修订稿（SLA 与续约条款）给林静怡。", 6),
        (7, "meeting", "wang.wei", "招标流程", "与黄丽华确认招标流程和时间表。", 5),
        (2, "call", "wang.wei", "签约时间", "与郑晓东沟通，客户希望本月完成合同签署。", 2),
    ], deal)
    start = world.day(-45)
    world.add(Contract, account_id=account.id, opportunity_id=deal, title="江苏能源5G专网项目合同",
              value=JSEG_DEAL_AMOUNT * 0.88, currency="CNY", start_date=start,
              end_date=start + timedelta(days=3 * 365), signed=False,
              payment_terms="10% 预付款；按地市分批到货验收支付 60%；全网终验后支付 25%；5% 质保金一年后支付",
              penalty_clause="单个地市延期交付，每日按该地市合同金额 0.1% 计违约金，累计不超过合同总额 10%",
              sla="核心网可用性 99.99%；重大故障 2 小时响应、4 小时恢复；南京 7x24 驻场支持",
              renewal_terms="维保三年，期满前 90 天协商续约，续约价格涨幅不超过 3%",
              clauses=[{"title": "先行启动函", "text": "南京、苏州、无锡试点在合同签署前依据先行启动函实施。"},
                       {"title": "数据安全", "text": "核心网数据不出园区，满足等保三级要求。"},
                       {"title": "验收标准", "text": "每个地市单独初验，12 城全部开通后全网终验。"}])
    _jseg_milestones(world, deal)


def _jseg_milestones(world: DemoWorld, deal: int) -> None:
    """Design review and Nanjing on time, Suzhou finished 15 days late, Wuxi overdue, the rest ahead."""
    def add(name: str, name_en: str, planned: int, actual: int | None, status: str, owner: str) -> None:
        world.add(Milestone, opportunity_id=deal, name=name, name_en=name_en, planned_date=world.day(planned),
                  actual_date=None if actual is None else world.day(actual), owner_id=owner, status=status)

    add("整体方案设计评审", "Overall design review", 120, 122, "done", "feng.tao")
    plan: dict[str, tuple[int, int | None, str]] = {
        "南京": (60, 62, "done"), "苏州": (45, 30, "done"), "无锡": (20, None, "in_progress"),
    }
    future = iter(range(-15, -200, -20))
    for city, city_en in JSEG_CITIES:
        planned, actual, status = plan[city] if city in plan else (next(future), None, "planned")
        add(f"{city}站点开通", f"{city_en} site go-live", planned, actual, status, "lin.hui")
    add("全网终验", "Network-wide final acceptance", -240, None, "planned", "lin.hui")


# --- 3. Globex: stale negotiation -------------------------------------------------------------------------

def globex(world: DemoWorld) -> None:
    story = STORY_BY_KEY["globex"]
    account = _account(world, story)
    add_touches(world, account, per_month=2.5, oldest=729, newest=GLOBEX_SILENT_DAYS + 15)
    add_steady_orders(world, account, per_month=2.0)
    add_flat_signals(world, account, per_month=0.5)
    deal = _deal(world, story, account, stage="negotiation", amount=GLOBEX_DEAL_AMOUNT, discount=15,
                 expected=world.day(-30), created=220, stage_age=95, updated=GLOBEX_SILENT_DAYS,
                 products=["SDW-CTRL", "SDW-EDGE-M", "SDW-LIC-Y", "SVC-DEPLOY"], contacts=None)
    # The only activity on the deal, and the newest on the whole account.
    _log(world, account, [
        (GLOBEX_SILENT_DAYS, "email", "bob.smith", "Revised pricing",
         "Sent revised pricing (15% discount) and MSA redlines to Karen Whitfield; awaiting procurement feedback.", 0),
    ], deal)
    world.add(Contract, account_id=account.id, opportunity_id=deal, title="Globex Global Rollout Contract (draft)",
              value=GLOBEX_DEAL_AMOUNT * 0.85, currency="USD", signed=False,
              payment_terms="40% on signature, 50% on site acceptance, 10% net 60 after final acceptance",
              penalty_clause="Service credits up to 10% of the annual fee for missed SLA",
              sla="99.95% availability per site; 4-hour response for P1 incidents",
              renewal_terms="Auto-renews yearly unless cancelled 90 days before term end",
              clauses=[{"title": "Governing law", "text": "Laws of the State of New York."}])


# --- 4. Umbrella: the 30% discount --------------------------------------------------------------------------

def umbrella(world: DemoWorld) -> None:
    story = STORY_BY_KEY["umbrella"]
    account = _account(world, story)
    add_touches(world, account, per_month=1.8, oldest=729, newest=8)
    add_steady_orders(world, account, per_month=1.6)
    add_flat_signals(world, account, per_month=0.5)
    deal = _deal(world, story, account, stage="proposal", amount=2_800_000, discount=UMBRELLA_DISCOUNT,
                 expected=world.day(-35), created=90, stage_age=20, updated=5,
                 products=["SDW-EDGE-S", "SDW-LIC-Y", "WIFI-AP6", "SVC-DEPLOY"])
    _log(world, account, [
        (85, "visit", "sun.hao", "门店网络现状", "拜访杨婷婷，了解 320 家门店的网络现状和改造计划。", 1),
        (50, "meeting", "sun.hao", "方案交流", "向黄志强介绍门店 SD-WAN 改造方案。", 0),
        (20, "email", "sun.hao", "发送报价", "发送报价：应客户财务要求给出 30% 折扣（待经理审批）。", 2),
        (5, "call", "sun.hao", "折扣压力", "何淑芬要求维持 30% 折扣，否则考虑其他供应商。", 2),
    ], deal)


# --- 5. Stark: the thin committee ----------------------------------------------------------------------------

def stark(world: DemoWorld) -> None:
    story = STORY_BY_KEY["stark"]
    account = _account(world, story)
    add_touches(world, account, per_month=1.5, oldest=729, newest=10)
    add_steady_orders(world, account, per_month=1.2)
    add_flat_signals(world, account, per_month=0.4)
    deal = _deal(world, story, account, stage="proposal", amount=STARK_DEAL_AMOUNT, discount=10,
                 expected=world.day(-75), created=150, stage_age=30, updated=8,
                 products=["5G-CORE-E", "5G-BBU", "5G-RRU", "IOT-SAAS-Y", "IOT-GW", "SVC-DEPLOY"])
    _log(world, account, [
        (140, "meeting", "alice.chen", "Discovery", "Discovery session with Helen Park on the smart factory program.", 0),
        (100, "visit", "alice.chen", "Plant tour", "Toured the plant with Ray Collins; mapped the coverage areas.", 1),
        (60, "meeting", "alice.chen", "Solution workshop", "Solution workshop with Ray Collins's IT team.", 1),
        (30, "email", "alice.chen", "Proposal sent", "Sent the smart factory proposal to Helen Park.", 0),
        (8, "call", "alice.chen", "Proposal follow-up",
         "Helen Park asked for a phased rollout; no other executives engaged yet.", 0),
    ], deal)


# --- 6. Hangzhou Data Bureau: the budget cycle ---------------------------------------------------------------

def hangzhou_close(today: date) -> date:
    """Before the fiscal year ends: Dec 20, or Dec 31 when less than a week of the year is left."""
    dec20 = date(today.year, 12, 20)
    return dec20 if today + timedelta(days=7) <= dec20 else date(today.year, 12, 31)


def hangzhou(world: DemoWorld) -> None:
    story = STORY_BY_KEY["hangzhou"]
    account = _account(world, story)
    add_touches(world, account, per_month=1.5, oldest=729, newest=10)
    add_steady_orders(world, account, per_month=1.0)
    add_flat_signals(world, account, per_month=0.4)
    deal = _deal(world, story, account, stage="proposal", amount=6_500_000, discount=5,
                 expected=hangzhou_close(world.today), created=130, stage_age=25, updated=4,
                 products=["SW-CORE", "SW-ACC48", "SDW-CTRL", "SVC-DEPLOY"])
    _log(world, account, [
        (120, "visit", "he.jun", "预算立项", "拜访许振华，城市大脑网络升级已列入本年度财政预算。", 0),
        (90, "meeting", "he.jun", "需求调研", "与宋明辉确认全市 13 个区县节点的升级需求。", 1),
        (60, "note", "he.jun", "预算周期", "财政预算批复：资金须在 12 月 31 日前完成支付，否则难以结转到下一年度。", 2),
        (25, "email", "he.jun", "采购论证", "向曹鹏飞发送采购需求论证材料，准备公开招标。", 3),
        (4, "call", "he.jun", "年底节点", "梁红霞提醒：财政资金须在年底前完成招标、合同签署和首付款。", 2),
    ], deal)


# --- 7. Huakang: the healthy control ---------------------------------------------------------------------------

HUAKANG_ORDER_AGES = tuple(range(3, 730, 10))  # every ten days for two years: three orders in any 30 days


def huakang(world: DemoWorld) -> None:
    story = STORY_BY_KEY["huakang"]
    account = _account(world, story)
    add_touches(world, account, per_month=2.5, oldest=729, newest=6)
    for age in reversed(HUAKANG_ORDER_AGES):
        world.add_order(account, age=age)
    deal = _deal(world, story, account, stage="qualification", amount=1_800_000, discount=5,
                 expected=world.day(-90), created=45, stage_age=15, updated=3,
                 products=["WIFI-AP6", "WIFI-AC", "SW-ACC48"], members=[], contacts=account.contacts[:4])
    _log(world, account, [
        (40, "visit", "zhou.xin", "需求沟通", "拜访郭德明，GMP 车间需要全覆盖无线网络。", 0),
        (15, "meeting", "zhou.xin", "技术交流", "与谢宇航、邓子轩技术交流，确认 AP 点位。", 1),
        (3, "call", "zhou.xin", "预算确认", "韩玉兰确认项目预算已批，下月启动采购。", 2),
    ], deal)
    _past_win(world, account, name="华康 仓储物联网", name_en="Huakang Warehouse IoT", amount=1_200_000,
              close_age=300, products=["IOT-GW", "IOT-SENSOR", "IOT-SAAS-Y"])


STORY_BUILDERS = (acme, jseg, globex, umbrella, stark, hangzhou, huakang)


def add_stories(world: DemoWorld) -> None:
    """Build the seven stories; their accounts get ids 1-7 and their headline deals ids 1-7."""
    world.reserve_ids(Account, len(STORIES))
    world.reserve_ids(Opportunity, len(STORIES))
    for build in STORY_BUILDERS:
        build(world)
