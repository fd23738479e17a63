"""Tables that tie a vendor CRM to the embedded store: id links, sync checkpoints, user tokens.

``crm_external_link`` maps a vendor record (HubSpot ``123``, Salesforce ``001...``) to the int id
DealPilot uses everywhere, so the same account keeps the same id in live mode, in sync mode and in
the embedded tables that hold what the vendor lacks (orders, competitor signals, contracts,
milestones). ``crm_sync_cursor`` holds one row per vendor object kind: the last-modified cursor
of the last finished run plus the page checkpoint of a run in progress, so a crashed sync resumes.
``crm_user_token`` holds each user's own vendor token for delegated live reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ExternalLink(SQLModel, table=True):
    """One vendor record <-> one local id, per system and entity kind (both sides unique)."""

    __tablename__ = "crm_external_link"
    __table_args__ = (
        UniqueConstraint("system", "kind", "external_id"),
        UniqueConstraint("system", "kind", "local_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    system: str  # hubspot | salesforce | ...
    kind: str  # account | contact | opportunity | activity
    external_id: str
    local_id: int = Field(index=True)


class SyncCursor(SQLModel, table=True):
    """Where the sync of one kind stands.

    ``cursor`` is the vendor last-modified time from which the next run starts. While a run is in
    progress (``status == "running"``) ``run_since``/``run_started_at`` fix its query and
    ``page_token`` is the checkpoint after the last committed page.
    """

    __tablename__ = "crm_sync_cursor"
    system: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    cursor: datetime | None = None
    status: str = "idle"  # idle | running
    run_since: datetime | None = None
    run_started_at: datetime | None = None
    page_token: str | None = None
    pages: int = 0
    records: int = 0
    deleted: int = 0
    updated_at: datetime | None = None


class CRMUserToken(SQLModel, table=True):
    """A DealPilot user's own vendor access token (delegated access in live mode, issue #10).

    With it the connector calls the vendor *as that user*, so the vendor's sharing rules decide what
    they see. A secret: read it only through ``integrations.crm.remote.user_tokens`` (whose value
    object masks it in ``repr``); never log or print it.
    """

    __tablename__ = "crm_user_token"
    system: str = Field(primary_key=True)  # hubspot | salesforce
    user_id: str = Field(primary_key=True)  # DealPilot / CRM user id
    access_token: str
    refresh_token: str | None = None
    instance_url: str | None = None  # Salesforce: the org the token belongs to
    expires_at: datetime | None = None
    updated_at: datetime | None = None
