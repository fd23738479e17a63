"""Messages DealPilot starts (alerts, digests, reminders): the outbox's sender for Slack.

The outbox addresses people by CRM user id (``user:li.na``) or a channel (``channel:C123``); this
turns a CRM user into a Slack DM through their email (``users.lookupByEmail``). A failure raises,
so the outbox retries with backoff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.slack.identity import SlackDirectory
from bot.adapters.slack.sender import SlackSender
from bot.messages import Reply
from bot.outbox import parse_recipient

if TYPE_CHECKING:
    from bot.runtime import Runtime


class RecipientNotOnSlack(LookupError):
    """The CRM user has no Slack account we can find (no email match)."""


class SlackDelivery:
    """``delivery(recipient, reply) -> message ts``: what ``bot.scheduler.start_background`` expects."""

    def __init__(self, runtime: "Runtime", directory: SlackDirectory, sender: SlackSender) -> None:
        self.runtime = runtime
        self.directory = directory
        self.sender = sender

    def __call__(self, recipient: str, reply: Reply) -> str | None:
        kind, ident = parse_recipient(recipient)
        if kind == "channel":
            return self.sender.post(reply, channel=ident)
        user = self.runtime.crm.get_user(ident)
        slack_user = self.directory.user_for_email(user.email) if user is not None and user.email else None
        if slack_user is None:
            raise RecipientNotOnSlack(f"CRM user {ident!r} has no Slack account with a matching email")
        return self.sender.post(reply, channel=self.sender.open_dm(slack_user))
