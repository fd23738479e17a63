"""``dealpilot bench dingtalk``: ack and reply latency of the DingTalk bot through the local gateway.

The real stream client connects to the local DingTalk peer (from the repository's ``tests/peers``,
put on ``sys.path`` here explicitly: production code never imports test peers), on a fresh demo
company with the offline engine. Ack latency is push -> ack frame at the gateway; reply latency
is push -> the answer's markdown at the session webhook. Targets: ack p95 <= 100 ms, reply
p95 <= 300 ms.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import typer

from bot.bench import percentile, seed_bench_demo

ACK_TARGET_MS = 100.0
REPLY_TARGET_MS = 300.0
QUESTIONS = (
    ("dt_li_na", "2", "ACME 最近怎么样"),
    ("dt_li_na", "1", "brief me on ACME"),
    ("dt_zhao_lei", "2", "/insight ACME"),
    ("dt_li_na", "1", "ACME 的客户简报"),
)


def _peer_class() -> Any:
    tests_dir = Path(__file__).resolve().parents[3] / "tests"
    if not (tests_dir / "peers" / "dingtalk_peer.py").exists():
        raise typer.BadParameter(
            f"the local DingTalk peer is not in {tests_dir} (run from a source checkout)"
        )
    if str(tests_dir) not in sys.path:
        sys.path.insert(0, str(tests_dir))
    from peers.dingtalk_peer import DingTalkPeer

    return DingTalkPeer


def bench_dingtalk(
    n: int = typer.Option(60, "-n", min=1, help="How many messages to send (after a short warm-up)."),
    with_cases: bool = typer.Option(
        False, "--cases/--no-cases", help="Seed the case library too (slower answers)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON."),
) -> None:
    """Push N bot messages through the local Stream gateway; print ack and reply latency p50/p95."""
    import logging

    from pydantic import SecretStr

    from bot.adapters.dingtalk.app import DingTalkApp
    from bot.config import Settings
    from bot.runtime import Runtime

    logging.getLogger("dingtalk_stream").setLevel(logging.ERROR)
    peer_cls = _peer_class()
    with tempfile.TemporaryDirectory() as tmp, peer_cls(ping_interval_s=5.0) as peer:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            home=Path(tmp),
            dingtalk_client_id=peer.client_id,
            dingtalk_client_secret=SecretStr(peer.client_secret),
            dingtalk_api_url=peer.base_url,
        )
        runtime = Runtime(settings)
        seeded_s = seed_bench_demo(runtime, with_cases=with_cases)
        app = DingTalkApp(runtime).start_in_thread()
        try:
            for i in range(len(QUESTIONS)):  # warm-up: entity indexes, first token, first connection use
                _one(peer, i)
            acks, replies = [], []
            for i in range(n):
                ack_ms, reply_ms = _one(peer, i)
                acks.append(ack_ms)
                replies.append(reply_ms)
        finally:
            app.stop_thread()
            runtime.close()
    result: dict[str, Any] = {
        "messages": n,
        "seeded_s": round(seeded_s, 1),
        "ack_ms": {
            "p50": round(percentile(acks, 50), 1),
            "p95": round(percentile(acks, 95), 1),
            "max": round(max(acks), 1),
            "target_p95": ACK_TARGET_MS,
        },
        "reply_ms": {
            "p50": round(percentile(replies, 50), 1),
            "p95": round(percentile(replies, 95), 1),
            "max": round(max(replies), 1),
            "target_p95": REPLY_TARGET_MS,
        },
    }
    result["ok"] = result["ack_ms"]["p95"] <= ACK_TARGET_MS and result["reply_ms"]["p95"] <= REPLY_TARGET_MS
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"demo seeded in {seeded_s:.1f}s; {n} messages through the local DingTalk gateway (offline engine)"
    )
    for name, key, target in (("ack", "ack_ms", ACK_TARGET_MS), ("reply", "reply_ms", REPLY_TARGET_MS)):
        r = result[key]
        verdict = "ok" if r["p95"] <= target else "OVER TARGET"
        typer.echo(
            f"{name:>5} latency  p50 {r['p50']:7.1f} ms   p95 {r['p95']:7.1f} ms   max {r['max']:7.1f} ms"
            f"   (target p95 <= {target:.0f} ms: {verdict})"
        )


def _one(peer: Any, i: int, timeout_s: float = 10.0) -> tuple[float, float]:
    """Push one question and wait for its ack and its answer at the session webhook."""
    staff_id, conversation_type, text = QUESTIONS[i % len(QUESTIONS)]
    data = peer.bot_message(text=text, staff_id=staff_id, conversation_type=conversation_type)
    session = parse_qs(urlsplit(data["sessionWebhook"]).query)["session"][0]
    frame = peer.push_bot_message(data)

    def done(p: Any) -> Any:
        post = next((c for c in p.webhook_posts if c.query.get("session") == session), None)
        return post if post is not None and frame in p.acks else None

    post = peer.wait_until(done, timeout=timeout_s)
    pushed = peer.pushed[frame]
    return (peer.acks[frame].at - pushed) * 1000, (post.at - pushed) * 1000
