"""``RemoteCRM``: the ``CRM`` interface in live mode over any ``VendorSource``.

Reads go to the vendor on demand (through a short per-viewer cache) — with the asking user's own
token when they connected one (``delegated.py``: the vendor's sharing decides), else the integration
token — and the CRM's ownership and team visibility is applied before anything leaves (a second guard
over a user token), and what the vendor lacks (orders, competitor
signals, contracts, milestones, and fields such as Chinese names or discounts) comes from the
embedded store under the same ids. Writes go to the vendor. Vendor failures surface as
``ServiceUnavailable`` so the chat says "the CRM is not reachable right now" instead of crashing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from bot.errors import InvalidInput, NotFoundOrHidden
from bot.store import Store
from integrations.crm.base import CRM
from integrations.crm.cache import DEFAULT_TTL_S, ViewerCache
from integrations.crm.entities import (
    AccountRecord,
    ActivityKind,
    ActivityRecord,
    CompetitorSignalRecord,
    ContactRecord,
    ContractRecord,
    DealMember,
    MilestoneRecord,
    OpportunityRecord,
    OrderRecord,
    TeamRecord,
    UserRecord,
)
from integrations.crm.local.crm import LocalCRM
from integrations.crm.remote.delegated import Delegation
from integrations.crm.remote.links import LinkMap
from integrations.crm.remote.local_parts import LocalParts
from integrations.crm.remote.people import People
from integrations.crm.remote.records import Mapped, RecordMapper
from integrations.crm.remote.source import VendorSource
from integrations.crm.remote.visibility import can_see_account
from integrations.crm.viewer import Viewer

_HIDDEN = NotFoundOrHidden(zh="我找不到你有权限查看的这个客户。", en="I can't find an account you have access to.")
_HIDDEN_DEAL = NotFoundOrHidden(zh="我找不到你有权限查看的这个商机。", en="I can't find a deal you have access to.")
ACTIVITY_KINDS: tuple[str, ...] = get_args(ActivityKind)


class RemoteCRM(CRM):
    """Live connector: vendor records, our ids, our visibility rules, the embedded store for the rest."""

    def __init__(self, source: VendorSource, store: Store, *, cache_ttl_s: float = DEFAULT_TTL_S) -> None:
        self.source = source
        self.store = store
        self.name = source.system
        self.local = LocalCRM(store)
        self.links = LinkMap(store, source.system)
        self.people = People(source, self.local)
        self.mapper = RecordMapper(source, store, self.links, self.people)
        self.parts = LocalParts(store)
        self.cache = ViewerCache(cache_ttl_s)
        self.delegation = Delegation(source, store)

    # --- people (the directory lives in the embedded store) -------------------------------------
    def get_user(self, user_id: str) -> UserRecord | None:
        return self.local.get_user(user_id)

    def list_users(self) -> list[UserRecord]:
        return self.local.list_users()

    def list_teams(self) -> list[TeamRecord]:
        return self.local.list_teams()

    def user_for_chat_identity(self, platform: str, workspace: str, external_id: str) -> str | None:
        return self.local.user_for_chat_identity(platform, workspace, external_id)

    def link_chat_identity(self, platform: str, workspace: str, external_id: str, user_id: str) -> None:
        self.local.link_chat_identity(platform, workspace, external_id, user_id)

    def chat_identities_of(self, user_id: str, *, platform: str, workspace: str | None = None) -> list[str]:
        return self.local.chat_identities_of(user_id, platform=platform, workspace=workspace)

    # --- visibility -----------------------------------------------------------------------------
    def _visible(self, viewer: Viewer, mapped: Mapped) -> bool:
        return can_see_account(viewer, owner_id=mapped.record.owner_id, member_ids={u for u, _ in mapped.members},
                               users=self.people.directory())

    def _cached(self, viewer: Viewer, *key: Any, load: Any) -> Any:
        """``load(client)`` with the viewer's vendor client, cached per viewer *and* token (scope)."""
        client, scope = self.delegation.source_for(viewer)
        return self.cache.get_or_load((viewer.user_id, viewer.role, viewer.managed_team_ids, scope, *key),
                                      lambda: load(client))

    def _visible_accounts(self, viewer: Viewer) -> dict[int, Mapped]:
        def load(src: VendorSource) -> dict[int, Mapped]:
            mapped = self.mapper.map("account", list(src.list_all("account")))
            return {m.record.id: m for m in mapped if self._visible(viewer, m)}
        return self._cached(viewer, "accounts", load=load)  # type: ignore[no-any-return]

    def _external_id(self, kind: str, local_id: int) -> str | None:
        """The vendor id behind one of our ids; an id never seen is looked for once per cache period
        by linking every live record of that kind (a button may name a record before any list did)."""
        external_id = self.links.external_id(kind, local_id)
        if external_id is None and kind in ("account", "opportunity"):
            self.cache.get_or_load(("*", "linked", kind),
                                   lambda: bool(self.mapper.map(kind, list(self.source.list_all(kind)))))  # type: ignore[arg-type]
            external_id = self.links.external_id(kind, local_id)
        return external_id

    def _account(self, viewer: Viewer, account_id: int) -> Mapped | None:
        def load(src: VendorSource) -> Mapped | None:
            external_id = self._external_id("account", account_id)
            row = src.get("account", external_id) if external_id else None
            mapped = self.mapper.map("account", [row]) if row else []
            return mapped[0] if mapped and self._visible(viewer, mapped[0]) else None
        return self._cached(viewer, "account", account_id, load=load)  # type: ignore[no-any-return]

    def _opportunity(self, viewer: Viewer, opportunity_id: int) -> Mapped | None:
        def load(src: VendorSource) -> Mapped | None:
            external_id = self._external_id("opportunity", opportunity_id)
            row = src.get("opportunity", external_id) if external_id else None
            mapped = self.mapper.map("opportunity", [row]) if row else []
            if not mapped or self._account(viewer, mapped[0].record.account_id) is None:
                return None
            return mapped[0]
        return self._cached(viewer, "opportunity", opportunity_id, load=load)  # type: ignore[no-any-return]

    # --- accounts -------------------------------------------------------------------------------
    def list_accounts(self, viewer: Viewer) -> list[AccountRecord]:
        return [m.record for _, m in sorted(self._visible_accounts(viewer).items())]

    def get_account(self, viewer: Viewer, account_id: int) -> AccountRecord | None:
        mapped = self._account(viewer, account_id)
        return mapped.record if mapped else None

    def find_accounts(self, viewer: Viewer, query: str, limit: int = 5) -> list[AccountRecord]:
        """The vendor's search first (names), then our aliases and Chinese names from the visible set."""
        if not query.strip():
            return []
        client, _ = self.delegation.source_for(viewer)
        found = {m.record.id: m.record for m in self.mapper.map("account", client.search_accounts(query, limit * 4))
                 if self._visible(viewer, m)}
        for record in super().find_accounts(viewer, query, limit=limit):
            found.setdefault(record.id, record)
        return [found[i] for i in sorted(found)][:limit]

    def list_contacts(self, viewer: Viewer, account_id: int) -> list[ContactRecord]:
        account = self._account(viewer, account_id)
        if account is None:
            return []
        def load(src: VendorSource) -> list[ContactRecord]:
            rows = src.account_children("contact", account.row.external_id)
            return sorted((m.record for m in self.mapper.map("contact", rows)), key=lambda c: c.id)
        return self._cached(viewer, "contacts", account_id, load=load)  # type: ignore[no-any-return]

    # --- deals ----------------------------------------------------------------------------------
    def list_opportunities(self, viewer: Viewer, *, account_id: int | None = None,
                           open_only: bool = False) -> list[OpportunityRecord]:
        def load(src: VendorSource) -> list[OpportunityRecord]:
            if account_id is not None:
                account = self._account(viewer, account_id)
                if account is None:
                    return []
                rows = src.account_children("opportunity", account.row.external_id)
                records = [m.record for m in self.mapper.map("opportunity", rows)]
            else:
                visible = self._visible_accounts(viewer)
                records = [m.record for m in self.mapper.map("opportunity", list(src.list_all("opportunity")))
                           if m.record.account_id in visible]
            return sorted(records, key=lambda o: o.id)
        records: list[OpportunityRecord] = self._cached(viewer, "opportunities", account_id, load=load)
        return [o for o in records if o.is_open] if open_only else list(records)

    def get_opportunity(self, viewer: Viewer, opportunity_id: int) -> OpportunityRecord | None:
        mapped = self._opportunity(viewer, opportunity_id)
        return mapped.record if mapped else None

    def opportunity_team(self, viewer: Viewer, opportunity_id: int) -> list[DealMember]:
        mapped = self._opportunity(viewer, opportunity_id)
        if mapped is None:
            return []
        directory = self.people.directory()
        members = list(mapped.members)
        owner = mapped.record.owner_id
        if not any(u == owner for u, _ in members):
            members.insert(0, (owner, "owner"))
        return [DealMember(user=directory[u], role=r) for u, r in members if u in directory]

    def opportunity_contacts(self, viewer: Viewer, opportunity_id: int) -> list[ContactRecord]:
        mapped = self._opportunity(viewer, opportunity_id)
        if mapped is None:
            return []
        def load(src: VendorSource) -> list[ContactRecord]:
            rows = src.opportunity_contacts(mapped.row.external_id)
            return sorted((m.record for m in self.mapper.map("contact", rows)), key=lambda c: c.id)
        return self._cached(viewer, "deal_contacts", opportunity_id, load=load)  # type: ignore[no-any-return]

    # --- history and signals --------------------------------------------------------------------
    def list_activities(self, viewer: Viewer, *, account_id: int | None = None, opportunity_id: int | None = None,
                        since: date | None = None, limit: int | None = None) -> list[ActivityRecord]:
        def load(src: VendorSource) -> list[ActivityRecord]:
            if opportunity_id is not None:
                deal = self._opportunity(viewer, opportunity_id)
                if deal is None or (account_id is not None and deal.record.account_id != account_id):
                    return []
                rows = src.opportunity_activities(deal.row.external_id)
            elif account_id is not None:
                account = self._account(viewer, account_id)
                rows = src.account_children("activity", account.row.external_id) if account else []
            else:
                rows = [r for m in self._visible_accounts(viewer).values()
                        for r in src.account_children("activity", m.row.external_id)]
            records = [m.record for m in self.mapper.map("activity", rows)]
            return sorted(records, key=lambda a: (a.occurred_at, a.id), reverse=True)
        records: list[ActivityRecord] = self._cached(viewer, "activities", account_id, opportunity_id, load=load)
        if since is not None:
            records = [a for a in records if a.occurred_at.date() >= since]
        return records[:limit] if limit else list(records)

    def list_orders(self, viewer: Viewer, account_id: int, *, since: date | None = None) -> list[OrderRecord]:
        return self.parts.orders(account_id, since) if self._account(viewer, account_id) else []

    def list_competitor_signals(self, viewer: Viewer, account_id: int, *,
                                since: date | None = None) -> list[CompetitorSignalRecord]:
        return self.parts.competitor_signals(account_id, since) if self._account(viewer, account_id) else []

    def get_contract(self, viewer: Viewer, opportunity_id: int) -> ContractRecord | None:
        return self.parts.contract(opportunity_id) if self._opportunity(viewer, opportunity_id) else None

    def list_milestones(self, viewer: Viewer, opportunity_id: int) -> list[MilestoneRecord]:
        return self.parts.milestones(opportunity_id) if self._opportunity(viewer, opportunity_id) else []

    # --- writes (to the vendor) -----------------------------------------------------------------
    def _write_target(self, viewer: Viewer, account_id: int, opportunity_id: int | None) -> tuple[str, str | None]:
        account = self._account(viewer, account_id)
        if account is None:
            raise _HIDDEN
        if opportunity_id is None:
            return account.row.external_id, None
        deal = self._opportunity(viewer, opportunity_id)
        if deal is None or deal.record.account_id != account_id:
            raise _HIDDEN_DEAL
        return account.row.external_id, deal.row.external_id

    def _written(self, row: Any) -> ActivityRecord:
        self.cache.clear()
        mapped = self.mapper.map("activity", [row])
        if not mapped:
            raise InvalidInput(zh="CRM 已保存，但返回的记录无法读取。", en="The CRM saved it, but its answer could not be read.")
        return mapped[0].record  # type: ignore[no-any-return]

    def log_activity(self, viewer: Viewer, *, account_id: int, kind: str, summary: str, subject: str = "",
                     opportunity_id: int | None = None) -> ActivityRecord:
        if kind not in ACTIVITY_KINDS or kind == "task":
            raise InvalidInput(zh=f"不支持的跟进类型：{kind}", en=f"Unsupported activity kind: {kind}")
        if not summary.strip():
            raise InvalidInput(zh="跟进内容不能为空。", en="The note is empty.")
        account, deal = self._write_target(viewer, account_id, opportunity_id)
        client, _ = self.delegation.source_for(viewer)  # written as the user when they connected
        row = client.create_activity(kind=kind, account=account, opportunity=deal,
                                     owner=self.people.vendor_user(viewer.user_id), subject=subject,
                                     summary=summary, due_date=None, status="done")
        return self._written(row)

    def create_task(self, viewer: Viewer, *, account_id: int, subject: str, due_date: date | None,
                    owner_id: str | None = None, opportunity_id: int | None = None) -> ActivityRecord:
        if not subject.strip():
            raise InvalidInput(zh="任务内容不能为空。", en="The task is empty.")
        account, deal = self._write_target(viewer, account_id, opportunity_id)
        owner = self.people.vendor_user(owner_id or viewer.user_id)
        client, _ = self.delegation.source_for(viewer)
        row = client.create_activity(kind="task", account=account, opportunity=deal, owner=owner,
                                     subject=subject, summary=subject, due_date=due_date, status="open")
        return self._written(row)
