"""Personas built from real CRM accounts carry the situation, never the names or the figures."""

from __future__ import annotations

import json
import re

import pytest

from bot.errors import NotFoundOrHidden
from skills.roleplay.anonymize import Anonymizer, rough_amount
from skills.roleplay.persona import persona_from_account


def test_acme_persona_leaks_no_names_or_figures(rp_runtime) -> None:  # type: ignore[no-untyped-def]
    crm = rp_runtime.crm
    viewer = crm.viewer_for("li.na")
    acme = crm.find_accounts(viewer, "ACME")[0]
    persona = persona_from_account(crm, viewer, acme.id)
    text = json.dumps(persona, ensure_ascii=False)

    forbidden = {acme.name_zh, acme.name_en, *acme.aliases, "ACME", "艾克米", "凌云", "Lingyun", "李娜", "li.na"}
    for c in crm.list_contacts(viewer, acme.id):
        forbidden |= {c.name, c.name_en, c.email, c.phone} - {""}
    for d in crm.list_opportunities(viewer, account_id=acme.id):
        forbidden |= {d.name, d.name_en, f"{d.amount:.0f}", f"{d.amount:,.0f}"} - {""}
    leaks = [f for f in forbidden if f and f.lower() in text.lower()]
    assert leaks == []
    assert not re.search(r"\d{2,}", text)  # no exact figures at all
    # the situation survives: industry, region, committee and the planted story's signals
    assert "manufacturer in East China" in text and "华东" in text
    kinds = {f["kind"] for f in persona["facts"]}
    assert {"competitor", "pain"} <= kinds
    assert any("economic buyer" in c for c in persona["persona"]["committee"]["en"])


def test_persona_respects_the_viewer(rp_runtime) -> None:  # type: ignore[no-untyped-def]
    crm = rp_runtime.crm
    acme = crm.find_accounts(crm.viewer_for("li.na"), "ACME")[0]
    with pytest.raises(NotFoundOrHidden):
        persona_from_account(crm, crm.viewer_for("bob.smith"), acme.id)  # another team's account


def test_anonymizer_scrubs_names_numbers_and_contacts() -> None:
    scrub = Anonymizer({"禾安大药房": "该客户", "云药通": "竞争对手"}, language="zh")
    out = scrub.scrub("禾安大药房有420家门店，年费186万元，云药通便宜40%，联系 13812345678 或 a.b@c.com")
    assert "禾安" not in out and "云药通" not in out and not re.search(r"\d", out)
    assert rough_amount(48_000_000, "en") == "tens of millions"
