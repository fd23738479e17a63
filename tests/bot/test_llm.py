"""Providers against a local OpenAI-compatible peer (the real openai / langchain-openai client path),
the circuit breaker, and the per-user rate limit in the database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import openai
import pytest
from tests.conftest import make_settings
from langchain_core.messages import HumanMessage
from peers.openai_peer import OpenAIPeer
from pydantic import SecretStr

from bot.llm import CircuitBreaker, build_chat_model, build_embeddings, is_provider_failure
from bot.ratelimit import RateLimiter
from bot.store import Store

KEY = "sk-test-0123456789abcdef"


def _settings(tmp_path: Path, base_url: str, **extra: object):  # type: ignore[no-untyped-def]
    return make_settings(
        tmp_path, llm_base_url=base_url, llm_api_key=SecretStr(KEY), llm_model="peer-model", **extra
    )


def test_unconfigured_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not configured"):
        build_chat_model(make_settings(tmp_path))


def test_plain_answer_and_usage_through_the_real_client(tmp_path: Path) -> None:
    with OpenAIPeer([{"content": "你好，ACME 的负责人是李娜。"}]) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url))
        msg = model.invoke([HumanMessage("ACME 的负责人是谁？")])
    assert msg.text == "你好，ACME 的负责人是李娜。"
    assert msg.usage_metadata and msg.usage_metadata["output_tokens"] > 0
    assert peer.requests[0]["model"] == "peer-model"
    sent = peer.requests[0]
    assert (sent.get("max_completion_tokens") or sent.get("max_tokens")) == 1200  # the answer's token budget
    assert peer.headers[0]["Authorization"] == f"Bearer {KEY}"  # the key goes in the header only
    assert KEY not in str(peer.requests[0])


def test_streaming_chunks_arrive_in_order(tmp_path: Path) -> None:
    text = "Globex Global Rollout is in negotiation."
    with OpenAIPeer([{"content": text}]) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url))
        chunks = [c.text for c in model.stream([HumanMessage("status of Globex?")])]
    assert peer.requests[0]["stream"] is True
    assert len([c for c in chunks if c]) > 3
    assert "".join(chunks) == text


def test_tool_call_is_parsed_and_malformed_arguments_are_flagged(tmp_path: Path) -> None:
    script = [
        {"tool_calls": [("find_accounts", '{"query": "ACME"}')]},
        {"tool_calls": [("find_accounts", '{"query": "ACME"')]},  # truncated JSON
    ]
    with OpenAIPeer(script) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url))
        good = model.invoke([HumanMessage("find ACME")])
        bad = model.invoke([HumanMessage("find ACME")])
    assert good.tool_calls[0]["name"] == "find_accounts"
    assert good.tool_calls[0]["args"] == {"query": "ACME"}
    assert not bad.tool_calls and bad.invalid_tool_calls[0]["name"] == "find_accounts"


def test_429_is_retried_then_succeeds(tmp_path: Path) -> None:
    with OpenAIPeer([{"status": 429}, {"content": "ok after retry"}]) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url, llm_max_retries=2))
        msg = model.invoke([HumanMessage("hi")])
    assert msg.text == "ok after retry"
    assert len(peer.requests) == 2


def test_5xx_beyond_retries_is_a_provider_failure(tmp_path: Path) -> None:
    with OpenAIPeer([{"status": 503}, {"status": 503}]) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url, llm_max_retries=1))
        with pytest.raises(openai.InternalServerError) as info:
            model.invoke([HumanMessage("hi")])
    assert is_provider_failure(info.value)
    assert len(peer.requests) == 2


def test_timeout_is_a_provider_failure(tmp_path: Path) -> None:
    with OpenAIPeer([{"delay": 2.0, "content": "too late"}]) as peer:
        model = build_chat_model(_settings(tmp_path, peer.base_url, llm_timeout_s=0.3, llm_max_retries=0))
        started = time.perf_counter()
        with pytest.raises(openai.APITimeoutError) as info:
            model.invoke([HumanMessage("hi")])
        assert time.perf_counter() - started < 1.8  # gave up at the timeout, not when the peer answered
    assert is_provider_failure(info.value)
    assert not is_provider_failure(ValueError("a bug of ours"))


def test_embeddings_from_settings(tmp_path: Path) -> None:
    assert build_embeddings(make_settings(tmp_path)) is None  # offline default stays in knowledge/
    with OpenAIPeer() as peer:
        settings = make_settings(tmp_path, embedding_base_url=peer.base_url, embedding_model="peer-embed")
        vectors = build_embeddings(settings).embed_documents(["ACME", "艾克米制造"])  # type: ignore[union-attr]
    assert len(vectors) == 2 and vectors[0] != vectors[1]
    assert peer.requests[0]["model"] == "peer-embed"


# --- circuit breaker -------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_then_half_opens_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, cooldown_s=30, clock=clock)
    breaker.record_failure()
    assert breaker.allow() and breaker.state == "closed"
    breaker.record_failure()
    assert not breaker.allow() and breaker.state == "open"
    clock.now = 31
    assert breaker.allow() and breaker.state == "half_open"
    breaker.record_failure()  # the trial failed: open again for a full cooldown
    assert not breaker.allow()
    clock.now = 62
    breaker.record_success()
    assert breaker.state == "closed"


def test_breaker_tells_each_user_once_per_outage() -> None:
    breaker = CircuitBreaker(threshold=1)
    breaker.record_failure()
    assert breaker.should_tell("li.na")
    assert not breaker.should_tell("li.na")
    assert breaker.should_tell("bob.smith")
    breaker.record_success()  # recovered; the next outage is announced again
    breaker.record_failure()
    assert breaker.should_tell("li.na")


# --- rate limit ------------------------------------------------------------------------------------


def test_rate_limit_counts_per_user_per_window(empty_store: Store) -> None:
    from datetime import datetime, timezone

    limiter = RateLimiter(empty_store, limit=3, window_s=60)
    t0 = datetime(2030, 1, 1, 9, 0, 5, tzinfo=timezone.utc)
    assert [limiter.hit("li.na", now=t0) for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("wang.wei", now=t0)  # another user has their own budget
    t1 = datetime(2030, 1, 1, 9, 1, 0, tzinfo=timezone.utc)
    assert limiter.hit("li.na", now=t1)  # a new window


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """One database, two ``Store`` objects: what two bot workers have."""
    from tests.conftest import private_pg_schema

    if request.param == "sqlite":
        first = Store.open(f"sqlite:///{tmp_path / 'rl.db'}")
        yield first, Store(first.url)
        first.dispose()
        return
    with private_pg_schema("rl") as url:
        first = Store.open(url)
        yield first, Store(first.url)
        first.dispose()


def test_rate_limit_window_is_exact_under_concurrency(shared_store) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    now = datetime(2030, 1, 1, 9, 0, 30, tzinfo=timezone.utc)  # fixed window: no minute roll-over
    limiters = [RateLimiter(store, limit=7) for store in shared_store]
    results: list[bool] = []
    lock = threading.Lock()

    def worker(limiter: RateLimiter) -> None:
        for _ in range(5):
            ok = limiter.hit("li.na", now=now)
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=worker, args=(lim,)) for lim in limiters for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 7 and results.count(False) == 13
