"""``build_remote_crm``: the vendor connector named by ``DEALPILOT_CRM`` (live mode), and its source.

``bot.runtime.build_crm`` calls this for ``crm = hubspot | salesforce`` in live mode; sync mode
reads the embedded store and uses ``build_source`` only inside ``dealpilot crm sync``.
"""

from __future__ import annotations

from bot.config import Settings
from bot.errors import InvalidInput
from bot.store import Store
from integrations.crm.base import CRM
from integrations.crm.remote.source import VendorSource


def _missing(*names: str) -> InvalidInput:
    listed = ", ".join(f"DEALPILOT_{n.upper()}" for n in names)
    return InvalidInput(zh=f"CRM 连接未配置：请设置 {listed}。", en=f"The CRM connection is not configured: set {listed}.")


def build_source(settings: Settings) -> VendorSource:
    """The vendor source for ``settings.crm`` (credentials from settings; never logged)."""
    if settings.crm == "hubspot":
        from integrations.crm.hubspot.source import HubSpotSource

        if settings.hubspot_access_token is None:
            raise _missing("hubspot_access_token")
        return HubSpotSource(access_token=settings.hubspot_access_token.get_secret_value(),
                             host=settings.hubspot_host)
    if settings.crm == "salesforce":
        from integrations.crm.salesforce.source import SalesforceSource

        if not settings.salesforce_instance_url or settings.salesforce_session_id is None:
            raise _missing("salesforce_instance_url", "salesforce_session_id")
        return SalesforceSource(instance_url=settings.salesforce_instance_url,
                                session_id=settings.salesforce_session_id.get_secret_value(),
                                verify=settings.salesforce_verify_tls)
    raise InvalidInput(zh=f"没有名为 {settings.crm} 的外部 CRM 连接器。", en=f"There is no remote CRM connector named {settings.crm}.")


def build_remote_crm(settings: Settings, store: Store) -> CRM:
    """The live connector: vendor reads and writes, the embedded store for what the vendor lacks."""
    from integrations.crm.remote.composed import RemoteCRM

    return RemoteCRM(build_source(settings), store)
