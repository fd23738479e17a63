"""Vendor failures through the real SDKs: 429 retried, 401 / missing scopes / malformed JSON / a
CRM that is down become clear bilingual errors, 404 looks missing, odd field types are tolerated,
the per-viewer cache saves round trips, and the vendor's ownership decides visibility."""

from __future__ import annotations

import socket

import pytest

from bot.errors import ServiceUnavailable
from integrations.crm.demo import STORY_ACCOUNT_IDS, STORY_DEAL_IDS
from integrations.crm.remote.errors import CRMAuthExpired, CRMBadPayload, CRMMissingScopes, CRMUnreachable
from tests.peers import hubspot_peer, salesforce_peer

ACME = STORY_ACCOUNT_IDS["acme"]
READ = {"hubspot": r"^GET /crm/v3/objects/companies/\d+$", "salesforce": r"^GET .*/query/?$"}


def fresh(remote, **overrides):  # type: ignore[no-untyped-def]
    return remote.connect(cache_ttl_s=0, **overrides)


def test_429_is_retried_with_backoff(remote) -> None:  # type: ignore[no-untyped-def]
    crm = fresh(remote)
    li = crm.viewer_for("li.na")
    crm.list_accounts(li)  # links known
    remote.peer.clear()
    remote.peer.fail(READ[remote.name], 429, times=2)
    assert crm.get_account(li, ACME).name_en == "ACME Manufacturing"
    assert len(remote.peer.hits(READ[remote.name])) >= 3


def test_expired_token_is_a_clear_message(remote) -> None:  # type: ignore[no-untyped-def]
    key = {"hubspot": {"access_token": hubspot_peer.EXPIRED_TOKEN},
           "salesforce": {"session_id": salesforce_peer.EXPIRED_SESSION}}[remote.name]
    crm = fresh(remote, **key)
    with pytest.raises(CRMAuthExpired) as err:
        crm.list_accounts(crm.viewer_for("li.na"))
    assert "renew" in err.value.en and "重新授权" in err.value.zh
    assert hubspot_peer.EXPIRED_TOKEN not in err.value.en and "Session" not in err.value.en


def test_missing_scope_names_it(remote) -> None:  # type: ignore[no-untyped-def]
    crm = fresh(remote)
    if remote.name == "hubspot":
        remote.peer.scopes.discard("crm.objects.deals.read")
    else:
        remote.peer.hidden_fields.add("CurrencyIsoCode")
    try:
        with pytest.raises(CRMMissingScopes) as err:
            crm.list_opportunities(crm.viewer_for("li.na"), account_id=ACME)
        assert ("crm.objects.deals.read" if remote.name == "hubspot" else "CurrencyIsoCode") in err.value.en
    finally:
        remote.peer.scopes.add("crm.objects.deals.read") if remote.name == "hubspot" else remote.peer.hidden_fields.clear()


def test_malformed_payload_is_reported_not_crashed(remote) -> None:  # type: ignore[no-untyped-def]
    crm = fresh(remote)
    li = crm.viewer_for("li.na")
    crm.list_accounts(li)
    remote.peer.fail(READ[remote.name], 200, raw=b'{"results": [ {"id": ')
    with pytest.raises(CRMBadPayload) as err:
        crm.get_account(li, ACME)
    assert "could not read" in err.value.en


def test_field_with_unexpected_type_is_ignored(remote) -> None:  # type: ignore[no-untyped-def]
    crm = fresh(remote)
    deal_ext = remote.ids["opportunity"][STORY_DEAL_IDS["acme"]]
    if remote.name == "hubspot":
        remote.peer.objects["deals"][deal_ext]["properties"]["amount"] = "three million"
    else:
        remote.peer.objects["Opportunity"][deal_ext]["Amount"] = {"value": 3}
    try:
        deal = crm.get_opportunity(crm.viewer_for("li.na"), STORY_DEAL_IDS["acme"])
        assert deal is not None and deal.stage == "proposal"  # the rest of the record still comes
    finally:
        if remote.name == "hubspot":
            remote.peer.objects["deals"][deal_ext]["properties"]["amount"] = "3600000.00"
        else:
            remote.peer.objects["Opportunity"][deal_ext]["Amount"] = 3_600_000.0


def test_record_deleted_in_the_vendor_looks_missing(remote) -> None:  # type: ignore[no-untyped-def]
    crm = fresh(remote)
    admin = crm.viewer_for("admin")
    crm.list_accounts(admin)
    contact = remote.crm.list_contacts(admin, ACME)[0]
    assert crm.get_account(admin, ACME) is not None
    remote.peer.fail(READ[remote.name], 404 if remote.name == "hubspot" else 200,
                     body={"totalSize": 0, "done": True, "records": []} if remote.name == "salesforce" else None)
    assert crm.get_account(admin, ACME) is None
    assert contact.account_id == ACME


def test_crm_down_answers_not_reachable(remote, settings) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.console import console_message
    from bot.runtime import Runtime

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}" if remote.name == "hubspot" else f"https://127.0.0.1:{port}"
    crm = fresh(remote, **({"host": url} if remote.name == "hubspot" else {"instance_url": url}))
    with pytest.raises(CRMUnreachable):
        crm.list_accounts(crm.viewer_for("li.na"))
    runtime = Runtime(settings, crm=crm, skills=None)
    try:
        en = runtime.handle(console_message("/insight ACME", user="li.na"))
        zh = runtime.handle(console_message("/insight 艾克米", user="li.na"))
    finally:
        runtime.close()
    assert "not reachable right now" in en.text and en.language == "en"
    assert "暂时连不上" in zh.text and zh.language == "zh"


def test_cache_saves_round_trips_and_writes_clear_it(remote) -> None:  # type: ignore[no-untyped-def]
    crm = remote.crm
    li = crm.viewer_for("li.na")
    crm.get_account(li, ACME)
    remote.peer.clear()
    crm.get_account(li, ACME)
    crm.list_activities(li, account_id=ACME, limit=5)
    crm.list_activities(li, account_id=ACME, limit=5)
    reads = len(remote.peer.requests)
    crm.list_activities(li, account_id=ACME, limit=5)
    assert len(remote.peer.requests) == reads  # cached
    crm.log_activity(li, account_id=ACME, kind="call", subject="Check-in", summary="Called the GM")
    assert crm.list_activities(li, account_id=ACME, limit=1)[0].summary == "Called the GM"


def test_vendor_ownership_decides_visibility(remote) -> None:  # type: ignore[no-untyped-def]
    ext = remote.ids["account"][ACME]
    bob = next(u for u in (remote.crm.source.users()) if u.email == "bob.smith@northstar.example").external_id
    if remote.name == "hubspot":
        props = remote.peer.objects["companies"][ext]["properties"]
        saved = (props["hubspot_owner_id"], props["hs_all_owner_ids"])
        props["hubspot_owner_id"], props["hs_all_owner_ids"] = bob, bob
    else:
        saved_owner = remote.peer.objects["Account"][ext]["OwnerId"]
        remote.peer.objects["Account"][ext]["OwnerId"] = bob
        teams = {k: v for k, v in remote.peer.objects["AccountTeamMember"].items() if v["AccountId"] == ext}
        for k in teams:
            del remote.peer.objects["AccountTeamMember"][k]
    try:
        crm = fresh(remote)
        assert crm.get_account(crm.viewer_for("li.na"), ACME) is None
        assert crm.get_account(crm.viewer_for("bob.smith"), ACME).owner_id == "bob.smith"
        assert crm.get_account(crm.viewer_for("maria.garcia"), ACME) is not None  # bob's manager
        assert ACME not in {a.id for a in crm.list_accounts(crm.viewer_for("zhao.lei"))}
    finally:
        if remote.name == "hubspot":
            props["hubspot_owner_id"], props["hs_all_owner_ids"] = saved
        else:
            remote.peer.objects["Account"][ext]["OwnerId"] = saved_owner
            remote.peer.objects["AccountTeamMember"].update(teams)


def test_service_errors_are_user_facing(remote) -> None:  # type: ignore[no-untyped-def]
    assert issubclass(CRMUnreachable, ServiceUnavailable) and issubclass(CRMBadPayload, ServiceUnavailable)
