"""HubSpot behind the ``CRM`` interface (live mode) and as a sync source (``dealpilot crm sync``)."""

from __future__ import annotations

from typing import Any

from bot.store import Store
from integrations.crm.cache import DEFAULT_TTL_S
from integrations.crm.hubspot.source import HubSpotSource
from integrations.crm.remote.composed import RemoteCRM

__all__ = ["HubSpotCRM", "HubSpotSource"]


class HubSpotCRM(RemoteCRM):
    """Live HubSpot: companies, contacts, deals and engagements from HubSpot; the rest from the store."""

    def __init__(self, store: Store, *, access_token: str, host: str | None = None,
                 cache_ttl_s: float = DEFAULT_TTL_S, **source_options: Any) -> None:
        super().__init__(HubSpotSource(access_token=access_token, host=host, **source_options), store,
                         cache_ttl_s=cache_ttl_s)
