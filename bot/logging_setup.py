"""Logging with secrets scrubbed: tokens never reach a log line, whatever a library prints."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = (
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),  # Slack bot/user tokens
    re.compile(r"xapp-[A-Za-z0-9-]+"),  # Slack app-level tokens
    re.compile(r"sk-[A-Za-z0-9_-]{8,}"),  # OpenAI-style keys
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)((?:access_?token|app_?secret|client_?secret|api_?key|password|signing_?secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]+"),
)


def redact(text: str) -> str:
    """Replace anything that looks like a credential with ``***``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str | None = None) -> None:
    """Configure root logging once, with the redacting filter on every handler."""
    from bot.config import get_settings

    root = logging.getLogger()
    if getattr(root, "_dealpilot_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level or get_settings().log_level)
    for noisy in ("httpx", "chromadb", "urllib3", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._dealpilot_configured = True  # type: ignore[attr-defined]
