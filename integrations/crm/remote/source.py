"""The one interface a vendor connector implements: vendor records in, ``VendorRow`` out.

A ``VendorRow`` already speaks our field names (``integrations/crm/entities.py``) for what the
vendor owns, and keeps references (account, deal, contact, owner) as *vendor* ids: turning those
into DealPilot ids, applying visibility and adding what the vendor lacks is the same for every
vendor and lives in ``RemoteCRM`` and the sync engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from integrations.crm.remote.user_tokens import UserToken

Kind = Literal["account", "contact", "opportunity", "activity"]
KINDS: tuple[Kind, ...] = ("account", "contact", "opportunity", "activity")


@dataclass
class VendorRow:
    """One vendor record mapped to our field names.

    Attributes:
        kind: ``account``, ``contact``, ``opportunity`` or ``activity``.
        external_id: the vendor's id.
        fields: vendor-owned fields under our names (absent = the vendor lacks it).
        account: vendor id of the account (contacts, deals, activities).
        opportunity: vendor id of the deal (activities).
        contact: vendor id of the contact (activities) or of the manager (contacts' reports-to).
        owner: vendor user id of the owner / author.
        members: (vendor user id, role or "") on the account team or deal team.
        contacts: vendor contact ids of a deal's buying committee.
        local_hint: the DealPilot id stored on the vendor record, when the record was exported from us.
        modified_at: vendor last-modified time (the sync cursor).
        deleted: archived / in the recycle bin.
    """

    kind: Kind
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    account: str | None = None
    opportunity: str | None = None
    contact: str | None = None
    owner: str | None = None
    members: list[tuple[str, str]] | None = None
    contacts: list[str] | None = None
    local_hint: int | None = None
    modified_at: datetime | None = None
    deleted: bool = False


@dataclass(frozen=True)
class VendorUser:
    """A vendor user / owner; mapped to a DealPilot user by email."""

    external_id: str
    email: str
    name: str = ""
    active: bool = True


@dataclass
class ChangePage:
    """One page of changes for sync: rows (deleted ones flagged) and the token of the next page."""

    rows: list[VendorRow]
    next_token: str | None
    total: int | None = None


class CursorExpired(Exception):
    """The vendor no longer accepts a saved page token; the run restarts from its ``since``."""


class VendorSource(ABC):
    """Reads and writes one vendor CRM through its SDK. Raise ``ServiceUnavailable`` on failure."""

    system: str = "vendor"
    label: str = "CRM"

    def for_user(self, token: UserToken) -> VendorSource | None:
        """The same source calling the vendor with one user's own token (delegated access), or
        ``None`` when the vendor cannot act as a user (then DealPilot's visibility rules alone apply)."""
        return None

    @abstractmethod
    def users(self) -> list[VendorUser]:
        """Every vendor user / owner (the integration maps them to ours by email)."""

    @abstractmethod
    def get(self, kind: Kind, external_id: str) -> VendorRow | None:
        """One record, or ``None`` when it does not exist (404 / deleted)."""

    @abstractmethod
    def list_all(self, kind: Literal["account", "opportunity"]) -> Iterator[VendorRow]:
        """Every live account or deal, with its account reference, owner and team."""

    @abstractmethod
    def search_accounts(self, query: str, limit: int) -> list[VendorRow]:
        """Accounts whose name contains ``query`` (the vendor's own search)."""

    @abstractmethod
    def account_children(self, kind: Literal["contact", "opportunity", "activity"], account: str) -> list[VendorRow]:
        """Contacts, deals or activities of one account."""

    @abstractmethod
    def opportunity_activities(self, opportunity: str) -> list[VendorRow]:
        """Activities logged on one deal."""

    @abstractmethod
    def opportunity_contacts(self, opportunity: str) -> list[VendorRow]:
        """The deal's buying committee as contact rows (roles from the deal where the vendor has them)."""

    @abstractmethod
    def changes(self, kind: Kind, *, since: datetime | None, token: str | None, page_size: int) -> ChangePage:
        """A page of records of ``kind`` modified at or after ``since`` (``None``: everything),
        deletions included; ``token`` is the ``next_token`` of the previous page."""

    @abstractmethod
    def create_activity(
        self,
        *,
        kind: str,
        account: str,
        opportunity: str | None,
        owner: str | None,
        subject: str,
        summary: str,
        due_date: date | None,
        status: str,
    ) -> VendorRow:
        """Write a note / call / task back to the vendor and return it as read back."""
