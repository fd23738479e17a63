"""Generic CRM tools for the LLM agent, offered in addition to the skills' own tools.

Every function takes the viewer first (bound by the bot, never by the model) and reads through the
``CRM`` interface, which enforces visibility: a hidden record and a missing one look the same.
Numbers are returned both raw and pre-formatted so the model copies them instead of computing.
The two writes (``log_activity``, ``create_task``) are never run by the agent directly: the bot
shows their ``preview`` and runs them only after the user confirms.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.tools import Tool, ToolResult
from integrations.crm.base import CRM
from integrations.crm.entities import AccountRecord, OpportunityRecord
from integrations.crm.viewer import Viewer

MAX_ROWS = 20


def money(amount: float, currency: str) -> str:
    """``48000000, "CNY"`` -> ``"48,000,000 CNY"``: the exact string the model should copy."""
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {currency}"


def _account_cite(a: AccountRecord) -> dict[str, str]:
    return {"source": f"crm://account/{a.id}", "title": f"{a.name_zh} / {a.name_en}"}


def _deal_cite(o: OpportunityRecord) -> dict[str, str]:
    return {"source": f"crm://opportunity/{o.id}", "title": o.name if not o.name_en else f"{o.name} / {o.name_en}"}


def _user_name(crm: CRM, user_id: str) -> str:
    user = crm.get_user(user_id)
    return f"{user.name} ({user.id})" if user else user_id


def _account_row(crm: CRM, a: AccountRecord) -> dict[str, Any]:
    return {
        "account_id": a.id,
        "name_zh": a.name_zh,
        "name_en": a.name_en,
        "aliases": a.aliases,
        "industry": a.industry,
        "region": a.region,
        "tier": a.tier,
        "owner": _user_name(crm, a.owner_id),
    }


def _deal_row(crm: CRM, o: OpportunityRecord) -> dict[str, Any]:
    return {
        "deal_id": o.id,
        "account_id": o.account_id,
        "name": o.name,
        "name_en": o.name_en,
        "stage": o.stage,
        "amount": money(o.amount, o.currency),
        "discount_pct": o.discount_pct,
        "expected_close": o.expected_close.isoformat() if o.expected_close else None,
        "owner": _user_name(crm, o.owner_id),
        "key_deal": o.is_key,
    }


# --- argument schemas (what the model fills in; never a viewer) ----------------------------------


class FindAccountsArgs(BaseModel):
    query: str = Field(description="Part of the account's Chinese or English name or alias, e.g. 'ACME' or '艾克米'.")
    limit: int = Field(default=5, ge=1, le=MAX_ROWS)


class AccountArgs(BaseModel):
    account_id: int = Field(description="The account id returned by find_accounts.")


class ListDealsArgs(BaseModel):
    account_id: int | None = Field(default=None, description="Only this account's deals; omit for all visible deals.")
    open_only: bool = Field(default=True, description="Only deals not yet won or lost.")


class FindDealsArgs(BaseModel):
    query: str = Field(description="Part of the deal's name in Chinese or English, e.g. '5G专网' or 'Globex'.")


class ActivitiesArgs(BaseModel):
    account_id: int
    limit: int = Field(default=10, ge=1, le=MAX_ROWS)


class LogActivityArgs(BaseModel):
    account_id: int
    kind: Literal["visit", "call", "email", "meeting", "note"] = "note"
    summary: str = Field(min_length=1, max_length=2000)
    subject: str = Field(default="", max_length=200)
    opportunity_id: int | None = None


class CreateTaskArgs(BaseModel):
    account_id: int
    subject: str = Field(min_length=1, max_length=200)
    due_date: date | None = Field(default=None, description="ISO date, e.g. 2025-06-30.")
    opportunity_id: int | None = None


# --- tools -----------------------------------------------------------------------------------------


def build_crm_tools(crm: CRM) -> list[Tool]:
    """The generic CRM tools over ``crm``; each one reads as the viewer it is given."""

    def find_accounts(viewer: Viewer, query: str, limit: int = 5) -> ToolResult:
        hits = crm.find_accounts(viewer, query, limit=limit)
        return ToolResult([_account_row(crm, a) for a in hits], [_account_cite(a) for a in hits])

    def account_overview(viewer: Viewer, account_id: int) -> ToolResult:
        account = crm.get_account(viewer, account_id)
        if account is None:
            return ToolResult({"found": False})
        deals = crm.list_opportunities(viewer, account_id=account_id, open_only=True)
        recent = crm.list_activities(viewer, account_id=account_id, limit=1)
        data = {
            **_account_row(crm, account),
            "open_deals": [_deal_row(crm, o) for o in deals[:MAX_ROWS]],
            "contacts": len(crm.list_contacts(viewer, account_id)),
            "last_activity": recent[0].occurred_at.date().isoformat() if recent else None,
        }
        return ToolResult(data, [_account_cite(account), *(_deal_cite(o) for o in deals[:MAX_ROWS])])

    def list_opportunities(viewer: Viewer, account_id: int | None = None, open_only: bool = True) -> ToolResult:
        deals = crm.list_opportunities(viewer, account_id=account_id, open_only=open_only)[:MAX_ROWS]
        return ToolResult([_deal_row(crm, o) for o in deals], [_deal_cite(o) for o in deals])

    def find_deals(viewer: Viewer, query: str) -> ToolResult:
        needle = query.strip().lower()
        deals = [
            o for o in crm.list_opportunities(viewer) if needle and (needle in o.name.lower() or needle in o.name_en.lower())
        ][:MAX_ROWS]
        return ToolResult([_deal_row(crm, o) for o in deals], [_deal_cite(o) for o in deals])

    def recent_activities(viewer: Viewer, account_id: int, limit: int = 10) -> ToolResult:
        rows = crm.list_activities(viewer, account_id=account_id, limit=limit)
        data = [
            {
                "date": a.occurred_at.date().isoformat(),
                "kind": a.kind,
                "author": a.author_id,
                "subject": a.subject,
                "summary": a.summary[:300],
            }
            for a in rows
        ]
        cites = [{"source": f"crm://activity/{a.id}", "title": a.subject or a.kind} for a in rows[:5]]
        return ToolResult(data, cites)

    def log_activity(
        viewer: Viewer, account_id: int, kind: str, summary: str, subject: str = "", opportunity_id: int | None = None
    ) -> ToolResult:
        row = crm.log_activity(
            viewer, account_id=account_id, kind=kind, summary=summary, subject=subject, opportunity_id=opportunity_id
        )
        after = row.model_dump(mode="json")
        return ToolResult({"target": f"crm://activity/{row.id}", "before": None, "after": after})

    def create_task(
        viewer: Viewer, account_id: int, subject: str, due_date: date | None = None, opportunity_id: int | None = None
    ) -> ToolResult:
        row = crm.create_task(viewer, account_id=account_id, subject=subject, due_date=due_date, opportunity_id=opportunity_id)
        after = row.model_dump(mode="json")
        return ToolResult({"target": f"crm://activity/{row.id}", "before": None, "after": after})

    def _account_label(viewer: Viewer, account_id: int) -> str:
        account = crm.get_account(viewer, account_id)
        return f"{account.name_zh} / {account.name_en}" if account else f"account #{account_id} (not visible to you)"

    def preview_activity(viewer: Viewer, account_id: int, kind: str, summary: str, subject: str = "", **_: Any) -> str:
        return f"Log a {kind} on {_account_label(viewer, account_id)}: {subject + ' — ' if subject else ''}{summary}"

    def preview_task(viewer: Viewer, account_id: int, subject: str, due_date: date | None = None, **_: Any) -> str:
        due = f" (due {due_date.isoformat()})" if due_date else ""
        return f"Create a task on {_account_label(viewer, account_id)}: {subject}{due}"

    return [
        Tool("find_accounts", "Find accounts the user can see by (part of) a name or alias, zh or en.", FindAccountsArgs, find_accounts),
        Tool(
            "account_overview",
            "An account's profile: owner, industry, tier, open deals with amounts, contact count, last activity.",
            AccountArgs,
            account_overview,
        ),
        Tool("list_opportunities", "Deals (opportunities) the user can see, optionally for one account.", ListDealsArgs, list_opportunities),
        Tool("find_deals", "Find deals by (part of) their name, zh or en, with amount, stage and owner.", FindDealsArgs, find_deals),
        Tool("recent_activities", "An account's latest activities (visits, calls, emails, notes), newest first.", ActivitiesArgs, recent_activities),
        Tool(
            "log_activity",
            "Propose logging an activity on an account. The user must confirm before it is written.",
            LogActivityArgs,
            log_activity,
            writes=True,
            preview=preview_activity,
        ),
        Tool(
            "create_task",
            "Propose creating a follow-up task on an account. The user must confirm before it is written.",
            CreateTaskArgs,
            create_task,
            writes=True,
            preview=preview_task,
        ),
    ]
