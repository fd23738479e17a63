"""Ownership / team visibility for vendors whose API token is not the asking user's.

HubSpot private-app tokens and a Salesforce integration session see everything, so DealPilot
applies the CRM's own sharing model on top: the record owner, the account team (HubSpot owner
properties, Salesforce AccountTeamMember) and the manager of the owner's team (Salesforce role
hierarchy, approximated by our teams). The same rule as the embedded CRM
(``integrations/crm/visibility.py``), so a rep sees the same set whichever CRM is behind it.
When the rep connected their own token (``delegated.py``) the vendor filters first and this rule
stays as a second guard.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from integrations.crm.entities import UserRecord
from integrations.crm.viewer import Viewer


def can_see_account(viewer: Viewer, *, owner_id: str, member_ids: Collection[str],
                    users: Mapping[str, UserRecord]) -> bool:
    """True when ``viewer`` may see an account owned by ``owner_id`` with team ``member_ids``."""
    if viewer.is_admin:
        return True
    if owner_id == viewer.user_id or viewer.user_id in member_ids:
        return True
    if viewer.role == "manager" and viewer.managed_team_ids:
        owner = users.get(owner_id)
        return owner is not None and owner.team_id in viewer.managed_team_ids
    return False
