"""HubSpot objects -> ``VendorRow`` (our field names). Field by field in docs/connectors.md.

Activities keep their engagement type in the id (``notes:123``) because HubSpot stores notes,
calls, meetings, emails and tasks as separate object types with separate id spaces.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from integrations.crm.remote.parse import as_date, as_datetime, as_float, as_text
from integrations.crm.remote.source import VendorRow

STAGE_FROM_HUBSPOT = {
    "appointmentscheduled": "prospecting", "qualifiedtobuy": "qualification", "presentationscheduled": "proposal",
    "decisionmakerboughtin": "negotiation", "contractsent": "negotiation", "closedwon": "closed_won",
    "closedlost": "closed_lost",
}
TIER_FROM_HUBSPOT = {"tier_1": "A", "tier_2": "B", "tier_3": "C"}
ENGAGEMENT_TYPES: tuple[str, ...] = ("notes", "calls", "meetings", "emails", "tasks")
KIND_TO_ENGAGEMENT = {"note": "notes", "call": "calls", "email": "emails", "meeting": "meetings",
                      "visit": "meetings", "task": "tasks"}
OBJECT_TYPE = {"account": "companies", "contact": "contacts", "opportunity": "deals"}

PROPERTIES: dict[str, list[str]] = {
    "companies": ["name", "industry", "country", "hs_ideal_customer_profile", "hubspot_owner_id", "hs_all_owner_ids",
                  "createdate", "hs_lastmodifieddate", "dealpilot_id"],
    "contacts": ["firstname", "lastname", "jobtitle", "email", "phone", "hubspot_owner_id", "hs_lastmodifieddate",
                 "dealpilot_id"],
    "deals": ["dealname", "amount", "deal_currency_code", "closedate", "dealstage", "hubspot_owner_id",
              "hs_all_collaborator_owner_ids", "createdate", "hs_lastmodifieddate", "dealpilot_id"],
    "notes": ["hs_timestamp", "hs_note_body", "hubspot_owner_id", "hs_lastmodifieddate", "dealpilot_id"],
    "calls": ["hs_timestamp", "hs_call_title", "hs_call_body", "hubspot_owner_id", "hs_lastmodifieddate",
              "dealpilot_id"],
    "meetings": ["hs_timestamp", "hs_meeting_title", "hs_meeting_body", "hs_activity_type", "hubspot_owner_id",
                 "hs_lastmodifieddate", "dealpilot_id"],
    "emails": ["hs_timestamp", "hs_email_subject", "hs_email_text", "hubspot_owner_id", "hs_lastmodifieddate",
               "dealpilot_id"],
    "tasks": ["hs_timestamp", "hs_task_subject", "hs_task_body", "hs_task_status", "hubspot_owner_id", "createdate",
              "hs_lastmodifieddate", "dealpilot_id"],
}
_TITLED = re.compile(r"^\s*<p>\s*<strong>(.*?)</strong>\s*</p>(.*)$", re.S)


def split_note(body: str | None) -> tuple[str, str]:
    """(subject, text) of a note body; DealPilot writes a subject as a bold first paragraph."""
    match = _TITLED.match(body or "")
    if match:
        return plain(match.group(1)), plain(match.group(2))
    return "", plain(body)


def note_body(subject: str, summary: str) -> str:
    if not subject or subject == summary:
        return html.escape(summary)
    return f"<p><strong>{html.escape(subject)}</strong></p><p>{html.escape(summary)}</p>"


def plain(text: str | None) -> str:
    """HubSpot note bodies are HTML; chat wants text."""
    if not text:
        return ""
    if "<" not in text:
        return html.unescape(text)
    return html.unescape(re.sub(r"\s*<[^>]+>\s*", " ", text)).strip()


def _props(obj: Any) -> dict[str, Any]:
    props = getattr(obj, "properties", None)
    return props if isinstance(props, dict) else {}


def _hint(props: dict[str, Any]) -> int | None:
    value = as_float(props.get("dealpilot_id"), "dealpilot_id")
    return int(value) if value is not None and value > 0 and value == int(value) else None


def _ids(value: Any) -> list[str]:
    text = as_text(value) or ""
    return [p.strip() for p in text.split(";") if p.strip()]


def _base(kind: Any, external_id: str, obj: Any, props: dict[str, Any]) -> VendorRow:
    return VendorRow(kind=kind, external_id=external_id, owner=as_text(props.get("hubspot_owner_id")),
                     local_hint=_hint(props), deleted=bool(getattr(obj, "archived", False)),
                     modified_at=as_datetime(props.get("hs_lastmodifieddate")) or getattr(obj, "updated_at", None))


def company_row(obj: Any) -> VendorRow:
    p = _props(obj)
    row = _base("account", str(obj.id), obj, p)
    industry = as_text(p.get("industry"), "industry")
    row.fields = {
        "name_en": as_text(p.get("name"), "name"),
        "industry": industry.lower() if industry else None,
        "country": as_text(p.get("country"), "country"),
        "tier": TIER_FROM_HUBSPOT.get(str(p.get("hs_ideal_customer_profile") or "").lower()),
        "created_at": as_datetime(p.get("createdate"), "createdate") or getattr(obj, "created_at", None),
        "updated_at": row.modified_at,
    }
    row.members = [(o, "") for o in _ids(p.get("hs_all_owner_ids")) if o != row.owner]
    return row


def contact_row(obj: Any, company: str | None) -> VendorRow:
    p = _props(obj)
    row = _base("contact", str(obj.id), obj, p)
    first, last = as_text(p.get("firstname")) or "", as_text(p.get("lastname")) or ""
    name = f"{first} {last}".strip() if (first + last).isascii() else f"{last}{first}".strip() if last else first
    row.fields = {"name": name or None, "title": as_text(p.get("jobtitle"), "jobtitle"),
                  "email": as_text(p.get("email"), "email"), "phone": as_text(p.get("phone"), "phone")}
    row.account = company
    return row


def deal_row(obj: Any, company: str | None, contacts: list[str] | None = None) -> VendorRow:
    p = _props(obj)
    row = _base("opportunity", str(obj.id), obj, p)
    stage = STAGE_FROM_HUBSPOT.get(str(p.get("dealstage") or "").lower())
    row.fields = {
        "name": as_text(p.get("dealname"), "dealname"),
        "stage": stage,
        "amount": as_float(p.get("amount"), "amount"),
        "currency": as_text(p.get("deal_currency_code"), "deal_currency_code"),
        "expected_close": as_date(p.get("closedate"), "closedate"),
        "created_at": as_datetime(p.get("createdate"), "createdate") or getattr(obj, "created_at", None),
        "updated_at": row.modified_at,
    }
    row.account = company
    row.members = [(row.owner, "owner")] if row.owner else []
    row.members += [(o, "") for o in _ids(p.get("hs_all_collaborator_owner_ids")) if o != row.owner]
    row.contacts = contacts
    return row


def engagement_row(object_type: str, obj: Any, *, company: str | None, deal: str | None,
                   contact: str | None) -> VendorRow:
    p = _props(obj)
    row = _base("activity", f"{object_type}:{obj.id}", obj, p)
    when = as_datetime(p.get("hs_timestamp"), "hs_timestamp")
    fields: dict[str, Any] = {"occurred_at": when, "status": "done"}
    if object_type == "notes":
        subject, text = split_note(as_text(p.get("hs_note_body"), "hs_note_body"))
        fields.update(kind="note", subject=subject, summary=text)
    elif object_type == "calls":
        fields.update(kind="call", subject=as_text(p.get("hs_call_title")), summary=plain(as_text(p.get("hs_call_body"))))
    elif object_type == "emails":
        fields.update(kind="email", subject=as_text(p.get("hs_email_subject")),
                      summary=plain(as_text(p.get("hs_email_text"))))
    elif object_type == "meetings":
        visit = str(p.get("hs_activity_type") or "").lower() == "visit"
        fields.update(kind="visit" if visit else "meeting", subject=as_text(p.get("hs_meeting_title")),
                      summary=plain(as_text(p.get("hs_meeting_body"))))
    else:
        fields.update(kind="task", subject=as_text(p.get("hs_task_subject")),
                      summary=plain(as_text(p.get("hs_task_body"))), due_date=when.date() if when else None,
                      occurred_at=as_datetime(p.get("createdate"), "createdate") or getattr(obj, "created_at", None),
                      status="done" if str(p.get("hs_task_status") or "").upper() == "COMPLETED" else "open")
    row.fields = fields
    row.account, row.opportunity, row.contact = company, deal, contact
    return row


def engagement_properties(kind: str, *, subject: str, summary: str, when: str, owner: str | None,
                          due_date: date | None, status: str) -> dict[str, str]:
    """Properties for writing an activity back (notes and tasks are what the confirm flow writes)."""
    props: dict[str, str] = {"hs_timestamp": when}
    if owner:
        props["hubspot_owner_id"] = owner
    if kind == "note":
        props["hs_note_body"] = note_body(subject, summary)
    elif kind == "call":
        props.update(hs_call_title=subject, hs_call_body=summary, hs_call_status="COMPLETED")
    elif kind == "email":
        props.update(hs_email_subject=subject, hs_email_text=summary, hs_email_direction="EMAIL")
    elif kind in ("meeting", "visit"):
        props.update(hs_meeting_title=subject, hs_meeting_body=summary, hs_meeting_start_time=when,
                     hs_meeting_outcome="COMPLETED", hs_activity_type="Visit" if kind == "visit" else "Meeting")
    else:
        props.update(hs_task_subject=subject, hs_task_body=summary,
                     hs_task_status="COMPLETED" if status == "done" else "NOT_STARTED")
        if due_date is not None:
            props["hs_timestamp"] = f"{due_date.isoformat()}T00:00:00.000Z"
    return props

