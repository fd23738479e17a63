"""Sync mode: pull a vendor CRM's changes into the embedded store (``dealpilot crm sync``).

Per kind (accounts, contacts, deals, activities) the run asks the vendor for records modified at
or after the cursor (deletions included: HubSpot archived, Salesforce ``IsDeleted`` via
``queryAll``), and applies each page in one transaction together with its checkpoint. A crash
leaves the checkpoint of the last committed page; the next run resumes there. Records are keyed
by the link table, so a page applied twice updates rows instead of duplicating them. Reads then go
through ``LocalCRM``, whose SQL visibility uses the owners and account teams synced here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session, SQLModel, col, delete, select

from bot.store import Store
from integrations.crm.local.crm import LocalCRM
from integrations.crm.local.models import (
    Account,
    AccountMember,
    Activity,
    Contact,
    Opportunity,
    OpportunityContact,
    OpportunityMember,
)
from integrations.crm.remote.links import LinkMap
from integrations.crm.remote.people import People
from integrations.crm.remote.records import Mapped, RecordMapper
from integrations.crm.remote.source import KINDS, CursorExpired, Kind, VendorRow, VendorSource
from integrations.crm.sync_state import SyncCursor

log = logging.getLogger("dealpilot.crm.sync")

TABLES: dict[str, type[SQLModel]] = {"account": Account, "contact": Contact, "opportunity": Opportunity,
                                     "activity": Activity}
DONE = "__done__"
OVERLAP = timedelta(minutes=2)
MAX_RESTARTS = 3

Progress = Callable[[str, int, "int | None"], None]


@dataclass
class KindReport:
    kind: str
    upserted: int = 0
    deleted: int = 0
    pages: int = 0
    resumed: bool = False
    full: bool = False


@dataclass
class SyncReport:
    system: str
    kinds: list[KindReport] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return any(k.full for k in self.kinds)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Syncer:
    """Incremental, resumable pull from one ``VendorSource`` into the embedded store."""

    def __init__(self, source: VendorSource, store: Store, *, page_size: int = 100,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.source = source
        self.store = store
        self.page_size = page_size
        self.clock = clock
        self.links = LinkMap(store, source.system)
        self.people = People(source, LocalCRM(store))
        self.mapper = RecordMapper(source, store, self.links, self.people)

    def state(self, kind: str) -> SyncCursor:
        with Session(self.store.engine) as s:
            row = s.get(SyncCursor, (self.source.system, kind))
            return row if row is not None else SyncCursor(system=self.source.system, kind=kind)

    def run(self, kinds: Iterable[Kind] = KINDS, progress: Progress | None = None) -> SyncReport:
        self.people.invalidate()
        report = SyncReport(self.source.system)
        for kind in kinds:
            report.kinds.append(self._run_kind(kind, progress))
        return report

    # --- one kind -------------------------------------------------------------------------------
    def _run_kind(self, kind: Kind, progress: Progress | None) -> KindReport:
        state = self.state(kind)
        report = KindReport(kind, resumed=state.status == "running", full=state.cursor is None)
        if state.status != "running":
            state.status, state.run_since, state.run_started_at = "running", state.cursor, self.clock()
            state.page_token, state.pages, state.records, state.deleted = None, 0, 0, 0
            self._save(state)
        token = state.page_token
        restarts = 0
        total: int | None = None
        while token != DONE:
            try:
                page = self.source.changes(kind, since=state.run_since, token=token, page_size=self.page_size)
            except CursorExpired:
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise
                log.info("sync %s %s: page token expired, restarting from the run's cursor", self.source.system, kind)
                token = None
                continue
            total = total if total is not None else page.total
            upserted, deleted = self._apply(kind, page.rows, state, page.next_token or DONE)
            report.upserted += upserted
            report.deleted += deleted
            report.pages += 1
            token = state.page_token
            if progress is not None:
                progress(kind, state.records + state.deleted, total)
        state.cursor = (state.run_started_at or self.clock()) - OVERLAP
        state.status, state.page_token = "idle", None
        self._save(state)
        return report

    def _save(self, state: SyncCursor) -> None:
        state.updated_at = self.clock()
        with self.store.session() as s:
            s.merge(state)

    # --- one page: rows and checkpoint in one transaction ---------------------------------------
    def _apply(self, kind: Kind, rows: list[VendorRow], state: SyncCursor, next_token: str) -> tuple[int, int]:
        live = self.mapper.map(kind, [r for r in rows if not r.deleted])
        gone = self.links.known(kind, [r.external_id for r in rows if r.deleted])
        with self.store.session() as s:
            for mapped in live:
                self._upsert(s, kind, mapped)
            for external_id, local_id in gone.items():
                self._delete(s, kind, local_id)
                self.links.forget(s, kind, external_id)
            state.page_token = next_token
            state.pages += 1
            state.records += len(live)
            state.deleted += len(gone)
            state.updated_at = self.clock()
            s.merge(state)
        return len(live), len(gone)

    def _upsert(self, s: Session, kind: str, mapped: Mapped) -> None:
        table: Any = TABLES[kind]
        values = mapped.record.model_dump(include=set(table.model_fields))
        row = s.get(table, values["id"])
        if row is None:
            s.add(table(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            s.add(row)
        if kind == "account" and mapped.row.members is not None:
            keep = {u for u, _ in mapped.members if u != mapped.record.owner_id}
            self._replace(s, AccountMember, AccountMember.account_id, values["id"], keep,
                          lambda u: AccountMember(account_id=values["id"], user_id=u, role="sales"))
        if kind == "opportunity":
            roles = dict(mapped.members)
            if mapped.row.members is not None:
                s.exec(delete(OpportunityMember).where(col(OpportunityMember.opportunity_id) == values["id"]))
                for user_id, role in roles.items():
                    s.add(OpportunityMember(opportunity_id=values["id"], user_id=user_id, role=role))
            if mapped.row.contacts is not None:
                s.exec(delete(OpportunityContact).where(col(OpportunityContact.opportunity_id) == values["id"]))
                for contact_id in dict.fromkeys(mapped.contacts):
                    s.add(OpportunityContact(opportunity_id=values["id"], contact_id=contact_id))

    @staticmethod
    def _replace(s: Session, table: Any, key: Any, key_value: int, users: set[str],
                 make: Callable[[str], Any]) -> None:
        existing = {m.user_id: m for m in s.exec(select(table).where(key == key_value))}
        for user_id, member in existing.items():
            if user_id not in users:
                s.delete(member)
        for user_id in users - existing.keys():
            s.add(make(user_id))

    @staticmethod
    def _delete(s: Session, kind: str, local_id: int) -> None:
        table: Any = TABLES[kind]
        row = s.get(table, local_id)
        if row is not None:
            s.delete(row)
        if kind == "account":
            s.exec(delete(AccountMember).where(col(AccountMember.account_id) == local_id))
        elif kind == "opportunity":
            s.exec(delete(OpportunityMember).where(col(OpportunityMember.opportunity_id) == local_id))
            s.exec(delete(OpportunityContact).where(col(OpportunityContact.opportunity_id) == local_id))
        elif kind == "contact":
            s.exec(delete(OpportunityContact).where(col(OpportunityContact.contact_id) == local_id))
