"""A local Salesforce over HTTPS: REST ``query``/``queryAll`` (SOQL subset, ``nextRecordsUrl`` paging,
``Sforce-Query-Options: batchSize``), ``search`` (SOSL ``FIND ... RETURNING``) and sobject create.

``simple-salesforce`` builds ``https://{instance}`` URLs, so the peer serves TLS with a self-signed
certificate made by ``make_certificate`` (trust it with ``verify=<cert path>`` on a session whose
``trust_env`` is off). The SOQL subset: ``SELECT f, ... FROM Obj [WHERE a op v AND ...] [ORDER BY f
[ASC|DESC], ...] [LIMIT n]`` with ``= != > >= < <= LIKE IN``. Seed it from the embedded demo company
with ``seed_from_store``; every request is recorded and faults can be injected (``peer.fail``).
Besides the integration ``SESSION_ID`` (sees everything) it accepts user sessions (``grant_user``):
such a token sees what its users own (``view="owned"``) or are on the account / opportunity team of
(``view="team"``), approximating Salesforce sharing; ``expire_user`` makes one answer 401.
"""

from __future__ import annotations

import itertools
import re
import ssl
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from tests.peers.crm_peer_base import PeerServer, Recorded, as_utc

VERSION = "59.0"
SESSION_ID = "00Dpeer0000000!AQ0AQPeerSessionToken"
EXPIRED_SESSION = "00Dpeer0000000!AQ0AQExpiredSession"
PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006", "Task": "00T", "Event": "00U", "User": "005",
          "OpportunityContactRole": "00K", "OpportunityTeamMember": "00q", "AccountTeamMember": "01M"}
STAGES = {"prospecting": "Prospecting", "qualification": "Qualification", "proposal": "Proposal/Price Quote",
          "negotiation": "Negotiation/Review", "closed_won": "Closed Won", "closed_lost": "Closed Lost"}
RATINGS = {"A": "Hot", "B": "Warm", "C": "Cold"}
ROLES = {"economic_buyer": "Economic Buyer", "technical_buyer": "Technical Buyer", "user": "Business User",
         "champion": "Champion", "influencer": "Influencer", "gatekeeper": "Gatekeeper", "legal": "Legal",
         "finance": "Finance"}
TEAM_ROLES = {"owner": "Opportunity Owner", "sales": "Sales Rep", "presales": "Pre-Sales Consultant",
              "delivery": "Delivery Manager", "legal": "Legal", "finance": "Finance"}
BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
_SOQL = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
                   r"(?:\s+ORDER\s+BY\s+(?P<order>.+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$", re.I | re.S)
_COND = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|>=|<=|=|>|<|\bLIKE\b|\bIN\b)\s*(?P<value>.+?)\s*$", re.I | re.S)
_SOSL = re.compile(r"^\s*FIND\s+\{(?P<term>.*?)\}\s+IN\s+NAME\s+FIELDS\s+RETURNING\s+(?P<obj>\w+)\s*\((?P<fields>[^)]*)\)"
                   r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$", re.I | re.S)


def sf_time(moment: datetime | date | None) -> str | None:
    utc = as_utc(moment)
    if utc is None:
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost (PEM cert, PEM key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dealpilot-salesforce-peer")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "peer-cert.pem", directory / "peer-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return _when(text)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return date.fromisoformat(text)
    return float(text)


def _when(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def _comparable(value: Any, like: Any) -> Any:
    if value is None:
        return None
    if isinstance(like, datetime) and isinstance(value, str):
        return _when(value)
    if isinstance(like, date) and not isinstance(like, datetime) and isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _split_and(where: str) -> list[str]:
    parts, depth, quote, current = [], 0, False, ""
    tokens = re.split(r"(\s+AND\s+)", where, flags=re.I)
    for token in tokens:
        if re.fullmatch(r"\s+AND\s+", token, flags=re.I) and depth == 0 and not quote:
            parts.append(current)
            current = ""
            continue
        current += token
        quote = current.count("'") % 2 == 1
        depth = current.count("(") - current.count(")")
    parts.append(current)
    return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class Grant:
    """What one user session sees: records of these user ids, owned only or also through teams."""

    user_ids: frozenset[str]
    view: str = "team"  # owned | team


class SalesforcePeer(PeerServer):
    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(tls=tls)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in PREFIX}
        self._ids = itertools.count(1)
        self._locators: dict[str, list[dict[str, Any]]] = {}
        self._locator_ids = itertools.count(1)
        self.session_id = SESSION_ID
        self.hidden_fields: set[str] = set()
        self.user_sessions: dict[str, Grant] = {}
        self.expired_sessions: set[str] = set()
        self.visible: dict[str, dict[str, dict[str, Any]]] = self.objects  # this request's view (under lock)

    # --- user sessions --------------------------------------------------------------------------
    def user_id(self, email: str) -> str:
        return self.find("User", "Email", email)

    def grant_user(self, token: str, email: str, *, view: str = "team", also: tuple[str, ...] = ()) -> None:
        """Accept ``token`` as the user with ``email`` (plus ``also``, e.g. the users below a manager's role)."""
        with self.lock:
            self.user_sessions[token] = Grant(frozenset([self.user_id(email), *(self.user_id(e) for e in also)]), view)
            self.expired_sessions.discard(token)

    def expire_user(self, token: str) -> None:
        with self.lock:
            self.expired_sessions.add(token)

    def _scoped(self, grant: Grant) -> dict[str, dict[str, dict[str, Any]]]:
        """Sharing, approximated: accounts by owner (or account team), the rest through their account."""
        ids, team = grant.user_ids, grant.view == "team"

        def members(sobject: str, key: str) -> set[str]:
            return {r[key] for r in self.objects[sobject].values() if r.get("UserId") in ids} if team else set()

        view: dict[str, dict[str, dict[str, Any]]] = {"User": self.objects["User"]}
        on_account, on_deal = members("AccountTeamMember", "AccountId"), members("OpportunityTeamMember", "OpportunityId")
        view["Account"] = {i: r for i, r in self.objects["Account"].items() if r.get("OwnerId") in ids or i in on_account}
        view["Opportunity"] = {i: r for i, r in self.objects["Opportunity"].items()
                               if r.get("OwnerId") in ids or i in on_deal or r.get("AccountId") in view["Account"]}
        view["Contact"] = {i: r for i, r in self.objects["Contact"].items() if r.get("AccountId") in view["Account"]}
        for sobject in ("Task", "Event"):
            view[sobject] = {i: r for i, r in self.objects[sobject].items()
                             if r.get("AccountId") in view["Account"] or r.get("WhatId") in view["Opportunity"]}
        for sobject in ("OpportunityContactRole", "OpportunityTeamMember"):
            view[sobject] = {i: r for i, r in self.objects[sobject].items() if r.get("OpportunityId") in view["Opportunity"]}
        view["AccountTeamMember"] = {i: r for i, r in self.objects["AccountTeamMember"].items()
                                     if r.get("AccountId") in view["Account"]}
        return view

    @classmethod
    def serve(cls, cert: Path, key: Path) -> "SalesforcePeer":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        return cls(context).start()  # type: ignore[return-value]

    # --- data -----------------------------------------------------------------------------------
    def add(self, sobject: str, fields: dict[str, Any], *, created: datetime | None = None,
            modified: datetime | None = None) -> str:
        record_id = f"{PREFIX[sobject]}Pe{next(self._ids):010d}AAA"
        created = created or BASE_TIME
        modified = modified or created
        record = {"Id": record_id, "IsDeleted": False, "CreatedDate": sf_time(created),
                  "LastModifiedDate": sf_time(modified), "SystemModstamp": sf_time(modified), **fields}
        self.objects[sobject][record_id] = record
        return record_id

    def update(self, sobject: str, record_id: str, **fields: Any) -> None:
        with self.lock:
            now = sf_time(datetime.now(timezone.utc))
            self.objects[sobject][record_id].update(fields, LastModifiedDate=now, SystemModstamp=now)

    def delete(self, sobject: str, record_id: str) -> None:
        """Move to the recycle bin: gone from ``query``, visible with ``IsDeleted`` in ``queryAll``."""
        self.update(sobject, record_id, IsDeleted=True)

    def find(self, sobject: str, field: str, value: Any) -> str:
        return next(i for i, r in self.objects[sobject].items() if r.get(field) == value)

    # --- HTTP -----------------------------------------------------------------------------------
    def route(self, req: Recorded) -> tuple[int, Any]:
        auth = req.headers.get("authorization", "")
        bearer = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if bearer in self.expired_sessions or (bearer != self.session_id and bearer not in self.user_sessions):
            return 401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        base = f"/services/data/v{VERSION}/"
        if not req.path.startswith(base):
            return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
        rest = req.path[len(base):].strip("/").split("/")
        with self.lock:
            grant = self.user_sessions.get(bearer)
            self.visible = self.objects if grant is None else self._scoped(grant)
            if rest[0] in ("query", "queryAll") and len(rest) == 1:
                options = req.headers.get("sforce-query-options", "")
                size = int(m.group(1)) if (m := re.search(r"batchSize=(\d+)", options)) else 2000
                return self._query((req.query.get("q") or [""])[0], all_rows=rest[0] == "queryAll", size=size)
            if rest[0] in ("query", "queryAll") and len(rest) == 2:
                return self._more(rest[0], rest[1])
            if rest[0] == "search":
                return self._search((req.query.get("q") or [""])[0])
            if rest[0] == "sobjects" and len(rest) >= 2 and req.method == "POST":
                return self._create(rest[1], req.body)
            if rest[0] == "sobjects" and len(rest) == 3 and req.method == "GET":
                record = self.visible.get(rest[1], {}).get(rest[2])
                if record is None or record["IsDeleted"]:
                    return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
                return 200, self._shape(rest[1], record, list(record))
        return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]

    def _shape(self, sobject: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        shaped = {"attributes": {"type": sobject, "url": f"/services/data/v{VERSION}/sobjects/{sobject}/{record['Id']}"}}
        shaped.update({f: record.get(f) for f in fields})
        return shaped

    def _matches(self, record: dict[str, Any], condition: str) -> bool:
        m = _COND.match(condition)
        if not m:
            raise ValueError(f"unexpected token: {condition!r}")
        field, op, raw = m.group("field"), m.group("op").upper(), m.group("value")
        value = record.get(field)
        if op == "IN":
            options = [_literal(v) for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,()\s]+", raw.strip()[1:-1])]
            return value in options
        literal = _literal(raw)
        if op == "LIKE":
            pattern = re.escape(str(literal).lower()).replace("%", ".*").replace("_", ".")
            return re.fullmatch(pattern, str(value or "").lower()) is not None
        left = _comparable(value, literal)
        if op in ("=", "!="):
            return (left == literal) == (op == "=")
        if left is None or literal is None:
            return False
        return {">": left > literal, ">=": left >= literal, "<": left < literal, "<=": left <= literal}[op]

    def _query(self, soql: str, *, all_rows: bool, size: int) -> tuple[int, Any]:
        m = _SOQL.match(soql)
        if not m or m.group("obj") not in self.objects:
            return 400, [{"message": f"MALFORMED_QUERY: {soql[:80]}", "errorCode": "MALFORMED_QUERY"}]
        fields = [f.strip() for f in m.group("fields").split(",")]
        missing = [f for f in fields if f in self.hidden_fields]
        if missing:
            return 400, [{"message": f"No such column '{missing[0]}' on entity '{m.group('obj')}'.",
                          "errorCode": "INVALID_FIELD"}]
        rows = [r for r in self.visible[m.group("obj")].values() if all_rows or not r["IsDeleted"]]
        try:
            for condition in _split_and(m.group("where") or ""):
                rows = [r for r in rows if self._matches(r, condition)]
        except (ValueError, KeyError) as exc:
            return 400, [{"message": f"MALFORMED_QUERY: {exc}", "errorCode": "MALFORMED_QUERY"}]
        rows.sort(key=lambda r: r["Id"])
        for part in reversed([p.strip() for p in (m.group("order") or "").split(",") if p.strip()]):
            name, _, direction = part.partition(" ")
            rows.sort(key=lambda r: (r.get(name) is None, str(r.get(name) or "")),
                      reverse=direction.strip().upper() == "DESC")
        if m.group("limit"):
            rows = rows[: int(m.group("limit"))]
        shaped = [self._shape(m.group("obj"), r, fields) for r in rows]
        return 200, self._batch(shaped, "queryAll" if all_rows else "query", max(1, size))

    def _batch(self, records: list[dict[str, Any]], endpoint: str, size: int) -> dict[str, Any]:
        page, rest = records[:size], records[size:]
        result: dict[str, Any] = {"totalSize": len(records), "done": not rest, "records": page}
        if rest:
            locator = f"01gPe{next(self._locator_ids):010d}-{size}"
            self._locators[locator] = rest
            result["nextRecordsUrl"] = f"/services/data/v{VERSION}/{endpoint}/{locator}"
        return result

    def expire_locators(self) -> None:
        with self.lock:
            self._locators.clear()

    def _more(self, endpoint: str, locator: str) -> tuple[int, Any]:
        rest = self._locators.pop(locator, None)
        if rest is None:
            return 400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]
        size = int(locator.rsplit("-", 1)[1])
        result = self._batch(rest, endpoint, size)
        result["totalSize"] = None
        return 200, result

    def _search(self, sosl: str) -> tuple[int, Any]:
        m = _SOSL.match(sosl)
        if not m or m.group("obj") not in self.objects:
            return 400, [{"message": "MALFORMED_SEARCH", "errorCode": "MALFORMED_SEARCH"}]
        term = re.sub(r"\\(.)", r"\1", m.group("term")).strip("*\"").lower()
        fields = [f.strip() for f in m.group("fields").split(",") if f.strip()]
        rows = [r for r in self.visible[m.group("obj")].values()
                if not r["IsDeleted"] and term in str(r.get("Name") or "").lower()]
        rows = rows[: int(m.group("limit") or 2000)]
        return 200, {"searchRecords": [self._shape(m.group("obj"), r, fields) for r in rows]}

    def _create(self, sobject: str, body: Any) -> tuple[int, Any]:
        if sobject not in self.objects or not isinstance(body, dict):
            return 400, [{"message": "bad sobject", "errorCode": "INVALID_TYPE"}]
        now = datetime.now(timezone.utc)
        fields = dict(body)
        what = fields.get("WhatId") or ""
        if what.startswith("006"):
            opp = self.visible["Opportunity"].get(what)
            if opp is None:
                return 400, [{"message": "invalid WhatId", "errorCode": "INVALID_CROSS_REFERENCE_KEY"}]
            fields["AccountId"] = opp["AccountId"]
        elif what.startswith("001"):
            if what not in self.visible["Account"]:
                return 400, [{"message": "invalid WhatId", "errorCode": "INVALID_CROSS_REFERENCE_KEY"}]
            fields["AccountId"] = what
        if sobject == "Task" and fields.get("Status") == "Completed":
            fields.setdefault("CompletedDateTime", sf_time(now))
        record_id = self.add(sobject, fields, created=now, modified=now)
        return 201, {"id": record_id, "success": True, "errors": []}


# --- seeding from the embedded demo company ------------------------------------------------------
def seed_from_store(peer: SalesforcePeer, store: Any) -> dict[str, dict[int, str]]:
    """Users, accounts (+ account teams), contacts, opportunities (+ team members and contact roles),
    tasks and events from the embedded CRM, in Salesforce shapes; returns ``{kind: {our id: sf id}}``."""
    from integrations.crm.local import models as m

    ids: dict[str, dict[int, str]] = {"account": {}, "contact": {}, "opportunity": {}, "activity": {}}
    with Session(store.engine) as s:
        user_of: dict[str, str] = {}
        for u in s.exec(select(m.User).order_by(m.User.id)):
            user_of[u.id] = peer.add("User", {"Email": u.email, "Name": u.name_en or u.name, "IsActive": u.active,
                                              "Username": f"{u.email}.peer"})
        for a in s.exec(select(m.Account).order_by(m.Account.id)):
            ids["account"][a.id] = peer.add("Account", {
                "Name": a.name_en, "Industry": a.industry.title(), "BillingCountry": a.country,
                "Rating": RATINGS.get(a.tier), "OwnerId": user_of[a.owner_id], "DealPilot_Id__c": float(a.id),
            }, created=a.created_at or BASE_TIME, modified=a.updated_at or a.created_at or BASE_TIME)
        for am in s.exec(select(m.AccountMember)):
            peer.add("AccountTeamMember", {"AccountId": ids["account"][am.account_id], "UserId": user_of[am.user_id],
                                           "TeamMemberRole": TEAM_ROLES.get(am.role, "Sales Rep")})
        contacts = list(s.exec(select(m.Contact).order_by(m.Contact.id)))
        for c in contacts:
            first, _, last = c.name.partition(" ") if c.name.isascii() else ("", "", c.name)
            ids["contact"][c.id] = peer.add("Contact", {
                "FirstName": first or None, "LastName": last, "Name": c.name, "Title": c.title, "Email": c.email,
                "Phone": c.phone, "AccountId": ids["account"][c.account_id], "DealPilot_Id__c": float(c.id)})
        for c in contacts:
            if c.reports_to_id:
                peer.objects["Contact"][ids["contact"][c.id]]["ReportsToId"] = ids["contact"][c.reports_to_id]
        role_of = {c.id: c.committee_role for c in contacts}
        for o in s.exec(select(m.Opportunity).order_by(m.Opportunity.id)):
            ids["opportunity"][o.id] = peer.add("Opportunity", {
                "Name": o.name, "AccountId": ids["account"][o.account_id], "StageName": STAGES[o.stage],
                "Amount": o.amount, "CurrencyIsoCode": o.currency,
                "CloseDate": o.expected_close.isoformat() if o.expected_close else None,
                "OwnerId": user_of[o.owner_id], "DealPilot_Id__c": float(o.id),
            }, created=o.created_at or BASE_TIME, modified=o.updated_at or o.created_at or BASE_TIME)
        for om in s.exec(select(m.OpportunityMember)):
            peer.add("OpportunityTeamMember", {"OpportunityId": ids["opportunity"][om.opportunity_id],
                                               "UserId": user_of[om.user_id],
                                               "TeamMemberRole": TEAM_ROLES.get(om.role, "Sales Rep")})
        for oc in s.exec(select(m.OpportunityContact)):
            peer.add("OpportunityContactRole", {"OpportunityId": ids["opportunity"][oc.opportunity_id],
                                                "ContactId": ids["contact"][oc.contact_id],
                                                "Role": ROLES.get(role_of[oc.contact_id], "Other"), "IsPrimary": False})
        for act in s.exec(select(m.Activity).order_by(m.Activity.id)):
            what = ids["opportunity"][act.opportunity_id] if act.opportunity_id else ids["account"][act.account_id]
            common = {"Subject": act.subject, "Description": act.summary, "WhatId": what,
                      "AccountId": ids["account"][act.account_id],
                      "WhoId": ids["contact"].get(act.contact_id) if act.contact_id else None,
                      "OwnerId": user_of.get(act.author_id), "DealPilot_Id__c": float(act.id)}
            if act.kind in ("meeting", "visit"):
                ids["activity"][act.id] = peer.add("Event", {
                    **common, "StartDateTime": sf_time(act.occurred_at),
                    "Type": "Visit" if act.kind == "visit" else "Meeting"}, created=act.occurred_at)
                continue
            subtype = {"call": "Call", "email": "Email"}.get(act.kind, "Task")
            ids["activity"][act.id] = peer.add("Task", {
                **common, "TaskSubtype": subtype, "Type": "Note" if act.kind == "note" else None,
                "Status": "Completed" if act.status == "done" else "Not Started",
                "ActivityDate": (act.due_date or act.occurred_at.date()).isoformat(),
                "CompletedDateTime": sf_time(act.occurred_at) if act.kind != "task" else None,
            }, created=act.occurred_at)
    return ids
