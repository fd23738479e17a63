"""A local HubSpot: the CRM v3 objects/search/batch APIs, associations v4 and owners, in memory.

Speaks the JSON shapes the official ``hubspot-api-client`` expects (point it at ``peer.url`` with
``HubSpot(access_token=..., host=peer.url)``). Checks the bearer token (401
``EXPIRED_AUTHENTICATION`` for an expired one), granular scopes (403 ``MISSING_SCOPES``), pages
every list (``page_cap`` forces small pages), and records every request. Besides the private-app
``TOKEN`` (sees everything) it accepts user tokens (``grant_user``): such a token sees only records
its owners own (``view="owned"``) or are on the team of (``view="team"``), approximating the
portal's user permissions; ``expire_user`` makes one answer 401. Seed it from the embedded
demo company with ``seed_from_store`` (vendor shapes written here independently of the connector).
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlmodel import Session, select

from tests.peers.crm_peer_base import PeerServer, Recorded, as_utc

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
EXPIRED_TOKEN = "pat-na1-expired-0000"
OBJECT_TYPES = ("companies", "contacts", "deals", "notes", "calls", "meetings", "emails", "tasks")
ALL_SCOPES = frozenset(
    [f"crm.objects.{t}.read" for t in ("companies", "contacts", "deals", "owners")]
    + [f"crm.objects.{t}.write" for t in ("companies", "contacts", "deals")]
)
_SCOPE_OF = {"companies": "companies", "contacts": "contacts", "deals": "deals"}
STAGES = {"prospecting": "appointmentscheduled", "qualification": "qualifiedtobuy",
          "proposal": "presentationscheduled", "negotiation": "contractsent", "closed_won": "closedwon",
          "closed_lost": "closedlost"}
TIERS = {"A": "tier_1", "B": "tier_2", "C": "tier_3"}
ENGAGEMENT_OF_KIND = {"note": "notes", "call": "calls", "email": "emails", "meeting": "meetings",
                      "visit": "meetings", "task": "tasks"}
ASSOC_TYPE_IDS = {("notes", "companies"): 190, ("notes", "deals"): 214, ("notes", "contacts"): 202,
                  ("tasks", "companies"): 192, ("tasks", "deals"): 216, ("tasks", "contacts"): 204,
                  ("calls", "companies"): 182, ("calls", "deals"): 206, ("meetings", "companies"): 188,
                  ("meetings", "deals"): 212, ("emails", "companies"): 186, ("emails", "deals"): 210,
                  ("contacts", "companies"): 1, ("deals", "companies"): 5, ("deals", "contacts"): 3}
BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)


def hs_time(moment: datetime | date | None) -> str | None:
    utc = as_utc(moment)
    if utc is None:
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _parse(value: Any) -> Any:
    """Comparable form of a property / filter value: datetimes and epoch millis as datetimes, numbers as floats."""
    if value is None:
        return None
    text = str(value)
    if text.isdigit() and len(text) >= 12:
        return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.lower()


def _sort_key(value: Any) -> tuple[int, Any]:
    parsed = _parse(value)
    if parsed is None:
        return (3, "")
    if isinstance(parsed, datetime):
        return (0, parsed.timestamp())
    return (1, parsed) if isinstance(parsed, float) else (2, parsed)


@dataclass(frozen=True)
class Grant:
    """What one user token sees: records of these owner ids, owned only or also as team member."""

    owner_ids: frozenset[str]
    view: str = "team"  # owned | team


class HubSpotPeer(PeerServer):
    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in OBJECT_TYPES}
        self.assoc: dict[tuple[str, str, str], list[str]] = {}
        self.owners: list[dict[str, Any]] = []
        self.scopes: set[str] = set(ALL_SCOPES)
        self.page_cap = 100
        self._ids = itertools.count(1001)
        self.token = TOKEN
        self.user_tokens: dict[str, Grant] = {}
        self.expired_user_tokens: set[str] = set()
        self.visible: dict[str, dict[str, dict[str, Any]]] = self.objects  # this request's view (under lock)

    # --- user tokens ----------------------------------------------------------------------------
    def owner_id(self, email: str) -> str:
        return next(o["id"] for o in self.owners if o["email"] == email)

    def grant_user(self, token: str, email: str, *, view: str = "team", also: tuple[str, ...] = ()) -> None:
        """Accept ``token`` as the user with ``email`` (plus the owners in ``also``, e.g. a manager's team)."""
        with self.lock:
            ids = frozenset([self.owner_id(email), *(self.owner_id(e) for e in also)])
            self.user_tokens[token] = Grant(ids, view)
            self.expired_user_tokens.discard(token)

    def expire_user(self, token: str) -> None:
        with self.lock:
            self.expired_user_tokens.add(token)

    def _scoped(self, grant: Grant) -> dict[str, dict[str, dict[str, Any]]]:
        """The objects ``grant`` may read: companies by owner (or owner team), the rest through them."""
        def owners(obj: dict[str, Any], *props: str) -> set[str]:
            return {i for p in props for i in (obj["properties"].get(p) or "").split(";") if i}

        team = grant.view == "team"
        company_props = ("hubspot_owner_id", "hs_all_owner_ids") if team else ("hubspot_owner_id",)
        deal_props = ("hubspot_owner_id", "hs_all_collaborator_owner_ids") if team else ("hubspot_owner_id",)
        view: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in OBJECT_TYPES}
        view["companies"] = {i: o for i, o in self.objects["companies"].items()
                             if owners(o, *company_props) & grant.owner_ids}

        def via(object_type: str, object_id: str, to_type: str) -> bool:
            return any(t in view[to_type] for t in self.assoc.get((object_type, object_id, to_type), []))

        view["deals"] = {i: o for i, o in self.objects["deals"].items()
                         if owners(o, *deal_props) & grant.owner_ids or via("deals", i, "companies")}
        view["contacts"] = {i: o for i, o in self.objects["contacts"].items() if via("contacts", i, "companies")}
        for t in OBJECT_TYPES[3:]:
            view[t] = {i: o for i, o in self.objects[t].items()
                       if owners(o, "hubspot_owner_id") & grant.owner_ids
                       or via(t, i, "companies") or via(t, i, "deals")}
        return view

    def _live(self, object_type: str, object_id: str) -> bool:
        obj = self.visible[object_type].get(object_id)
        return obj is not None and not obj["archived"]

    # --- data -----------------------------------------------------------------------------------
    def add(self, object_type: str, properties: dict[str, Any], *, created: datetime | None = None,
            modified: datetime | None = None, object_id: str | None = None) -> str:
        object_id = object_id or str(next(self._ids))
        created = created or BASE_TIME
        modified = modified or created
        props = {k: (None if v is None else str(v)) for k, v in properties.items()}
        props.update(hs_object_id=object_id, createdate=hs_time(created), hs_lastmodifieddate=hs_time(modified))
        self.objects[object_type][object_id] = {"id": object_id, "properties": props, "createdAt": hs_time(created),
                                                "updatedAt": hs_time(modified), "archived": False}
        return object_id

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        for a, ai, b, bi in ((from_type, from_id, to_type, to_id), (to_type, to_id, from_type, from_id)):
            targets = self.assoc.setdefault((a, ai, b), [])
            if bi not in targets:
                targets.append(bi)

    def update(self, object_type: str, object_id: str, **properties: Any) -> None:
        with self.lock:
            obj = self.objects[object_type][object_id]
            now = hs_time(datetime.now(timezone.utc))
            obj["properties"].update({k: (None if v is None else str(v)) for k, v in properties.items()})
            obj["properties"]["hs_lastmodifieddate"] = now
            obj["updatedAt"] = now

    def archive(self, object_type: str, object_id: str) -> None:
        with self.lock:
            obj = self.objects[object_type][object_id]
            obj["archived"] = True
            obj["archivedAt"] = hs_time(datetime.now(timezone.utc))

    def find(self, object_type: str, prop: str, value: Any) -> str:
        return next(i for i, o in self.objects[object_type].items() if o["properties"].get(prop) == str(value))

    # --- HTTP -----------------------------------------------------------------------------------
    def _error(self, status: int, category: str, message: str, **extra: Any) -> tuple[int, Any]:
        return status, {"status": "error", "message": message, "correlationId": "peer-correlation",
                        "category": category, **extra}

    def _check_scope(self, object_type: str, write: bool) -> tuple[int, Any] | None:
        key = _SCOPE_OF.get(object_type, "contacts")
        scope = f"crm.objects.{key}.{'write' if write else 'read'}"
        if scope in self.scopes:
            return None
        return self._error(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
                           errors=[{"message": "One or more of the following scopes are required.",
                                    "context": {"requiredGranularScopes": [scope]}}])

    def route(self, req: Recorded) -> tuple[int, Any]:
        auth = req.headers.get("authorization", "")
        bearer = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if bearer == EXPIRED_TOKEN or bearer in self.expired_user_tokens:
            return self._error(401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired 1 day(s) ago.")
        if bearer != self.token and bearer not in self.user_tokens:
            return self._error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
        parts = req.path.strip("/").split("/")
        with self.lock:
            grant = self.user_tokens.get(bearer)
            self.visible = self.objects if grant is None else self._scoped(grant)
            if parts[:3] == ["crm", "v3", "owners"]:
                return self._owners(req)
            if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4 and parts[3] in self.objects:
                denied = self._check_scope(parts[3], req.method == "POST" and len(parts) == 4)
                if denied:
                    return denied
                return self._objects(req, parts[3], parts[4:])
            if parts[:3] == ["crm", "v4", "objects"] and len(parts) == 7 and parts[5] == "associations":
                return self._assoc_page(req, parts[3], parts[4], parts[6])
            if parts[:3] == ["crm", "v4", "associations"] and parts[5:] == ["batch", "read"]:
                return self._assoc_batch(req, parts[3], parts[4])
        return self._error(404, "OBJECT_NOT_FOUND", f"No route {req.method} {req.path}")

    def _page(self, items: list[Any], req: Recorded, *, after: str | None, limit: int | None,
              cap: int) -> tuple[list[Any], dict[str, Any] | None]:
        start = int(after or 0)
        size = max(1, min(limit or 10, cap, self.page_cap))
        chunk = items[start:start + size]
        nxt = start + size
        paging = {"next": {"after": str(nxt), "link": f"{req.path}?after={nxt}"}} if nxt < len(items) else None
        return chunk, paging

    def _owners(self, req: Recorded) -> tuple[int, Any]:
        q = req.query
        archived = (q.get("archived") or ["false"])[0].lower() == "true"
        owners = [o for o in self.owners if o["archived"] == archived]
        if q.get("email"):
            owners = [o for o in owners if o["email"] == q["email"][0]]
        chunk, paging = self._page(owners, req, after=(q.get("after") or [None])[0],
                                   limit=int((q.get("limit") or ["100"])[0]), cap=500)
        return 200, {"results": chunk, **({"paging": paging} if paging else {})}

    def _view(self, obj: dict[str, Any], props: list[str] | None, assoc_types: list[str] | None = None,
              object_type: str = "") -> dict[str, Any]:
        wanted = set(props or []) | {"hs_object_id", "createdate", "hs_lastmodifieddate"}
        view = {k: v for k, v in obj.items() if k != "properties"}
        view["properties"] = {k: v for k, v in obj["properties"].items() if k in wanted}
        if assoc_types:
            view["associations"] = {
                t: {"results": [{"id": i, "type": f"{object_type[:-1]}_to_{t[:-1]}"}
                                for i in self.assoc.get((object_type, obj["id"], t), []) if self._live(t, i)]}
                for t in assoc_types if self.assoc.get((object_type, obj["id"], t))
            }
        return view

    def _objects(self, req: Recorded, object_type: str, rest: list[str]) -> tuple[int, Any]:
        store = self.visible[object_type]
        q = req.query
        props = [p for v in q.get("properties", []) for p in v.split(",")]
        assoc_types = [p for v in q.get("associations", []) for p in v.split(",")]
        archived = (q.get("archived") or ["false"])[0].lower() == "true"
        if req.method == "GET" and not rest:
            items = [o for _, o in sorted(store.items(), key=lambda kv: int(kv[0])) if o["archived"] == archived]
            chunk, paging = self._page(items, req, after=(q.get("after") or [None])[0],
                                       limit=int((q.get("limit") or ["10"])[0]), cap=100)
            return 200, {"results": [self._view(o, props, assoc_types, object_type) for o in chunk],
                         **({"paging": paging} if paging else {})}
        if req.method == "GET" and len(rest) == 1:
            obj = store.get(rest[0])
            if obj is None or obj["archived"] != archived:
                return self._error(404, "OBJECT_NOT_FOUND", f"Object not found. objectId are usually numeric. {rest[0]}")
            return 200, self._view(obj, props, assoc_types, object_type)
        if req.method == "POST" and rest == ["search"]:
            return self._search(req, object_type)
        if req.method == "POST" and rest == ["batch", "read"]:
            body = req.body or {}
            found = [store[i["id"]] for i in body.get("inputs", []) if i["id"] in store and not store[i["id"]]["archived"]]
            return 200, {"status": "COMPLETE", "results": [self._view(o, body.get("properties")) for o in found],
                         "startedAt": hs_time(BASE_TIME), "completedAt": hs_time(BASE_TIME)}
        if req.method == "POST" and not rest:
            return self._create(req, object_type)
        return self._error(404, "OBJECT_NOT_FOUND", f"No route {req.method} {req.path}")

    def _matches(self, obj: dict[str, Any], f: dict[str, Any]) -> bool:
        value = obj["properties"].get(f["propertyName"])
        op = f.get("operator", "EQ")
        if op == "HAS_PROPERTY":
            return value not in (None, "")
        if op == "NOT_HAS_PROPERTY":
            return value in (None, "")
        if op == "IN":
            return str(value).lower() in {str(v).lower() for v in f.get("values", [])}
        if op == "CONTAINS_TOKEN":
            return str(f.get("value", "")).strip("*").lower() in str(value or "").lower()
        a, b = _parse(value), _parse(f.get("value"))
        if a is None:
            return False
        try:
            return {"EQ": a == b, "NEQ": a != b, "GT": a > b, "GTE": a >= b, "LT": a < b, "LTE": a <= b}[op]
        except TypeError:
            return False

    def _search(self, req: Recorded, object_type: str) -> tuple[int, Any]:
        body = req.body or {}
        items = [o for o in self.visible[object_type].values() if not o["archived"]]
        groups = body.get("filterGroups") or []
        if groups:
            items = [o for o in items if any(all(self._matches(o, f) for f in g.get("filters", [])) for g in groups)]
        if body.get("query"):
            needle = str(body["query"]).lower()
            items = [o for o in items if needle in str(o["properties"].get("name") or o["properties"].get("dealname")
                                                        or o["properties"].get("email") or "").lower()]
        sorts = body.get("sorts") or []
        items.sort(key=lambda o: int(o["id"]))
        for s in reversed(sorts):
            name = s if isinstance(s, str) else s.get("propertyName")
            desc = not isinstance(s, str) and s.get("direction") == "DESCENDING"
            items.sort(key=lambda o: _sort_key(o["properties"].get(name)), reverse=desc)
        after = body.get("after")
        if after is not None and int(after) >= 10_000:
            return self._error(400, "VALIDATION_ERROR", "Search results are limited to 10,000 records.")
        chunk, paging = self._page(items, req, after=after, limit=body.get("limit"), cap=200)
        return 200, {"total": len(items), "results": [self._view(o, body.get("properties")) for o in chunk],
                     **({"paging": paging} if paging else {})}

    def _create(self, req: Recorded, object_type: str) -> tuple[int, Any]:
        body = req.body or {}
        props = body.get("properties") or {}
        if not isinstance(props, dict):
            return self._error(400, "VALIDATION_ERROR", "properties must be an object")
        now = datetime.now(timezone.utc)
        object_id = self.add(object_type, props, created=now, modified=now)
        for a in body.get("associations") or []:
            to_id = str(a["to"]["id"])
            to_type = next((t for t in OBJECT_TYPES if to_id in self.visible[t]), None)
            if to_type is None:
                return self._error(400, "VALIDATION_ERROR", f"association target {to_id} not found")
            self.associate(object_type, object_id, to_type, to_id)
        return 201, self._view(self.objects[object_type][object_id], list(props))

    def _assoc_page(self, req: Recorded, from_type: str, object_id: str, to_type: str) -> tuple[int, Any]:
        if object_id not in self.visible.get(from_type, {}):
            return self._error(404, "OBJECT_NOT_FOUND", "Object not found")
        targets = [i for i in self.assoc.get((from_type, object_id, to_type), []) if self._live(to_type, i)]
        q = req.query
        chunk, paging = self._page(targets, req, after=(q.get("after") or [None])[0],
                                   limit=int((q.get("limit") or ["500"])[0]), cap=500)
        type_id = ASSOC_TYPE_IDS.get((from_type, to_type)) or ASSOC_TYPE_IDS.get((to_type, from_type), 0)
        results = [{"toObjectId": int(i), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id,
                                                                 "label": None}]} for i in chunk]
        return 200, {"results": results, **({"paging": paging} if paging else {})}

    def _assoc_batch(self, req: Recorded, from_type: str, to_type: str) -> tuple[int, Any]:
        results = []
        for item in (req.body or {}).get("inputs", []):
            if str(item["id"]) not in self.visible.get(from_type, {}):
                continue
            targets = [i for i in self.assoc.get((from_type, str(item["id"]), to_type), []) if self._live(to_type, i)]
            if targets:
                results.append({"from": {"id": str(item["id"])}, "to": [
                    {"toObjectId": int(i), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 0,
                                                                  "label": None}]} for i in targets]})
        return 200, {"status": "COMPLETE", "results": results, "startedAt": hs_time(BASE_TIME),
                     "completedAt": hs_time(BASE_TIME)}


# --- seeding from the embedded demo company ------------------------------------------------------
def seed_from_store(peer: HubSpotPeer, store: Any) -> dict[str, dict[int, str]]:
    """Write the embedded CRM's users, accounts, contacts, deals and activities into the peer in HubSpot
    shapes; return ``{kind: {our id: hubspot id}}``."""
    from integrations.crm.local import models as m

    ids: dict[str, dict[int, str]] = {"account": {}, "contact": {}, "opportunity": {}, "activity": {}}
    with Session(store.engine) as s:
        owner_of: dict[str, str] = {}
        for n, user in enumerate(s.exec(select(m.User).order_by(m.User.id))):
            owner_id = str(70000 + n)
            owner_of[user.id] = owner_id
            first, _, last = (user.name_en or user.name).partition(" ")
            peer.owners.append({"id": owner_id, "email": user.email, "firstName": first, "lastName": last,
                                "userId": 900 + n, "createdAt": hs_time(BASE_TIME), "updatedAt": hs_time(BASE_TIME),
                                "archived": not user.active, "teams": []})
        members: dict[int, list[str]] = {}
        for am in s.exec(select(m.AccountMember)):
            members.setdefault(am.account_id, []).append(owner_of[am.user_id])
        for a in s.exec(select(m.Account).order_by(m.Account.id)):
            ids["account"][a.id] = peer.add("companies", {
                "name": a.name_en, "industry": a.industry.upper(), "country": a.country,
                "hs_ideal_customer_profile": TIERS.get(a.tier), "hubspot_owner_id": owner_of[a.owner_id],
                "hs_all_owner_ids": ";".join([owner_of[a.owner_id], *members.get(a.id, [])]),
                "dealpilot_id": a.id,
            }, created=a.created_at or BASE_TIME, modified=a.updated_at or a.created_at or BASE_TIME)
        for c in s.exec(select(m.Contact).order_by(m.Contact.id)):
            first, last = (c.name, "") if not c.name.isascii() else (c.name.partition(" ")[0], c.name.partition(" ")[2])
            cid = peer.add("contacts", {"firstname": first, "lastname": last, "jobtitle": c.title, "email": c.email,
                                        "phone": c.phone, "dealpilot_id": c.id})
            ids["contact"][c.id] = cid
            peer.associate("contacts", cid, "companies", ids["account"][c.account_id])
        team: dict[int, list[str]] = {}
        for om in s.exec(select(m.OpportunityMember)):
            team.setdefault(om.opportunity_id, []).append(om.user_id)
        for o in s.exec(select(m.Opportunity).order_by(m.Opportunity.id)):
            did = peer.add("deals", {
                "dealname": o.name, "amount": f"{o.amount:.2f}", "deal_currency_code": o.currency,
                "closedate": hs_time(o.expected_close), "dealstage": STAGES[o.stage], "pipeline": "default",
                "hubspot_owner_id": owner_of[o.owner_id], "dealpilot_id": o.id,
                "hs_all_collaborator_owner_ids": ";".join(owner_of[u] for u in team.get(o.id, []) if u != o.owner_id),
            }, created=o.created_at or BASE_TIME, modified=o.updated_at or o.created_at or BASE_TIME)
            ids["opportunity"][o.id] = did
            peer.associate("deals", did, "companies", ids["account"][o.account_id])
        for oc in s.exec(select(m.OpportunityContact)):
            peer.associate("deals", ids["opportunity"][oc.opportunity_id], "contacts", ids["contact"][oc.contact_id])
        for act in s.exec(select(m.Activity).order_by(m.Activity.id)):
            object_type = ENGAGEMENT_OF_KIND[act.kind]
            props = {**_engagement(act, owner_of), "dealpilot_id": act.id}
            created = act.occurred_at
            eid = peer.add(object_type, props, created=created, modified=created)
            ids["activity"][act.id] = eid
            peer.associate(object_type, eid, "companies", ids["account"][act.account_id])
            if act.opportunity_id:
                peer.associate(object_type, eid, "deals", ids["opportunity"][act.opportunity_id])
            if act.contact_id:
                peer.associate(object_type, eid, "contacts", ids["contact"][act.contact_id])
    return ids


def _engagement(act: Any, owner_of: dict[str, str]) -> dict[str, Any]:
    owner = owner_of.get(act.author_id)
    when = hs_time(act.occurred_at)
    if act.kind == "note":
        body = html.escape(act.summary)
        if act.subject:
            body = f"<p><strong>{html.escape(act.subject)}</strong></p><p>{body}</p>"
        return {"hs_timestamp": when, "hs_note_body": body, "hubspot_owner_id": owner}
    if act.kind == "call":
        return {"hs_timestamp": when, "hs_call_title": act.subject, "hs_call_body": act.summary,
                "hs_call_status": "COMPLETED", "hubspot_owner_id": owner}
    if act.kind == "email":
        return {"hs_timestamp": when, "hs_email_subject": act.subject, "hs_email_text": act.summary,
                "hs_email_direction": "EMAIL", "hubspot_owner_id": owner}
    if act.kind in ("meeting", "visit"):
        return {"hs_timestamp": when, "hs_meeting_title": act.subject, "hs_meeting_body": act.summary,
                "hs_meeting_start_time": when, "hs_meeting_outcome": "COMPLETED",
                "hs_activity_type": "Visit" if act.kind == "visit" else "Meeting", "hubspot_owner_id": owner}
    return {"hs_timestamp": hs_time(act.due_date) or when, "hs_task_subject": act.subject, "hs_task_body": act.summary,
            "hs_task_status": "COMPLETED" if act.status == "done" else "NOT_STARTED", "hubspot_owner_id": owner}
