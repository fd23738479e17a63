"""The official HubSpot SDK client, pointed at ``settings.hubspot_host`` and retrying 429s.

The SDK talks through urllib3 directly, so retries are a urllib3 ``Retry``: 429 (honouring
``Retry-After``) and 502/503/504 with exponential backoff for reads; writes retry only on 429,
which HubSpot guarantees was not processed, so a note is never logged twice.
"""

from __future__ import annotations

from hubspot import HubSpot
from urllib3.util.retry import Retry

READ_RETRY_STATUSES = (429, 502, 503, 504)


def make_retry(*, attempts: int, backoff_s: float, statuses: tuple[int, ...]) -> Retry:
    return Retry(total=attempts, connect=1, read=0, status=attempts, status_forcelist=statuses,
                 allowed_methods=None, backoff_factor=backoff_s, backoff_max=30.0,
                 respect_retry_after_header=True, raise_on_status=False)


def build_clients(*, access_token: str, host: str | None, attempts: int = 4,
                  backoff_s: float = 0.5) -> tuple[HubSpot, HubSpot]:
    """(reader, writer) clients sharing the token and host."""
    host = host.rstrip("/") if host else None
    extra = {"host": host} if host else {}
    reader = HubSpot(access_token=access_token,
                     retry=make_retry(attempts=attempts, backoff_s=backoff_s, statuses=READ_RETRY_STATUSES), **extra)
    writer = HubSpot(access_token=access_token,
                     retry=make_retry(attempts=attempts, backoff_s=backoff_s, statuses=(429,)), **extra)
    return reader, writer
