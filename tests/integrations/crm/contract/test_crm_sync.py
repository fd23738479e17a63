"""Sync mode against both peers: a first full pull into an empty CRM that crashes halfway and
resumes without duplicates, incremental changes and deletions, and the same brief afterwards."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, delete, select

from bot.errors import ServiceUnavailable
from integrations.crm.demo import STORY_ACCOUNT_IDS, STORY_DEAL_IDS
from integrations.crm.local import models as m
from integrations.crm.local.crm import LocalCRM
from integrations.crm.sync import Syncer
from integrations.crm.sync_state import SyncCursor
from skills.insight.brief import build_brief

VENDOR_TABLES = (m.Account, m.AccountMember, m.Contact, m.Opportunity, m.OpportunityMember, m.OpportunityContact,
                 m.Activity)


def counts(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with Session(store.engine) as s:
        return {t.__tablename__: s.exec(select(func.count()).select_from(t)).one() for t in VENDOR_TABLES}


def source_of(remote):  # type: ignore[no-untyped-def]
    return remote.crm.source


@pytest.fixture(autouse=True)
def bigger_pages(seeded_peers):  # type: ignore[no-untyped-def]
    """Sync pages of 200 (HubSpot's search maximum) keep these tests quick."""
    peer = seeded_peers["hubspot"][0]
    peer.page_cap = 200
    yield
    peer.page_cap = 37


def test_first_sync_crashes_halfway_and_resumes_without_duplicates(remote, demo_db_template, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.store import Store

    original = Store.open(f"sqlite:///{demo_db_template}", migrate_schema=False)
    kinds = ("account", "contact", "opportunity")  # activities: the slow full-sync parity test
    expected = {k: v for k, v in counts(original).items() if k != "crm_activity"}
    with Session(remote.store.engine) as s:  # an embedded CRM that holds only users, orders, signals...
        for table in VENDOR_TABLES:
            s.exec(delete(table))
        s.commit()
    assert set(counts(remote.store).values()) == {0}
    syncer = Syncer(source_of(remote), remote.store, page_size=200)
    # the 5th contact page fails for good (every retry): the run stops with a clear error
    pattern = r"search|/query" if remote.name == "hubspot" else r"/query"
    calls = {"n": 0}
    seen: list[tuple[str, int, int | None]] = []
    def progress(kind: str, done: int, total: int | None) -> None:
        seen.append((kind, done, total))
        calls["n"] += 1
        if kind == "contact" and calls["n"] >= 4 and not remote.peer.faults:
            remote.peer.fail(pattern, 503, times=100)
    with pytest.raises(ServiceUnavailable):
        syncer.run(kinds, progress=progress)
    state = syncer.state("contact")
    assert state.status == "running" and state.page_token and state.records > 0
    partial = counts(remote.store)
    assert partial["crm_account"] == expected["crm_account"] and 0 < partial["crm_contact"] < expected["crm_contact"]
    remote.peer.clear()
    saved_token = state.page_token
    report = Syncer(source_of(remote), remote.store, page_size=200).run(kinds)
    assert report.kinds[1].resumed and report.kinds[1].kind == "contact"
    if remote.name == "salesforce":  # resumed on the saved query locator, not from the first page
        first = next(r for r in remote.peer.requests if "/queryAll/" in r.path)
        assert saved_token.split("|", 1)[1].endswith(first.path.rsplit("/", 1)[1])
    else:
        first = next(r for r in remote.peer.requests if r.path.endswith("/contacts/search"))
        assert str(first.body.get("after")) == saved_token.split("|")[2]
    assert {k: v for k, v in counts(remote.store).items() if k != "crm_activity"} == expected  # nothing twice
    assert seen and seen[0][2] == 200  # the first full run knew its total (progress bar)
    # the synced CRM answers like the original one for what the vendor owns
    li = LocalCRM(remote.store).viewer_for("li.na")
    acme = LocalCRM(remote.store).get_account(li, STORY_ACCOUNT_IDS["acme"])
    assert (acme.name_en, acme.owner_id, acme.tier) == ("ACME Manufacturing", "li.na", "A")
    wang = LocalCRM(remote.store).viewer_for("wang.wei")
    team = {x.user.id for x in LocalCRM(remote.store).opportunity_team(wang, STORY_DEAL_IDS["jseg"])}
    assert team == {"wang.wei", "feng.tao", "li.si", "lin.hui", "tang.yu"}
    assert len(LocalCRM(remote.store).opportunity_contacts(wang, STORY_DEAL_IDS["jseg"])) == 7
    original.dispose()


def test_incremental_sync_pulls_changes_and_deletions(remote, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    kinds = ("account", "contact", "opportunity")  # activities are covered by the full-sync test
    Syncer(source_of(remote), remote.store, page_size=500).run(kinds=kinds)
    before = counts(remote.store)
    acme_deal, globex = STORY_DEAL_IDS["acme"], STORY_ACCOUNT_IDS["globex"]
    contact_id = next(iter(remote.ids["contact"]))
    if remote.name == "hubspot":
        remote.peer.update("deals", remote.ids["opportunity"][acme_deal], amount="3900000")
        remote.peer.archive("contacts", remote.ids["contact"][contact_id])
    else:
        remote.peer.update("Opportunity", remote.ids["opportunity"][acme_deal], Amount=3_900_000.0)
        remote.peer.delete("Contact", remote.ids["contact"][contact_id])
    try:
        report = Syncer(source_of(remote), remote.store, page_size=500).run(kinds=kinds)
        by_kind = {k.kind: k for k in report.kinds}
        assert not report.full
        assert by_kind["contact"].deleted == 1
        # only what changed since the cursor comes again (demo rows stamped later today count as changed)
        assert 1 <= by_kind["opportunity"].upserted < 10
        assert by_kind["account"].upserted < 10
        local = LocalCRM(remote.store)
        admin = local.viewer_for("admin")
        assert local.get_opportunity(admin, acme_deal).amount == 3_900_000
        assert local.get_opportunity(admin, acme_deal).discount_pct == 8  # what the vendor lacks stays
        after = counts(remote.store)
        assert after["crm_contact"] == before["crm_contact"] - 1
        assert build_brief(local, local.viewer_for("bob.smith"), globex, today=demo_today) is not None
        with Session(remote.store.engine) as s:
            cursors = s.exec(select(SyncCursor).where(SyncCursor.system == remote.name)).all()
        assert {c.kind for c in cursors} == set(kinds)
        assert all(c.status == "idle" and c.cursor is not None for c in cursors)
    finally:  # the peers are shared by the module: put the records back
        if remote.name == "hubspot":
            remote.peer.update("deals", remote.ids["opportunity"][acme_deal], amount="3600000.00")
            remote.peer.objects["contacts"][remote.ids["contact"][contact_id]]["archived"] = False
        else:
            remote.peer.update("Opportunity", remote.ids["opportunity"][acme_deal], Amount=3_600_000.0)
            remote.peer.update("Contact", remote.ids["contact"][contact_id], IsDeleted=False)


def brief_view(brief, lang: str):  # type: ignore[no-untyped-def]
    """What the reader sees: the rendered reply, in one language."""
    from skills.insight.render import render_brief

    reply = render_brief(brief, lang)  # type: ignore[arg-type]
    return reply.text, [repr(b) for b in reply.blocks]


@pytest.mark.slow
def test_synced_crm_gives_the_same_brief(remote, demo_db_template, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    from bot.store import Store

    Syncer(source_of(remote), remote.store, page_size=500).run()
    original = Store.open(f"sqlite:///{demo_db_template}", migrate_schema=False)
    synced, ref = LocalCRM(remote.store), LocalCRM(original)
    for key, account_id in STORY_ACCOUNT_IDS.items():
        viewer = ref.viewer_for("admin")
        a = build_brief(synced, viewer, account_id, today=demo_today)
        b = build_brief(ref, viewer, account_id, today=demo_today)
        for lang in ("zh", "en"):
            assert brief_view(a, lang) == brief_view(b, lang), key
    original.dispose()
