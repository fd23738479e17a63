"""The shipped manifest matches what the adapter handles, and docs/slack.md explains all of it."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.skill import discover_skills

ROOT = Path(__file__).resolve().parents[3]


def _manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "slack-manifest.yaml").read_text(encoding="utf-8"))


def test_every_slash_command_reaches_a_skill() -> None:
    skill_commands = {f"/{c}" for s in discover_skills() for c in s.commands}
    commands = {c["command"] for c in _manifest()["features"]["slash_commands"]}
    assert "/dealpilot" in commands
    assert commands - {"/dealpilot"} <= skill_commands
    assert {"/insight", "/warroom", "/roleplay"} <= commands


def test_events_and_scopes_cover_what_the_adapter_uses() -> None:
    manifest = _manifest()
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels", "app_home_opened", "assistant_thread_started"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "im:write", "users:read",
            "users:read.email", "assistant:write", "channels:history"} <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_the_docs_list_every_scope_event_and_command() -> None:
    manifest = _manifest()
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    for name in [*manifest["oauth_config"]["scopes"]["bot"], *manifest["settings"]["event_subscriptions"]["bot_events"],
                 *(c["command"] for c in manifest["features"]["slash_commands"])]:
        assert f"`{name}`" in docs, name
