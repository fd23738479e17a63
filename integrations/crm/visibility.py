"""Who sees which accounts, as one SQL filter shared by every read of the embedded CRM.

A rep sees the accounts they own or are on the account team of; a manager also sees every
account owned by someone in a team they manage; an admin sees all. Deals, contacts, activities,
orders, signals, contracts and milestones inherit their account's visibility.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from integrations.crm.local.models import Account, AccountMember, User
from integrations.crm.viewer import Viewer


def visible_account_filter(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``Account`` that keeps only what ``viewer`` may see."""
    if viewer.is_admin:
        return true()
    member_of = select(AccountMember.account_id).where(AccountMember.user_id == viewer.user_id)
    clauses = [Account.owner_id == viewer.user_id, Account.id.in_(member_of)]  # type: ignore[union-attr]
    if viewer.role == "manager" and viewer.managed_team_ids:
        team_users = select(User.id).where(User.team_id.in_(sorted(viewer.managed_team_ids)))  # type: ignore[union-attr]
        clauses.append(Account.owner_id.in_(team_users))  # type: ignore[attr-defined]
        clauses.append(Account.team_id.in_(sorted(viewer.managed_team_ids)))  # type: ignore[union-attr]
    return or_(*clauses)


def visible_account_ids(viewer: Viewer):  # type: ignore[no-untyped-def]
    """A sub-select of the account ids ``viewer`` may see, for filtering child tables."""
    return select(Account.id).where(visible_account_filter(viewer))
