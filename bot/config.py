"""One settings object for the whole process.

Every knob lives here (env prefix ``DEALPILOT_``, optional ``.env``) so that no module reads
``os.environ`` on its own and ``dealpilot config`` can show the effective configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Effective DealPilot configuration."""

    model_config = SettingsConfigDict(env_prefix="DEALPILOT_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".dealpilot"), description="Data directory (database, vectors, logs).")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite under home if unset.")
    crm: Literal["local", "hubspot", "salesforce"] = "local"
    crm_mode: Literal["live", "sync"] = "live"
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "en"
    max_message_chars: int = 8000
    log_level: str = "INFO"
    disabled_skills: list[str] = Field(default_factory=list, description="Skills to leave out, e.g. [\"roleplay\"].")

    # Knowledge base
    chroma_url: str | None = None
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None
    embedding_model: str | None = None

    # LLM engine (any OpenAI-compatible endpoint)
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    llm_token_budget: int = 6000
    llm_max_output_tokens: int = 1200
    llm_rate_limit_per_minute: int = 20

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None

    # DingTalk
    dingtalk_client_id: str | None = None
    dingtalk_client_secret: SecretStr | None = None
    dingtalk_api_url: str | None = None
    dingtalk_robot_code: str | None = None
    dingtalk_scene_group_template_id: str | None = None  # war rooms: the app's scene-group template

    # CRM connectors
    hubspot_access_token: SecretStr | None = None
    hubspot_host: str | None = None
    salesforce_instance_url: str | None = None
    salesforce_session_id: SecretStr | None = None
    salesforce_verify_tls: bool = True

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'dealpilot.db').resolve()}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    def masked(self) -> dict[str, Any]:
        """Settings as a dict with every secret replaced by a mask, safe to print or log."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[name] = "********" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                shown[name] = str(value)
            else:
                shown[name] = value
        shown["resolved_database_url"] = _mask_url_password(self.resolved_database_url)
        if shown.get("database_url"):
            shown["database_url"] = _mask_url_password(shown["database_url"])
        return shown


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as-is only if it carries no credentials
        return "<unparsable url>" if "@" in url else url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` and pass them explicitly)."""
    return Settings()
