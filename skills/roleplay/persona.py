"""Build a practice persona from a real CRM account, anonymised, as a draft scenario for trainers.

Reads through the ``CRM`` interface as the given viewer (a rep can only turn accounts they may see
into practice material), then keeps the situation — industry, region, size, buying committee,
deal stage, competitive pressure, order trend — and drops the identity: names and exact figures.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.errors import NotFoundOrHidden
from bot.lang import Language, pick
from integrations.crm.base import CRM
from integrations.crm.viewer import Viewer
from skills.roleplay.anonymize import Anonymizer, person_labels, rough_amount, rough_days

INDUSTRY = {
    "manufacturing": ("制造企业", "manufacturer"), "retail": ("零售企业", "retailer"),
    "healthcare": ("医疗企业", "healthcare company"), "public_sector": ("政府机构", "public-sector body"),
    "energy": ("能源企业", "energy company"), "finance": ("金融机构", "financial institution"),
    "logistics": ("物流企业", "logistics company"), "technology": ("科技企业", "technology company"),
}
REGION = {"east_china": ("华东", "East China"), "south_china": ("华南", "South China"), "north_china": ("华北", "North China")}
STAGE = {"prospecting": ("线索", "prospecting"), "qualification": ("需求确认", "qualification"),
         "proposal": ("方案", "proposal"), "negotiation": ("谈判", "negotiation")}
_CJK = re.compile(r"[\u4e00-\u9fff]")
ROLE = {
    "economic_buyer": ("预算决策人", "economic buyer"), "technical_buyer": ("技术把关人", "technical buyer"),
    "champion": ("内部支持者", "champion"), "user": ("使用部门", "user"), "influencer": ("影响者", "influencer"),
    "gatekeeper": ("把关人", "gatekeeper"), "legal": ("法务", "legal"), "finance": ("财务", "finance"),
}


def persona_from_account(crm: CRM, viewer: Viewer, account_id: int, *, today: date | None = None) -> dict[str, Any]:
    """A bilingual, anonymised persona draft (``persona`` + ``facts``) for one visible account."""
    account = crm.get_account(viewer, account_id)
    if account is None:
        raise NotFoundOrHidden(zh="我找不到你有权限查看的这个客户。", en="I can't find an account you have access to.")
    today = today or date.today()
    contacts = crm.list_contacts(viewer, account_id)
    deals = crm.list_opportunities(viewer, account_id=account_id, open_only=True)
    all_signals = crm.list_competitor_signals(viewer, account_id)
    signals = [s for s in all_signals if s.observed_at >= today - timedelta(days=60)]
    orders = crm.list_orders(viewer, account_id, since=today - timedelta(days=180))
    activities = crm.list_activities(viewer, account_id=account_id, limit=5)

    out: dict[str, Any] = {"persona": {}, "facts": [], "source": "account (anonymised)"}
    for language in ("zh", "en"):
        lang: Language = language  # type: ignore[assignment]
        scrub = _anonymizer(crm, account, contacts, deals, all_signals, lang)
        industry = _label(INDUSTRY, account.industry, lang)
        region = _label(REGION, account.region, lang)
        buyer = next((c for c in contacts if c.committee_role == "economic_buyer"), contacts[0] if contacts else None)
        persona = out["persona"]
        persona.setdefault("company", {})[lang] = pick(lang, f"{region}一家{industry}（{account.tier}类客户）", f"a {industry} in {region} (tier {account.tier})")
        persona.setdefault("role", {})[lang] = _title(buyer, scrub, lang)
        persona.setdefault("name", {})[lang] = pick(lang, "客户代表", "The customer")
        labels = person_labels([(c.name, c.name_en) for c in contacts], lang)
        committee = [f"{labels[c.name]}: {_title(c, scrub, lang)} / {_label(ROLE, c.committee_role, lang)}" for c in contacts[:6]]
        persona.setdefault("committee", {})[lang] = committee
        facts = out.setdefault("_facts_" + lang, [])
        for d in deals:
            days = (d.expected_close - today).days if d.expected_close else 180
            facts.append(("budget", pick(lang, f"在谈的项目规模在{rough_amount(d.amount, lang)}，目前处于{_label(STAGE, d.stage, lang)}阶段。",
                                          f"The open project is worth {rough_amount(d.amount, lang)} and sits at the {d.stage} stage.")))
            facts.append(("timing", pick(lang, f"希望{rough_days(days, lang)}定下来。", f"They want to decide {rough_days(days, lang)}.")))
            if d.discount_pct >= 10:
                facts.append(("need", pick(lang, "对价格很敏感，在要求较大的折扣。", "Very price-sensitive and pushing for a large discount.")))
        if len(signals) >= 3:
            facts.append(("competitor", pick(lang, "最近有竞争对手在积极接触他们。", "A competitor has been actively courting them lately.")))
        if orders:
            half = today - timedelta(days=90)
            recent = sum(1 for o in orders if o.order_date >= half)
            before = len(orders) - recent
            if before and recent < before * 0.5:
                facts.append(("pain", pick(lang, "最近一个季度的采购频次明显下降。", "Purchases dropped sharply over the last quarter.")))
        for a in activities[:3]:
            if a.summary:
                facts.append(("context", scrub.scrub(a.summary)))
    zh, en = out.pop("_facts_zh"), out.pop("_facts_en")
    out["facts"] = [{"kind": k, "text": {"zh": z, "en": e}} for (k, z), (_, e) in zip(zh, en)]
    return out


def _anonymizer(crm: CRM, account: Any, contacts: list[Any], deals: list[Any], signals: list[Any], language: Language) -> Anonymizer:
    company = pick(language, "该客户", "the customer")
    names: dict[str, str] = {n: company for n in (account.name_zh, account.name_en, *account.aliases)}
    for d in deals:
        names[d.name] = names[d.name_en or d.name] = pick(language, "该项目", "the project")
    names.update(person_labels([(c.name, c.name_en) for c in contacts], language))
    for u in crm.list_users():
        for n in (u.name, u.name_en, u.id):
            if n:
                names[n] = pick(language, "我方同事", "our colleague")
    for s in signals:
        for variant in [s.competitor, *s.competitor.split("/")]:
            names[variant.strip()] = pick(language, "竞争对手", "a competitor")
    return Anonymizer(names, language=language)


def _title(contact: Any, scrub: Anonymizer, language: Language) -> str:
    """The contact's job title; in English, the committee role when the title is Chinese."""
    if contact is None:
        return pick(language, "采购负责人", "Head of Purchasing")
    title = scrub.scrub(contact.title or "")
    if language == "en" and (not title or _CJK.search(title)):
        return _label(ROLE, contact.committee_role, language)
    return title or _label(ROLE, contact.committee_role, language)


def _label(table: dict[str, tuple[str, str]], key: str, language: Language) -> str:
    zh, en = table.get(key, (key, key.replace("_", " ")))
    return pick(language, zh, en)
