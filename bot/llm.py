"""LLM providers from settings, and the circuit breaker that decides when to stop calling them.

Any OpenAI-compatible endpoint works (OpenAI, DeepSeek, Qwen/DashScope, Moonshot, Ollama, vLLM,
llama.cpp server): ``DEALPILOT_LLM_BASE_URL``, ``_API_KEY``, ``_MODEL``. Retries with backoff on
429/5xx are the openai client's (it honours ``Retry-After``); the breaker sits above them so a dead
provider costs each user one slow answer, not one per message. Transports are injectable
(``http_client``) so tests talk to a local peer, never the network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    import httpx
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

#: Placeholder key for keyless local servers (Ollama, llama.cpp): the openai client insists on one.
NO_KEY = "not-needed"


def build_chat_model(
    settings: Settings,
    *,
    http_client: "httpx.Client | None" = None,
    streaming: bool = False,
) -> "BaseChatModel":
    """A ``ChatOpenAI`` for the configured endpoint.

    Args:
        settings: must have ``llm_model`` and a base URL or API key.
        http_client: an httpx client to use instead of the default (tests, proxies).
        streaming: ask the server for SSE chunks even on ``invoke`` (``stream()`` always streams).
    """
    from langchain_openai import ChatOpenAI

    if not settings.llm_configured:
        raise ValueError("LLM not configured: set DEALPILOT_LLM_MODEL and DEALPILOT_LLM_BASE_URL or _API_KEY")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else NO_KEY
    kwargs: dict[str, Any] = {
        "model": settings.llm_model,
        "api_key": key,
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
        "temperature": 0,
        "stream_usage": True,
        # The answer's share of the per-request token budget (prompt and memory are trimmed in the agent).
        "max_tokens": settings.llm_max_output_tokens,
    }
    if streaming:  # setting streaming=False explicitly would stop stream() and agent streaming too
        kwargs["streaming"] = True
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if http_client is not None:
        kwargs["http_client"] = http_client
    return ChatOpenAI(**kwargs)


def build_embeddings(settings: Settings, *, http_client: "httpx.Client | None" = None) -> "Embeddings | None":
    """OpenAI-compatible embeddings when ``DEALPILOT_EMBEDDING_*`` is set, else ``None`` (offline default).

    Token-length checks are off: they need tiktoken's encodings, which would be downloaded at run time.
    """
    if not settings.embedding_model or not (settings.embedding_base_url or settings.embedding_api_key):
        return None
    from langchain_openai import OpenAIEmbeddings

    key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else NO_KEY
    kwargs: dict[str, Any] = {
        "model": settings.embedding_model,
        "api_key": key,
        "check_embedding_ctx_length": False,
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
    }
    if settings.embedding_base_url:
        kwargs["base_url"] = settings.embedding_base_url
    if http_client is not None:
        kwargs["http_client"] = http_client
    return OpenAIEmbeddings(**kwargs)


def is_provider_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the provider is unhealthy (down, overloaded, timing out), not our bug."""
    import httpx
    import openai

    return isinstance(
        exc,
        (
            openai.APIConnectionError,  # includes APITimeoutError
            openai.RateLimitError,
            openai.InternalServerError,
            openai.AuthenticationError,
            openai.NotFoundError,
            httpx.TransportError,
        ),
    )


class CircuitBreaker:
    """Closed -> open after ``threshold`` consecutive failures -> half-open after ``cooldown_s``.

    Process-local on purpose: it caches this worker's view of the provider's health, not user
    state. While open, the router uses the offline engine; each user is told once per outage.
    """

    def __init__(self, *, threshold: int = 3, cooldown_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._told: set[str] = set()
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        """May we call the provider now? (closed, or half-open: one trial after the cooldown)."""
        with self._lock:
            return self._state() != "open"

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None
            self._told.clear()

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold or self._opened_at is not None:
                self._opened_at = self._clock()  # (re)open; a failed half-open trial restarts the cooldown

    def should_tell(self, user_id: str) -> bool:
        """True the first time ``user_id`` gets an offline answer during this outage."""
        with self._lock:
            if user_id in self._told:
                return False
            self._told.add(user_id)
            return True
