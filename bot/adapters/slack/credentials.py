"""Which Slack settings each transport needs, and the error that names the missing one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings

Transport = Literal["socket", "http"]

_NEEDS: dict[Transport, tuple[tuple[str, str], ...]] = {
    "socket": (
        ("slack_bot_token", "the bot token (xoxb-…, OAuth & Permissions page)"),
        ("slack_app_token", "an app-level token (xapp-…) with the connections:write scope (Basic Information page)"),
    ),
    "http": (
        ("slack_bot_token", "the bot token (xoxb-…, OAuth & Permissions page)"),
        ("slack_signing_secret", "the signing secret (Basic Information page)"),
    ),
}


class SlackConfigError(RuntimeError):
    """A Slack setting is missing; the message names the environment variable to set."""


@dataclass(frozen=True)
class SlackCredentials:
    """The secrets a transport needs, unwrapped only here and handed straight to the SDK."""

    bot_token: str
    app_token: str | None = None
    signing_secret: str | None = None
    api_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, transport: Transport) -> "SlackCredentials":
        missing = [
            (f"DEALPILOT_{name.upper()}", what)
            for name, what in _NEEDS[transport]
            if not _secret(getattr(settings, name))
        ]
        if missing:
            mode = "Socket Mode (`dealpilot slack`)" if transport == "socket" else "HTTP mode (`dealpilot serve`)"
            lines = "\n".join(f"  {var}: {what}" for var, what in missing)
            raise SlackConfigError(f"Slack {mode} needs these settings, which are not set:\n{lines}\nSee docs/slack.md.")
        return cls(
            bot_token=_secret(settings.slack_bot_token) or "",
            app_token=_secret(settings.slack_app_token),
            signing_secret=_secret(settings.slack_signing_secret),
            api_url=settings.slack_api_url,
        )

    def __repr__(self) -> str:  # never print a token, even by accident
        return f"SlackCredentials(bot_token=***, app_token={'***' if self.app_token else None}, api_url={self.api_url!r})"


def _secret(value: object) -> str | None:
    if value is None:
        return None
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return raw.strip() or None
