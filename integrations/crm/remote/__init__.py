"""What every vendor connector shares: the ``VendorSource`` contract, id links, composition, errors.

A new connector implements one class, :class:`VendorSource` (vendor JSON -> ``VendorRow``); the
live ``RemoteCRM`` and the ``dealpilot crm sync`` engine are inherited from here.
"""

from integrations.crm.remote.composed import RemoteCRM
from integrations.crm.remote.errors import crm_auth_expired, crm_bad_payload, crm_missing_scopes, crm_unreachable
from integrations.crm.remote.source import ChangePage, VendorRow, VendorSource, VendorUser

__all__ = [
    "ChangePage", "RemoteCRM", "VendorRow", "VendorSource", "VendorUser",
    "crm_auth_expired", "crm_bad_payload", "crm_missing_scopes", "crm_unreachable",
]
