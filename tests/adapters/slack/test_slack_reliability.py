"""Reliability and security in HTTP mode: exactly-once answers, fast acks, 429s, errors, signatures, secrets."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator

import pytest
from slack_support import SALES, SlackHttp, channel_message, credentials, event_callback, mention
from peers.slack_peer import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, SlackPeer

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.http import BackgroundServer, build_asgi_app
from bot.config import Settings
from bot.runtime import Runtime


def test_slack_retries_of_one_event_are_answered_once(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    payload = event_callback(mention("ACME 最近怎么样"))
    assert slack_http.event(payload).status_code == 200
    for attempt in (1, 2, 3):
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        assert slack_http.event(payload, headers=headers).status_code == 200
    slack_peer.wait_for("chat.postMessage")
    slack_peer.settle()
    assert len(slack_peer.calls("chat.postMessage")) == 1


def test_a_message_delivered_as_app_mention_and_as_message_is_answered_once(
    slack_http: SlackHttp, slack_peer: SlackPeer
) -> None:
    as_mention = mention("ACME 最近怎么样")
    as_message = channel_message(as_mention["text"], ts=as_mention["ts"])
    threads = [threading.Thread(target=slack_http.event, args=(event_callback(e),)) for e in (as_mention, as_message)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slack_peer.wait_for("chat.postMessage")
    slack_peer.settle()
    assert len(slack_peer.calls("chat.postMessage")) == 1


@pytest.fixture
def second_process(settings: Settings, slack_peer: SlackPeer, runtime: Runtime) -> Iterator[SlackHttp]:
    """Another bot process: its own runtime, engine and HTTP server, on the same database."""
    other_runtime = Runtime(settings, skills=[type(s)() for s in runtime.skills.values()])
    bot = SlackBot(other_runtime, credentials(slack_peer))
    server = BackgroundServer(build_asgi_app(bot)).start()
    yield SlackHttp(server.url)
    server.stop()
    bot.close()
    other_runtime.close()


def test_duplicate_deliveries_to_two_bot_processes_are_answered_once(
    slack_http: SlackHttp, second_process: SlackHttp, slack_peer: SlackPeer
) -> None:
    for n in range(3):
        payload = event_callback(mention(f"ACME 最近怎么样 {n}"))
        threads = [threading.Thread(target=c.event, args=(payload,)) for c in (slack_http, second_process)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    slack_peer.wait_for("chat.postMessage", count=3)
    slack_peer.settle()
    assert len(slack_peer.calls("chat.postMessage")) == 3


def test_bad_signatures_and_stale_timestamps_are_refused_with_401(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    body = json.dumps(event_callback(mention("ACME 最近怎么样")))
    forged = slack_http.post_raw(body, content_type="application/json", sign=False,
                                 headers=SlackPeer.sign(body, secret="not-the-secret"))
    stale = slack_http.post_raw(body, content_type="application/json", timestamp=int(time.time()) - 6 * 60)
    unsigned = slack_http.post_raw(body, content_type="application/json", sign=False)
    tampered_headers = SlackPeer.sign(body)
    tampered = slack_http.post_raw(body.replace("ACME", "Globex"), content_type="application/json", sign=False,
                                   headers=tampered_headers)
    assert [r.status_code for r in (forged, stale, unsigned, tampered)] == [401, 401, 401, 401]
    slack_peer.settle()
    assert slack_peer.calls_of("chat.postMessage", "users.info") == []
    fresh = slack_http.post_raw(body, content_type="application/json", timestamp=int(time.time()) - 4 * 60)
    assert fresh.status_code == 200


def test_a_429_from_the_web_api_is_retried_after_retry_after(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_peer.fail("chat.postMessage", times=1, status=429, retry_after=1)
    slack_http.event(event_callback(mention("ACME 最近怎么样")))
    slack_peer.wait_for("chat.postMessage", count=2, timeout=15)
    first, second = slack_peer.calls_of("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert first.params == second.params and "艾克米" in second.params["text"]


def test_the_ack_does_not_wait_for_slow_work(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_peer.fail("users.info", times=1, status=429, retry_after=2)
    started = time.perf_counter()
    response = slack_http.event(event_callback(mention("ACME 最近怎么样")))
    acked = time.perf_counter() - started
    slack_peer.wait_for("chat.postMessage", timeout=15)
    answered = time.perf_counter() - started
    assert response.status_code == 200
    assert acked < 0.5 and answered >= 2.0


def test_a_failure_in_the_adapter_answers_with_a_reference_that_is_logged(
    slack_http: SlackHttp, slack_peer: SlackPeer, caplog: pytest.LogCaptureFixture
) -> None:
    slack_peer.fail("chat.postMessage", times=1, status=200, error="fatal_error")
    event = mention("How is ACME doing?")
    with caplog.at_level(logging.ERROR, logger="dealpilot.slack"):
        slack_http.event(event_callback(event))
        _, notice = slack_peer.wait_for("chat.postMessage", count=2)
    match = re.fullmatch(r"Something went wrong \(ref ([0-9a-f]{8})\)\. Please try again\.", notice["text"])
    assert match and notice["thread_ts"] == event["ts"] and notice["channel"] == SALES
    assert f"ref={match.group(1)}" in caplog.text
    assert "Traceback" not in json.dumps(notice)


def test_a_failure_answers_in_chinese_for_a_chinese_question(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    slack_peer.fail("chat.postMessage", times=1, status=200, error="fatal_error")
    slack_http.event(event_callback(mention("ACME 最近怎么样")))
    _, notice = slack_peer.wait_for("chat.postMessage", count=2)
    assert re.fullmatch(r"出了点问题（参考号 [0-9a-f]{8}），请稍后再试。", notice["text"])


def test_tokens_and_the_signing_secret_never_reach_logs_or_messages(
    slack_http: SlackHttp, slack_peer: SlackPeer, caplog: pytest.LogCaptureFixture
) -> None:
    slack_peer.fail("chat.postMessage", times=1, status=429, retry_after=1)
    with caplog.at_level(logging.DEBUG):
        slack_http.event(event_callback(mention("ACME 最近怎么样")))
        slack_peer.fail("chat.postMessage", times=1, status=200, error="fatal_error")
        slack_http.event(event_callback(mention("How is ACME doing?")))
        slack_peer.wait_for("chat.postMessage", count=4, timeout=15)
        slack_peer.settle()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    sent = json.dumps([r.params for r in slack_peer.requests], ensure_ascii=False)
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in logged
        assert secret not in sent
    assert "chat.postMessage" in logged  # the debug logs were really captured


def test_oversized_bodies_are_refused_and_health_is_served(slack_http: SlackHttp, slack_peer: SlackPeer) -> None:
    huge = json.dumps(event_callback(mention("x" * 1_100_000)))
    assert slack_http.post_raw(huge, content_type="application/json").status_code == 413
    assert slack_http.client.get(slack_http.url.replace("/slack/events", "/healthz")).json() == {"ok": True}
    slack_peer.settle()
    assert slack_peer.calls("chat.postMessage") == []
