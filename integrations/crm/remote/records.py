"""``VendorRow`` -> our records: ids through the link table, owners through email, and the fields
the vendor lacks taken from the linked embedded row ("vendor for what it has, the store for the rest").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from bot.store import Store
from integrations.crm.entities import AccountRecord, ActivityRecord, ContactRecord, OpportunityRecord
from integrations.crm.local.models import OpportunityMember
from integrations.crm.remote.links import LOCAL_TABLES, LinkMap
from integrations.crm.remote.people import People
from integrations.crm.remote.source import Kind, VendorRow, VendorSource

log = logging.getLogger("dealpilot.crm.remote")

_DEFAULTS: dict[str, dict[str, Any]] = {
    "account": {"name_zh": "", "name_en": "", "industry": "", "region": "", "tier": "B", "country": "",
                "aliases": []},
    "contact": {"name": "", "name_en": "", "title": "", "email": "", "phone": "", "committee_role": "user",
                "influence": "medium", "attitude": "neutral", "reports_to_id": None},
    "opportunity": {"name": "", "name_en": "", "stage": "prospecting", "amount": 0.0, "currency": "CNY",
                    "discount_pct": 0.0, "is_key": False, "products": []},
    "activity": {"kind": "note", "subject": "", "summary": "", "status": "done", "due_date": None,
                 "contact_id": None, "opportunity_id": None},
}
_TYPES = {"account": AccountRecord, "contact": ContactRecord, "opportunity": OpportunityRecord,
          "activity": ActivityRecord}
BULK_LINK_THRESHOLD = 5
_TEAM_ROLES = ("presales", "delivery", "legal", "finance")


@dataclass
class Mapped:
    """A record plus what visibility and sync need besides it."""

    record: Any
    row: VendorRow
    members: list[tuple[str, str]] = field(default_factory=list)  # (our user id, role)
    contacts: list[int] = field(default_factory=list)  # deals: committee contact ids


class RecordMapper:
    def __init__(self, source: VendorSource, store: Store, links: LinkMap, people: People) -> None:
        self.source = source
        self.store = store
        self.links = links
        self.people = people

    # --- ids ------------------------------------------------------------------------------------
    def resolve(self, kind: Kind, external_ids: Iterable[str | None]) -> dict[str, int]:
        """Local ids of referenced records; unseen ones are fetched once to learn their DealPilot id."""
        wanted = {e for e in external_ids if e}
        found = self.links.known(kind, wanted)
        missing = wanted - found.keys()
        if len(missing) > BULK_LINK_THRESHOLD and kind in ("account", "opportunity"):
            self.map(kind, list(self.source.list_all(kind)))  # one listing beats one request per record
            found = self.links.known(kind, wanted)
            missing = wanted - found.keys()
        if missing:
            hints: list[tuple[str, int | None]] = []
            for external_id in sorted(missing):
                row = self.source.get(kind, external_id)
                if row is not None:
                    hints.append((external_id, row.local_hint))
            found.update(self.links.local_ids(kind, hints))
        return found

    def _bases(self, kind: Kind, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        table: Any = LOCAL_TABLES[kind]
        wanted = sorted(set(ids))
        bases: dict[int, dict[str, Any]] = {}
        with Session(self.store.engine) as s:
            for start in range(0, len(wanted), 500):
                for row in s.exec(select(table).where(col(table.id).in_(wanted[start:start + 500]))):
                    bases[row.id] = row.model_dump()
        return bases

    # --- records --------------------------------------------------------------------------------
    def map(self, kind: Kind, rows: list[VendorRow]) -> list[Mapped]:
        """Map live rows of one kind (deleted rows are skipped); a row that cannot be read is logged and left out."""
        rows = [r for r in rows if not r.deleted]
        if not rows:
            return []
        ids = self.links.local_ids(kind, [(r.external_id, r.local_hint) for r in rows])
        bases = self._bases(kind, ids.values())
        accounts = self.resolve("account", [r.account for r in rows]) if kind != "account" else {}
        deals = self.resolve("opportunity", [r.opportunity for r in rows]) if kind == "activity" else {}
        contact_refs = [r.contact for r in rows] + [c for r in rows for c in (r.contacts or [])]
        contacts = self.resolve("contact", contact_refs) if kind != "account" else {}
        deal_roles = self._deal_roles(ids.values()) if kind == "opportunity" else {}
        result: list[Mapped] = []
        for row in rows:
            local_id = ids.get(row.external_id)
            if local_id is None:
                continue
            data: dict[str, Any] = dict(_DEFAULTS[kind])
            data.update(bases.get(local_id, {}))
            data.update({k: v for k, v in row.fields.items() if v is not None})
            data["id"] = local_id
            mapped = Mapped(record=None, row=row)
            if not self._fill(kind, row, data, mapped, accounts, deals, contacts, deal_roles.get(local_id, {})):
                continue
            try:
                mapped.record = _TYPES[kind].model_validate(data)
            except ValidationError as exc:
                log.warning("%s %s %s left out: %s", self.source.system, kind, row.external_id,
                            exc.errors(include_input=False))
                continue
            result.append(mapped)
        return result

    def _fill(self, kind: Kind, row: VendorRow, data: dict[str, Any], mapped: Mapped, accounts: dict[str, int],
              deals: dict[str, int], contacts: dict[str, int], roles: dict[str, str]) -> bool:
        directory = self.people.directory()
        owner = self.people.local_user(row.owner)
        if kind == "account":
            data["name_en"] = data["name_en"] or data["name_zh"] or row.external_id
            data["name_zh"] = data["name_zh"] or data["name_en"]
            data["owner_id"] = owner or data.get("owner_id") or ""
            owner_user = directory.get(data["owner_id"])
            data["team_id"] = owner_user.team_id if owner_user else data.get("team_id")
            mapped.members = [(u, "") for u in (self.people.local_user(v) for v, _ in row.members or []) if u]
            return True
        account_id = accounts.get(row.account or "")
        if kind == "activity" and account_id is None and row.opportunity:
            account_id = self._deal_account(deals.get(row.opportunity))
        if account_id is None:
            log.info("%s %s %s has no account we know; left out", self.source.system, kind, row.external_id)
            return False
        data["account_id"] = account_id
        if kind == "contact":
            data["name"] = data["name"] or data["email"] or row.external_id
            if row.contact:
                data["reports_to_id"] = contacts.get(row.contact)
        elif kind == "opportunity":
            data["name"] = data["name"] or data["name_en"] or row.external_id
            data["owner_id"] = owner or data.get("owner_id") or ""
            for vendor_id, vendor_role in row.members or []:
                user_id = self.people.local_user(vendor_id)
                if not user_id or any(u == user_id for u, _ in mapped.members):
                    continue
                role = "owner" if user_id == data["owner_id"] else (
                    vendor_role or roles.get(user_id) or _role_from_title(directory, user_id))
                mapped.members.append((user_id, role))
            mapped.contacts = [contacts[c] for c in row.contacts or [] if c in contacts]
        else:
            data["opportunity_id"] = deals.get(row.opportunity or "")
            data["contact_id"] = contacts.get(row.contact or "")
            data["author_id"] = owner or data.get("author_id") or f"{self.source.system}:unknown"
            if data.get("occurred_at") is None:
                data["occurred_at"] = row.modified_at
        return True

    def _deal_account(self, opportunity_id: int | None) -> int | None:
        if opportunity_id is None:
            return None
        base = self._bases("opportunity", [opportunity_id]).get(opportunity_id)
        return base["account_id"] if base else None

    def _deal_roles(self, ids: Iterable[int]) -> dict[int, dict[str, str]]:
        """Deal-team roles kept in the embedded store, for vendors whose deal team has no role field."""
        roles: dict[int, dict[str, str]] = {}
        with Session(self.store.engine) as s:
            for m in s.exec(select(OpportunityMember).where(col(OpportunityMember.opportunity_id).in_(sorted(set(ids))))):
                roles.setdefault(m.opportunity_id, {})[m.user_id] = m.role
        return roles


def _role_from_title(directory: dict[str, Any], user_id: str) -> str:
    user = directory.get(user_id)
    return user.title if user is not None and user.title in _TEAM_ROLES else "sales"
