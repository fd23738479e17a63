"""The Slack adapter: DealPilot as a Slack app on slack-bolt, over Socket Mode or HTTP.

Flow: ``socket.py`` / ``http.py`` feed Slack requests into the Bolt app wired in ``app.py``;
``events.py`` turns payloads into ``Message``s; the runtime answers; ``sender.py`` posts the
``Reply`` rendered by ``bot.render.slack``. ``identity.py`` supplies the user's email,
``dedupe.py`` makes every delivery answered once, ``home.py`` builds the App Home tab.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SlackBot", "SlackConfigError", "SlackCredentials", "build_web_client"]

_EXPORTS = {
    "SlackBot": "bot.adapters.slack.app",
    "build_web_client": "bot.adapters.slack.app",
    "SlackConfigError": "bot.adapters.slack.credentials",
    "SlackCredentials": "bot.adapters.slack.credentials",
}


def __getattr__(name: str) -> Any:
    """Import lazily: ``bot/cli.py`` imports this package on every start, Bolt is not cheap."""
    if name not in _EXPORTS:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
