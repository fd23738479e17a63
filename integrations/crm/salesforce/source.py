"""``SalesforceSource``: Account, Contact, Opportunity (+ contact roles, team members), Task, Event
and User through ``simple-salesforce``: SOQL with ``nextRecordsUrl`` paging, SOSL search, creates."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, TypeVar

import requests
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from integrations.crm.remote.errors import crm_auth_expired, crm_bad_payload, crm_missing_scopes, crm_unreachable
from integrations.crm.remote.parse import iso_z
from integrations.crm.remote.source import ChangePage, CursorExpired, Kind, VendorRow, VendorSource, VendorUser
from integrations.crm.salesforce import mapping as mp
from integrations.crm.salesforce.client import build_client

log = logging.getLogger("dealpilot.crm.salesforce")
T = TypeVar("T")

CHANGE_OBJECTS: dict[str, tuple[str, ...]] = {"account": ("Account",), "contact": ("Contact",),
                                              "opportunity": ("Opportunity",), "activity": ("Task", "Event")}
OBJECT_OF_KIND = {"account": "Account", "contact": "Contact", "opportunity": "Opportunity"}
IN_CHUNK = 200


def quote(value: str) -> str:
    """A SOQL string literal (ids and names never break out of the quotes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sosl_term(text: str) -> str:
    return "".join(f"\\{c}" if c in '?&|!{}[]()^~*:\\"\'+-' else c for c in text.strip())


class SalesforceSource(VendorSource):
    system = "salesforce"
    label = "Salesforce"

    def __init__(self, *, instance_url: str, session_id: str, verify: bool | str = True,
                 attempts: int = 4, backoff_s: float = 0.5, timeout_s: float = 15.0) -> None:
        self.sf = build_client(instance_url=instance_url, session_id=session_id, verify=verify,
                               attempts=attempts, backoff_s=backoff_s, timeout_s=timeout_s)
        self._instance_url = instance_url
        self._options = {"verify": verify, "attempts": attempts, "backoff_s": backoff_s, "timeout_s": timeout_s}

    def for_user(self, token: Any) -> SalesforceSource:
        """A user's OAuth access token (web-server flow) on their org: Salesforce applies their sharing."""
        return SalesforceSource(instance_url=token.instance_url or self._instance_url,
                                session_id=token.access_token, **self._options)  # type: ignore[arg-type]

    # --- transport ------------------------------------------------------------------------------
    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except SalesforceExpiredSession:
            raise crm_auth_expired(self.label) from None
        except SalesforceRefusedRequest as exc:
            raise crm_missing_scopes(self.label, _codes(exc)) from None
        except SalesforceMalformedRequest as exc:
            codes = _codes(exc)
            if "INVALID_QUERY_LOCATOR" in codes:
                raise CursorExpired() from None
            if "INVALID_FIELD" in codes or "INVALID_TYPE" in codes:
                log.warning("Salesforce field or object not available: %s", _messages(exc))
                raise crm_missing_scopes(self.label, _messages(exc)) from None
            log.warning("Salesforce rejected a request: %s", codes)
            raise crm_bad_payload(self.label) from None
        except SalesforceResourceNotFound:
            raise
        except SalesforceError as exc:
            log.warning("Salesforce answered %s", getattr(exc, "status", "?"))
            raise crm_unreachable(self.label) from None
        except requests.exceptions.JSONDecodeError:
            log.warning("Salesforce payload not readable")
            raise crm_bad_payload(self.label) from None
        except requests.exceptions.RequestException as exc:
            log.warning("Salesforce unreachable: %s", type(exc).__name__)
            raise crm_unreachable(self.label) from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("Salesforce payload not readable: %s", exc)
            raise crm_bad_payload(self.label) from None

    def _records(self, result: Any) -> list[dict[str, Any]]:
        records = result.get("records") if isinstance(result, dict) else None
        if not isinstance(records, list):
            log.warning("Salesforce query result without records")
            raise crm_bad_payload(self.label)
        return [r for r in records if isinstance(r, dict)]

    def _soql(self, soql: str, *, deleted: bool = False) -> list[dict[str, Any]]:
        """Every record of a query, following ``nextRecordsUrl``."""
        result = self._call(self.sf.query, soql, include_deleted=deleted)
        records = self._records(result)
        while isinstance(result, dict) and not result.get("done", True) and result.get("nextRecordsUrl"):
            result = self._call(self.sf.query_more, result["nextRecordsUrl"], identifier_is_url=True)
            records += self._records(result)
        return records

    def _select(self, sobject: str, where: str = "") -> list[dict[str, Any]]:
        return self._soql(f"SELECT {', '.join(mp.FIELDS[sobject])} FROM {sobject}" + (f" WHERE {where}" if where else ""))

    def _in(self, field: str, ids: list[str]) -> Iterator[str]:
        for start in range(0, len(ids), IN_CHUNK):
            yield f"{field} IN ({', '.join(quote(i) for i in ids[start:start + IN_CHUNK])})"

    # --- relations ------------------------------------------------------------------------------
    def _team(self, sobject: str, parent_field: str, ids: list[str] | None) -> dict[str, list[tuple[str, str]]]:
        base = f"SELECT {parent_field}, UserId, TeamMemberRole FROM {sobject}"
        queries = [base] if ids is None else [f"{base} WHERE {c}" for c in self._in(parent_field, ids)]
        team: dict[str, list[tuple[str, str]]] = {}
        for q in queries:
            for r in self._soql(q):
                team.setdefault(str(r.get(parent_field)), []).append((str(r.get("UserId")), str(r.get("TeamMemberRole") or "")))
        return team

    def _roles(self, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        roles: dict[str, list[tuple[str, str]]] = {}
        for c in self._in("OpportunityId", ids):
            for r in self._soql(f"SELECT OpportunityId, ContactId, Role FROM OpportunityContactRole WHERE {c}"):
                roles.setdefault(str(r.get("OpportunityId")), []).append((str(r.get("ContactId")), str(r.get("Role") or "")))
        return roles

    def _accounts(self, records: list[dict[str, Any]], all_teams: bool = False) -> list[VendorRow]:
        live = [str(r.get("Id")) for r in records if r.get("IsDeleted") is not True]
        team = self._team("AccountTeamMember", "AccountId", None if all_teams else live) if live else {}
        return [mp.account_row(r, team.get(str(r.get("Id")), [])) for r in records]

    def _opportunities(self, records: list[dict[str, Any]], all_teams: bool = False) -> list[VendorRow]:
        live = [str(r.get("Id")) for r in records if r.get("IsDeleted") is not True]
        team = self._team("OpportunityTeamMember", "OpportunityId", None if all_teams else live) if live else {}
        roles = self._roles(live) if live and not all_teams else {}
        return [mp.opportunity_row(r, team.get(str(r.get("Id")), []),
                                   [c for c, _ in roles.get(str(r.get("Id")), [])] if not all_teams else None)
                for r in records]

    def _rows(self, sobject: str, records: list[dict[str, Any]]) -> list[VendorRow]:
        if sobject == "Account":
            return self._accounts(records)
        if sobject == "Opportunity":
            return self._opportunities(records)
        if sobject == "Contact":
            return [mp.contact_row(r) for r in records]
        return [mp.activity_row(sobject, r) for r in records]

    # --- VendorSource ---------------------------------------------------------------------------
    def users(self) -> list[VendorUser]:
        return [VendorUser(external_id=str(r.get("Id")), email=str(r.get("Email") or ""), name=str(r.get("Name") or ""),
                           active=r.get("IsActive") is not False)
                for r in self._soql("SELECT Id, Email, Name, IsActive FROM User") if r.get("Email")]

    def get(self, kind: Kind, external_id: str) -> VendorRow | None:
        sobject = mp.PREFIX.get(external_id[:3]) if kind == "activity" else OBJECT_OF_KIND[kind]
        if sobject is None or not external_id.isalnum() or len(external_id) not in (15, 18):
            return None
        records = self._select(sobject, f"Id = {quote(external_id)}")
        rows = self._rows(sobject, records)
        return rows[0] if rows else None

    def list_all(self, kind: Any) -> Iterator[VendorRow]:
        if kind == "account":
            yield from self._accounts(self._select("Account"), all_teams=True)
        else:
            yield from self._opportunities(self._select("Opportunity"), all_teams=True)

    def search_accounts(self, query: str, limit: int) -> list[VendorRow]:
        term = sosl_term(query)
        if len(term) < 2:
            return []
        sosl = (f"FIND {{{term}}} IN NAME FIELDS RETURNING Account({', '.join(mp.FIELDS['Account'])}) "
                f"LIMIT {max(1, min(limit, 200))}")
        result = self._call(self.sf.search, sosl)
        records = result.get("searchRecords") if isinstance(result, dict) else None
        if not isinstance(records, list):
            raise crm_bad_payload(self.label)
        return self._accounts([r for r in records if isinstance(r, dict)])

    def account_children(self, kind: Any, account: str) -> list[VendorRow]:
        where = f"AccountId = {quote(account)}"
        if kind == "activity":
            return [row for sobject in ("Task", "Event") for row in self._rows(sobject, self._select(sobject, where))]
        sobject = OBJECT_OF_KIND[kind]
        return self._rows(sobject, self._select(sobject, where))

    def opportunity_activities(self, opportunity: str) -> list[VendorRow]:
        where = f"WhatId = {quote(opportunity)}"
        return [row for sobject in ("Task", "Event") for row in self._rows(sobject, self._select(sobject, where))]

    def opportunity_contacts(self, opportunity: str) -> list[VendorRow]:
        roles = dict(self._roles([opportunity]).get(opportunity, []))
        if not roles:
            return []
        records = [r for c in self._in("Id", sorted(roles)) for r in self._select("Contact", c)]
        return [mp.contact_row(r, roles.get(str(r.get("Id")))) for r in records]

    def changes(self, kind: Kind, *, since: datetime | None, token: str | None, page_size: int = 200) -> ChangePage:
        """``queryAll`` (deleted rows included) by ``SystemModstamp`` ascending; the token is
        ``Object|nextRecordsUrl`` so a crashed run resumes on the page after its last checkpoint."""
        objects = CHANGE_OBJECTS[kind]
        sobject, _, locator = (token or f"{objects[0]}|").partition("|")
        headers = {"Sforce-Query-Options": f"batchSize={max(1, page_size)}"}
        if locator:
            result = self._call(self.sf.query_more, locator, identifier_is_url=True, headers=headers)
        else:
            where = f" WHERE SystemModstamp >= {iso_z(since)}" if since else ""
            soql = f"SELECT {', '.join(mp.FIELDS[sobject])} FROM {sobject}{where} ORDER BY SystemModstamp, Id"
            result = self._call(self.sf.query, soql, include_deleted=True, headers=headers)
        rows = self._rows(sobject, self._records(result))
        total = result.get("totalSize") if not locator else None
        if not result.get("done", True) and result.get("nextRecordsUrl"):
            return ChangePage(rows, f"{sobject}|{result['nextRecordsUrl']}", total)
        following = objects.index(sobject) + 1
        return ChangePage(rows, f"{objects[following]}|" if following < len(objects) else None, total)

    def create_activity(self, *, kind: str, account: str, opportunity: str | None, owner: str | None, subject: str,
                        summary: str, due_date: date | None, status: str) -> VendorRow:
        fields: dict[str, Any] = {"Subject": subject or summary[:80], "Description": summary,
                                  "WhatId": opportunity or account}
        if owner:
            fields["OwnerId"] = owner
        if kind in ("meeting", "visit"):
            sobject = "Event"
            fields.update(StartDateTime=iso_z(datetime.now().astimezone()), DurationInMinutes=60,
                          Type="Visit" if kind == "visit" else "Meeting")
        else:
            sobject = "Task"
            fields.update(TaskSubtype={"call": "Call", "email": "Email"}.get(kind, "Task"),
                          Status="Completed" if status == "done" else "Not Started",
                          Type="Note" if kind == "note" else None)
            if due_date is not None:
                fields["ActivityDate"] = due_date.isoformat()
        created = self._call(getattr(self.sf, sobject).create, {k: v for k, v in fields.items() if v is not None})
        new_id = created.get("id") if isinstance(created, dict) else None
        if not new_id:
            raise crm_bad_payload(self.label)
        row = self.get("activity", str(new_id))
        if row is None:
            raise crm_bad_payload(self.label)
        return row


def _content(exc: Any) -> list[dict[str, Any]]:
    content = getattr(exc, "content", None)
    return [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []


def _codes(exc: Any) -> list[str]:
    return [str(c.get("errorCode")) for c in _content(exc) if c.get("errorCode")]


def _messages(exc: Any) -> list[str]:
    return [str(c.get("message"))[:120] for c in _content(exc) if c.get("message")]
