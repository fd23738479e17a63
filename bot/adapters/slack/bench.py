"""``dealpilot bench slack``: ack and end-to-end reply latency of insight questions through a local Slack.

Both transports are measured against the local Slack peer the tests use (``tests/peers/slack_peer.py``),
so the real slack-bolt / slack_sdk code paths run: signed HTTP events into ``/slack/events`` and
Socket Mode envelopes over a websocket. The peer is test code and never ships in the package:
the benchmark adds the checkout's ``tests/`` directory to ``sys.path`` and needs a source checkout.

* ack: HTTP response time of the event POST / time from envelope push to the envelope's ack.
* reply: time from sending the event until the peer receives the ``chat.postMessage`` answer.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import typer

from bot.bench import percentile, seed_bench_demo

REPO_ROOT = Path(__file__).resolve().parents[3]
TARGET_ACK_P95_MS = 100.0
TARGET_REPLY_P95_MS = 300.0

QUESTIONS = (
    ("li.na", "ACME 最近怎么样?"),
    ("li.na", "brief me on ACME"),
    ("wang.wei", "苏能集团最近怎么样"),
    ("bob.smith", "how is Globex doing"),
    ("sun.hao", "Umbrella Retail 的客户简报"),
    ("zhou.xin", "华康医药情况如何"),
)


def _slack_user(crm_id: str) -> str:
    return "U" + crm_id.replace(".", "").upper()


def _load_peer() -> Any:
    tests_dir = REPO_ROOT / "tests"
    if not (tests_dir / "peers" / "slack_peer.py").exists():
        typer.echo("dealpilot bench slack needs a source checkout (tests/peers/slack_peer.py not found).", err=True)
        raise typer.Exit(code=2)
    if str(tests_dir) not in sys.path:
        sys.path.insert(0, str(tests_dir))
    import peers.slack_peer as peer_module

    return peer_module


def _event(peer_module: Any, crm_id: str, text: str) -> tuple[dict[str, Any], str]:
    ts = f"{time.time():.6f}"
    event = {
        "type": "app_mention", "user": _slack_user(crm_id), "channel": "C0BENCH", "ts": ts,
        "text": f"<@{peer_module.BOT_USER_ID}> {text}", "team": peer_module.TEAM_ID,
    }
    payload = {
        "team_id": peer_module.TEAM_ID, "api_app_id": "A0DEALPILOT", "event": event, "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:12].upper(), "event_time": int(time.time()),
    }
    return payload, ts


def _summary(name: str, acks: list[float], replies: list[float]) -> dict[str, Any]:
    return {
        "transport": name,
        "n": len(acks),
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p95_ms": round(percentile(acks, 95), 1),
        "reply_p50_ms": round(percentile(replies, 50), 1),
        "reply_p95_ms": round(percentile(replies, 95), 1),
    }


def bench_slack(
    n: int = typer.Option(60, "-n", help="Questions per transport."),
    with_cases: bool = typer.Option(True, "--cases/--no-cases", help="Seed the case library too (insight cites similar cases)."),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON."),
) -> None:
    """Ack and reply latency (p50/p95) of insight questions over HTTP and Socket Mode through a local Slack."""
    import httpx

    from bot.adapters.slack.app import SlackBot
    from bot.adapters.slack.credentials import SlackCredentials
    from bot.adapters.slack.http import BackgroundServer, build_asgi_app
    from bot.adapters.slack.socket import socket_mode_handler
    from bot.config import Settings
    from bot.runtime import Runtime

    peer_module = _load_peer()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, peer_module.SlackPeer() as peer:
        runtime = Runtime(Settings(_env_file=None, home=Path(tmp)))  # type: ignore[call-arg]
        seeded_s = seed_bench_demo(runtime, with_cases=with_cases)
        if not as_json:
            typer.echo(f"seeded demo in {seeded_s:.1f}s")
        for crm_id in {u for u, _ in QUESTIONS}:
            peer.add_user(_slack_user(crm_id), email=f"{crm_id}@northstar.example", name=crm_id)
        credentials = SlackCredentials(
            bot_token=peer_module.BOT_TOKEN, app_token=peer_module.APP_TOKEN,
            signing_secret=peer_module.SIGNING_SECRET, api_url=peer.api_url,
        )
        bot = SlackBot(runtime, credentials)
        server = BackgroundServer(build_asgi_app(bot)).start()
        handler = socket_mode_handler(bot, app_token=peer_module.APP_TOKEN)
        try:
            with httpx.Client(timeout=10) as http:
                url = server.url + "/slack/events"

                def via_http(payload: dict[str, Any]) -> tuple[float, float]:
                    body = json.dumps(payload)
                    headers = {"Content-Type": "application/json", **peer.sign(body)}
                    sent_at = time.monotonic()
                    http.post(url, content=body, headers=headers).raise_for_status()
                    return sent_at, time.monotonic()

                results.append(_run("http", n, peer, peer_module, via_http))
            handler.connect()
            peer.wait_connected(1)

            def via_socket(payload: dict[str, Any]) -> tuple[float, float]:
                envelope = peer.push(payload)
                return peer.pushed[envelope], peer.wait_ack(envelope).at

            results.append(_run("socket", n, peer, peer_module, via_socket))
        finally:
            handler.client.auto_reconnect_enabled = handler.client.default_auto_reconnect_enabled = False
            peer.drop(all_sessions=True)
            handler.close()
            server.stop()
            bot.close()
            runtime.close()
    _report(results, as_json=as_json)


def _run(name: str, n: int, peer: Any, peer_module: Any, send: Any) -> dict[str, Any]:
    """Send questions one at a time. ``send(payload) -> (sent_at, acked_at)`` on the monotonic clock."""
    acks: list[float] = []
    replies: list[float] = []
    for i in range(-len(QUESTIONS), n):  # the first round warms caches and is not counted
        crm_id, text = QUESTIONS[i % len(QUESTIONS)]
        payload, ts = _event(peer_module, crm_id, text)
        sent_at, acked_at = send(payload)
        answered_at = _wait_reply(peer, ts)
        if i >= 0:
            acks.append((acked_at - sent_at) * 1000)
            replies.append((answered_at - sent_at) * 1000)
    return _summary(name, acks, replies)


def _wait_reply(peer: Any, ts: str, timeout: float = 30.0) -> float:
    """When the answer to the message ``ts`` reached the peer."""
    peer.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts, timeout=timeout)
    return next(r.at for r in peer.calls_of("chat.postMessage") if r.params.get("thread_ts") == ts)


def _report(results: list[dict[str, Any]], *, as_json: bool) -> None:
    verdict = {
        r["transport"]: r["ack_p95_ms"] <= TARGET_ACK_P95_MS and r["reply_p95_ms"] <= TARGET_REPLY_P95_MS for r in results
    }
    if as_json:
        typer.echo(json.dumps({"results": results, "targets": {"ack_p95_ms": TARGET_ACK_P95_MS,
                                                               "reply_p95_ms": TARGET_REPLY_P95_MS}, "met": verdict}))
        return
    typer.echo(f"{'transport':<10}{'n':>5}{'ack p50':>10}{'ack p95':>10}{'reply p50':>12}{'reply p95':>12}")
    for r in results:
        typer.echo(
            f"{r['transport']:<10}{r['n']:>5}{r['ack_p50_ms']:>8.1f}ms{r['ack_p95_ms']:>8.1f}ms"
            f"{r['reply_p50_ms']:>10.1f}ms{r['reply_p95_ms']:>10.1f}ms   {'ok' if verdict[r['transport']] else 'MISSED'}"
        )
    typer.echo(f"targets: ack p95 <= {TARGET_ACK_P95_MS:.0f} ms, reply p95 <= {TARGET_REPLY_P95_MS:.0f} ms (offline engine)")
