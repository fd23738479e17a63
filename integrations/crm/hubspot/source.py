"""``HubSpotSource``: HubSpot CRM v3 objects, search and associations v4 through the official SDK."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import urllib3
from hubspot.crm.objects import (
    AssociationSpec,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)

from integrations.crm.hubspot import mapping as mp
from integrations.crm.hubspot.client import build_clients
from integrations.crm.remote.errors import crm_auth_expired, crm_bad_payload, crm_missing_scopes, crm_unreachable
from integrations.crm.remote.parse import iso_z
from integrations.crm.remote.source import ChangePage, Kind, VendorRow, VendorSource, VendorUser

log = logging.getLogger("dealpilot.crm.hubspot")
T = TypeVar("T")

PAGE = 100
BATCH = 100
SEARCH_WINDOW = 10_000  # HubSpot search stops at 10,000 results per query
WRITE_ASSOC = {("notes", "companies"): 190, ("notes", "deals"): 214, ("tasks", "companies"): 192,
               ("tasks", "deals"): 216, ("calls", "companies"): 182, ("calls", "deals"): 206,
               ("meetings", "companies"): 188, ("meetings", "deals"): 212, ("emails", "companies"): 186,
               ("emails", "deals"): 210}
CHANGE_TYPES: dict[str, tuple[str, ...]] = {"account": ("companies",), "contact": ("contacts",),
                                            "opportunity": ("deals",), "activity": mp.ENGAGEMENT_TYPES}


class _NotFound(Exception):
    pass


class HubSpotSource(VendorSource):
    system = "hubspot"
    label = "HubSpot"

    def __init__(self, *, access_token: str, host: str | None = None, timeout_s: float = 15.0,
                 attempts: int = 4, backoff_s: float = 0.5) -> None:
        self.reader, self.writer = build_clients(access_token=access_token, host=host, attempts=attempts,
                                                 backoff_s=backoff_s)
        self.timeout_s = timeout_s
        self._options = {"host": host, "timeout_s": timeout_s, "attempts": attempts, "backoff_s": backoff_s}

    def for_user(self, token: Any) -> HubSpotSource:
        """A user's OAuth access token on the same portal host: HubSpot applies that user's permissions."""
        return HubSpotSource(access_token=token.access_token, **self._options)  # type: ignore[arg-type]

    # --- transport ------------------------------------------------------------------------------
    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the SDK; vendor failures become bilingual ``ServiceUnavailable`` (404 -> ``_NotFound``)."""
        try:
            result = fn(*args, _request_timeout=self.timeout_s, **kwargs)
        except urllib3.exceptions.HTTPError as exc:
            log.warning("HubSpot unreachable: %s", type(exc).__name__)
            raise crm_unreachable(self.label) from None
        except Exception as exc:
            if not any(c.__name__ == "ApiException" for c in type(exc).__mro__):
                if isinstance(exc, (ValueError, TypeError, AttributeError, KeyError)):
                    log.warning("HubSpot payload not readable: %s", exc)
                    raise crm_bad_payload(self.label) from None
                raise
            raise self._api_error(exc) from None
        if result is None or isinstance(result, (str, bytes)):  # the SDK hands back a body it could not parse
            log.warning("HubSpot payload not readable (not JSON)")
            raise crm_bad_payload(self.label)
        return result

    def _api_error(self, exc: Any) -> Exception:
        status = int(getattr(exc, "status", 0) or 0)
        try:
            body = json.loads(getattr(exc, "body", None) or "{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        category = str(body.get("category", ""))
        log.warning("HubSpot answered %s %s", status, category)
        if status == 404:
            return _NotFound()
        if status == 401:
            return crm_auth_expired(self.label)
        if status == 403:
            scopes = [s for e in body.get("errors") or [] if isinstance(e, dict)
                      for s in (e.get("context") or {}).get("requiredGranularScopes", [])]
            return crm_missing_scopes(self.label, scopes)
        if status == 429 or status >= 500:
            return crm_unreachable(self.label)
        return crm_bad_payload(self.label)

    def _objects(self) -> Any:
        return self.reader.crm.objects

    def _checked(self, objs: list[Any]) -> list[Any]:
        """An object without an id means the SDK read a body that was not HubSpot's JSON."""
        if any(getattr(o, "id", None) in (None, "") for o in objs):
            log.warning("HubSpot payload not readable (object without id)")
            raise crm_bad_payload(self.label)
        return objs

    # --- building blocks ------------------------------------------------------------------------
    def _associated(self, from_type: str, object_id: str, to_type: str) -> list[str]:
        api = self.reader.crm.associations.v4.basic_api
        ids: list[str] = []
        after = None
        while True:
            page = self._call(api.get_page, from_type, object_id, to_type, after=after, limit=500)
            ids += [str(r.to_object_id) for r in page.results or []]
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return ids

    def _assoc_batch(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, list[str]]:
        api = self.reader.crm.associations.v4.batch_api
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), BATCH):
            body = {"inputs": [{"id": i} for i in ids[start:start + BATCH]]}
            result = self._call(api.get_page, from_type, to_type, body)
            for item in result.results or []:
                found[str(item._from.id)] = [str(t.to_object_id) for t in item.to or []]
        return found

    def _batch_read(self, object_type: str, ids: list[str]) -> list[Any]:
        objs: list[Any] = []
        for start in range(0, len(ids), BATCH):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in ids[start:start + BATCH]],
                properties=mp.PROPERTIES[object_type], properties_with_history=[])
            objs += self._call(self._objects().batch_api.read, object_type, request).results or []
        return objs

    def _rows(self, object_type: str, objs: list[Any], *, company: str | None = None,
              deal: str | None = None) -> list[VendorRow]:
        """Rows for objects of one type, fetching the associations the mapping needs in batches."""
        objs = self._checked(objs)
        ids = [str(o.id) for o in objs]
        if object_type == "companies":
            return [mp.company_row(o) for o in objs]
        companies = ({i: [company] for i in ids} if company else self._assoc_batch(object_type, "companies", ids))
        if object_type == "contacts":
            return [mp.contact_row(o, _first(companies.get(str(o.id)))) for o in objs]
        if object_type == "deals":
            contacts_of = self._assoc_batch("deals", "contacts", ids)
            return [mp.deal_row(o, _first(companies.get(str(o.id))), contacts_of.get(str(o.id), [])) for o in objs]
        deals = {i: [deal] for i in ids} if deal else self._assoc_batch(object_type, "deals", ids)
        contacts = self._assoc_batch(object_type, "contacts", ids)
        return [mp.engagement_row(object_type, o, company=_first(companies.get(str(o.id))),
                                  deal=_first(deals.get(str(o.id))), contact=_first(contacts.get(str(o.id))))
                for o in objs]

    # --- VendorSource ---------------------------------------------------------------------------
    def users(self) -> list[VendorUser]:
        api = self.reader.crm.owners.owners_api
        users: list[VendorUser] = []
        for archived in (False, True):
            after = None
            while True:
                page = self._call(api.get_page, limit=500, after=after, archived=archived)
                users += [VendorUser(external_id=str(o.id), email=o.email or "", active=not archived,
                                     name=f"{o.first_name or ''} {o.last_name or ''}".strip())
                          for o in page.results or [] if o.email]
                after = page.paging.next.after if page.paging and page.paging.next else None
                if not after:
                    break
        return users

    def get(self, kind: Kind, external_id: str) -> VendorRow | None:
        object_type, _, object_id = external_id.rpartition(":") if kind == "activity" else (
            mp.OBJECT_TYPE[kind], "", external_id)
        if object_type not in mp.PROPERTIES or not object_id.isdigit():
            return None
        try:
            obj = self._call(self._objects().basic_api.get_by_id, object_type, object_id,
                             properties=mp.PROPERTIES[object_type])
            return self._rows(object_type, [obj])[0]
        except _NotFound:
            return None

    def list_all(self, kind: Any) -> Iterator[VendorRow]:
        object_type = mp.OBJECT_TYPE[kind]
        after = None
        while True:
            page = self._call(self._objects().basic_api.get_page, object_type, limit=PAGE, after=after,
                              properties=mp.PROPERTIES[object_type],
                              associations=["companies"] if object_type == "deals" else None)
            for obj in self._checked(page.results or []):
                if object_type == "deals":
                    assoc = (obj.associations or {}).get("companies")
                    company = str(assoc.results[0].id) if assoc and assoc.results else None
                    yield mp.deal_row(obj, company)
                else:
                    yield mp.company_row(obj)
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return

    def search_accounts(self, query: str, limit: int) -> list[VendorRow]:
        request = PublicObjectSearchRequest(query=query.strip(), properties=mp.PROPERTIES["companies"],
                                            limit=min(max(limit, 1), 200), after=None, sorts=[], filter_groups=[])
        result = self._call(self._objects().search_api.do_search, "companies", request)
        return [mp.company_row(o) for o in self._checked(result.results or [])]

    def account_children(self, kind: Any, account: str) -> list[VendorRow]:
        try:
            if kind == "activity":
                rows: list[VendorRow] = []
                for object_type in mp.ENGAGEMENT_TYPES:
                    ids = self._associated("companies", account, object_type)
                    rows += self._rows(object_type, self._batch_read(object_type, ids), company=account)
                return rows
            object_type = mp.OBJECT_TYPE[kind]
            ids = self._associated("companies", account, object_type)
            return self._rows(object_type, self._batch_read(object_type, ids), company=account)
        except _NotFound:
            return []

    def opportunity_activities(self, opportunity: str) -> list[VendorRow]:
        rows: list[VendorRow] = []
        try:
            for object_type in mp.ENGAGEMENT_TYPES:
                ids = self._associated("deals", opportunity, object_type)
                rows += self._rows(object_type, self._batch_read(object_type, ids), deal=opportunity)
        except _NotFound:
            return []
        return rows

    def opportunity_contacts(self, opportunity: str) -> list[VendorRow]:
        try:
            ids = self._associated("deals", opportunity, "contacts")
        except _NotFound:
            return []
        return self._rows("contacts", self._batch_read("contacts", ids))

    def changes(self, kind: Kind, *, since: datetime | None, token: str | None, page_size: int = PAGE) -> ChangePage:
        """Search by ``hs_lastmodifieddate`` (ascending), then list archived records for deletions.

        Token: ``type|phase|after|since`` where phase ``s`` = search, ``a`` = archived list; the
        optional ``since`` moves the window forward when a search reaches HubSpot's 10,000 cap.
        """
        types = CHANGE_TYPES[kind]
        object_type, phase, after, window = (token.split("|") + ["", "", "", ""])[:4] if token else (types[0], "s", "", "")
        start = datetime.fromisoformat(window) if window else since
        if phase == "s":
            rows, nxt, total, last = self._search_page(object_type, start, after or None, page_size)
            if nxt is not None and int(nxt) + page_size > SEARCH_WINDOW and last is not None:
                token_next = f"{object_type}|s||{last.isoformat()}"
            elif nxt is not None:
                token_next = f"{object_type}|s|{nxt}|{window}"
            else:
                token_next = f"{object_type}|a||"
            return ChangePage(rows, token_next, total)
        rows, nxt = self._archived_page(object_type, since, after or None, page_size)
        if nxt is not None:
            return ChangePage(rows, f"{object_type}|a|{nxt}|", None)
        following = types.index(object_type) + 1
        return ChangePage(rows, f"{types[following]}|s||" if following < len(types) else None, None)

    def _search_page(self, object_type: str, since: datetime | None, after: str | None,
                     size: int) -> tuple[list[VendorRow], str | None, int | None, datetime | None]:
        groups = [FilterGroup(filters=[Filter(property_name="hs_lastmodifieddate", operator="GTE",
                                              value=iso_z(since))])] if since else []
        request = PublicObjectSearchRequest(filter_groups=groups, properties=mp.PROPERTIES[object_type],
                                            sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                                            limit=min(size, 200), after=after)
        result = self._call(self._objects().search_api.do_search, object_type, request)
        objs = result.results or []
        rows = self._rows(object_type, objs)
        nxt = result.paging.next.after if result.paging and result.paging.next else None
        last = max((r.modified_at for r in rows if r.modified_at), default=None)
        return rows, nxt, result.total, last

    def _archived_page(self, object_type: str, since: datetime | None, after: str | None,
                       size: int) -> tuple[list[VendorRow], str | None]:
        page = self._call(self._objects().basic_api.get_page, object_type, limit=min(size, 100), after=after,
                          properties=["hs_lastmodifieddate"], archived=True)
        rows: list[VendorRow] = []
        for obj in page.results or []:
            if getattr(obj, "archived", None) is not True:
                continue  # only what HubSpot says is archived is a deletion
            archived_at = getattr(obj, "archived_at", None)
            if since is not None and archived_at is not None and archived_at < since:
                continue
            external_id = f"{object_type}:{obj.id}" if object_type in mp.ENGAGEMENT_TYPES else str(obj.id)
            kind = next(k for k, t in CHANGE_TYPES.items() if object_type in t)
            rows.append(VendorRow(kind=kind, external_id=external_id, deleted=True,  # type: ignore[arg-type]
                                  modified_at=archived_at))
        nxt = page.paging.next.after if page.paging and page.paging.next else None
        return rows, nxt

    def create_activity(self, *, kind: str, account: str, opportunity: str | None, owner: str | None, subject: str,
                        summary: str, due_date: date | None, status: str) -> VendorRow:
        object_type = mp.KIND_TO_ENGAGEMENT[kind]
        props = mp.engagement_properties(kind, subject=subject, summary=summary, owner=owner, due_date=due_date,
                                         status=status, when=iso_z(datetime.now(timezone.utc)))
        links = [(account, "companies")] + ([(opportunity, "deals")] if opportunity else [])
        request = SimplePublicObjectInputForCreate(properties=props, associations=[
            PublicAssociationsForObject(to=PublicObjectId(id=target), types=[AssociationSpec(
                association_category="HUBSPOT_DEFINED", association_type_id=WRITE_ASSOC[(object_type, to_type)])])
            for target, to_type in links])
        obj = self._call(self.writer.crm.objects.basic_api.create, object_type, request)
        return mp.engagement_row(object_type, obj, company=account, deal=opportunity, contact=None)


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None
