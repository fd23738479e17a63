"""The CRM contract: every implementation (embedded, HubSpot, Salesforce) passes these same tests.

Facts come from docs/DEMO.md; broader comparisons use the embedded CRM over the untouched demo as
the oracle. A new connector is accepted when it passes this module with its own backend.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.errors import NotFoundOrHidden
from integrations.crm.demo import STORY_ACCOUNT_IDS, STORY_DEAL_IDS
from integrations.crm.local.crm import LocalCRM

ACME, JSEG, GLOBEX, STARK = (STORY_ACCOUNT_IDS[k] for k in ("acme", "jseg", "globex", "stark"))
JSEG_DEAL = STORY_DEAL_IDS["jseg"]


def oracle(backend):  # type: ignore[no-untyped-def]
    return LocalCRM(backend.store)


def test_users_and_viewers(backend) -> None:  # type: ignore[no-untyped-def]
    crm = backend.crm
    manager = crm.viewer_for("zhao.lei")
    assert manager is not None and manager.role == "manager" and manager.managed_team_ids == frozenset({"team-east"})
    assert crm.find_user_by_email("LI.NA@northstar.example").id == "li.na"
    assert crm.viewer_for("nobody") is None
    assert len(crm.list_users()) == 21


@pytest.mark.parametrize("user", ["li.na", "zhao.lei", "bob.smith", "feng.tao", "admin"])
def test_visible_accounts_match_the_sharing_rules(backend, user: str) -> None:  # type: ignore[no-untyped-def]
    viewer = backend.crm.viewer_for(user)
    got = {a.id for a in backend.crm.list_accounts(viewer)}
    assert got == {a.id for a in oracle(backend).list_accounts(viewer)}
    assert (ACME in got) == (user in ("li.na", "zhao.lei", "feng.tao", "admin"))
    assert (GLOBEX in got) == (user in ("bob.smith", "admin"))
    if user == "admin":
        assert len(got) == 200


def test_hidden_records_look_missing(backend) -> None:  # type: ignore[no-untyped-def]
    crm, li = backend.crm, backend.crm.viewer_for("li.na")
    assert crm.get_account(li, GLOBEX) is None
    assert crm.get_account(li, 987654) is None
    assert crm.list_contacts(li, GLOBEX) == []
    assert crm.list_opportunities(li, account_id=GLOBEX) == []
    assert crm.get_opportunity(li, STORY_DEAL_IDS["globex"]) is None
    assert crm.opportunity_team(li, STORY_DEAL_IDS["globex"]) == []
    assert crm.opportunity_contacts(li, STORY_DEAL_IDS["globex"]) == []
    assert crm.list_activities(li, account_id=GLOBEX) == []
    assert crm.list_orders(li, GLOBEX) == [] and crm.list_competitor_signals(li, GLOBEX) == []
    assert crm.get_contract(li, STORY_DEAL_IDS["globex"]) is None
    assert crm.list_milestones(li, STORY_DEAL_IDS["globex"]) == []
    assert all(o.account_id != GLOBEX for o in crm.list_opportunities(li))


def test_account_fields(backend) -> None:  # type: ignore[no-untyped-def]
    acme = backend.crm.get_account(backend.crm.viewer_for("li.na"), ACME)
    assert acme is not None
    assert (acme.name_en, acme.name_zh, acme.owner_id, acme.tier, acme.industry, acme.country, acme.team_id) == (
        "ACME Manufacturing", "艾克米制造", "li.na", "A", "manufacturing", "CN", "team-east")
    assert {"ACME", "艾克米"} <= set(acme.aliases)


@pytest.mark.parametrize("query", ["ACME", "acme manu", "艾克米"])
def test_find_accounts(backend, query: str) -> None:  # type: ignore[no-untyped-def]
    li = backend.crm.viewer_for("li.na")
    assert [a.id for a in backend.crm.find_accounts(li, query)] == [ACME]
    assert backend.crm.find_accounts(li, "Globex") == []
    assert backend.crm.find_accounts(li, "  ") == []


def test_contacts_and_buying_committee(backend) -> None:  # type: ignore[no-untyped-def]
    crm, wang = backend.crm, backend.crm.viewer_for("wang.wei")
    def key(c):  # type: ignore[no-untyped-def]
        return (c.id, c.account_id, c.name, c.title, c.email, c.phone, c.committee_role, c.reports_to_id)
    assert [key(c) for c in crm.list_contacts(wang, JSEG)] == [key(c) for c in oracle(backend).list_contacts(wang, JSEG)]
    committee = crm.opportunity_contacts(wang, JSEG_DEAL)
    assert len(committee) == 7
    assert {c.committee_role for c in committee} == {"economic_buyer", "technical_buyer", "champion", "user",
                                                     "influencer", "gatekeeper", "legal"}
    assert {c.name for c in committee} >= {"周国平", "马文博", "林静怡"}


def test_deal_fields_and_team(backend) -> None:  # type: ignore[no-untyped-def]
    crm, wang = backend.crm, backend.crm.viewer_for("wang.wei")
    deal = crm.get_opportunity(wang, JSEG_DEAL)
    assert deal is not None and "5G专网项目" in deal.name
    assert (deal.account_id, deal.stage, deal.amount, deal.currency, deal.owner_id, deal.discount_pct, deal.is_key) == (
        JSEG, "negotiation", 48_000_000, "CNY", "wang.wei", 12, True)
    assert deal.expected_close == oracle(backend).get_opportunity(wang, JSEG_DEAL).expected_close
    team = {m.user.id: m.role for m in crm.opportunity_team(wang, JSEG_DEAL)}
    assert team == {"wang.wei": "owner", "feng.tao": "presales", "li.si": "presales", "lin.hui": "delivery",
                    "tang.yu": "legal"}


def test_open_deals_of_an_account(backend) -> None:  # type: ignore[no-untyped-def]
    li = backend.crm.viewer_for("li.na")
    open_deals = backend.crm.list_opportunities(li, account_id=ACME, open_only=True)
    assert [(d.name_en, d.stage, d.amount) for d in open_deals] == [("ACME Plant Network Expansion", "proposal", 3_600_000)]
    every = backend.crm.list_opportunities(li, account_id=ACME)
    assert any(d.stage == "closed_won" and d.name_en == "ACME Line 2 Network" for d in every)
    assert {d.id for d in backend.crm.list_opportunities(li)} == {d.id for d in oracle(backend).list_opportunities(li)}


def test_activities_newest_first(backend, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    crm, bob = backend.crm, backend.crm.viewer_for("bob.smith")
    deal = crm.list_activities(bob, opportunity_id=STORY_DEAL_IDS["globex"])
    assert [(a.kind, (demo_today - a.occurred_at.date()).days) for a in deal] == [("email", 75)]
    assert crm.list_activities(bob, account_id=GLOBEX, limit=1)[0].id == deal[0].id
    li = crm.viewer_for("li.na")
    def key(a):  # type: ignore[no-untyped-def]
        return (a.id, a.kind, a.occurred_at, a.author_id, a.subject, a.summary, a.opportunity_id, a.status, a.due_date)
    got = crm.list_activities(li, account_id=ACME, since=demo_today - timedelta(days=60))
    assert [key(a) for a in got] == [key(a) for a in oracle(backend).list_activities(li, account_id=ACME,
                                                                                   since=demo_today - timedelta(days=60))]
    assert [a.occurred_at for a in got] == sorted((a.occurred_at for a in got), reverse=True)
    assert len(crm.list_activities(li, account_id=ACME, limit=3)) == 3
    deal_touches = crm.list_activities(li, opportunity_id=STORY_DEAL_IDS["acme"])
    assert deal_touches and all(a.opportunity_id == STORY_DEAL_IDS["acme"] for a in deal_touches)


def test_orders_signals_contracts_milestones(backend) -> None:  # type: ignore[no-untyped-def]
    crm, wang = backend.crm, backend.crm.viewer_for("wang.wei")
    ref = oracle(backend)
    assert crm.get_contract(wang, JSEG_DEAL).value == 42_240_000
    milestones = crm.list_milestones(wang, JSEG_DEAL)
    assert len(milestones) == 14 and milestones == ref.list_milestones(wang, JSEG_DEAL)
    li = crm.viewer_for("li.na")
    assert crm.list_orders(li, ACME) == ref.list_orders(li, ACME)
    assert crm.list_competitor_signals(li, ACME) == ref.list_competitor_signals(li, ACME)


def test_log_activity_and_task(backend, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    crm, li = backend.crm, backend.crm.viewer_for("li.na")
    note = crm.log_activity(li, account_id=ACME, kind="note", subject="Renewal", summary="Buyer confirmed renewal intent")
    assert (note.account_id, note.kind, note.author_id, note.summary) == (ACME, "note", "li.na", "Buyer confirmed renewal intent")
    newest = crm.list_activities(li, account_id=ACME, limit=1)[0]
    assert (newest.id, newest.summary, newest.subject) == (note.id, "Buyer confirmed renewal intent", "Renewal")
    due = demo_today + timedelta(days=7)
    task = crm.create_task(li, account_id=ACME, subject="Send the value comparison", due_date=due,
                           opportunity_id=STORY_DEAL_IDS["acme"])
    assert (task.kind, task.status, task.due_date, task.opportunity_id) == ("task", "open", due, STORY_DEAL_IDS["acme"])
    assert any(a.id == task.id for a in crm.list_activities(li, opportunity_id=STORY_DEAL_IDS["acme"]))
    if backend.peer is not None:
        assert len(backend.peer.hits(r"^POST .*(/crm/v3/objects/(notes|tasks)|/sobjects/Task)/?$")) == 2


def test_writes_to_hidden_records_change_nothing(backend) -> None:  # type: ignore[no-untyped-def]
    crm, li = backend.crm, backend.crm.viewer_for("li.na")
    before = len(oracle(backend).list_activities(crm.viewer_for("admin"), account_id=GLOBEX))
    with pytest.raises(NotFoundOrHidden):
        crm.log_activity(li, account_id=GLOBEX, kind="note", summary="should not land")
    with pytest.raises(NotFoundOrHidden):
        crm.create_task(li, account_id=GLOBEX, subject="nope", due_date=None)
    assert len(crm.list_activities(crm.viewer_for("admin"), account_id=GLOBEX)) == before
    if backend.peer is not None:
        assert backend.peer.hits(r"^POST .*(/crm/v3/objects/\w+|/sobjects/\w+)/?$") == []
