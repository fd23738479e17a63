"""Delegated access in live mode (issue #10): a rep with their own vendor token is answered by the
vendor as themselves, so the vendor's sharing decides what they see (DealPilot's ownership rules
stay as a second guard); an expired user token asks that user to reconnect and never falls back to
the integration token; the token is never logged."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta, timezone

import pytest

from integrations.crm.remote.errors import CRMUserAuthExpired
from integrations.crm.remote.user_tokens import delete_user_token, save_user_token
from tests.peers import hubspot_peer, salesforce_peer

INTEGRATION = {"hubspot": hubspot_peer.TOKEN, "salesforce": salesforce_peer.SESSION_ID}
_serial = itertools.count(1)
REP = "sun.hao"  # owns accounts and is on the account team of others


def user_token(remote) -> str:  # type: ignore[no-untyped-def]
    """A fresh token per test (the peers are shared by the module)."""
    n = next(_serial)
    return (f"pat-na1-user-{n:04d}-aaaa-bbbb-cccc-dddddddddddd" if remote.name == "hubspot"
            else f"00Dpeer0000000!AQ0AQUserSession{n:04d}xyz")


def connect(remote, user_id: str, email: str, *, view: str = "owned", also: tuple[str, ...] = (),
            expires_at: datetime | None = None) -> str:  # type: ignore[no-untyped-def]
    token = user_token(remote)
    remote.peer.grant_user(token, email, view=view, also=also)
    save_user_token(remote.store, system=remote.name, user_id=user_id, access_token=token,
                    instance_url=remote.peer.url if remote.name == "salesforce" else None, expires_at=expires_at)
    return token


def bearers(remote) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.headers.get("authorization", "") for r in remote.peer.requests}


def account_reads_with(remote, token: str) -> list:  # type: ignore[no-untyped-def]
    """Requests that list, search or read accounts or deals (what decides what the rep sees) with ``token``.

    Looking up an unseen referenced record once to learn its DealPilot id (id links) stays on the
    integration token: it only ever yields an id, never content shown to the user.
    """
    def reads(r) -> bool:  # type: ignore[no-untyped-def]
        if remote.name == "hubspot":
            return r.path.startswith(("/crm/v3/objects/companies", "/crm/v3/objects/deals"))
        soql = str(r.query.get("q", ""))
        return any(f"FROM {o}" in soql or f"RETURNING {o}" in soql for o in ("Account", "Opportunity"))
    return [r for r in remote.peer.requests if r.headers.get("authorization") == f"Bearer {token}" and reads(r)]


def test_connected_rep_gets_the_vendors_restricted_view(remote, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    crm = remote.connect()
    li = crm.viewer_for(REP)
    ours = {a.id: a for a in crm.list_accounts(li)}  # integration token + DealPilot's rules
    owned = {i for i, a in ours.items() if a.owner_id == REP}
    team_only = set(ours) - owned
    assert owned and team_only, "the demo gives this rep accounts they own and accounts they are on the team of"
    hidden = min(team_only)
    assert crm.get_account(li, hidden) is not None

    remote.peer.clear()
    token = connect(remote, REP, crm.get_user(REP).email, view="owned")  # vendor: owned records only
    assert {a.id for a in crm.list_accounts(li)} == owned  # not served from the integration-scoped cache
    assert crm.get_account(li, hidden) is None
    assert crm.list_opportunities(li, account_id=hidden) == []
    assert crm.list_activities(li, account_id=hidden) == []
    mine = min(owned)
    assert crm.get_account(li, mine) is not None and crm.list_opportunities(li, account_id=mine)
    assert f"Bearer {token}" in bearers(remote)
    assert not account_reads_with(remote, INTEGRATION[remote.name]), "accounts were read with the integration token"

    # another rep without a token keeps today's behaviour
    other = next(u for u in crm.list_users() if u.role == "rep" and u.id != REP)
    assert crm.list_accounts(crm.viewer_for(other.id))

    delete_user_token(remote.store, remote.name, REP)  # disconnected: back to DealPilot's rules
    assert {a.id for a in crm.list_accounts(li)} == set(ours)
    assert token not in caplog.text


def test_dealpilot_rules_stay_a_second_guard(remote) -> None:  # type: ignore[no-untyped-def]
    """A user token that the vendor lets see a colleague's accounts still shows only what our rules allow."""
    crm = remote.connect()
    li = crm.viewer_for(REP)
    ours = {a.id for a in crm.list_accounts(li)}
    colleague = next(u for u in crm.list_users() if u.role == "rep" and u.id != REP
                     and not ({a.id for a in crm.list_accounts(crm.viewer_for(u.id))} <= ours))
    connect(remote, REP, crm.get_user(REP).email, view="team", also=(colleague.email,))
    assert {a.id for a in crm.list_accounts(li)} <= ours


def test_writes_go_out_with_the_users_token(remote) -> None:  # type: ignore[no-untyped-def]
    crm = remote.connect(cache_ttl_s=0)
    li = crm.viewer_for(REP)
    token = connect(remote, REP, crm.get_user(REP).email, view="team")
    account = next(a for a in crm.list_accounts(li) if a.owner_id == REP)
    remote.peer.clear()
    note = crm.log_activity(li, account_id=account.id, kind="note", summary="Delegated write check")
    assert note.account_id == account.id
    writes = [r for r in remote.peer.requests if r.method == "POST" and ("notes" in r.path or "sobjects" in r.path)]
    assert writes and all(r.headers["authorization"] == f"Bearer {token}" for r in writes)


def test_expired_user_token_asks_to_reconnect_without_fallback(remote, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    crm = remote.connect(cache_ttl_s=0)
    li = crm.viewer_for(REP)
    token = connect(remote, REP, crm.get_user(REP).email)
    remote.peer.expire_user(token)
    remote.peer.clear()
    with pytest.raises(CRMUserAuthExpired) as err:
        crm.list_accounts(li)
    assert "reconnect" in err.value.en and "Your" in err.value.en
    assert "重新连接" in err.value.zh
    assert token not in err.value.en + err.value.zh
    assert not account_reads_with(remote, INTEGRATION[remote.name]), "fell back to the integration token"
    with pytest.raises(CRMUserAuthExpired):
        crm.get_account(li, 1)
    assert token not in caplog.text


def test_token_past_expiry_is_not_sent(remote) -> None:  # type: ignore[no-untyped-def]
    crm = remote.connect(cache_ttl_s=0)
    li = crm.viewer_for(REP)
    token = connect(remote, REP, crm.get_user(REP).email,
                    expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    remote.peer.clear()
    with pytest.raises(CRMUserAuthExpired):
        crm.list_accounts(li)
    assert f"Bearer {token}" not in bearers(remote) and not account_reads_with(remote, INTEGRATION[remote.name])
