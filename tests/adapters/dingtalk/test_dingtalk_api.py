"""The OpenAPI client against the local peer: token cache and refresh, 401 recovery, 429 backoff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from peers.dingtalk_peer import DingTalkPeer

from bot.adapters.dingtalk.api import DingTalkApiError, OpenApi, RetryPolicy, safe_url
from bot.adapters.dingtalk.token import AccessTokenCache

SEND = "/v1.0/robot/oToMessages/batchSend"


def _body(peer: DingTalkPeer) -> dict[str, object]:
    return {
        "robotCode": peer.robot_code,
        "userIds": ["dt_li_na"],
        "msgKey": "sampleMarkdown",
        "msgParam": '{"title": "t", "text": "hi"}',
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def api(peer: DingTalkPeer, clock: FakeClock, sleeps: list[float]) -> Iterator[OpenApi]:
    client = OpenApi(
        base_url=peer.base_url,
        client_id=peer.client_id,
        client_secret=peer.client_secret,
        retry=RetryPolicy(attempts=4, base_s=0.01, max_s=0.2),
        token_margin_s=300,
        clock=clock,
        sleep=sleeps.append,
    )
    yield client
    client.close()


def test_token_is_cached_and_refreshed_before_expiry(
    peer: DingTalkPeer, api: OpenApi, clock: FakeClock
) -> None:
    api.call("POST", SEND, _body(peer))
    api.call("POST", SEND, _body(peer))
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 1
    tokens = {c.token for c in peer.calls_to(SEND)}
    assert len(tokens) == 1
    clock.now += 7200 - 300 - 1  # just before the refresh margin
    api.call("POST", SEND, _body(peer))
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 1
    clock.now += 2  # inside the margin: refreshed although DingTalk would still accept the old one
    api.call("POST", SEND, _body(peer))
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 2
    assert peer.calls_to(SEND)[-1].token not in tokens


def test_expired_token_is_refreshed_once_on_401(peer: DingTalkPeer, api: OpenApi) -> None:
    api.call("POST", SEND, _body(peer))
    peer.expire_tokens()
    api.call("POST", SEND, _body(peer))
    statuses = [c.status for c in peer.calls_to(SEND)]
    assert statuses == [200, 401, 200]
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 2


def test_throttled_call_is_retried_with_backoff(
    peer: DingTalkPeer, api: OpenApi, sleeps: list[float]
) -> None:
    peer.fail_next(SEND, status=429, times=2)
    api.call("POST", SEND, _body(peer))
    assert [c.status for c in peer.calls_to(SEND)] == [429, 429, 200]
    assert sleeps == [0.01, 0.02]  # doubling
    assert len(peer.messages) == 1


def test_retry_after_is_honoured_but_capped(peer: DingTalkPeer, api: OpenApi, sleeps: list[float]) -> None:
    peer.fail_next(SEND, status=429, times=1, retry_after=0.15)
    api.call("POST", SEND, _body(peer))
    assert sleeps == [0.15]
    peer.fail_next(SEND, status=429, times=1, retry_after=60)
    api.call("POST", SEND, _body(peer))
    assert sleeps[-1] == 0.2


def test_persistent_throttling_gives_up_with_a_clear_error(peer: DingTalkPeer, api: OpenApi) -> None:
    peer.fail_next(SEND, status=429, times=10)
    with pytest.raises(DingTalkApiError) as err:
        api.call("POST", SEND, _body(peer))
    assert err.value.status == 429 and "QpsLimit" in err.value.code
    assert len(peer.calls_to(SEND)) == 4
    assert peer.messages == []


def test_bad_request_is_not_retried_and_names_the_code(peer: DingTalkPeer, api: OpenApi) -> None:
    body = _body(peer) | {"robotCode": "wrong"}
    with pytest.raises(DingTalkApiError, match="invalidRobotCode"):
        api.call("POST", SEND, body)
    assert len(peer.calls_to(SEND)) == 1


def test_wrong_secret_fails_without_leaking_it(peer: DingTalkPeer) -> None:
    api = OpenApi(
        base_url=peer.base_url,
        client_id=peer.client_id,
        client_secret="s3cr3t-wrong",
        retry=RetryPolicy(attempts=1),
    )
    with pytest.raises(DingTalkApiError) as err:
        api.call("POST", SEND, _body(peer))
    assert "s3cr3t-wrong" not in str(err.value)
    assert "invalidClientIdOrSecret" in str(err.value)
    api.close()


def test_webhook_errcode_is_an_error(peer: DingTalkPeer, api: OpenApi) -> None:
    url, _ = peer.new_session(ttl_s=60)
    assert api.post_webhook(url, {"msgtype": "text", "text": {"content": "hi"}})["errcode"] == 0
    peer.expire_sessions()
    with pytest.raises(DingTalkApiError) as err:
        api.post_webhook(url, {"msgtype": "text", "text": {"content": "hi"}})
    assert err.value.code == "300001"
    assert "session=" not in str(err.value)  # the session token is a credential


def test_safe_url_drops_the_query() -> None:
    assert (
        safe_url("https://oapi.dingtalk.com/robot/sendBySession?session=abc")
        == "https://oapi.dingtalk.com/robot/sendBySession"
    )


def test_token_cache_short_lifetime_uses_half_as_margin() -> None:
    now = [0.0]
    fetched: list[int] = []

    def fetch() -> tuple[str, float]:
        fetched.append(1)
        return f"t{len(fetched)}", 60.0

    cache = AccessTokenCache(fetch, refresh_margin_s=300, clock=lambda: now[0])
    assert cache.get() == "t1"
    now[0] = 29.0
    assert cache.get() == "t1"
    now[0] = 30.0
    assert cache.get() == "t2"
    cache.invalidate("t1")  # stale invalidation does not drop the new token
    assert cache.get() == "t2" and len(fetched) == 2


def test_contact_lookup_refreshes_a_rejected_token_and_caches_misses(
    peer: DingTalkPeer, api: OpenApi
) -> None:
    from bot.adapters.dingtalk.contacts import ContactDirectory

    peer.contacts["dt_x"] = {"userid": "dt_x", "name": "X", "org_email": "x@northstar.example"}
    now = [0.0]
    directory = ContactDirectory(api, miss_ttl_s=60, clock=lambda: now[0])
    assert directory.email("dt_x") == "x@northstar.example"
    peer.expire_tokens()  # the legacy host answers errcode 40014 in a 200: refreshed once
    assert directory.email("dt_x") == "x@northstar.example"
    assert len(peer.calls_to("/v1.0/oauth2/accessToken")) == 2
    assert directory.email("dt_nobody") is None
    assert directory.email("dt_nobody") is None  # remembered: no second call
    assert len([c for c in peer.calls if c.body.get("userid") == "dt_nobody"]) == 1
    now[0] = 61
    assert directory.email("dt_nobody") is None
    assert len([c for c in peer.calls if c.body.get("userid") == "dt_nobody"]) == 2
