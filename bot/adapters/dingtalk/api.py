"""HTTP to DingTalk's OpenAPI and session webhooks: token header, 401 refresh, 429 backoff.

Why one small client: every outgoing call (robot send, card create/deliver/stream, webhook)
needs the same guarantees -- throttling answered with exponential backoff (``Retry-After``
honoured), an expired token refreshed once, and errors that never carry secrets. Calls are
blocking (``httpx.Client``) and run in worker threads, never on the stream's event loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.adapters.dingtalk.token import DEFAULT_REFRESH_MARGIN_S, AccessTokenCache

log = logging.getLogger("dealpilot.dingtalk.api")

DEFAULT_API_URL = "https://api.dingtalk.com"
DEFAULT_OAPI_URL = "https://oapi.dingtalk.com"
_OAPI_TOKEN_ERRCODES = {40014, 42001, 88}  # invalid / expired access token on the legacy host
TOKEN_PATH = "/v1.0/oauth2/accessToken"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
_THROTTLE_CODES = ("QpsLimit", "Throttl", "TooManyRequests")
_WEBHOOK_THROTTLE_ERRCODES = {130101, 130102}


class DingTalkApiError(Exception):
    """A DingTalk call failed for good (after retries). Carries status and DingTalk's code, never a token."""

    def __init__(self, *, status: int, code: str, message: str, path: str) -> None:
        super().__init__(f"DingTalk {path} failed: HTTP {status} {code} {message}".strip())
        self.status = status
        self.code = code
        self.path = path


@dataclass(frozen=True)
class RetryPolicy:
    """How throttled calls are retried: ``attempts`` in all, delays doubling from ``base_s`` to ``max_s``."""

    attempts: int = 4
    base_s: float = 0.5
    max_s: float = 8.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.max_s, self.base_s * (2**attempt))
        if retry_after is not None:
            return min(self.max_s, max(backoff, retry_after))
        return backoff


def safe_url(url: str) -> str:
    """A URL fit for logs: scheme, host and path only (session webhooks carry a secret query)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"result": data}


def _is_throttled(response: httpx.Response, body: dict[str, Any]) -> bool:
    if response.status_code == 429:
        return True
    code = str(body.get("code", ""))
    if response.status_code in (403, 503) and any(c in code for c in _THROTTLE_CODES):
        return True
    return body.get("errcode") in _WEBHOOK_THROTTLE_ERRCODES


class OpenApi:
    """Blocking client for ``api.dingtalk.com`` (or the local peer) with a cached access token.

    Args:
        base_url: the OpenAPI root (``settings.dingtalk_api_url``).
        client_id / client_secret: the app's credentials (``appKey`` / ``appSecret``).
        http: an ``httpx.Client`` to use (tests and the bench may share one); one is made otherwise.
        retry: backoff for throttled calls.
        sleep: how to wait between retries (injectable for tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        token_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http or httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))
        self._owns_http = http is None
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.tokens = AccessTokenCache(self._fetch_token, refresh_margin_s=token_margin_s, clock=clock)

    # --- public ---------------------------------------------------------------------------------
    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Call an OpenAPI endpoint with the access token; refresh the token once on 401."""
        for auth_try in range(2):
            token = self.tokens.get()
            response, data = self._send(method, self.base_url + path, body, headers={TOKEN_HEADER: token})
            if response.status_code == 401 and auth_try == 0:
                log.info("dingtalk token rejected on %s; refreshing", path)
                self.tokens.invalidate(token)
                continue
            return self._check(response, data, path)
        raise AssertionError("unreachable")

    @property
    def oapi_url(self) -> str:
        """The legacy ``oapi`` host: DingTalk's own beside ``api.dingtalk.com``, else the same (the peer)."""
        return DEFAULT_OAPI_URL if self.base_url == DEFAULT_API_URL else self.base_url

    def call_oapi(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to a legacy ``oapi`` endpoint (token in the query); raises on a non-zero ``errcode``."""
        for auth_try in range(2):
            token = self.tokens.get()
            url = f"{self.oapi_url}{path}?access_token={token}"
            response, data = self._send("POST", url, body, headers={})
            data = self._check(response, data, path)
            errcode = data.get("errcode", 0)
            if errcode in _OAPI_TOKEN_ERRCODES and auth_try == 0:
                self.tokens.invalidate(token)
                continue
            if errcode not in (0, None):
                raise DingTalkApiError(
                    status=response.status_code,
                    code=str(errcode),
                    message=str(data.get("errmsg", "")),
                    path=path,
                )
            return data
        raise AssertionError("unreachable")

    def post_webhook(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to a session webhook (no token; the URL authorises). Raises on a non-zero ``errcode``."""
        response, data = self._send("POST", url, body, headers={})
        data = self._check(response, data, safe_url(url))
        errcode = data.get("errcode", 0)
        if errcode not in (0, None):
            raise DingTalkApiError(
                status=response.status_code,
                code=str(errcode),
                message=str(data.get("errmsg", "")),
                path=safe_url(url),
            )
        return data

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # --- internals ------------------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        body = {"appKey": self._client_id, "appSecret": self._client_secret}
        response, data = self._send("POST", self.base_url + TOKEN_PATH, body, headers={})
        data = self._check(response, data, TOKEN_PATH)
        token = data.get("accessToken")
        if not token:
            raise DingTalkApiError(
                status=response.status_code, code="noAccessToken", message="", path=TOKEN_PATH
            )
        return str(token), float(data.get("expireIn", 7200))

    def _send(
        self, method: str, url: str, body: dict[str, Any], *, headers: dict[str, str]
    ) -> tuple[httpx.Response, dict[str, Any]]:
        for attempt in range(self.retry.attempts):
            response = self._http.request(method, url, json=body, headers=headers)
            data = _body(response)
            if not _is_throttled(response, data) or attempt == self.retry.attempts - 1:
                return response, data
            delay = self.retry.delay(attempt, _retry_after(response))
            log.warning(
                "dingtalk throttled on %s (attempt %d); retrying in %.2fs", safe_url(url), attempt + 1, delay
            )
            self._sleep(delay)
        raise AssertionError("unreachable")

    @staticmethod
    def _check(response: httpx.Response, data: dict[str, Any], path: str) -> dict[str, Any]:
        if response.is_success:
            return data
        raise DingTalkApiError(
            status=response.status_code,
            code=str(data.get("code", data.get("errcode", ""))),
            message=str(data.get("message", data.get("errmsg", "")))[:200],
            path=path,
        )
