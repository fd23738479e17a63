"""Vendor id <-> DealPilot id, stored in ``crm_external_link`` so ids are stable across processes.

A vendor record exported from DealPilot carries our id (``dealpilot_id`` / ``DealPilot_Id__c``) and
keeps it; any other record gets the next free id above both the embedded table and earlier links,
so it never collides with a row that lives only in the embedded store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from bot.store import Store
from integrations.crm.local.models import Account, Activity, Contact, Opportunity
from integrations.crm.sync_state import ExternalLink

LOCAL_TABLES: dict[str, type[SQLModel]] = {
    "account": Account, "contact": Contact, "opportunity": Opportunity, "activity": Activity,
}
ATTEMPTS = 3


class LinkMap:
    """Id links of one vendor system."""

    def __init__(self, store: Store, system: str) -> None:
        self.store = store
        self.system = system

    def external_id(self, kind: str, local_id: int) -> str | None:
        with Session(self.store.engine) as s:
            return s.exec(
                select(ExternalLink.external_id).where(
                    ExternalLink.system == self.system, ExternalLink.kind == kind, ExternalLink.local_id == local_id
                )
            ).first()

    def known(self, kind: str, external_ids: Iterable[str]) -> dict[str, int]:
        """Links that already exist for ``external_ids`` (no allocation)."""
        wanted = sorted(set(external_ids))
        found: dict[str, int] = {}
        with Session(self.store.engine) as s:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = s.exec(
                    select(ExternalLink.external_id, ExternalLink.local_id).where(
                        ExternalLink.system == self.system,
                        ExternalLink.kind == kind,
                        col(ExternalLink.external_id).in_(chunk),
                    )
                ).all()
                found.update({e: i for e, i in rows})
        return found

    def local_ids(self, kind: str, wanted: Iterable[tuple[str, int | None]]) -> dict[str, int]:
        """Local ids for (external id, hint) pairs, creating the missing links in one transaction.

        Two workers racing on the same record both end with the winner's link (unique constraints).
        """
        pairs = dict(wanted)
        for _ in range(ATTEMPTS):
            found = self.known(kind, pairs)
            missing = {e: h for e, h in pairs.items() if e not in found}
            if not missing:
                return found
            try:
                with self.store.session() as s:
                    found.update(self._allocate(s, kind, missing))
                return found
            except IntegrityError:
                continue  # another worker linked some of them first: read again
        return self.known(kind, pairs)

    def _allocate(self, s: Session, kind: str, missing: dict[str, int | None]) -> dict[str, int]:
        table: Any = LOCAL_TABLES[kind]
        taken = set(
            s.exec(
                select(ExternalLink.local_id).where(
                    ExternalLink.system == self.system,
                    ExternalLink.kind == kind,
                    col(ExternalLink.local_id).in_([h for h in missing.values() if h is not None]),
                )
            ).all()
        )
        top = max(
            s.exec(select(func.max(table.id))).one() or 0,
            s.exec(select(func.max(ExternalLink.local_id)).where(ExternalLink.kind == kind)).one() or 0,
        )
        result: dict[str, int] = {}
        for external_id, hint in sorted(missing.items(), key=lambda kv: (kv[1] is None, kv[1] or 0, kv[0])):
            if hint is not None and hint > 0 and hint not in taken:
                local_id = hint
                taken.add(hint)
            else:
                top += 1
                while top in taken:
                    top += 1
                local_id = top
            top = max(top, local_id)
            result[external_id] = local_id
            s.add(ExternalLink(system=self.system, kind=kind, external_id=external_id, local_id=local_id))
        s.flush()
        return result

    def forget(self, s: Session, kind: str, external_id: str) -> int | None:
        """Drop a link (a record deleted in the vendor) inside the caller's transaction."""
        row = s.exec(
            select(ExternalLink).where(
                ExternalLink.system == self.system, ExternalLink.kind == kind, ExternalLink.external_id == external_id
            )
        ).first()
        if row is None:
            return None
        s.delete(row)
        return row.local_id
