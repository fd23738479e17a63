"""The ``simple-salesforce`` client on a ``requests`` session we control.

Instance URL and session (access token) come from settings; production obtains the token with the
OAuth 2.0 client-credentials or JWT bearer flow (docs/connectors.md). The session does not read
proxy / CA-bundle environment variables (``trust_env = False``), so ``verify`` is exactly what
settings say, retries 429/503 with backoff on reads, and puts a timeout on every request.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from urllib3.util.retry import Retry

API_VERSION = "59.0"


class _TimeoutAdapter(HTTPAdapter):
    def __init__(self, *, timeout_s: float, **kwargs: Any) -> None:
        self.timeout_s = timeout_s
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_s
        return super().send(request, **kwargs)


def build_session(*, verify: bool | str, attempts: int = 4, backoff_s: float = 0.5,
                  timeout_s: float = 15.0) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    retry = Retry(total=attempts, connect=1, read=0, status=attempts, status_forcelist=(429, 502, 503, 504),
                  allowed_methods=frozenset({"GET"}), backoff_factor=backoff_s, backoff_max=30.0,
                  respect_retry_after_header=True, raise_on_status=False)
    session.mount("https://", _TimeoutAdapter(timeout_s=timeout_s, max_retries=retry))
    session.mount("http://", _TimeoutAdapter(timeout_s=timeout_s, max_retries=retry))
    return session


def build_client(*, instance_url: str, session_id: str, verify: bool | str, **session_options: Any) -> Salesforce:
    return Salesforce(instance_url=instance_url, session_id=session_id, version=API_VERSION,
                      session=build_session(verify=verify, **session_options))
