"""Salesforce records -> ``VendorRow`` (our field names). Field by field in docs/connectors.md."""

from __future__ import annotations

from typing import Any

from integrations.crm.remote.parse import as_date, as_datetime, as_float, as_text
from integrations.crm.remote.source import VendorRow

STAGE_FROM_SF = {
    "prospecting": "prospecting", "qualification": "qualification", "needs analysis": "qualification",
    "id. decision makers": "qualification", "value proposition": "proposal", "perception analysis": "proposal",
    "proposal/price quote": "proposal", "negotiation/review": "negotiation", "closed won": "closed_won",
    "closed lost": "closed_lost",
}
STAGE_TO_SF = {"prospecting": "Prospecting", "qualification": "Qualification", "proposal": "Proposal/Price Quote",
               "negotiation": "Negotiation/Review", "closed_won": "Closed Won", "closed_lost": "Closed Lost"}
TIER_FROM_RATING = {"hot": "A", "warm": "B", "cold": "C"}
ROLE_FROM_SF = {"economic buyer": "economic_buyer", "decision maker": "economic_buyer",
                "executive sponsor": "economic_buyer", "technical buyer": "technical_buyer",
                "evaluator": "technical_buyer", "business user": "user", "champion": "champion",
                "influencer": "influencer", "gatekeeper": "gatekeeper", "legal": "legal", "finance": "finance"}
TEAM_ROLE_FROM_SF = {"opportunity owner": "owner", "sales rep": "sales", "account manager": "sales",
                     "pre-sales consultant": "presales", "sales engineer": "presales", "delivery manager": "delivery",
                     "legal": "legal", "finance": "finance"}
PREFIX = {"001": "Account", "003": "Contact", "006": "Opportunity", "00T": "Task", "00U": "Event"}

FIELDS: dict[str, list[str]] = {
    "Account": ["Id", "Name", "Industry", "BillingCountry", "Rating", "OwnerId", "CreatedDate", "LastModifiedDate",
                "SystemModstamp", "IsDeleted", "DealPilot_Id__c"],
    "Contact": ["Id", "FirstName", "LastName", "Name", "Title", "Email", "Phone", "AccountId", "ReportsToId",
                "SystemModstamp", "IsDeleted", "DealPilot_Id__c"],
    "Opportunity": ["Id", "Name", "AccountId", "StageName", "Amount", "CurrencyIsoCode", "CloseDate", "OwnerId",
                    "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted", "DealPilot_Id__c"],
    "Task": ["Id", "Subject", "Description", "ActivityDate", "Status", "TaskSubtype", "Type", "WhatId", "WhoId",
             "AccountId", "OwnerId", "CreatedDate", "CompletedDateTime", "SystemModstamp", "IsDeleted",
             "DealPilot_Id__c"],
    "Event": ["Id", "Subject", "Description", "StartDateTime", "Type", "WhatId", "WhoId", "AccountId", "OwnerId",
              "CreatedDate", "SystemModstamp", "IsDeleted", "DealPilot_Id__c"],
}


def _hint(rec: dict[str, Any]) -> int | None:
    value = as_float(rec.get("DealPilot_Id__c"), "DealPilot_Id__c")
    return int(value) if value is not None and value > 0 and value == int(value) else None


def _base(kind: Any, rec: dict[str, Any]) -> VendorRow:
    return VendorRow(kind=kind, external_id=str(rec.get("Id")), owner=as_text(rec.get("OwnerId")),
                     local_hint=_hint(rec), deleted=rec.get("IsDeleted") is True,
                     modified_at=as_datetime(rec.get("SystemModstamp"), "SystemModstamp"))


def account_row(rec: dict[str, Any], members: list[tuple[str, str]] | None = None) -> VendorRow:
    row = _base("account", rec)
    industry = as_text(rec.get("Industry"), "Industry")
    row.fields = {
        "name_en": as_text(rec.get("Name"), "Name"), "industry": industry.lower() if industry else None,
        "country": as_text(rec.get("BillingCountry"), "BillingCountry"),
        "tier": TIER_FROM_RATING.get(str(rec.get("Rating") or "").lower()),
        "created_at": as_datetime(rec.get("CreatedDate"), "CreatedDate"),
        "updated_at": as_datetime(rec.get("LastModifiedDate"), "LastModifiedDate"),
    }
    row.members = members
    return row


def contact_row(rec: dict[str, Any], committee_role: str | None = None) -> VendorRow:
    row = _base("contact", rec)
    first, last = as_text(rec.get("FirstName")) or "", as_text(rec.get("LastName")) or ""
    name = as_text(rec.get("Name"), "Name") or (f"{first} {last}".strip() if (first + last).isascii() else last + first)
    row.fields = {"name": name or None, "title": as_text(rec.get("Title"), "Title"),
                  "email": as_text(rec.get("Email"), "Email"), "phone": as_text(rec.get("Phone"), "Phone"),
                  "committee_role": ROLE_FROM_SF.get((committee_role or "").lower())}
    row.account = as_text(rec.get("AccountId"))
    row.contact = as_text(rec.get("ReportsToId"))
    return row


def opportunity_row(rec: dict[str, Any], members: list[tuple[str, str]] | None = None,
                    contacts: list[str] | None = None) -> VendorRow:
    row = _base("opportunity", rec)
    row.fields = {
        "name": as_text(rec.get("Name"), "Name"),
        "stage": STAGE_FROM_SF.get(str(rec.get("StageName") or "").lower()),
        "amount": as_float(rec.get("Amount"), "Amount"),
        "currency": as_text(rec.get("CurrencyIsoCode"), "CurrencyIsoCode"),
        "expected_close": as_date(rec.get("CloseDate"), "CloseDate"),
        "created_at": as_datetime(rec.get("CreatedDate"), "CreatedDate"),
        "updated_at": as_datetime(rec.get("LastModifiedDate"), "LastModifiedDate"),
    }
    row.account = as_text(rec.get("AccountId"))
    row.members = [(u, TEAM_ROLE_FROM_SF.get(r.lower(), "")) for u, r in members or []]
    row.contacts = contacts
    return row


def activity_row(sobject: str, rec: dict[str, Any]) -> VendorRow:
    row = _base("activity", rec)
    what = as_text(rec.get("WhatId")) or ""
    fields: dict[str, Any] = {"subject": as_text(rec.get("Subject"), "Subject"),
                              "summary": as_text(rec.get("Description"), "Description"), "status": "done"}
    if sobject == "Event":
        visit = str(rec.get("Type") or "").lower() == "visit"
        fields.update(kind="visit" if visit else "meeting",
                      occurred_at=as_datetime(rec.get("StartDateTime"), "StartDateTime"))
    else:
        subtype = str(rec.get("TaskSubtype") or "").lower()
        kind = {"call": "call", "email": "email"}.get(subtype) or (
            "note" if str(rec.get("Type") or "").lower() == "note" else "task")
        created = as_datetime(rec.get("CreatedDate"), "CreatedDate")
        fields["kind"] = kind
        if kind == "task":
            fields.update(occurred_at=created, due_date=as_date(rec.get("ActivityDate"), "ActivityDate"),
                          status="done" if str(rec.get("Status") or "").lower() == "completed" else "open")
        else:
            fields["occurred_at"] = as_datetime(rec.get("CompletedDateTime"), "CompletedDateTime") or created
    row.fields = fields
    row.account = as_text(rec.get("AccountId")) or (what if what.startswith("001") else None)
    row.opportunity = what if what.startswith("006") else None
    row.contact = as_text(rec.get("WhoId")) if str(rec.get("WhoId") or "").startswith("003") else None
    return row
