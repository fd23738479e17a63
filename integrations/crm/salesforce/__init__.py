"""Salesforce behind the ``CRM`` interface (live mode) and as a sync source (``dealpilot crm sync``)."""

from __future__ import annotations

from typing import Any

from bot.store import Store
from integrations.crm.cache import DEFAULT_TTL_S
from integrations.crm.remote.composed import RemoteCRM
from integrations.crm.salesforce.source import SalesforceSource

__all__ = ["SalesforceCRM", "SalesforceSource"]


class SalesforceCRM(RemoteCRM):
    """Live Salesforce: accounts, contacts, opportunities and activities from Salesforce; the rest from the store."""

    def __init__(self, store: Store, *, instance_url: str, session_id: str, verify: bool | str = True,
                 cache_ttl_s: float = DEFAULT_TTL_S, **source_options: Any) -> None:
        super().__init__(SalesforceSource(instance_url=instance_url, session_id=session_id, verify=verify,
                                          **source_options), store, cache_ttl_s=cache_ttl_s)
