"""Through the chat (HubSpot live mode, real runtime): a rep whose own CRM token expired is told, in
the question's language, to reconnect; the token never reaches the reply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.runtime import Runtime
from integrations.crm.demo import STORY_ACCOUNT_IDS
from integrations.crm.local.crm import LocalCRM
from integrations.crm.remote.user_tokens import save_user_token
from tests.conftest import make_settings
from tests.peers import hubspot_peer

USER_TOKEN = "pat-na1-chat-user-0000-1111-2222-333333333333"


@pytest.fixture
def hubspot_runtime(tmp_path: Path, demo_db_template: Path, seeded_peers):  # type: ignore[no-untyped-def]
    peer, _ = seeded_peers["hubspot"]
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_db_template, home / "dealpilot.db")
    rt = Runtime(make_settings(home, crm="hubspot", hubspot_host=peer.url,
                               hubspot_access_token=hubspot_peer.TOKEN))
    yield rt, peer
    rt.close()


def test_expired_user_token_reply_asks_to_reconnect(hubspot_runtime) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.console import console_message

    runtime, peer = hubspot_runtime
    acme = STORY_ACCOUNT_IDS["acme"]
    local = LocalCRM(runtime.store)
    owner = local.get_account(local.viewer_for("admin"), acme).owner_id
    peer.grant_user(USER_TOKEN, local.get_user(owner).email)
    peer.expire_user(USER_TOKEN)
    save_user_token(runtime.store, system="hubspot", user_id=owner, access_token=USER_TOKEN)
    for text, expected in (("ACME Manufacturing 最近怎么样？", "重新连接"),
                           ("How is ACME Manufacturing doing?", "reconnect")):
        reply = runtime.handle(console_message(text, user=owner))
        assert expected in reply.text, reply.text
        assert USER_TOKEN not in reply.text
