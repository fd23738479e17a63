"""``dealpilot slack`` / ``dealpilot serve``: clear errors without settings, and a real server process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from slack_support import event_callback, mention
from peers.slack_peer import BOT_TOKEN, SIGNING_SECRET, SlackPeer

from bot.adapters.slack.credentials import SlackConfigError, SlackCredentials
from bot.config import Settings


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEALPILOT_", "SLACK_"))}
    env.update({"DEALPILOT_HOME": str(home), **extra})
    return env


def test_missing_settings_are_named_and_secrets_are_not_echoed(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, home=tmp_path, slack_bot_token="xoxb-secret-value")  # type: ignore[call-arg]
    with pytest.raises(SlackConfigError) as socket_error:
        SlackCredentials.from_settings(settings, transport="socket")
    assert "DEALPILOT_SLACK_APP_TOKEN" in str(socket_error.value)
    assert "DEALPILOT_SLACK_BOT_TOKEN" not in str(socket_error.value) and "xoxb-secret-value" not in str(socket_error.value)
    with pytest.raises(SlackConfigError) as http_error:
        SlackCredentials.from_settings(settings, transport="http")
    assert "DEALPILOT_SLACK_SIGNING_SECRET" in str(http_error.value)
    creds = SlackCredentials.from_settings(
        Settings(_env_file=None, home=tmp_path, slack_bot_token="xoxb-x", slack_signing_secret="s3cr3t"),  # type: ignore[call-arg]
        transport="http",
    )
    assert "xoxb-x" not in repr(creds) and "s3cr3t" not in repr(creds)


def test_dealpilot_slack_without_tokens_exits_with_the_missing_setting(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "slack"], cwd=tmp_path, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "DEALPILOT_SLACK_BOT_TOKEN" in result.stderr and "DEALPILOT_SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dealpilot_serve_answers_signed_events_in_a_separate_process(demo_home: Path, slack_peer: SlackPeer) -> None:
    port = _free_port()
    env = _env(demo_home, DEALPILOT_SLACK_BOT_TOKEN=BOT_TOKEN, DEALPILOT_SLACK_SIGNING_SECRET=SIGNING_SECRET,
               DEALPILOT_SLACK_API_URL=slack_peer.api_url)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
                               cwd=demo_home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        event = mention("ACME 最近怎么样")
        body = json.dumps(event_callback(event))
        headers = {"Content-Type": "application/json", **SlackPeer.sign(body)}
        response = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers, timeout=10)
        assert response.status_code == 200
        # (the process also runs background jobs: rule alerts may arrive as DMs meanwhile)
        [posted] = slack_peer.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == event["ts"], timeout=30)
        assert posted["channel"] == "C0SALES" and "艾克米" in posted["text"]
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output
